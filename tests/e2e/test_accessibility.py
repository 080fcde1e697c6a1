"""axe-core on the main pages, public and staff, at phone and desktop widths: no WCAG 2.1 A/AA violation.

axe comes from the pinned `axe-playwright-python` package (it ships axe.min.js); it runs inside
Debian's Chromium against Django's live server, with the demo ward and one dossier of each kind.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from baocao import services as reports
from baocao.periods import decree_half_year
from hoso import surveys, workflow
from motcua.demo import DEMO_PASSWORD, load_demo
from motcua.models import User
from thutuc.models import Procedure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
WIDTHS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


def violations(page) -> list[str]:
    """Each violated rule with the first nodes it names (empty when the page passes)."""
    from axe_playwright_python.sync_playwright import Axe

    options = {"runOnly": {"type": "tag", "values": WCAG_A_AA}, "resultTypes": ["violations"]}
    results = Axe().run(page, options=options).response
    return [
        f"{v['id']} ({v['impact']}): {v['help']} → " + " | ".join(n["target"][0] for n in v["nodes"][:3])
        for v in results["violations"]
    ]


@pytest.fixture
def portal(db):
    """The demo ward, a received dossier, a returned one with its survey link, a compiled report."""
    agency, _ = load_demo()
    clerk, officer = User.objects.get(username="canbo"), User.objects.get(username="congchuc")
    intake = workflow.Intake(
        procedure=Procedure.objects.get(code="1.001193"),
        applicant_name="Phạm Thị Mai",
        applicant_id_number="001190012345",
        applicant_phone="0987654321",
    )
    received = workflow.receive(agency=agency, actor=clerk, intake=intake)
    done = workflow.receive(agency=agency, actor=clerk, intake=intake)
    workflow.assign(dossier_id=done.pk, actor=clerk, officer=officer)
    workflow.mark_result_ready(dossier_id=done.pk, actor=officer)
    done = workflow.return_result(dossier_id=done.pk, actor=clerk, collector="Phạm Thị Mai")
    report = reports.draft_report(agency=agency, period=decree_half_year(2025, 1), user=None)[0]
    reports.compile_report(report.pk)
    return {"received": received, "returned": done, "report": report}


def public_pages(portal, base: str) -> dict[str, str]:
    received = portal["received"]
    return {
        "trang chủ": "/",
        "danh mục thủ tục": "/thu-tuc/",
        "một thủ tục": "/thu-tuc/1.001193/",
        "tra cứu": "/tra-cuu/",
        "tra cứu để trống": "/tra-cuu/?ma=&k=",
        "tình trạng hồ sơ": f"/tra-cuu/{received.code}/?k={received.lookup_key}",
        "đánh giá": surveys.survey_link_for(portal["returned"]).removeprefix(base),
        "đăng nhập": "/dang-nhap/",
    }


def staff_pages(portal) -> dict[str, tuple[str, str]]:
    return {
        "trang làm việc": ("canbo", "/lam-viec/"),
        "việc trong ngày": ("canbo", "/ho-so/quay/"),
        "tìm kiếm": ("canbo", "/ho-so/tim-kiem/?q=khong+co+ai"),
        "chọn thủ tục": ("canbo", "/ho-so/tiep-nhan/"),
        "tiếp nhận": ("canbo", "/ho-so/tiep-nhan/1.001193/"),
        "một hồ sơ": ("canbo", f"/ho-so/{portal['received'].pk}/"),
        "sổ theo dõi": ("canbo", "/ho-so/so-theo-doi/"),
        "việc của công chức": ("congchuc", "/ho-so/cua-toi/"),
        "bảng lãnh đạo": ("lanhdao", "/ho-so/lanh-dao/"),
        "danh sách báo cáo": ("lanhdao", "/bao-cao/"),
        "một báo cáo": ("lanhdao", f"/bao-cao/{portal['report'].pk}/"),
        "ý kiến không hài lòng": ("lanhdao", "/ho-so/y-kien-khong-hai-long/"),
        "quản trị": ("quantri", "/quan-tri/"),
    }


@pytest.mark.parametrize("width", WIDTHS)
def test_the_main_pages_have_no_wcag_21_a_or_aa_violation(live_server, browser, portal, settings, width):
    settings.MOTCUA_PUBLIC_URL = live_server.url
    base = live_server.url
    found: dict[str, list[str]] = {}
    context = browser.new_context(locale="vi-VN", viewport=WIDTHS[width], is_mobile=width == "phone")
    page = context.new_page()
    for name, path in public_pages(portal, base).items():
        page.goto(base + path)
        found[name] = violations(page)
    context.close()
    contexts = {}
    for name, (username, path) in staff_pages(portal).items():
        if username not in contexts:
            contexts[username] = browser.new_context(locale="vi-VN", viewport=WIDTHS[width])
            login = contexts[username].new_page()
            login.goto(f"{base}/dang-nhap/")
            login.get_by_label("Tên đăng nhập").fill(username)
            login.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
            with login.expect_navigation():
                login.get_by_role("button", name="Đăng nhập").click()
        page = contexts[username].pages[0]
        page.goto(base + path)
        found[name] = violations(page)
    for context in contexts.values():
        context.close()
    problems = {name: v for name, v in found.items() if v}
    assert problems == {}, "\n".join(f"{name}: {v}" for name, v in problems.items())


def test_on_a_phone_a_wide_table_scrolls_from_the_keyboard_and_an_empty_list_does_not_scroll(
    live_server, browser, portal
):
    context = browser.new_context(locale="vi-VN", viewport=WIDTHS["phone"], is_mobile=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("canbo")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    for path in ("/ho-so/quay/", "/ho-so/tim-kiem/", "/ho-so/so-theo-doi/"):
        page.goto(live_server.url + path)
        boxes = page.locator(".table-responsive")
        assert boxes.count() >= 1, path
        for box in boxes.all():
            overflows = box.evaluate("el => el.scrollWidth > el.clientWidth + 1")
            if overflows:
                assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region", path
                assert box.get_attribute("aria-label").endswith("bảng cuộn ngang"), path
            else:
                assert box.get_attribute("tabindex") is None, path
    # A section with no dossier says so in a sentence, with no table to scroll.
    page.goto(f"{live_server.url}/ho-so/quay/")
    overdue = page.locator("#overdue")
    assert overdue.locator("table").count() == 0 and "Không có hồ sơ nào." in overdue.inner_text()
    # The search box can be reached and scrolled with Tab once the table overflows.
    page.goto(f"{live_server.url}/ho-so/tim-kiem/")
    box = page.locator(".table-responsive").first
    box.focus()
    page.keyboard.press("ArrowRight")
    assert box.evaluate("el => el === document.activeElement")
    context.close()


def test_the_tracking_books_notes_keep_a_few_words_a_line(live_server, browser, portal):
    context = browser.new_context(locale="vi-VN", viewport=WIDTHS["desktop"])
    page = context.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("canbo")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    today = timezone.localdate()
    start, end = (today - timedelta(days=30)).strftime("%d/%m/%Y"), today.strftime("%d/%m/%Y")
    page.goto(f"{live_server.url}/ho-so/so-theo-doi/?tu_ngay={start}&den_ngay={end}")
    # Each note of three words or more, measured: its width, and its lines (height / line height).
    notes = page.locator(".tracking-book tbody td:last-child .cell-text").evaluate_all(
        """els => els.filter(e => e.textContent.trim().split(/\\s+/).length >= 3).map(e => {
             const s = getComputedStyle(e);
             return {text: e.textContent.trim(), width: e.getBoundingClientRect().width,
                     lines: Math.round(e.getBoundingClientRect().height / parseFloat(s.lineHeight))};
           })"""
    )
    summary = page.locator("body").inner_text()[-300:]
    context.close()
    assert notes, f"the book should show notes ({summary})"
    for note in notes:
        words = len(note["text"].split())
        assert note["width"] >= 150, note
        assert note["lines"] < words, note  # never one word a line
