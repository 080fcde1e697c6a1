"""The desk's fee pages: counter payment and exemption on the dossier page (role and ward checked), the
accountant's differences list and the day's collections as XLSX, indicator 3.6's exact count."""

from __future__ import annotations

import io
import socket
import subprocess
import sys
import time
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from baocao.figures import indicators
from hoso.models import Dossier
from motcua.constants import Role
from tests.hoso.test_workflow import receive, vn
from thanhtoan import fees
from thanhtoan.models import FeeRequest, PayChannel, PaymentTransaction, TxState

pytestmark = pytest.mark.django_db


def test_the_clerk_records_a_counter_payment_on_the_dossier_page(client, agency, staff, fee_procedure, other_clerk):
    dossier = receive(agency, staff[Role.CLERK], fee_procedure, vn(2025, 3, 3, 9, 0))
    client.force_login(staff[Role.CLERK])
    page = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert "Phí, lệ phí" in page and "Chưa thanh toán" in page and "còn phải nộp 50.000 đồng" in page
    bad = client.post(f"/thanh-toan/ho-so/{dossier.pk}/thu-tai-quay/", {"so_tien": "năm chục", "hinh_thuc": "cash"})
    assert "Số tiền ghi bằng số đồng" in client.get(bad["Location"]).content.decode()
    assert not PaymentTransaction.objects.exists()
    client.post(f"/thanh-toan/ho-so/{dossier.pk}/thu-tai-quay/", {"so_tien": "50.000 đ", "hinh_thuc": "transfer"})
    page = client.get(f"/ho-so/{dossier.pk}/").content.decode()
    assert "Đã ghi nhận khoản thu 50.000 đồng." in page and "Đã thanh toán" in page
    assert "BLĐT-" in page  # the receipt number
    tx = PaymentTransaction.objects.get()
    assert (tx.channel, tx.recorded_by, tx.amount) == (PayChannel.TRANSFER, staff[Role.CLERK], 50_000)
    # An officer may not collect; another ward's clerk does not even see the dossier.
    client.force_login(staff[Role.OFFICER])
    assert client.post(f"/thanh-toan/ho-so/{dossier.pk}/thu-tai-quay/", {"so_tien": "1"}).status_code == 403
    client.force_login(other_clerk)
    assert client.post(f"/thanh-toan/ho-so/{dossier.pk}/thu-tai-quay/", {"so_tien": "1"}).status_code == 404
    assert PaymentTransaction.objects.count() == 1


def test_an_exemption_needs_its_reason(client, agency, staff, fee_procedure):
    dossier = receive(agency, staff[Role.CLERK], fee_procedure, vn(2025, 3, 3, 9, 0))
    client.force_login(staff[Role.LEADER])
    answer = client.post(f"/thanh-toan/ho-so/{dossier.pk}/mien/", {"ly_do": "  "}, follow=True)
    assert "Hãy ghi rõ lý do miễn phí, lệ phí." in answer.content.decode()
    client.post(f"/thanh-toan/ho-so/{dossier.pk}/mien/", {"ly_do": "Người có công với cách mạng"})
    request = FeeRequest.objects.get(dossier=dossier)
    assert request.exempt and request.owed == 0 and request.exemption_reason == "Người có công với cách mạng"
    assert "Được miễn" in client.get(f"/ho-so/{dossier.pk}/").content.decode()


def test_the_accountants_day_lists_differences_and_collections(client, agency, staff, fee_procedure):
    clerk = staff[Role.CLERK]
    paid = receive(agency, clerk, fee_procedure, vn(2025, 3, 3, 14, 5), fee_amount=50_000)
    unpaid = receive(agency, clerk, fee_procedure, vn(2025, 3, 3, 15, 0))
    client.force_login(clerk)
    page = client.get("/thanh-toan/doi-soat/", {"ngay": "03/03/2025"}).content.decode()
    assert "Đối soát phí, lệ phí ngày 03/03/2025" in page
    assert unpaid.code in page and "Thu trước nhưng mới thu 0 / 50000 đồng" in page
    assert paid.code not in page
    assert "15:00:00 ngày 03/03/2025" in page  # 24-hour clock
    assert client.get("/thanh-toan/doi-soat/", {"ngay": "31/02/2025"}).status_code == 400
    xlsx = client.get("/thanh-toan/doi-soat/bang-thu.xlsx", {"ngay": "03/03/2025"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[2] == ["1.000001", fee_procedure.name, "Tiền mặt tại bộ phận một cửa", 1, 50_000]
    assert rows[-1][-1] == 50_000
    client.force_login(staff[Role.OFFICER])
    assert client.get("/thanh-toan/doi-soat/").status_code == 403


def test_indicator_3_6_counts_exactly_the_dossiers_with_a_succeeded_online_payment(agency, staff, fee_procedure):
    clerk = staff[Role.CLERK]
    start, end = vn(2025, 3, 1, 0), vn(2025, 3, 31, 23, 59)
    made = [receive(agency, clerk, fee_procedure, vn(2025, 3, 3 + i, 9, 0)) for i in range(6)]
    online, late, failed, cash, _owing, exempt = made
    fees.record_settled_payment(
        dossier=online, amount=50_000, channel="online", provider="national", at=vn(2025, 3, 4, 10)
    )
    # Paid online after the period's end: not in this period's figure.
    fees.record_settled_payment(
        dossier=late, amount=50_000, channel="online", provider="national", at=end + timedelta(days=1)
    )
    request = FeeRequest.objects.get(dossier=failed)
    PaymentTransaction.objects.create(
        request=request,
        reference="TT-FAILED",
        amount=50_000,
        channel="online",
        provider="national",
        state=TxState.FAILED,
    )
    fees.record_counter_payment(dossier_id=cash.pk, actor=clerk, channel="cash", amount=50_000, now=vn(2025, 3, 6, 10))
    fees.set_exemption(dossier_id=exempt.pk, actor=clerk, reason="Miễn theo quy định", now=vn(2025, 3, 8, 10))
    figures = indicators(agency_ids=[agency.pk], start=start, end=end)
    assert (figures["counts"]["paid_online"], figures["counts"]["with_fee"]) == (1, 5)  # the exempt one has none
    assert figures["paid_online_share"] == 20.0
    assert Dossier.objects.get(pk=late.pk).paid_online is True  # counted in the period it was paid


def test_the_simulator_command_listens_on_loopback_only():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [sys.executable, "manage.py", "payment_gateway_simulator", "--port", str(port), "--secret", "k"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline() if process.stdout else ""
        assert f"http://127.0.0.1:{port}/" in line
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as client:
                if client.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.1)
        out = subprocess.run(["ss", "-ltn"], capture_output=True, text=True, check=False).stdout
        listening = [line for line in out.splitlines() if f":{port} " in line]
        assert listening and all("127.0.0.1:" in line for line in listening)
    finally:
        process.terminate()
        process.wait(timeout=10)
