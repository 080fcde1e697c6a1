"""Online dossiers and their fee: paid before sending (the dossier is sent at the payment's success),
or paid later from "Hồ sơ của tôi" (docs/payments.md §4)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from congdan.models import Draft
from hoso.calendar_store import calendar_for
from hoso.constants import Action, Status
from hoso.models import Dossier, DossierEvent
from motcua.demo import load_demo
from tests.congdan.citizens import as_citizen, make_citizen
from tests.congdan.test_submission import start, walk
from tests.devidp import AN, NGOC
from thanhtoan import payments
from thanhtoan.models import FeeRequest, FeeRule, FeeState, PaymentTransaction, Timing, TxState
from thutuc.models import Procedure
from tructuyen.deadline import intake_due

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo_ward(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    agency, _ = load_demo()
    return agency


@pytest.fixture
def online_procedure(demo_ward):
    procedure = Procedure.objects.get(code="1.001193")
    procedure.accepts_online = True
    procedure.fee_online = 30_000
    procedure.save(update_fields=["accepts_online", "fee_online"])
    procedure.offers.filter(agency=demo_ward).update(fee_amount=None)
    return procedure


@pytest.fixture
def citizen(client):
    person = make_citizen(*AN)
    as_citizen(client, person)
    return person


def token_of(url: str) -> str:
    return url.rsplit("/", 1)[1]


def test_a_fee_collected_first_is_paid_then_the_dossier_is_sent(client, gateway, citizen, demo_ward, online_procedure):
    draft = start(client, demo_ward, online_procedure)
    walk(client, draft)
    review = client.get(f"/nop-ho-so/{draft.pk}/xem-lai/").content.decode()
    assert "30.000 đồng" in review and "Thanh toán và nộp hồ sơ" in review
    response = client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {"declaration": "on"})
    assert response.status_code == 302 and response["Location"].startswith(gateway.url + "pay/")
    assert not Dossier.objects.exists()  # not sent before the payment succeeds
    tx = PaymentTransaction.objects.get()
    assert (tx.amount, tx.state, tx.request.draft_id) == (30_000, TxState.STARTED, draft.pk)

    held = gateway.held[token_of(response["Location"])]
    paid_at = timezone.now() + timedelta(minutes=7)
    assert payments.handle_callback(gateway.callback_message(held, True), now=paid_at)["MaLoi"] == "00"
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUBMITTED and dossier.submitted_at == paid_at
    assert dossier.intake_due_at == intake_due(calendar_for(demo_ward.pk), paid_at)  # counted from the payment
    assert (dossier.fee_amount, dossier.paid_online) == (30_000, True)
    request = FeeRequest.objects.get()
    assert request.dossier == dossier and request.state == FeeState.PAID
    assert list(DossierEvent.objects.filter(dossier=dossier).values_list("action", flat=True).order_by("id")) == [
        Action.SUBMIT,
        Action.PAY,
    ]
    assert Draft.objects.get(pk=draft.pk).dossier == dossier
    returned = client.get(f"/thanh-toan/ket-qua/{tx.reference}/").content.decode()
    assert "Đã thanh toán 30.000 đồng" in returned and dossier.code in returned
    # The same callback again: still one dossier, one payment.
    payments.handle_callback(gateway.callback_message(held, True))
    assert Dossier.objects.count() == 1 and DossierEvent.objects.filter(action=Action.PAY).count() == 1


def test_a_failed_payment_sends_nothing(client, gateway, citizen, demo_ward, online_procedure):
    draft = start(client, demo_ward, online_procedure)
    walk(client, draft)
    response = client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {"declaration": "on"})
    held = gateway.held[token_of(response["Location"])]
    payments.handle_callback(gateway.callback_message(held, False))
    assert not Dossier.objects.exists()
    assert PaymentTransaction.objects.get().state == TxState.FAILED
    assert client.get(f"/nop-ho-so/{draft.pk}/xem-lai/").status_code == 200  # the draft can be paid again


def test_a_fee_collected_at_the_result_is_paid_later_from_my_dossiers(
    client, gateway, citizen, demo_ward, online_procedure
):
    FeeRule.objects.create(agency=demo_ward, procedure=online_procedure, timing=Timing.AFTER)
    draft = start(client, demo_ward, online_procedure)
    walk(client, draft)
    response = client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {"declaration": "on"})
    assert "/nop-ho-so/da-nop/" in response["Location"]  # sent at once
    dossier = Dossier.objects.get()
    request = FeeRequest.objects.get(dossier=dossier)
    assert (request.amount_due, request.state, request.timing) == (30_000, FeeState.NOT_PAID, Timing.AFTER)
    mine = client.get("/ho-so-cua-toi/").content.decode()
    assert "Chưa thanh toán" in mine and "Thanh toán trực tuyến 30.000 đồng" in mine
    pay = client.post(f"/thanh-toan/ho-so-cua-toi/{dossier.pk}/")
    assert pay["Location"].startswith(gateway.url)
    held = gateway.held[token_of(pay["Location"])]
    payments.handle_callback(gateway.callback_message(held, True))
    mine = client.get("/ho-so-cua-toi/").content.decode()
    assert "Đã thanh toán" in mine and "Thanh toán trực tuyến 30.000 đồng" not in mine
    # Another citizen cannot pay (or see) it.
    as_citizen(client, make_citizen(*NGOC))
    assert client.post(f"/thanh-toan/ho-so-cua-toi/{dossier.pk}/").status_code == 404


def test_a_paid_draft_the_ward_no_longer_takes_keeps_its_payment(client, gateway, citizen, demo_ward, online_procedure):
    draft = start(client, demo_ward, online_procedure)
    walk(client, draft)
    response = client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {"declaration": "on"})
    Procedure.objects.filter(pk=online_procedure.pk).update(accepts_online=False)  # meanwhile
    held = gateway.held[token_of(response["Location"])]
    assert payments.handle_callback(gateway.callback_message(held, True))["MaLoi"] == "00"
    assert not Dossier.objects.exists()
    assert PaymentTransaction.objects.get().state == TxState.SUCCEEDED  # the money is not lost
    assert FeeRequest.objects.get().state == FeeState.PAID
