"""A citizen on a phone searches without diacritics and opens a procedure."""

from __future__ import annotations

import pytest

from motcua.demo import load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_citizen_on_a_phone_finds_birth_registration_without_diacritics(live_server, phone_page, tmp_path):
    load_demo()
    page = phone_page
    page.goto(f"{live_server.url}/thu-tuc/")
    search = page.get_by_label("Tìm theo tên hoặc mã thủ tục")
    search.fill("dang ky khai sinh")
    search.press("Enter")
    page.wait_for_url("**/thu-tuc/?q=dang+ky+khai+sinh*")
    first = page.locator(".procedure-list li").first
    assert "Mã 1.001193" in first.inner_text()
    first.get_by_role("link").click()
    page.wait_for_url("**/thu-tuc/1.001193/")
    assert page.get_by_role("heading", level=1).inner_text() == "Đăng ký khai sinh"
    assert page.get_by_role("cell", name="Giấy chứng sinh", exact=False).is_visible()
    # Nothing overflows sideways on a phone.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / "thu-tuc-dien-thoai.png"), full_page=True)


def test_the_catalogue_is_usable_with_the_keyboard_alone(live_server, phone_page):
    load_demo()
    page = phone_page
    page.goto(f"{live_server.url}/thu-tuc/")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent").startswith("Bỏ qua")
    page.get_by_label("Tìm theo tên hoặc mã thủ tục").focus()
    page.keyboard.type("chung thuc ban sao")
    page.keyboard.press("Enter")
    page.wait_for_url("**/thu-tuc/?q=chung+thuc+ban+sao*")
    assert page.locator(".procedure-list li").count() >= 1
