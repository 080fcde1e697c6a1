"""A citizen signs in on a phone at the development identity provider and lands on "Hồ sơ của tôi"."""

from __future__ import annotations

from datetime import datetime

import pytest

from hoso import workflow
from hoso.workcalendar import VN_TZ
from motcua.demo import load_demo
from motcua.models import User
from tests.devidp import AN, PASSWORD
from tests.e2e.test_accessibility import violations
from thutuc.models import Procedure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_citizen_signs_in_with_the_identity_provider_on_a_phone(
    live_server, phone_page, settings, devidp_server, tmp_path
):
    settings.MOTCUA_OIDC_ISSUER = devidp_server.issuer
    settings.MOTCUA_OIDC_CLIENT_ID = devidp_server.client_id
    settings.MOTCUA_OIDC_CLIENT_SECRET = devidp_server.client_secret
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
    # The provider accepts any port of 127.0.0.1 for the portal's callback (RFC 8252 §7.3).
    base = live_server.url.replace("localhost", "127.0.0.1")

    page = phone_page
    page.goto(f"{base}/thu-tuc/")
    page.get_by_role("button", name="Mở menu").click()
    page.get_by_role("link", name="Công dân đăng nhập").click()

    page.wait_for_url(f"{devidp_server.issuer.removesuffix('/o')}/dang-nhap/**")
    assert "Đăng nhập tài khoản định danh điện tử" in page.get_by_role("heading", level=1).inner_text()
    assert violations(page) == []
    page.get_by_label("Số định danh cá nhân").fill(AN[0])
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()

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
    page.wait_for_url(f"{devidp_server.issuer.removesuffix('/o')}/dang-nhap/**")
