"""A citizen scans the receipt's QR code with a phone and reads the status."""

from __future__ import annotations

from datetime import datetime

import pytest

from hoso import workflow
from hoso.documents import document_context
from hoso.workcalendar import VN_TZ
from motcua.demo import load_demo
from motcua.models import User
from thutuc.models import Procedure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_receipt_qr_url_opens_the_status_on_a_phone(live_server, phone_page, settings, tmp_path):
    agency, _ = load_demo()
    settings.MOTCUA_PUBLIC_URL = live_server.url
    intake = workflow.Intake(
        procedure=Procedure.objects.get(code="2.000815"),
        applicant_name="Phạm Thị Mai",
        applicant_id_number="001190012345",
        applicant_phone="0987654321",
        applicant_address="Số 9 phố Lý Thái Tổ",
    )
    clerk = User.objects.get(username="canbo")
    dossier = workflow.receive(
        agency=agency, actor=clerk, intake=intake, now=datetime(2025, 3, 7, 15, 30, tzinfo=VN_TZ)
    )
    # The URL the receipt's QR code holds (the same context renders the printed slip).
    url = document_context(dossier, "tiep-nhan")["lookup_url"]
    assert url.startswith(live_server.url)

    page = phone_page
    page.goto(url)
    status = page.locator("#tinh-trang")
    assert "Hồ sơ đã được tiếp nhận" in status.inner_text()
    assert page.get_by_role("heading", level=1).inner_text() == f"Hồ sơ {dossier.code}"
    body = page.locator("body").inner_text()
    assert "Phạm T. M." in body and "17:00, thứ Hai, 10/03/2025" in body
    for secret in ("001190012345", "0987654321", "Lý Thái Tổ", "Phạm Thị Mai"):
        assert secret not in page.content()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / "tra-cuu-dien-thoai.png"), full_page=True)
