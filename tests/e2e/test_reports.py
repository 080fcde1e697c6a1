"""A leader makes the semi-annual report in the browser and downloads its PDF."""

from __future__ import annotations

import subprocess

import pytest

from baocao.models import Report
from motcua.demo import DEMO_PASSWORD, load_demo

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_leader_creates_finalizes_and_downloads_the_report(live_server, browser, tmp_path):
    load_demo()
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{live_server.url}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("lanhdao")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()

    page.get_by_role("link", name="Báo cáo").first.click()
    page.get_by_role("link", name="Lập báo cáo").click()
    # A typo first: the form says what is wrong, in Vietnamese.
    page.get_by_label("Loại kỳ báo cáo").select_option("custom")
    page.get_by_label("Từ ngày").fill("32/01/2025")
    page.get_by_label("Đến ngày").fill("30/06/2025")
    with page.expect_navigation():
        page.get_by_role("button", name="Lập báo cáo").click()
    assert "Ngày không hợp lệ" in page.content()
    page.get_by_label("Loại kỳ báo cáo").select_option("decree_half_year")
    page.get_by_label("Năm").fill("2025")
    page.get_by_label("Kỳ số").fill("1")
    page.get_by_role("button", name="Lập báo cáo").click()
    page.wait_for_url("**/bao-cao/*/")
    page.get_by_text("Đã tổng hợp").first.wait_for(timeout=60_000)

    page.get_by_label("Số văn bản").fill("125")
    page.get_by_label("I.1. Công tác chỉ đạo, điều hành cải cách hành chính").fill("Ban hành Kế hoạch CCHC năm 2025.")
    with page.expect_navigation():
        page.get_by_role("button", name="Lưu nội dung").click()
    page.get_by_text("Đã tổng hợp").first.wait_for(timeout=60_000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Chốt báo cáo chính thức").click()
    page.get_by_text("Báo cáo đã hoàn tất").first.wait_for()

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải PDF", exact=True).click()
    pdf = tmp_path / "bao-cao.pdf"
    download_info.value.save_as(pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "6 tháng đầu năm 2025" in text and "Số: 125/BC-UBND" in text
    assert "Ban hành Kế hoạch CCHC năm 2025." in text
    assert "DỰ THẢO" not in text and download_info.value.suggested_filename.endswith("-chinh-thuc.pdf")
    report = Report.objects.get()
    assert report.is_final and f"{report.figures['total']['received_total']:,}".replace(",", ".") in text
    # The draft it came from is still there, marked as a draft.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Tải bản dự thảo (PDF)").click()
    draft = tmp_path / "du-thao.pdf"
    download_info.value.save_as(draft)
    text = subprocess.run(["pdftotext", "-layout", str(draft), "-"], capture_output=True, text=True, check=True).stdout
    assert "DỰ THẢO" in text and download_info.value.suggested_filename.endswith("-du-thao.pdf")
    context.close()
