"""A dossier's whole life through the browser: clerk, officer, leader, clerk again."""

from __future__ import annotations

import re
import subprocess

import pytest

from hoso.models import Dossier
from motcua.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def login(browser, base: str, username: str):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill(username)
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    return context, page


def act(page, action_label: str, fields: dict[str, str] | None = None, select: dict[str, str] | None = None) -> None:
    panel = page.locator("details", has=page.locator("summary", has_text=action_label))
    if panel.get_attribute("open") is None:
        panel.locator("summary").click()
    for label, value in (fields or {}).items():
        # The label exactly (a required field's ends with "*"): "Nội dung" is not the public note's label.
        panel.get_by_label(re.compile(rf"^\s*{re.escape(label)}\s*\*?\s*$")).fill(value)
    for label, value in (select or {}).items():
        panel.get_by_label(label).select_option(label=value)
    with page.expect_navigation():
        panel.get_by_role("button", name=action_label).click()


def test_a_dossier_from_the_counter_to_the_return(live_server, browser, tmp_path):
    load_demo()
    base = live_server.url

    # The clerk finds the procedure without diacritics and registers the dossier.
    clerk_ctx, clerk = login(browser, base, "canbo")
    clerk.get_by_role("link", name="Tiếp nhận").first.click()
    clerk.get_by_label("Mã hoặc tên thủ tục").fill("dang ky khai sinh")
    with clerk.expect_navigation():
        clerk.keyboard.press("Enter")
    clerk.locator("#ds-thu-tuc a").first.click()
    clerk.wait_for_url("**/tiep-nhan/1.001193/")
    clerk.get_by_label("Họ và tên người nộp / tên tổ chức").fill("lê thị hoa")
    clerk.get_by_label("Số giấy tờ").fill("001190012345")
    clerk.get_by_label("Số điện thoại").fill("0987654321")
    clerk.get_by_role("checkbox", name="Tờ khai đăng ký khai sinh theo mẫu").check()
    clerk.get_by_role("checkbox", name="Giấy chứng sinh").check()
    clerk.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    clerk.wait_for_url(re.compile(r".*/ho-so/\d+/\?moi=1$"))
    dossier = Dossier.objects.get()
    assert dossier.applicant_name == "Lê Thị Hoa"
    assert dossier.code in clerk.locator("h1").inner_text()

    # The receipt downloads as a PDF whose text names the dossier.
    with clerk.expect_download() as download_info:
        clerk.locator("a[download]").first.click()
    pdf = tmp_path / "giay-tiep-nhan.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert dossier.code in text and "Lê Thị Hoa" in text

    act(clerk, "Chuyển công chức xử lý", select={"Công chức xử lý": "Trần Văn Minh"})
    assert "Đang xử lý" in clerk.locator("#trang-thai").inner_text()

    # The officer asks for a supplement; the clerk records it complete.
    officer_ctx, officer = login(browser, base, "congchuc")
    officer.goto(f"{base}/ho-so/{dossier.pk}/")
    act(officer, "Yêu cầu bổ sung hồ sơ", fields={"Nội dung": "Bản sao giấy đăng ký kết hôn của cha mẹ"})
    assert "Chờ bổ sung hồ sơ" in officer.locator("#trang-thai").inner_text()
    clerk.goto(f"{base}/ho-so/{dossier.pk}/")
    act(clerk, "Nhận đủ hồ sơ bổ sung")
    officer.goto(f"{base}/ho-so/{dossier.pk}/")
    act(officer, "Trình lãnh đạo phê duyệt")

    # The leader approves.
    leader_ctx, leader = login(browser, base, "lanhdao")
    leader.goto(f"{base}/ho-so/{dossier.pk}/")
    act(leader, "Phê duyệt")
    assert "Đã có kết quả" in leader.locator("#trang-thai").inner_text()

    # The clerk hands the result over.
    clerk.goto(f"{base}/ho-so/{dossier.pk}/")
    act(clerk, "Trả kết quả", fields={"Người nhận kết quả": "Lê Thị Hoa"})
    assert "Đã trả kết quả" in clerk.locator("#trang-thai").inner_text()
    dossier.refresh_from_db()
    assert [e.action for e in dossier.events.all()] == [
        "receive",
        "assign",
        "request_supplement",
        "complete_supplement",
        "submit_for_approval",
        "approve",
        "return_result",
    ]
    clerk.screenshot(path=str(tmp_path / "tra-ket-qua.png"), full_page=True)
    for ctx in (clerk_ctx, officer_ctx, leader_ctx):
        ctx.close()


def test_the_counter_works_from_the_keyboard_alone(live_server, browser):
    load_demo()
    context, page = login(browser, live_server.url, "canbo")
    page.goto(f"{live_server.url}/ho-so/tiep-nhan/")
    assert page.evaluate("document.activeElement.id") == "q"  # the search box has the focus
    page.keyboard.type("chung thuc ban sao")
    page.wait_for_function("document.querySelectorAll('#ds-thu-tuc a').length > 0")
    page.keyboard.press("ArrowDown")  # into the list
    first = page.evaluate("document.activeElement.getAttribute('href')")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.getAttribute('href')") == first
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The form opens on the applicant's name; a refused submit comes back on the first field in error.
    assert page.evaluate("document.activeElement.id") == "id_applicant_name"
    page.keyboard.type("Nguyễn Văn An")
    page.locator("#id_applicant_id_number").fill("001299012345")  # century digit 2, year 99: born in 2099
    with page.expect_navigation():
        page.get_by_role("button", name="Tiếp nhận và in giấy hẹn").click()
    assert page.evaluate("document.activeElement.id") == "id_applicant_id_number"
    assert not Dossier.objects.exists()
    context.close()


def test_a_name_pasted_as_one_long_word_never_widens_the_clerks_day(live_server, browser):
    from hoso import workflow
    from motcua.models import User
    from thutuc.models import Procedure

    load_demo()
    clerk = User.objects.get(username="canbo")
    intake = workflow.Intake(procedure=Procedure.objects.get(code="2.000815"), applicant_name="A" * 200)
    workflow.receive(agency=clerk.agency, actor=clerk, intake=intake)
    context, page = login(browser, live_server.url, "canbo")
    page.goto(f"{live_server.url}/ho-so/quay/")
    assert page.get_by_text("A" * 20, exact=False).count() >= 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # Nor does its table overflow its box (which would hide columns behind a sideways scroll).
    widths = page.evaluate(
        "[...document.querySelectorAll('.table-responsive')].map(box => box.scrollWidth - box.clientWidth)"
    )
    assert widths and max(widths) <= 1
    context.close()


@pytest.mark.parametrize("username", ["canbo", "congchuc", "lanhdao", "quantri"])
def test_every_staff_menu_fits_a_1366_screen_on_one_line(live_server, browser, username):
    load_demo()
    context, page = login(browser, live_server.url, username)
    page.goto(f"{live_server.url}/thu-tuc/")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1366
    # Expanded (no hamburger at this width) and on one line: every item sits at the same height.
    assert page.locator(".navbar-toggler").is_hidden()
    tops = page.evaluate(
        "[...document.querySelectorAll('#menu-chinh .nav-link')].map(a => Math.round(a.getBoundingClientRect().top))"
    )
    assert len(tops) >= 3 and len(set(tops)) == 1, tops
    context.close()


def test_ticking_online_recomputes_the_appointment_when_the_limit_differs_by_channel(live_server, browser):
    from django.utils import timezone

    from hoso import workflow
    from motcua.models import User
    from thutuc.models import Procedure

    load_demo()
    Procedure.objects.filter(code="1.012766").update(accepts_online=True)  # 13 working days; online 3
    clerk = User.objects.get(username="canbo")
    procedure = Procedure.objects.get(code="1.012766")
    online = workflow.preview_due(clerk.agency, procedure, timezone.now(), channel=2)
    counter = workflow.preview_due(clerk.agency, procedure, timezone.now(), channel=1)
    context, page = login(browser, live_server.url, "canbo")
    page.goto(f"{live_server.url}/ho-so/tiep-nhan/1.012766/")
    shown = page.locator("#hen-tra-gio")
    assert timezone.localtime(counter.at).strftime("%d/%m/%Y") in shown.inner_text()
    page.get_by_label("Trực tuyến").check()
    page.wait_for_function(
        "text => document.getElementById('hen-tra-gio').innerText.includes(text)",
        arg=timezone.localtime(online.at).strftime("%d/%m/%Y"),
    )
    context.close()
