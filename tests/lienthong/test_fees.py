"""Fees on the national link: a payment's row (kind fee) and the record's ``DanhSachLePhi`` from the
fee request's rows, against the portal's and the payment platform's stand-ins (docs/national-link.md §2, §4)."""

from __future__ import annotations

import pytest
import requests
from django.core.management import call_command
from django.utils import timezone

from hoso.constants import Action
from hoso.models import DossierEvent
from lienthong import drain, outbox
from lienthong.models import Kind, OutboxEntry, State
from motcua.constants import Role
from tests.hoso.test_workflow import receive, vn
from thanhtoan import fees, payments
from thanhtoan.models import FeeRequest, PayChannel
from thanhtoan.simulator import PaymentStandIn

pytestmark = pytest.mark.django_db(transaction=True)

SECRET, PARTNER = "khoa-bi-mat-thu-nghiem", "MOTCUA"


@pytest.fixture
def gateway(settings):
    stand_in = PaymentStandIn(partner=PARTNER, secret=SECRET)
    settings.MOTCUA_PAYMENT_URL = stand_in.start()
    settings.MOTCUA_PAYMENT_PARTNER, settings.MOTCUA_PAYMENT_SECRET = PARTNER, SECRET
    settings.MOTCUA_PAYMENT_TIMEOUT = 5
    yield stand_in
    stand_in.stop()


@pytest.fixture
def fee_procedure(procedure):
    procedure.fee_counter = procedure.fee_online = procedure.fee_post = 50_000
    procedure.save(update_fields=["fee_counter", "fee_online", "fee_post"])
    return procedure


def paid_online(gateway, agency, staff, fee_procedure):
    """A counter dossier owing 50.000 đồng, paid online; returns (dossier, the platform's callback)."""
    dossier = receive(agency, staff[Role.CLERK], fee_procedure, vn(2025, 3, 3, 9, 0))
    url = payments.start(
        request=FeeRequest.objects.get(dossier=dossier), payer_name="Nguyễn Văn An", client_ip="1.2.3.4"
    )
    callback = gateway.callback_message(gateway.held[url.rsplit("/", 1)[1]], True)
    assert payments.handle_callback(callback)["MaLoi"] == "00"
    return dossier, callback


def inspect(stand_in, code: str) -> dict:
    answer = requests.get(f"{stand_in.url}_inspect/{code}", timeout=5)
    assert answer.status_code == 200
    return answer.json()


def test_a_dossier_paid_online_shows_its_fee_on_the_portal(
    stand_in, gateway, with_id_number, agency, staff, fee_procedure
):
    dossier, _ = paid_online(gateway, agency, staff, fee_procedure)
    rows = list(OutboxEntry.objects.filter(dossier=dossier).order_by("sequence", "id"))
    assert [r.kind for r in rows] == [Kind.DOSSIER, Kind.FEE]
    assert rows[1].sequence == DossierEvent.objects.get(dossier=dossier, action=Action.PAY).pk
    assert rows[1].payload["fee"]["SoTien"] == 50_000 and rows[1].payload["fee"]["HinhThucThu"] == 3

    call_command("national_sync", "--once", "--json")

    assert set(OutboxEntry.objects.filter(dossier=dossier).values_list("state", flat=True)) == {State.ACKNOWLEDGED}
    held = inspect(stand_in, dossier.code)
    (fee,) = held["fees"]
    year = timezone.localtime().year
    assert fee["Gia"] == 50_000 and fee["SoTienDaNop"] == 50_000 and fee["TenPhiLePhi"] == "Lệ phí"
    assert (fee["DaThanhToan"], fee["HinhThucThu"], fee["ThanhToanTrucTuyen"], fee["MienPhi"]) == (1, 3, 1, 0)
    assert fee["SoBienLai"] == f"BLĐT-{year} số 0000001" and fee["LoaiPhiLePhi"] == 1
    assert fee["MaThamChieu"] == [rows[1].payload["fee"]["MaThamChieu"]]
    assert held["record"]["DuocThanhToanTrucTuyen"] == 1 and held["record"]["DanhSachLePhi"] == [fee]
    assert [s["NoiDungXuLy"] for s in held["progress"]][-1] == "Nộp phí, lệ phí"


def test_a_replayed_callback_does_not_send_the_fee_twice(
    stand_in, gateway, with_id_number, agency, staff, fee_procedure
):
    dossier, callback = paid_online(gateway, agency, staff, fee_procedure)
    call_command("national_sync", "--once", "--json")
    calls = list(stand_in.calls)
    assert calls.count("DongBoHoSoMC") == 2  # the receipt's record, then the payment's

    assert payments.handle_callback(callback)["MaLoi"] == "00"  # the platform sends it again
    assert OutboxEntry.objects.filter(dossier=dossier, kind=Kind.FEE).count() == 1
    assert drain.drain_once().sent == 0
    call_command("national_sync", "--once", "--json")
    assert stand_in.calls == calls  # nothing more went to the portal
    assert len(inspect(stand_in, dossier.code)["fees"]) == 1
    assert len([s for s in stand_in.progress[dossier.code] if s["NoiDungXuLy"] == "Nộp phí, lệ phí"]) == 1


def test_an_unpaid_fee_and_a_cash_payment_at_the_desk(stand_in, with_id_number, agency, staff, fee_procedure):
    clerk = staff[Role.CLERK]
    dossier = receive(agency, clerk, fee_procedure, vn(2025, 3, 3, 9, 0))
    drain.drain_once()  # (the commit's kick may have drained it already)
    (fee,) = stand_in.inspect(dossier.code)["fees"]
    assert (fee["Gia"], fee["DaThanhToan"], fee["HinhThucThu"], fee["SoBienLai"]) == (50_000, 0, "", "")
    assert fee["TrangThaiThanhToan"] == "Chưa thanh toán"
    fees.record_counter_payment(
        dossier_id=dossier.pk, actor=clerk, channel=PayChannel.CASH, amount=50_000, now=vn(2025, 3, 3, 9, 30)
    )
    drain.drain_once()
    assert set(OutboxEntry.objects.filter(dossier=dossier).values_list("state", flat=True)) == {State.ACKNOWLEDGED}
    (fee,) = stand_in.inspect(dossier.code)["fees"]
    assert (fee["DaThanhToan"], fee["HinhThucThu"], fee["ThanhToanTrucTuyen"]) == (1, 1, 0)
    assert fee["SoBienLai"] == "BLĐT-2025 số 0000001" and fee["NgayThanhToan"] == "20250303093000"


def test_a_payment_missing_from_the_fee_request_is_held(stand_in, with_id_number, agency, staff, fee_procedure):
    clerk = staff[Role.CLERK]
    dossier = receive(agency, clerk, fee_procedure, vn(2025, 3, 3, 9, 0))
    fees.record_counter_payment(
        dossier_id=dossier.pk, actor=clerk, channel=PayChannel.TRANSFER, amount=50_000, now=vn(2025, 3, 3, 9, 30)
    )
    drain.drain_once()
    paid = OutboxEntry.objects.get(dossier=dossier, kind=Kind.FEE)
    assert paid.state == State.ACKNOWLEDGED
    row = outbox.queue_row(dossier, Kind.FEE, {**paid.payload, "fee": {"MaThamChieu": "TTKHONGCO"}}, [])
    result = drain.drain_once()
    assert (result.sent, result.acknowledged, result.blocked) == (1, 0, 1)
    row.refresh_from_db()
    assert row.state == State.BLOCKED and "TTKHONGCO" in row.last_error
