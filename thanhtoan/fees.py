"""The fee request of a dossier: its lines from the catalogue, and the bookkeeping of a settled payment.

Lines (docs/payments.md §1): the ward's own amount (``AgencyProcedure.fee_amount``) when it sets one,
else the catalogue's amount for the dossier's channel (``Procedure.fee_for``); a ward's ``FeeRule``
may add a fee line and says when the fee is collected (before processing, the default, or at the
result). A catalogue whose fee is only text gives no line: the clerk states the amount.

``Dossier.fee_amount`` (collected, đồng) and ``Dossier.paid_online`` stay as the dossier's summary of
these rows, written only here, in the transaction that settles a payment.
"""

from __future__ import annotations

import secrets
from datetime import datetime

from django.db import transaction
from django.db.models import F

from congdan.models import Draft
from hoso.constants import Action
from hoso.models import Dossier
from hoso.workflow import _write_event
from motcua.lib.cache import Kept
from motcua.models import Agency, User
from thutuc.constants import Channel
from thutuc.models import AgencyProcedure, Procedure
from thutuc.offers import MAX_KEPT, catalogue_version, offer_for

from .models import (
    FeeLine,
    FeeRequest,
    FeeRule,
    FeeState,
    LineKind,
    PayChannel,
    PaymentTransaction,
    Receipt,
    Timing,
    TxState,
)

RECEIPT_SERIES = "BLĐT-{year}"  # biên lai điện tử, one series per ward and year


class FeeError(ValueError):
    """A fee action refused, with the reason in Vietnamese."""


# A ward's fee rules, kept per process under the catalogue's version token like its offers
# (thutuc.offers): every intake reads one, and almost always finds none. A saved or deleted rule
# replaces the token (ThanhtoanConfig.ready connects the signals).
_rules: Kept[tuple[int, int], FeeRule | None] = Kept(MAX_KEPT)


def fee_rule_for(agency_id: int, procedure_id: int) -> FeeRule | None:
    """The ward's fee rule of the procedure (None: the catalogue's fee, collected before processing).
    Shared between requests: read it, never change it."""
    key = (agency_id, procedure_id)
    version = catalogue_version()
    if (hit := _rules.get(key, version)) is not Kept.MISSING:
        return hit
    rule = FeeRule.objects.filter(agency_id=agency_id, procedure_id=procedure_id).first()
    _rules.put(key, version, rule)
    return rule


def catalogue_lines(agency_id: int, procedure: Procedure, channel: int) -> tuple[list[FeeLine], str]:
    """(unsaved lines, timing) for a procedure at a ward through a channel."""
    offer = offer_for(agency_id, procedure.code)  # the active offer, kept per process
    if offer is None or offer.procedure_id != procedure.pk:  # a withdrawn offer still sets the fee it had
        offer = AgencyProcedure.objects.filter(agency_id=agency_id, procedure=procedure).first()
    rule = fee_rule_for(agency_id, procedure.pk)
    lines: list[FeeLine] = []
    if offer is not None and offer.fee_amount is not None:
        if offer.fee_amount:
            lines.append(FeeLine(kind=LineKind.CHARGE, name="Lệ phí", amount=offer.fee_amount, source="ward"))
    elif amount := procedure.fee_for(channel):
        lines.append(FeeLine(kind=LineKind.CHARGE, name="Lệ phí", amount=amount, source="catalogue"))
    if rule is not None and rule.extra_amount:
        lines.append(FeeLine(kind=LineKind.FEE, name=rule.extra_name or "Phí", amount=rule.extra_amount, source="ward"))
    return lines, (rule.timing if rule is not None else Timing.BEFORE)


def new_request(
    *,
    agency_id: int,
    procedure: Procedure,
    channel: int,
    now: datetime,
    dossier: Dossier | None = None,
    draft_id: int | None = None,
) -> FeeRequest:
    request, lines = unsaved_request(agency_id=agency_id, procedure=procedure, channel=channel, now=now)
    request.dossier, request.draft_id = dossier, draft_id
    request.save()
    for line in lines:
        line.request = request
    FeeLine.objects.bulk_create(lines)
    return request


def unsaved_request(
    *, agency_id: int, procedure: Procedure, channel: int, now: datetime
) -> tuple[FeeRequest, list[FeeLine]]:
    """A fee request from the catalogue and its lines, neither saved nor linked to an owner yet."""
    lines, timing = catalogue_lines(agency_id, procedure, channel)
    request = FeeRequest(
        agency_id=agency_id,
        procedure=procedure,
        channel=channel,
        timing=timing,
        amount_due=sum(line.amount for line in lines),
        created_at=now,
    )
    return request, lines


def pay_first_amount(agency_id: int, procedure: Procedure) -> int:
    """What an online dossier of this procedure must pay before it is sent (0: nothing up front)."""
    lines, timing = catalogue_lines(agency_id, procedure, Channel.ONLINE)
    return sum(line.amount for line in lines) if timing == Timing.BEFORE else 0


def paid_total(request: FeeRequest) -> int:
    rows = request.transactions.filter(state=TxState.SUCCEEDED).values_list("amount", flat=True)
    return sum(rows)


def new_reference() -> str:
    return "TT" + secrets.token_hex(8).upper()


def _next_receipt(agency_id: int, now: datetime) -> tuple[str, int]:
    """The next receipt number of the ward's series for the year (the ward's row is locked)."""
    Agency.objects.select_for_update().filter(pk=agency_id).first()
    series = RECEIPT_SERIES.format(year=now.year)
    last = Receipt.objects.filter(agency_id=agency_id, series=series).order_by("-number").first()
    return series, (last.number + 1 if last else 1)


def write_pay_event(dossier: Dossier, tx: PaymentTransaction, now: datetime) -> None:
    """The payment as an event of the dossier (status unchanged): notified, queued for the national link."""
    data = {"reference": tx.reference, "amount": tx.amount, "channel": tx.channel}
    _write_event(dossier, Action.PAY, dossier.status, dossier.status, tx.recorded_by, now, "", data)  # type: ignore[arg-type]


def settle_success(tx: PaymentTransaction, *, now: datetime, summary: bool = True) -> Receipt:
    """Bookkeeping of a payment that just succeeded (``tx`` locked, state set by the caller):
    the receipt, the request's state, the dossier's summary. Inside the caller's transaction."""
    request = FeeRequest.objects.select_for_update().get(pk=tx.request_id)
    series, number = _next_receipt(request.agency_id, now)
    receipt = Receipt.objects.create(
        transaction=tx, agency_id=request.agency_id, series=series, number=number, amount=tx.amount, issued_at=now
    )
    if paid_total(request) >= request.owed:
        request.state = FeeState.PAID
        request.paid_at = now
    request.save(update_fields=["state", "paid_at"])
    if summary and request.dossier_id is not None:
        values: dict[str, object] = {"fee_amount": F("fee_amount") + tx.amount}
        if tx.channel == PayChannel.ONLINE:
            values["paid_online"] = True
        Dossier.objects.filter(pk=request.dossier_id).update(**values)
    return receipt


@transaction.atomic
def record_counter_payment(
    *, dossier_id: int, actor: User, channel: str, amount: int, note: str = "", now: datetime, at_intake: bool = False
) -> PaymentTransaction:
    """The clerk took cash or a transfer at the desk: one settled transaction, its receipt, a PAY event.

    ``at_intake``: the amount the clerk typed on the intake form, already on the dossier and in its
    RECEIVE event (no summary update, no second event)."""
    dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
    if dossier is None:
        raise FeeError("Không tìm thấy hồ sơ.")
    if not actor.is_active or actor.agency_id != dossier.agency_id:
        raise FeeError("Hồ sơ thuộc cơ quan khác: bạn không được thu phí.")
    if actor.role not in ("clerk", "leader"):
        raise FeeError(f"Vai trò {actor.get_role_display()} không được thu phí, lệ phí.")
    if channel not in (PayChannel.CASH, PayChannel.TRANSFER):
        raise FeeError("Hãy chọn hình thức nộp: tiền mặt hoặc chuyển khoản.")
    if amount <= 0:
        raise FeeError("Số tiền phải lớn hơn 0 đồng.")
    request = request_for(dossier, now=now)
    if request.exempt:
        raise FeeError("Hồ sơ được miễn phí, lệ phí: không thu.")
    if request.state in (FeeState.REFUNDED, FeeState.CANCELLED):
        raise FeeError(f"Yêu cầu thu đang ở trạng thái “{request.get_state_display()}”.")
    if not request.amount_due:  # the catalogue gave no amount (text only): the clerk's amount is the fee
        FeeLine.objects.create(request=request, name="Phí, lệ phí (cán bộ ghi)", amount=amount, source="clerk")
        request.amount_due = amount
        request.save(update_fields=["amount_due"])
    tx = PaymentTransaction.objects.create(
        request=request,
        reference=new_reference(),
        amount=amount,
        channel=channel,
        provider="counter",
        state=TxState.SUCCEEDED,
        raw_request={"note": note[:300]} if note else {},
        hash_verified=False,
        started_at=now,
        settled_at=now,
        settled_by="clerk",
        recorded_by=actor,
    )
    settle_success(tx, now=now, summary=not at_intake)
    if not at_intake:
        write_pay_event(dossier, tx, now)
    return tx


def request_for(dossier: Dossier, *, now: datetime) -> FeeRequest:
    """The dossier's fee request, made from the catalogue when it has none yet (locked)."""
    request = FeeRequest.objects.select_for_update().filter(dossier=dossier).first()
    if request is None:
        request = new_request(
            agency_id=dossier.agency_id, procedure=dossier.procedure, channel=dossier.channel, now=now, dossier=dossier
        )
    return request


@transaction.atomic
def set_exemption(*, dossier_id: int, actor: User, reason: str, now: datetime) -> FeeRequest:
    """Miễn phí, lệ phí for this dossier, with its reason (the clerk's or the leader's decision)."""
    reason = reason.strip()
    if not reason:
        raise FeeError("Hãy ghi rõ lý do miễn phí, lệ phí.")
    dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
    if dossier is None or not actor.is_active or actor.agency_id != dossier.agency_id:
        raise FeeError("Hồ sơ thuộc cơ quan khác: bạn không được thao tác.")
    if actor.role not in ("clerk", "leader"):
        raise FeeError(f"Vai trò {actor.get_role_display()} không được miễn phí, lệ phí.")
    request = request_for(dossier, now=now)
    if paid_total(request):
        raise FeeError("Hồ sơ đã nộp phí: không ghi miễn được (hãy hoàn trả trước).")
    request.exempt, request.exemption_reason = True, reason[:300]
    request.save(update_fields=["exempt", "exemption_reason"])
    return request


def request_for_read(dossier: Dossier) -> FeeRequest | None:
    return FeeRequest.objects.filter(dossier=dossier).first()


def request_for_draft(draft: Draft, *, now: datetime) -> FeeRequest:
    """The fee request a draft is paid with (made from the catalogue, online channel, once)."""
    with transaction.atomic():
        request = FeeRequest.objects.select_for_update().filter(draft=draft, dossier__isnull=True).first()
        if request is None:
            request = new_request(
                agency_id=draft.agency_id, procedure=draft.procedure, channel=Channel.ONLINE, now=now, draft_id=draft.pk
            )
    return request


def owed_now(request: FeeRequest) -> int:
    return max(0, request.owed - paid_total(request))


def record_settled_payment(
    *, dossier: Dossier, amount: int, channel: str, provider: str, at: datetime, summary: bool = True
) -> PaymentTransaction:
    """A payment that already happened elsewhere (an imported history, the old system): the request's
    line when it has none, one succeeded transaction, its receipt; no event (history)."""
    with transaction.atomic():
        request = request_for(dossier, now=at)
        if not request.amount_due and amount:
            FeeLine.objects.create(request=request, name="Phí, lệ phí đã thu", amount=amount, source=provider)
            request.amount_due = amount
            request.save(update_fields=["amount_due"])
        tx = PaymentTransaction.objects.create(
            request=request,
            reference=new_reference(),
            amount=amount,
            channel=channel,
            provider=provider,
            state=TxState.SUCCEEDED,
            started_at=at,
            settled_at=at,
            settled_by=provider,
        )
        settle_success(tx, now=at, summary=summary)
    return tx
