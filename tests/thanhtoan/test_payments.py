"""Callbacks and queries of the national payment platform's protocol against the stand-in (docs/payments.md)."""

from __future__ import annotations

import threading
from datetime import UTC, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from hoso.constants import Action, NotificationKind
from hoso.models import Dossier, DossierEvent, Notification
from motcua.constants import Role
from tests.conftest import need
from tests.hoso.test_workflow import receive, vn
from thanhtoan import fees, payments, protocol, tasks
from thanhtoan.models import FeeRequest, FeeState, PaymentNotice, PaymentTransaction, Receipt, Timing, TxState

from .conftest import SECRET

pytestmark = pytest.mark.django_db(transaction=True)


def owing_dossier(agency, staff, fee_procedure) -> Dossier:
    """A counter dossier received with nothing collected: its fee request owes 50.000 đồng."""
    return receive(agency, staff[Role.CLERK], fee_procedure, vn(2025, 3, 3, 9, 0))


def started(gateway, dossier: Dossier) -> tuple[PaymentTransaction, str]:
    request = FeeRequest.objects.get(dossier=dossier)
    url = payments.start(request=request, payer_name="Nguyễn Văn An", client_ip="127.0.0.1")
    return PaymentTransaction.objects.get(request=request), url.rsplit("/", 1)[1]


def callback_for(gateway, token: str, *, paid: bool = True) -> dict[str, object]:
    return gateway.callback_message(gateway.held[token], paid)


def test_a_counter_dossier_gets_its_fee_request_from_the_catalogue(agency, staff, fee_procedure):
    dossier = owing_dossier(agency, staff, fee_procedure)
    request = FeeRequest.objects.get(dossier=dossier)
    assert (request.amount_due, request.state, request.timing) == (50_000, FeeState.NOT_PAID, Timing.BEFORE)
    assert [(line.name, line.amount, line.source) for line in request.lines.all()] == [("Lệ phí", 50_000, "catalogue")]


def test_the_clerks_typed_amount_is_a_cash_payment_with_a_receipt(agency, staff, fee_procedure):
    clerk = staff[Role.CLERK]
    dossier = receive(agency, clerk, fee_procedure, vn(2025, 3, 3, 14, 5), fee_amount=50_000)
    tx = PaymentTransaction.objects.get(request__dossier=dossier)
    assert (tx.channel, tx.state, tx.amount, tx.recorded_by, tx.settled_at) == (
        "cash",
        TxState.SUCCEEDED,
        50_000,
        clerk,
        vn(2025, 3, 3, 14, 5),
    )
    assert protocol.shown(tx.settled_at) == "14:05:00 ngày 03/03/2025"  # 24-hour clock, Vietnam time
    assert Receipt.objects.get(transaction=tx).number == 1
    assert FeeRequest.objects.get(dossier=dossier).state == FeeState.PAID
    assert Dossier.objects.get(pk=dossier.pk).fee_amount == 50_000  # not counted twice


def test_a_good_callback_pays_once_and_a_replay_changes_nothing(gateway, agency, staff, fee_procedure):
    dossier = owing_dossier(agency, staff, fee_procedure)
    tx, token = started(gateway, dossier)
    assert tx.state == TxState.STARTED and tx.raw_request["MaXacThuc"] and tx.raw_answer["error_code"] == "0"
    message = callback_for(gateway, token)
    assert payments.handle_callback(message)["MaLoi"] == "00"
    reply = payments.handle_callback(message)  # the provider sends it again
    assert reply["MaLoi"] == "00"
    assert protocol.verify(reply, protocol.REPLY_FIELDS, SECRET)
    tx.refresh_from_db()
    assert (tx.state, tx.settled_by, tx.hash_verified) == (TxState.SUCCEEDED, "callback", True)
    assert Receipt.objects.filter(transaction__request__dossier=dossier).count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, action=Action.PAY).count() == 1
    d = Dossier.objects.get(pk=dossier.pk)
    assert (d.fee_amount, d.paid_online) == (50_000, True)
    assert FeeRequest.objects.get(dossier=dossier).state == FeeState.PAID


def test_a_wrong_hash_changes_nothing_and_answers_the_error_code(gateway, agency, staff, fee_procedure, caplog):
    dossier = owing_dossier(agency, staff, fee_procedure)
    tx, token = started(gateway, dossier)
    message = {**callback_for(gateway, token), "MaXacThuc": "0" * 64}
    assert payments.handle_callback(message)["MaLoi"] == protocol.REPLY_BAD_HASH
    forged = {**callback_for(gateway, token), "SoTien": "1"}  # amount changed after signing
    assert payments.handle_callback(forged)["MaLoi"] == protocol.REPLY_BAD_HASH
    tx.refresh_from_db()
    assert tx.state == TxState.STARTED and not tx.hash_verified
    assert not Receipt.objects.exists()
    assert FeeRequest.objects.get(dossier=dossier).state == FeeState.AWAITING
    assert Dossier.objects.get(pk=dossier.pk).paid_online is False
    assert PaymentNotice.objects.filter(hash_ok=False).count() == 2
    assert "sai mã xác thực" in caplog.text


def test_a_callback_for_another_amount_is_refused(gateway, agency, staff, fee_procedure, settings):
    dossier = owing_dossier(agency, staff, fee_procedure)
    tx, token = started(gateway, dossier)
    held = gateway.held[token]
    held.message["SoTien"] = 5_000  # the provider says 5.000 đồng, correctly signed
    assert payments.handle_callback(gateway.callback_message(held, True))["MaLoi"] == protocol.REPLY_AMOUNT_MISMATCH
    held.message["SoTien"], held.message["MaTienTe"] = 50_000, "USD"
    assert payments.handle_callback(gateway.callback_message(held, True))["MaLoi"] == protocol.REPLY_AMOUNT_MISMATCH
    tx.refresh_from_db()
    assert tx.state == TxState.STARTED and not Receipt.objects.exists()


def test_the_reconciliation_settles_a_payment_the_provider_never_called_back(gateway, agency, staff, fee_procedure):
    dossier = owing_dossier(agency, staff, fee_procedure)
    tx, token = started(gateway, dossier)
    gateway.decide(token, "silent")
    assert gateway.callbacks == []
    now = timezone.now()
    assert tasks.reconcile(now) == {}  # started under 30 minutes ago: not yet
    assert tasks.reconcile(now + timedelta(minutes=31)) == {"paid": 1}
    tx.refresh_from_db()
    assert (tx.state, tx.settled_by) == (TxState.SUCCEEDED, "query")
    assert tasks.reconcile(now + timedelta(minutes=41)) == {}  # settled: not asked again
    assert tasks.reconcile(now + timedelta(days=4)) == {}


def test_a_callback_after_the_query_settled_it_changes_nothing(gateway, agency, staff, fee_procedure):
    dossier = owing_dossier(agency, staff, fee_procedure)
    tx, token = started(gateway, dossier)
    gateway.decide(token, "silent")
    assert payments.settle_by_query(tx.pk) == "paid"
    assert payments.handle_callback(callback_for(gateway, token))["MaLoi"] == "00"
    assert Receipt.objects.count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, action=Action.PAY).count() == 1
    assert Dossier.objects.get(pk=dossier.pk).fee_amount == 50_000


def test_a_failed_payment_can_be_paid_again(gateway, agency, staff, fee_procedure, live_server, settings):
    settings.MOTCUA_PUBLIC_URL = live_server.url  # the stand-in calls back over HTTP
    dossier = owing_dossier(agency, staff, fee_procedure)
    tx, token = started(gateway, dossier)
    gateway.decide(token, "fail")
    assert [status for _sent, status, _answer in gateway.callbacks] == [200]
    tx.refresh_from_db()
    assert tx.state == TxState.FAILED
    assert FeeRequest.objects.get(dossier=dossier).state == FeeState.NOT_PAID
    again = payments.start(request=FeeRequest.objects.get(dossier=dossier), payer_name="A", client_ip="")
    gateway.decide(again.rsplit("/", 1)[1], "pay")
    assert FeeRequest.objects.get(dossier=dossier).state == FeeState.PAID


def test_concurrent_callbacks_for_one_reference_record_one_payment(gateway, agency, staff, fee_procedure):
    need(connection.vendor == "postgresql", "Row locks need PostgreSQL (set DATABASE_URL).")
    dossier = owing_dossier(agency, staff, fee_procedure)
    _tx, token = started(gateway, dossier)
    message = callback_for(gateway, token)
    replies: list[str] = []
    barrier = threading.Barrier(6)

    def provider_thread() -> None:
        try:
            barrier.wait()
            replies.append(payments.handle_callback(message)["MaLoi"])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=provider_thread) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert replies == ["00"] * 6
    assert Receipt.objects.count() == 1
    assert DossierEvent.objects.filter(dossier=dossier, action=Action.PAY).count() == 1
    assert Dossier.objects.get(pk=dossier.pk).fee_amount == 50_000


def test_the_http_callback_answers_json_and_transactions_are_not_deleted(gateway, client, agency, staff, fee_procedure):
    dossier = owing_dossier(agency, staff, fee_procedure)
    tx, token = started(gateway, dossier)
    bad = client.post("/thanh-toan/thong-bao/", {**callback_for(gateway, token), "MaXacThuc": "abc"})
    assert bad.status_code == 200 and bad.json()["MaLoi"] == "01"
    good = client.post("/thanh-toan/thong-bao/", callback_for(gateway, token))
    assert good.json()["MaLoi"] == "00"
    with pytest.raises(PermissionError):
        PaymentTransaction.objects.get(pk=tx.pk).delete()


def test_protocol_stamps_use_the_24_hour_clock():
    assert protocol.stamp(vn(2026, 12, 6, 14, 5, 9)) == "20261206140509"
    assert protocol.stamp(vn(2026, 12, 6, 14, 5, 9).astimezone(UTC)) == "20261206140509"


def test_counter_payment_checks_role_and_ward(agency, staff, fee_procedure, other_clerk):
    dossier = owing_dossier(agency, staff, fee_procedure)
    now = vn(2025, 3, 4, 9, 0)
    with pytest.raises(fees.FeeError, match="cơ quan khác"):
        fees.record_counter_payment(dossier_id=dossier.pk, actor=other_clerk, channel="cash", amount=50_000, now=now)
    with pytest.raises(fees.FeeError, match="không được thu"):
        fees.record_counter_payment(
            dossier_id=dossier.pk, actor=staff[Role.OFFICER], channel="cash", amount=50_000, now=now
        )
    tx = fees.record_counter_payment(
        dossier_id=dossier.pk, actor=staff[Role.CLERK], channel="transfer", amount=50_000, now=now
    )
    assert tx.recorded_by == staff[Role.CLERK] and tx.channel == "transfer"
    assert Dossier.objects.get(pk=dossier.pk).fee_amount == 50_000
    assert DossierEvent.objects.filter(dossier=dossier, action=Action.PAY).count() == 1


def test_a_payment_is_notified_to_the_applicant(agency, staff, fee_procedure):
    dossier = receive(agency, staff[Role.CLERK], fee_procedure, vn(2025, 3, 3, 9, 0), applicant_phone="0912345678")
    fees.record_counter_payment(
        dossier_id=dossier.pk, actor=staff[Role.CLERK], channel="cash", amount=50_000, now=vn(2025, 3, 3, 9, 5)
    )
    sms = Notification.objects.get(event__action=Action.PAY)
    assert sms.kind == NotificationKind.PAID and dossier.code in sms.body
    assert "đã nhận phí, lệ phí" in sms.body
