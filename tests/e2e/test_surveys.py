"""Satisfaction surveys in Chromium: the counter screen after a return, and the QR link on a phone."""

from __future__ import annotations

import re

import pytest

from hoso import surveys, workflow
from hoso.models import SatisfactionRating
from motcua.constants import Role
from tests.factories import (
    PASSWORD,
    AgencyFactory,
    AgencyProcedureFactory,
    ProcedureFactory,
    UserFactory,
    load_holidays,
)

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def ward():
    load_holidays()
    agency = AgencyFactory(code="000.25.31.H26", name="Phường Hoàn Kiếm")
    procedure = ProcedureFactory(code="1.000001", name="Cấp giấy xác nhận thử nghiệm")
    AgencyProcedureFactory(agency=agency, procedure=procedure)
    clerk = UserFactory(agency=agency, role=Role.CLERK, username="canbo_quay", last_name="Nguyễn Thị", first_name="Lan")
    officer = UserFactory(agency=agency, role=Role.OFFICER, username="congchuc_a")
    return agency, procedure, clerk, officer


def returned_dossier(ward):
    """A dossier taken through the workflow up to the return, now (the tokens use the real clock)."""
    agency, procedure, clerk, officer = ward
    intake = workflow.Intake(
        procedure=procedure,
        applicant_name="Lê Thị Hoa",
        applicant_phone="0987654321",
        applicant_id_number="001190012345",
    )
    d = workflow.receive(agency=agency, actor=clerk, intake=intake)
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer)
    workflow.mark_result_ready(dossier_id=d.pk, actor=officer)
    return workflow.return_result(dossier_id=d.pk, actor=clerk, collector="Lê Thị Hoa")


def only_local_requests(page, base: str) -> list[str]:
    """Collects every URL the page asks for that is not the portal itself (must stay empty)."""
    remote: list[str] = []
    page.on("request", lambda r: None if r.url.startswith((base, "data:")) else remote.append(r.url))
    return remote


def test_the_counter_screen_goes_from_idle_to_the_vote_and_back_after_two_taps(live_server, browser, ward, tmp_path):
    base = live_server.url
    clerk = ward[2]
    # The counter tablet: logged in as the clerk, waiting.
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 800}, has_touch=True)
    screen = context.new_page()
    remote = only_local_requests(screen, base)
    screen.goto(f"{base}/dang-nhap/?next=/ho-so/quay-danh-gia/")
    screen.get_by_label("Tên đăng nhập").fill(clerk.username)
    screen.get_by_label("Mật khẩu").fill(PASSWORD)
    screen.get_by_role("button", name="Đăng nhập").click()
    screen.wait_for_url("**/ho-so/quay-danh-gia/")
    assert screen.get_by_role("heading", name="Chờ đánh giá…").is_visible()

    # The clerk hands the result over and presses "Mời đánh giá tại quầy" on the dossier page.
    dossier = returned_dossier(ward)
    surveys.invite_at_counter(dossier_id=dossier.pk, actor=clerk)

    # The screen picks it up by itself, shows the masked name only, and takes two taps.
    screen.get_by_role("heading", name="Mời ông/bà đánh giá mức độ hài lòng").wait_for(timeout=10_000)
    body = screen.locator("body").inner_text()
    assert "Lê T. H." in body and dossier.code in body
    assert "0987654321" not in body and "001190012345" not in body
    screen.get_by_text("Rất hài lòng", exact=True).tap()
    screen.screenshot(path=str(tmp_path / "quay-danh-gia.png"), full_page=True)
    assert screen.get_by_role("radio", name="Rất hài lòng").is_checked()
    screen.get_by_role("button", name="Gửi đánh giá").tap()
    screen.get_by_role("heading", name="Cảm ơn ông/bà đã đánh giá!").wait_for()
    rating = SatisfactionRating.objects.get(dossier=dossier)
    assert (rating.level, rating.channel) == ("very_satisfied", "counter")

    # A few seconds later it is idle again, ready for the next citizen.
    screen.get_by_role("heading", name="Chờ đánh giá…").wait_for(timeout=10_000)
    assert re.search(r"/ho-so/quay-danh-gia/$", screen.url)
    assert remote == []
    context.close()


def test_a_citizen_rates_from_the_qr_link_on_a_phone(live_server, phone_page, ward, settings, tmp_path):
    settings.MOTCUA_PUBLIC_URL = live_server.url
    dossier = returned_dossier(ward)
    url = surveys.survey_link_for(dossier)
    page = phone_page
    remote = only_local_requests(page, live_server.url)
    page.goto(url)
    assert page.get_by_role("heading", name="Đánh giá mức độ hài lòng").is_visible()
    body = page.locator("body").inner_text()
    assert "Lê T. H." in body and "0987654321" not in body and "Lê Thị Hoa" not in body
    # Big touch targets: every level tile is at least 44 px high and fits the phone's width.
    for name in ("Rất hài lòng", "Hài lòng", "Không hài lòng"):
        box = page.locator("label.tile", has_text=re.compile(f"^{name}$")).bounding_box()
        assert box["height"] >= 44 and box["width"] <= 390
    # Sending without a choice explains what is missing, in Vietnamese.
    page.get_by_role("button", name="Gửi đánh giá").tap()
    assert page.get_by_role("alert").inner_text() == "Xin chọn một mức độ hài lòng."
    page.get_by_text("Không hài lòng", exact=True).tap()
    page.get_by_label("Ý kiến khác (không bắt buộc)").fill("Phải chờ đợi lâu")
    page.screenshot(path=str(tmp_path / "danh-gia-dien-thoai.png"), full_page=True)
    page.get_by_role("button", name="Gửi đánh giá").tap()
    assert "Cảm ơn ông/bà đã đánh giá" in page.locator("#ket-qua").inner_text()
    rating = SatisfactionRating.objects.get(dossier=dossier)
    assert (rating.level, rating.channel, rating.comment) == ("dissatisfied", "link", "Phải chờ đợi lâu")
    assert rating.follow_up.status == "new"
    # Opening the link again says the rating is already recorded.
    page.goto(url)
    assert "đã được ghi nhận" in page.locator("#ket-qua").inner_text()
    assert remote == []


def test_the_public_vote_works_with_the_keyboard_alone(live_server, phone_page, ward, settings):
    settings.MOTCUA_PUBLIC_URL = live_server.url
    dossier = returned_dossier(ward)
    page = phone_page
    page.goto(surveys.survey_link_for(dossier))
    page.keyboard.press("Tab")  # the skip link
    page.keyboard.press("Tab")  # the first level
    assert page.evaluate("document.activeElement.value") == "very_satisfied"
    page.keyboard.press("ArrowDown")  # radio group: moves and checks "Hài lòng"
    assert page.get_by_role("radio", name="Hài lòng", exact=True).is_checked()
    page.keyboard.press("Tab")  # the comment
    page.keyboard.press("Tab")  # the confirm button
    page.keyboard.press("Enter")
    page.locator("#ket-qua").wait_for()
    assert SatisfactionRating.objects.get(dossier=dossier).level == "satisfied"
