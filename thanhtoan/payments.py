"""Online payments: start one, settle it from the provider's callback or from a query (docs/payments.md §3).

Settling is the one place a transaction leaves STARTED/PENDING, always under ``select_for_update``
of the transaction's row, so a callback, its replay, a concurrent duplicate and the reconciliation
query settle a reference once: the first one wins, the others find it settled and change nothing.
A callback whose check code does not verify is logged (``PaymentNotice``, a warning) and changes
nothing else; the amount and the currency must be the transaction's.

A success: the receipt, the fee request paid, the dossier's summary (``thanhtoan.fees``), then the
dossier: an online dossier paid before it is sent is sent now (its intake deadline counts from
this instant), and every paid dossier gets a PAY event (notified, and queued for the national link
by the workflow's event hook).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from congdan import drafts
from congdan.models import Draft
from hoso.models import Dossier
from hoso.workflow import WorkflowError
from tructuyen.filecheck import FileRejected

from . import fees
from . import protocol as p
from .models import FeeRequest, FeeState, PayChannel, PaymentNotice, PaymentTransaction, TxState
from .providers import Notice, Payment, ProviderError, provider

logger = logging.getLogger(__name__)

# Set while a paid draft is being sent: the SUBMIT event's hook links this request to the new dossier.
_paying: ContextVar[int | None] = ContextVar("thanhtoan_paying_request", default=None)


@contextmanager
def _sending_paid_draft(request_id: int) -> Iterator[None]:
    token = _paying.set(request_id)
    try:
        yield
    finally:
        _paying.reset(token)


def paying_request() -> int | None:
    return _paying.get()


def start(*, request: FeeRequest, payer_name: str, client_ip: str, now: datetime | None = None) -> str:
    """A new transaction for what the request still owes; returns the provider's payment page URL.

    The transaction row is written first (STARTED); the provider's answer is kept on it."""
    now = now or timezone.now()
    with transaction.atomic():
        request = (
            FeeRequest.objects.select_for_update(of=("self",))
            .select_related("agency", "procedure", "dossier")
            .get(pk=request.pk)
        )
        owed = request.owed - fees.paid_total(request)
        if request.state in (FeeState.PAID, FeeState.REFUNDED, FeeState.CANCELLED) or owed <= 0:
            raise ProviderError("Hồ sơ không còn khoản phí, lệ phí nào phải nộp.")
        tx = PaymentTransaction.objects.create(
            request=request,
            reference=fees.new_reference(),
            amount=owed,
            channel=PayChannel.ONLINE,
            provider="national",
            started_at=now,
        )
        request.state = FeeState.AWAITING
        request.save(update_fields=["state"])
    payment = Payment(
        reference=tx.reference,
        amount=owed,
        description=f"Nộp phí, lệ phí thủ tục {request.procedure.code}",
        procedure_code=request.procedure.code,
        procedure_name=request.procedure.name[:200],
        agency_code=request.agency.code,
        agency_name=request.agency.name,
        dossier_code=(request.dossier.code if request.dossier else "") or "",
        payer_name=payer_name,
        lines=[
            {"LoaiPhiLePhi": line.kind, "MaPhiLePhi": str(line.pk), "TenPhiLePhi": line.name, "SoTien": line.amount}
            for line in request.lines.all()
        ],
        client_ip=client_ip,
        now=now,
    )
    started = provider().start(payment)  # ProviderError: the row stays STARTED; reconciliation fails it
    PaymentTransaction.objects.filter(pk=tx.pk).update(raw_request=started.raw_request, raw_answer=started.raw_answer)
    return started.url


def _log(tx: PaymentTransaction | None, notice: Notice, kind: str, outcome: str, now: datetime) -> None:
    PaymentNotice.objects.create(
        transaction=tx,
        reference=notice.reference,
        kind=kind,
        payload=notice.raw,
        hash_ok=notice.verified,
        outcome=outcome,
        received_at=now,
    )


def handle_callback(params: dict[str, str], *, now: datetime | None = None) -> dict[str, Any]:
    """The provider's callback: check code first, then the reference, amount and currency; returns the reply."""
    now = now or timezone.now()
    adapter = provider()
    notice = adapter.read_callback(params)
    if not notice.verified:
        logger.warning("Thông báo thanh toán sai mã xác thực, mã tham chiếu %r: bỏ qua", notice.reference)
        _log(None, notice, "callback", "Sai mã xác thực: không thay đổi gì", now)
        return adapter.reply(notice.reference, p.REPLY_BAD_HASH, now)
    code = settle(notice, kind="callback", now=now)
    return adapter.reply(notice.reference, code, now)


def settle(notice: Notice, *, kind: str, now: datetime) -> str:
    """Apply a verified notice to its transaction (locked); returns the reply code."""
    with transaction.atomic():
        tx = PaymentTransaction.objects.select_for_update().filter(reference=notice.reference).first()
        if tx is None:
            _log(None, notice, kind, "Không có giao dịch với mã tham chiếu này", now)
            return p.REPLY_UNKNOWN_REFERENCE
        if notice.amount != tx.amount or (notice.currency or "VND") != tx.currency:
            logger.warning(
                "Thông báo thanh toán %s: số tiền %s %s khác giao dịch", tx.reference, notice.amount, notice.currency
            )
            _log(tx, notice, kind, f"Số tiền {notice.amount} {notice.currency} khác giao dịch: không ghi nhận", now)
            return p.REPLY_AMOUNT_MISMATCH
        if tx.state in (TxState.SUCCEEDED, TxState.FAILED):
            _log(tx, notice, kind, f"Đã ghi nhận trước đó ({tx.get_state_display()}): không thay đổi", now)
            return p.REPLY_OK
        if notice.paid is None:
            if tx.state != TxState.PENDING:
                PaymentTransaction.objects.filter(pk=tx.pk).update(state=TxState.PENDING)
            _log(tx, notice, kind, "Đang chờ xử lý", now)
            return p.REPLY_OK
        tx.state = TxState.SUCCEEDED if notice.paid else TxState.FAILED
        tx.settled_at, tx.settled_by, tx.hash_verified = now, kind, True
        tx.provider_transaction = notice.provider_transaction
        tx.raw_answer = {**(tx.raw_answer or {}), kind: notice.raw}
        tx.save(
            update_fields=["state", "settled_at", "settled_by", "hash_verified", "provider_transaction", "raw_answer"]
        )
        _log(tx, notice, kind, "Thanh toán thành công" if notice.paid else "Thanh toán không thành công", now)
        if notice.paid:
            fees.settle_success(tx, now=now)
            _after_success(tx, now)
        else:
            FeeRequest.objects.filter(pk=tx.request_id, state=FeeState.AWAITING).update(state=FeeState.NOT_PAID)
    return p.REPLY_OK


def _after_success(tx: PaymentTransaction, now: datetime) -> None:
    """The dossier side of a success: send a paid draft, then the PAY event."""
    request = FeeRequest.objects.get(pk=tx.request_id)
    if request.dossier_id is None and request.draft_id is not None:
        draft = Draft.objects.select_related("citizen").get(pk=request.draft_id)
        try:
            with transaction.atomic(), _sending_paid_draft(request.pk):  # a savepoint: the payment stays recorded
                dossier = drafts.submit(draft_id=draft.pk, citizen=draft.citizen, now=now)
        except (drafts.DraftIncomplete, WorkflowError, FileRejected) as exc:
            # Paid, but the draft can no longer be sent (the ward stopped taking the procedure online…):
            # the payment is kept; the accountant's list shows it, the desk settles it with the citizen.
            logger.warning("Bản nháp %s đã thanh toán nhưng chưa gửi được: %s", draft.pk, exc)
            return
        request.dossier = dossier
        request.save(update_fields=["dossier"])
        Dossier.objects.filter(pk=dossier.pk).update(fee_amount=tx.amount, paid_online=True)
    if request.dossier_id is None:
        return
    dossier = Dossier.objects.select_for_update().get(pk=request.dossier_id)
    fees.write_pay_event(dossier, tx, now)


def settle_by_query(tx_id: int, *, now: datetime | None = None) -> str:
    """Ask the provider about one open transaction and settle it from a verified answer."""
    now = now or timezone.now()
    tx = PaymentTransaction.objects.get(pk=tx_id)
    if tx.state in (TxState.SUCCEEDED, TxState.FAILED):
        return "settled"
    notice = provider().query(tx.reference, now)
    if not notice.verified:
        logger.warning("Trả lời tra cứu thanh toán %s sai mã xác thực: bỏ qua", tx.reference)
        _log(tx, notice, "query", "Sai mã xác thực: không thay đổi gì", now)
        return "bad hash"
    settle(notice, kind="query", now=now)
    return "paid" if notice.paid else "pending" if notice.paid is None else "failed"
