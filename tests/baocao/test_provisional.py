"""Issue 17.2: a report on a period not over yet is judged at the instant it is compiled.

December 2026 (no holiday): A is received Wednesday 02/12 09:00 and due Monday 07/12 09:00; B is
received Tuesday 24/11 and due Friday 27/11 09:00; both stay open. C is an import whose dossier
was received Thursday 10/12, written before that day came.
"""

from __future__ import annotations

import json
from datetime import datetime, time

import pytest
from django.core.management import call_command
from django.urls import reverse

from baocao import services
from baocao.constants import ReportStatus
from baocao.figures import PeriodNotStarted, compile_figures
from baocao.models import Report, ReportEntry
from baocao.periods import custom, decree_half_year
from baocao.queries import column_bit
from hoso import workflow
from hoso.workcalendar import VN_TZ
from tests.factories import AgencyProcedureFactory, FieldFactory, ProcedureFactory, load_holidays
from tests.printed import FAKE_PDF, html_text
from thutuc.constants import TimeUnit

pytestmark = pytest.mark.django_db
DECEMBER = custom(datetime(2026, 12, 1).date(), datetime(2026, 12, 31).date())


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


END_INSTANT = datetime.combine(DECEMBER.end, time.max, tzinfo=VN_TZ)


@pytest.fixture
def ward(agency, clerk):
    load_holidays()
    procedure = ProcedureFactory(
        code="1.001193",
        name="Đăng ký khai sinh",
        field=FieldFactory(name="Hộ tịch"),
        time_limit_value=3,
        time_limit_unit=TimeUnit.WORKING_DAYS,
    )
    AgencyProcedureFactory(agency=agency, procedure=procedure)

    def receive(name, when):
        intake = workflow.Intake(procedure=procedure, applicant_name=name)
        return workflow.receive(agency=agency, actor=clerk, intake=intake, now=when)

    dossiers = {
        "A": receive("Lê Thị An", vn(2026, 12, 2, 9)),
        "B": receive("Trần Văn Bình", vn(2026, 11, 24, 9)),
        "C": receive("Phạm Thị Cúc", vn(2026, 12, 10, 9)),
    }
    assert dossiers["A"].due_at == vn(2026, 12, 7, 9) and dossiers["B"].due_at == vn(2026, 11, 27, 9)
    return agency, {key: d.code for key, d in dossiers.items()}


def compile_at(time_machine, instant, agency, leader, period, capture):
    time_machine.move_to(instant, tick=False)
    with capture(execute=True):
        report = services.draft_report(agency=agency, period=period, user=leader)[0]
    report.refresh_from_db()
    return report


def members(report, column):
    return {e.code: e for e in ReportEntry.objects.filter(report=report) if e.columns & column_bit(column)}


@pytest.fixture(autouse=True)
def _no_layout(report_html):
    """Compilations here keep the HTML of their PDF; no PDF is laid out (tests/printed.py)."""
    return report_html


def printed(report, report_html) -> str:
    """What the report's PDF says: the text of the HTML its compilation laid out (the last one)."""
    assert bytes(report.pdf) == FAKE_PDF
    return html_text(report_html[-1])


@pytest.mark.parametrize(
    ("instant", "provisional", "overdue", "within", "received"),
    [
        # Inside the period, before A's due time: A is within deadline, not overdue; C not yet.
        (vn(2026, 12, 5, 10, 15), True, {"B"}, {"A"}, {"A", "B"}),
        # Inside the period, after A's due time: now A is overdue.
        (vn(2026, 12, 8, 10, 0), True, {"A", "B"}, set(), {"A", "B"}),
        # Exactly at its end, and after it: the whole period, judged at its end.
        (END_INSTANT, False, {"A", "B", "C"}, set(), {"A", "B", "C"}),
        (vn(2027, 1, 5, 8, 0), False, {"A", "B", "C"}, set(), {"A", "B", "C"}),
    ],
)
def test_a_period_is_judged_at_the_compile_instant_when_it_is_not_over(
    ward, leader, time_machine, django_capture_on_commit_callbacks, instant, provisional, overdue, within, received
):
    agency, codes = ward
    report = compile_at(time_machine, instant, agency, leader, DECEMBER, django_capture_on_commit_callbacks)
    assert report.status == ReportStatus.DONE and report.is_provisional is provisional
    names = {code: key for key, code in codes.items()}
    assert {names[c] for c in members(report, "overdue")} == overdue
    assert {names[c] for c in members(report, "within_deadline")} == within
    assert {names[c] for c in members(report, "received_total")} == received
    # No dossier whose due time is after the compile instant is counted overdue.
    assert all(entry.due_at < instant for entry in members(report, "overdue").values())
    total = report.figures["total"]
    assert (total["overdue"], total["within_deadline"]) == (len(overdue), len(within))
    assert report.figures["provisional"] is provisional
    assert report.counted_at == min(instant, END_INSTANT)


def test_a_provisional_report_says_tinh_den_in_the_pdf_the_json_and_the_pages(
    ward, leader, client, time_machine, django_capture_on_commit_callbacks, report_html, capsys
):
    agency, _ = ward
    report = compile_at(
        time_machine, vn(2026, 12, 5, 10, 15), agency, leader, DECEMBER, django_capture_on_commit_callbacks
    )
    words = "tính đến 10:15 ngày 05/12/2026"
    assert report.figures["counted_until_text"] == words
    text = printed(report, report_html)
    assert f"số liệu tạm tính, {words}" in text  # the title block
    assert f"Số liệu tạm tính, {words} (kỳ báo cáo chưa kết thúc)" in text  # the table's note
    assert f"Số hồ sơ đang giải quyết ({words})" in text
    # The JSON of the command says it too.
    call_command("compile_report", "--agency", agency.code, "--from", "2026-12-01", "--to", "2026-12-31")
    data = json.loads(capsys.readouterr().out)
    assert data["provisional"] is True and data["counted_until_text"] == words
    assert data["counted_until"] == "2026-12-05T10:15:00+07:00"
    assert data["total"]["overdue"] == 1 and data["total"]["within_deadline"] == 1
    # The leader sees that the figures are provisional.
    client.force_login(leader)
    listing = client.get(reverse("baocao:list")).content.decode()
    assert "Số liệu tạm tính" in listing and f"số liệu {words}" in listing  # the badge's title
    assert f"Số liệu tạm tính</b>, {words}:" in client.get(reverse("baocao:detail", args=[report.pk])).content.decode()


def test_a_report_on_a_finished_period_says_no_tinh_den(
    ward, leader, client, time_machine, django_capture_on_commit_callbacks, report_html
):
    agency, _ = ward
    report = compile_at(time_machine, vn(2027, 1, 5, 8), agency, leader, DECEMBER, django_capture_on_commit_callbacks)
    assert report.figures["counted_until_text"] == "" and not report.figures["provisional"]
    assert "tính đến" not in printed(report, report_html)
    client.force_login(leader)
    assert "Số liệu tạm tính" not in client.get(reverse("baocao:list")).content.decode()


def test_the_half_year_report_compiled_before_14_12_is_provisional(
    ward, leader, time_machine, django_capture_on_commit_callbacks, report_html
):
    agency, codes = ward
    period = decree_half_year(2026, 2)  # 15/06/2026 – 14/12/2026
    report = compile_at(
        time_machine, vn(2026, 12, 5, 10, 15), agency, leader, period, django_capture_on_commit_callbacks
    )
    assert report.is_provisional
    assert set(members(report, "within_deadline")) == {codes["A"]}
    assert set(members(report, "overdue")) == {codes["B"]}
    assert "tính đến 10:15 ngày 05/12/2026" in printed(report, report_html)
    # Last year is cut after the same time, so the comparison is like for like.
    previous = report.figures["previous_year"]["period"]
    assert previous["counted_until"] == "2025-12-05T10:15:00+07:00" and previous["provisional"]


def test_a_period_not_started_is_refused(ward, leader, client, time_machine, django_capture_on_commit_callbacks):
    agency, _ = ward
    time_machine.move_to(vn(2026, 11, 30, 10), tick=False)
    with pytest.raises(PeriodNotStarted, match="chưa đến"):
        compile_figures(agency_ids=[agency.pk], period=DECEMBER)
    client.force_login(leader)
    response = client.post(reverse("baocao:create"), {"kind": "custom", "start": "01/12/2026", "end": "31/12/2026"})
    assert "Kỳ báo cáo chưa bắt đầu" in response.content.decode() and not Report.objects.exists()
    # A report queued anyway (an API, a script) fails with the same plain reason.
    with django_capture_on_commit_callbacks(execute=True):
        report = services.draft_report(agency=agency, period=DECEMBER, user=leader)[0]
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED and report.error.startswith("Kỳ báo cáo bắt đầu từ ngày 01/12/2026")
