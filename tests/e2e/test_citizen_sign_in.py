"""A citizen signs in on a phone at the development identity provider and lands on "Hồ sơ của tôi"."""

from __future__ import annotations

from datetime import datetime

import pytest

from hoso import workflow
from hoso.workcalendar import VN_TZ
from motcua.demo import load_demo
from motcua.models import User
from tests.devidp import AN
from tests.e2e.citizen import provider_page, sign_in_at_devidp
from tests.e2e.test_accessibility import violations
from thutuc.models import Procedure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_citizen_signs_in_with_the_identity_provider_on_a_phone(phone_page, devidp_server, devidp_portal, tmp_path):
    agency, _ = load_demo()
    intake = workflow.Intake(
        procedure=Procedure.objects.get(code="1.001193"), applicant_name=AN[1], applicant_id_number=AN[0]
    )
    dossier = workflow.receive(
        agency=agency,
        actor=User.objects.get(username="canbo"),
        intake=intake,
        now=datetime(2025, 3, 7, 9, 0, tzinfo=VN_TZ),
    )
    base = devidp_portal

    page = phone_page
    page.goto(f"{base}/thu-tuc/")
    page.get_by_role("button", name="Mở menu").click()
    page.get_by_role("link", name="Công dân đăng nhập").click()

    page.wait_for_url(provider_page(devidp_server.issuer))
    assert "Đăng nhập tài khoản định danh điện tử" in page.get_by_role("heading", level=1).inner_text()
    assert violations(page) == []
    sign_in_at_devidp(page, devidp_server.issuer)

    page.wait_for_url(f"{base}/ho-so-cua-toi/")
    assert page.get_by_role("heading", level=1).inner_text() == "Hồ sơ của tôi"
    listing = page.locator("#ho-so-cua-toi")
    assert dossier.code in listing.inner_text()
    assert "Hồ sơ đã được tiếp nhận" in listing.inner_text()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert violations(page) == []
    page.screenshot(path=str(tmp_path / "ho-so-cua-toi.png"), full_page=True)

    # Signing out ends the provider's session too: the next sign-in asks for the password again.
    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    page.wait_for_url(f"{base}/thu-tuc/")
    assert "Bạn đã đăng xuất." in page.locator("main").inner_text()
    page.get_by_role("button", name="Mở menu").click()
    page.get_by_role("link", name="Công dân đăng nhập").click()
    page.wait_for_url(provider_page(devidp_server.issuer))
