"""What a first-time user trips over: empty forms say what is missing, no page is a dead end."""

from __future__ import annotations

import pytest

from hoso import surveys
from hoso.models import SatisfactionRating
from tests.e2e.test_surveys import returned_dossier, ward  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_lookup_form_sent_empty_names_both_missing_fields(live_server, phone_page):
    page = phone_page
    page.goto(f"{live_server.url}/tra-cuu/")
    page.get_by_role("button", name="Tra cứu").tap()
    page.wait_for_url("**/tra-cuu/?ma=&k=")
    assert page.get_by_role("alert").inner_text() == "Hãy nhập cả mã hồ sơ và mã tra cứu."
    code, key = page.get_by_label("Mã hồ sơ"), page.get_by_label("Mã tra cứu (8 ký tự, in trên giấy tiếp nhận)")
    assert code.get_attribute("aria-invalid") == "true" and key.get_attribute("aria-invalid") == "true"
    assert page.locator("#ma-loi").inner_text() == "Hãy nhập mã hồ sơ (in trên giấy tiếp nhận)."
    assert page.locator("#k-loi").inner_text() == "Hãy nhập mã tra cứu (8 ký tự, in trên giấy tiếp nhận)."
    assert page.locator("#ma-loi").is_visible() and page.locator("#k-loi").is_visible()
    # With the code typed, only the key is still asked for, and the code stays in its box.
    code.fill("000.00.01.H26-251205-0001")
    with page.expect_navigation():  # wait for the new page, not the one already loaded
        page.get_by_role("button", name="Tra cứu").tap()
    assert code.input_value() == "000.00.01.H26-251205-0001" and code.get_attribute("aria-invalid") is None
    assert page.locator("#ma-loi").count() == 0 and page.locator("#k-loi").is_visible()


def test_the_first_visit_to_the_lookup_form_shows_no_error(live_server, phone_page):
    phone_page.goto(f"{live_server.url}/tra-cuu/")
    assert phone_page.get_by_role("alert").count() == 0


def test_the_empty_login_form_says_which_fields_are_required_not_wrong_password(live_server, desktop_page):
    page = desktop_page
    page.goto(f"{live_server.url}/dang-nhap/")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    alert = page.get_by_role("alert").inner_text()
    assert alert == "Hãy nhập tên đăng nhập và mật khẩu." and "không đúng" not in alert
    assert page.locator("#username-loi").inner_text() == "Hãy nhập tên đăng nhập."
    assert page.get_by_label("Mật khẩu").get_attribute("aria-invalid") == "true"
    # A name without a password asks for the password only.
    page.get_by_label("Tên đăng nhập").fill("canbo")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    assert page.get_by_role("alert").inner_text() == "Hãy nhập mật khẩu."
    assert page.get_by_label("Tên đăng nhập").input_value() == "canbo"
    # Both typed but wrong: that, and only that, is "wrong password".
    page.get_by_label("Mật khẩu").fill("sai-mat-khau")
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in page.get_by_role("alert").inner_text()


def test_the_phone_survey_thank_you_page_leads_back_to_the_status_and_the_portal(
    live_server,
    phone_page,
    ward,  # noqa: F811 (the fixture imported above)
    settings,
):
    settings.MOTCUA_PUBLIC_URL = live_server.url
    dossier = returned_dossier(ward)
    page = phone_page
    page.goto(surveys.survey_link_for(dossier))
    page.get_by_text("Hài lòng", exact=True).tap()
    page.get_by_role("button", name="Gửi đánh giá").tap()
    page.locator("#ket-qua").wait_for()
    assert SatisfactionRating.objects.filter(dossier=dossier).exists()
    links = page.get_by_role("navigation", name="Tiếp theo").get_by_role("link")
    assert links.all_inner_texts() == ["Xem tình trạng hồ sơ", "Danh mục thủ tục hành chính", "Trang chủ"]
    page.get_by_role("link", name="Xem tình trạng hồ sơ").tap()
    page.wait_for_url(f"**/tra-cuu/**?k={dossier.lookup_key}")
    assert page.get_by_role("heading", level=1).inner_text() == f"Hồ sơ {dossier.code}"
    page.go_back()
    page.get_by_role("link", name="Danh mục thủ tục hành chính").tap()
    page.wait_for_url("**/thu-tuc/")
