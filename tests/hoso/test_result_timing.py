# ruff: noqa: F811 — the fixtures of test_documents are imported and then requested by name
"""Issue 17.3: a citizen's paper never contradicts the dates printed on it, and the control
slip's rows and summary agree. Dossiers made by the real workflow; the slips are read from the HTML
their PDFs are laid out from (tests/printed.py; tests/hoso/test_documents.py reads real PDFs back).

The fixture dossier (chứng thực bản sao, 2.000815) is received Friday 24/01/2025 16:20, after the
15:00 cut-off, and due Monday 03/02/2025 17:00 (Tết holidays 25/01–02/02/2025).
"""

from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from hoso import workflow
from hoso.documents import document_context, render_document_html
from hoso.result_timing import APOLOGY, result_timing
from hoso.tracking_book import _note
from tests.printed import html_text

from .test_documents import APPLICANT, certification, intake, minh, received, ward  # noqa: F401 — fixtures

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")


def vn(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def text_of(dossier, slug: str) -> str:
    """What slip `slug` says: the text of the HTML its PDF is laid out from (tests/printed.py)."""
    return html_text(render_document_html(dossier, slug))


def finish(dossier, clerk, officer, *, ready_at, extend_to=None):
    workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=vn(2025, 2, 3, 8))
    if extend_to:
        workflow.extend(
            dossier_id=dossier.pk, actor=officer, new_due_at=extend_to, reason="Cần xác minh.", now=vn(2025, 2, 3, 10)
        )
    workflow.mark_result_ready(dossier_id=dossier.pk, actor=officer, now=ready_at)
    workflow.return_result(dossier_id=dossier.pk, actor=clerk, collector=APPLICANT, now=vn(2025, 2, 7, 9))
    dossier.refresh_from_db()
    return dossier


@pytest.mark.parametrize(
    ("ready_at", "citizen", "summary", "result_row"),
    [
        # After the legal due time, before the new appointment.
        (vn(2025, 2, 4, 10), APOLOGY, f"Quá hạn ({APOLOGY})", "Quá hạn"),
        # Even before the legal due time: the apology alone makes it late in statistics.
        (vn(2025, 2, 3, 15), APOLOGY, f"Quá hạn ({APOLOGY})", "Đúng hạn"),
        # After the new appointment too: now the dates themselves show it.
        (vn(2025, 2, 6, 10), "quá hạn", "Quá hạn", "Quá hạn"),
    ],
)
def test_a_result_before_the_new_appointment_is_not_called_late_on_the_citizens_papers(
    received, clerk, minh, client, ready_at, citizen, summary, result_row
):
    dossier = finish(received, clerk, minh, ready_at=ready_at, extend_to=vn(2025, 2, 5, 17))
    slip = text_of(dossier, "tra-ket-qua")
    assert "Thời gian hẹn trả kết quả: 17 giờ 00 phút, ngày 05 tháng 02 năm 2025" in slip
    assert f"({citizen})." in slip
    if citizen == APOLOGY:
        assert "quá hạn" not in slip.lower()

    control = document_context(dossier, "kiem-soat")
    ready_row = next(r for r in control["rows"] if r["step"] == "Hoàn thành, có kết quả")
    assert ready_row["result"] == result_row and control["overall"] == summary
    text = text_of(dossier, "kiem-soat")
    assert f"Kết quả giải quyết hồ sơ: {summary}" in text

    # The siblings say the same: the public status page and the dossier page.
    public = client.get(reverse("lookup", args=[dossier.code]), {"k": dossier.lookup_key}).content.decode()
    assert f"({citizen})" in public
    if citizen == APOLOGY:
        assert "quá hạn" not in public.lower()
    client.force_login(clerk)
    page = client.get(reverse("hoso:detail", args=[dossier.pk])).content.decode()
    assert summary in page


def test_two_supplement_requests_are_named_as_the_reason_not_called_late_beside_earlier_dates(received, clerk, minh):
    workflow.assign(dossier_id=received.pk, actor=clerk, officer=minh, now=vn(2025, 2, 3, 8))
    for hour in (9, 13):  # Monday 03/02, the due day: two requests, each answered within the hour
        workflow.request_supplement(
            dossier_id=received.pk, actor=minh, missing="Bản sao rõ nét hơn.", now=vn(2025, 2, 3, hour)
        )
        workflow.complete_supplement(dossier_id=received.pk, actor=clerk, now=vn(2025, 2, 3, hour, 45))
    workflow.mark_result_ready(dossier_id=received.pk, actor=minh, now=vn(2025, 2, 3, 15))
    workflow.return_result(dossier_id=received.pk, actor=clerk, collector=APPLICANT, now=vn(2025, 2, 4, 14))
    received.refresh_from_db()
    assert received.timeliness == "late" and received.result_ready_at <= received.shown_due_at

    slip = text_of(received, "tra-ket-qua")
    assert "(cơ quan đã yêu cầu bổ sung hồ sơ 2 lần)." in slip and "quá hạn" not in slip.lower()
    control = document_context(received, "kiem-soat")
    assert control["overall"] == "Quá hạn (yêu cầu bổ sung hồ sơ 2 lần)"
    assert all(row["result"] != "Quá hạn" for row in control["rows"])
    assert _note(received).endswith("tính quá hạn do yêu cầu bổ sung hồ sơ 2 lần")


def test_the_control_slip_judges_each_step_by_the_due_day_and_not_the_hand_over(received, clerk, minh):
    dossier = finish(received, clerk, minh, ready_at=vn(2025, 2, 3, 16))
    results = {row["step"]: row["result"] for row in document_context(dossier, "kiem-soat")["rows"]}
    assert results == {
        "Tiếp nhận hồ sơ": "Trước hạn",
        "Chuyển công chức xử lý": "Đúng hạn",
        "Hoàn thành, có kết quả": "Đúng hạn",
        "Trả kết quả": "",  # 07/02, after the due time: not judged, the result was ready on time
    }
    assert document_context(dossier, "kiem-soat")["overall"] == "Đúng hạn"


def stub(timeliness, ready, due, shown=None, extensions=0, supplements=0):
    return SimpleNamespace(
        timeliness=timeliness,
        result_ready_at=ready,
        due_at=due,
        shown_due_at=shown or due,
        extensions=extensions,
        supplement_requests=supplements,
    )


@pytest.mark.parametrize(
    ("dossier", "citizen", "staff"),
    [
        (stub("early", vn(2025, 3, 3, 9), vn(2025, 3, 5, 9)), "trước hạn", "Trước hạn"),
        (stub("on_time", vn(2025, 3, 5, 8), vn(2025, 3, 5, 9)), "đúng hạn", "Đúng hạn"),
        (stub("late", vn(2025, 3, 5, 10), vn(2025, 3, 5, 9)), "quá hạn", "Quá hạn"),
        (
            stub("late", vn(2025, 3, 6, 10), vn(2025, 3, 5, 9), vn(2025, 3, 7, 17), extensions=1),
            APOLOGY,
            f"Quá hạn ({APOLOGY})",
        ),
        (stub("late", vn(2025, 3, 8, 10), vn(2025, 3, 5, 9), vn(2025, 3, 7, 17), extensions=1), "quá hạn", "Quá hạn"),
        (
            stub("late", vn(2025, 3, 4, 10), vn(2025, 3, 5, 9), supplements=3),
            "cơ quan đã yêu cầu bổ sung hồ sơ 3 lần",
            "Quá hạn (yêu cầu bổ sung hồ sơ 3 lần)",
        ),
    ],
)
def test_the_wording_follows_the_dates_printed(dossier, citizen, staff):
    timing = result_timing(dossier)
    assert (timing.citizen, timing.staff) == (citizen, staff)


def test_an_unfinished_dossier_has_no_wording():
    assert result_timing(stub("", None, vn(2025, 3, 5, 9))) is None
