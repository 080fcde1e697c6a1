"""The report figures: table II.06a, indicators, drill-down lists and the compile_report command.

Fixtures go through hoso.workflow with explicit instants on the official 2025 calendar (the
30/04–04/05 holidays with the make-up Saturday 26/04), except the published ward figures of docs/report-06a.md §7,
which is bulk-created by `bulk_dossier` / `save_bulk` (documented below) for speed.
"""

from __future__ import annotations

import io
import json
import random
import tempfile
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from baocao.figures import compile_figures, indicators
from baocao.periods import custom, decree_month
from baocao.queries import COLUMNS, drilldown, table_06a
from hoso import clock, creation, workflow
from hoso import workcalendar as wc
from hoso.calendar_store import calendar_for
from hoso.constants import Action, Delivery, SatisfactionLevel, Status, SurveyChannel
from hoso.models import Dossier, DossierEvent, SatisfactionRating
from hoso.workcalendar import VN_TZ
from motcua.constants import Role
from tests.factories import AgencyProcedureFactory, FieldFactory, ProcedureFactory, UserFactory, load_holidays
from tests.printed import FAKE_PDF, html_lines
from thanhtoan import fees
from thanhtoan.models import PayChannel
from thutuc.constants import Channel, TimeUnit

pytestmark = pytest.mark.django_db


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


# decree_month(2025, 5): 15/04/2025 00:00 → 14/05/2025 23:59:59.999999, Vietnam time.
MAY = decree_month(2025, 5)
START, END = MAY.bounds()
LAST_INSTANT = vn(2025, 5, 14, 23, 59, 59, 999999)


@pytest.fixture
def catalogue(agency, other_agency):
    """Three fields (order: Chứng thực, Đất đai, Hộ tịch — Đ after D, not after H), 3 working days each."""
    load_holidays()
    procedures = {}
    for key, code, field_name in (
        ("civil", "1.000001", "Hộ tịch"),
        ("cert", "2.000001", "Chứng thực"),
        ("land", "1.000002", "Đất đai"),
    ):
        p = ProcedureFactory(
            code=code,
            name=f"Thủ tục {field_name.lower()}",
            field=FieldFactory(name=field_name),
            time_limit_value=3,
            time_limit_unit=TimeUnit.WORKING_DAYS,
        )
        AgencyProcedureFactory(agency=agency, procedure=p)
        AgencyProcedureFactory(agency=other_agency, procedure=p)
        procedures[key] = p
    return procedures


@dataclass
class Desk:
    """Drives one agency's staff through the workflow at given instants."""

    agency: object
    clerk: object
    officer: object
    leader: object
    ids: dict[str, int] = field(default_factory=dict)

    def receive(self, name, procedure, at, channel=Channel.COUNTER, **extra):
        intake = workflow.Intake(procedure=procedure, applicant_name="Nguyễn Văn An", channel=channel, **extra)
        d = workflow.receive(agency=self.agency, actor=self.clerk, intake=intake, now=at)
        self.ids[name] = d.pk
        return d

    def assign(self, name, at):
        return workflow.assign(dossier_id=self.ids[name], actor=self.clerk, officer=self.officer, now=at)

    def ready(self, name, at):
        return workflow.mark_result_ready(dossier_id=self.ids[name], actor=self.officer, now=at)

    def pause(self, name, at):
        return workflow.request_supplement(dossier_id=self.ids[name], actor=self.officer, missing="Thiếu giấy", now=at)

    def resume(self, name, at):
        return workflow.complete_supplement(dossier_id=self.ids[name], actor=self.clerk, now=at)


@pytest.fixture
def desk(agency, clerk, officer, leader, catalogue):
    return Desk(agency, clerk, officer, leader)


@pytest.fixture
def ward(desk, catalogue):
    """The hand-computed month (see the expected table in test_the_table_matches_the_hand_count)."""
    civil, cert, land = catalogue["civil"], catalogue["cert"], catalogue["land"]
    d = desk
    # Hộ tịch ------------------------------------------------------------------------------------
    # Thu 10/04 09:00 + 3 working days = Tue 15/04 09:00; ready 08:00 that day: carried over, on time.
    d.receive("carried_on_time", civil, vn(2025, 4, 10, 9))
    d.assign("carried_on_time", vn(2025, 4, 10, 9, 30))
    assert d.ready("carried_on_time", vn(2025, 4, 15, 8)).timeliness == "on_time"
    # Resolved before the period: never counted.
    d.receive("done_before", civil, vn(2025, 4, 8, 9))
    d.assign("done_before", vn(2025, 4, 8, 9, 30))
    d.ready("done_before", vn(2025, 4, 11, 10))
    # Received on the period's first instant, online, paid online, digitised, electronic result,
    # returned by post; counts from Tue 15/04 07:30 → due Fri 18/04 07:30; ready Thu: early.
    d.receive("first_instant", civil, START, Channel.ONLINE, delivery=Delivery.POST)
    d.assign("first_instant", vn(2025, 4, 15, 8))
    assert d.ready("first_instant", vn(2025, 4, 17, 10)).timeliness == "early"
    workflow.return_result(
        dossier_id=d.ids["first_instant"], actor=d.clerk, tracking_number="EB123456789VN", now=vn(2025, 4, 18, 10)
    )
    Dossier.objects.filter(pk=d.ids["first_instant"]).update(digitised=True, electronic_result=True)
    fees.record_settled_payment(
        dossier=Dossier.objects.get(pk=d.ids["first_instant"]),
        amount=50_000,
        channel=PayChannel.ONLINE,
        provider="national",
        at=vn(2025, 4, 15, 7, 45),
    )
    # Received on the period's last instant by post: in progress, within deadline.
    d.receive("last_instant", civil, LAST_INSTANT, Channel.POST)
    Dossier.objects.filter(pk=d.ids["last_instant"]).update(digitised=True)
    # One microsecond before the period, withdrawn inside it: carried over → withdrawn / stopped.
    d.receive("carried_withdrawn", civil, START - timedelta(microseconds=1))
    workflow.withdraw(dossier_id=d.ids["carried_withdrawn"], actor=d.clerk, now=vn(2025, 4, 16, 10))
    # After the period: not counted.
    d.receive("after_end", civil, END + timedelta(microseconds=1))
    # Mon 12/05 09:00 → due Thu 15/05 09:00; paused Tue 13/05 (before the due): waiting at the end,
    # within deadline — although it resumes and finishes after the end.
    d.receive("paused_within", civil, vn(2025, 5, 12, 9))
    d.assign("paused_within", vn(2025, 5, 12, 9, 30))
    d.pause("paused_within", vn(2025, 5, 13, 10))
    d.resume("paused_within", vn(2025, 5, 20, 10))
    d.ready("paused_within", vn(2025, 5, 21, 10))
    # Mon 05/05 09:00 → due Thu 08/05 09:00; paused Fri 09/05, after the due: overdue at the end,
    # although the supplement completed on 23/05 slides its current due time past the end.
    d.receive("paused_overdue", civil, vn(2025, 5, 5, 9))
    d.assign("paused_overdue", vn(2025, 5, 5, 9, 30))
    d.pause("paused_overdue", vn(2025, 5, 9, 10))
    assert d.resume("paused_overdue", vn(2025, 5, 23, 10)).due_at > END
    # Mon 21/04 09:00 → due Thu 24/04 09:00; paused 7 h 30 (Tue 09:00 → Wed 09:00) → due Fri 25/04
    # 09:00; ready Fri 08:00: on time. Fee paid at the counter.
    d.receive("paused_on_time", civil, vn(2025, 4, 21, 9), fee_amount=20_000)
    d.assign("paused_on_time", vn(2025, 4, 21, 9, 30))
    d.pause("paused_on_time", vn(2025, 4, 22, 9))
    d.resume("paused_on_time", vn(2025, 4, 23, 9))
    assert d.ready("paused_on_time", vn(2025, 4, 25, 8)).timeliness == "on_time"
    # Two supplement requests: late, though finished the next day.
    d.receive("two_supplements", civil, vn(2025, 4, 21, 10))
    d.assign("two_supplements", vn(2025, 4, 21, 10, 5))
    d.pause("two_supplements", vn(2025, 4, 21, 10, 30))
    d.resume("two_supplements", vn(2025, 4, 21, 11))
    d.pause("two_supplements", vn(2025, 4, 21, 14))
    d.resume("two_supplements", vn(2025, 4, 21, 14, 30))
    assert d.ready("two_supplements", vn(2025, 4, 22, 10)).timeliness == "late"
    # Chứng thực ---------------------------------------------------------------------------------
    # Mon 05/05 10:00 → due Thu 08/05 10:00; apology on Wed with a new date 13/05; ready 12/05: late.
    d.receive("extended_late", cert, vn(2025, 5, 5, 10))
    d.assign("extended_late", vn(2025, 5, 5, 10, 5))
    workflow.extend(
        dossier_id=d.ids["extended_late"],
        actor=d.officer,
        new_due_at=vn(2025, 5, 13, 17),
        reason="Cần xác minh",
        now=vn(2025, 5, 7, 10),
    )
    assert d.ready("extended_late", vn(2025, 5, 12, 10)).timeliness == "late"
    # Online, Tue 06/05 09:00 → due Fri 09/05 09:00, apology Thu 08/05 (new date 16/05): open and
    # overdue at the end (statistics keep the original due time).
    d.receive("extended_open", cert, vn(2025, 5, 6, 9), Channel.ONLINE)
    d.assign("extended_open", vn(2025, 5, 6, 9, 30))
    workflow.extend(
        dossier_id=d.ids["extended_open"],
        actor=d.officer,
        new_due_at=vn(2025, 5, 16, 17),
        reason="Cần xác minh",
        now=vn(2025, 5, 8, 10),
    )
    d.receive("withdrawn", cert, vn(2025, 4, 16, 9))
    workflow.withdraw(dossier_id=d.ids["withdrawn"], actor=d.clerk, now=vn(2025, 4, 17, 9))
    d.receive("stopped", cert, vn(2025, 4, 17, 9), Channel.POST)
    d.assign("stopped", vn(2025, 4, 17, 9, 30))
    workflow.stop(dossier_id=d.ids["stopped"], actor=d.leader, reason="Không đủ điều kiện", now=vn(2025, 4, 21, 9))
    # Đất đai ------------------------------------------------------------------------------------
    # Mon 28/04 09:00 + 3 working days over the holidays (30/04–04/05) = Tue 06/05 09:00: overdue.
    assert d.receive("open_overdue", land, vn(2025, 4, 28, 9)).due_at == vn(2025, 5, 6, 9)
    d.assign("open_overdue", vn(2025, 4, 28, 9, 30))
    # Online, Mon 12/05 14:00 → due Thu 15/05 14:00, ready Fri 16/05: in progress, within, at the end.
    d.receive("ready_after_within", land, vn(2025, 5, 12, 14), Channel.ONLINE)
    d.assign("ready_after_within", vn(2025, 5, 12, 14, 30))
    d.ready("ready_after_within", vn(2025, 5, 16, 10))
    # Wed 07/05 09:00 → due Mon 12/05 09:00, ready Tue 20/05: in progress, overdue, at the end.
    d.receive("ready_after_overdue", land, vn(2025, 5, 7, 9))
    d.assign("ready_after_overdue", vn(2025, 5, 7, 9, 30))
    d.ready("ready_after_overdue", vn(2025, 5, 20, 10))
    # Guided and refused at intake: never counted.
    for kind in (workflow.guide, workflow.refuse):
        intake = workflow.Intake(procedure=land, applicant_name="Trần Thị Bình")
        text = {"missing": "Thiếu tờ khai"} if kind is workflow.guide else {"reason": "Không thuộc thẩm quyền"}
        kind(agency=d.agency, actor=d.clerk, intake=intake, now=vn(2025, 4, 22, 9), **text)
    return d


@pytest.fixture
def other_ward(other_agency, other_clerk, catalogue):
    officer = UserFactory(agency=other_agency, role=Role.OFFICER, username="officer_b")
    d = Desk(other_agency, other_clerk, officer, None)
    # Wed 16/04 09:00 → due Mon 21/04 09:00; ready Fri 18/04: early.
    d.receive("early", catalogue["civil"], vn(2025, 4, 16, 9))
    d.assign("early", vn(2025, 4, 16, 9, 30))
    d.ready("early", vn(2025, 4, 18, 10))
    return d


def row(**values):
    base = dict.fromkeys(COLUMNS, 0)
    base.update(values)
    return base


CIVIL = row(
    received_total=8,
    received_online=1,
    received_counter_post=5,
    carried_over=2,
    resolved_total=4,
    early=1,
    on_time=2,
    late=1,
    in_progress_total=3,
    within_deadline=2,
    overdue=1,
    withdrawn_or_stopped=1,
)
CERT = row(
    received_total=4,
    received_online=1,
    received_counter_post=3,
    resolved_total=1,
    late=1,
    in_progress_total=1,
    overdue=1,
    withdrawn_or_stopped=2,
)
LAND = row(
    received_total=3,
    received_online=1,
    received_counter_post=2,
    in_progress_total=3,
    within_deadline=1,
    overdue=2,
)


def figures_only(table_row):
    return {c: table_row[c] for c in COLUMNS}


def assert_identities(r):
    assert r["received_total"] == r["carried_over"] + r["received_online"] + r["received_counter_post"]
    assert r["resolved_total"] == r["early"] + r["on_time"] + r["late"]
    assert r["in_progress_total"] == r["within_deadline"] + r["overdue"]
    assert r["received_total"] == r["resolved_total"] + r["in_progress_total"] + r["withdrawn_or_stopped"]


def test_the_table_matches_the_hand_count(ward, catalogue):
    table = table_06a(agency_ids=[ward.agency.pk], start=START, end=END)
    assert [r["field"] for r in table["rows"]] == ["Chứng thực", "Đất đai", "Hộ tịch"]
    assert [figures_only(r) for r in table["rows"]] == [CERT, LAND, CIVIL]
    assert table["rows"][2]["field_id"] == catalogue["civil"].field_id
    total = table["total"]
    assert total["field"] == "Tổng số" and "field_id" not in total
    assert figures_only(total) == row(
        received_total=15,
        received_online=3,
        received_counter_post=10,
        carried_over=2,
        resolved_total=5,
        early=1,
        on_time=2,
        late=2,
        in_progress_total=7,
        within_deadline=3,
        overdue=4,
        withdrawn_or_stopped=3,
    )
    for r in [*table["rows"], total]:
        assert_identities(r)


def test_each_cell_lists_exactly_the_dossiers_it_counts(ward, catalogue):
    agency_ids = [ward.agency.pk]
    table = table_06a(agency_ids=agency_ids, start=START, end=END)
    for r in [*table["rows"], table["total"]]:
        for column in COLUMNS:
            listed = drilldown(agency_ids=agency_ids, start=START, end=END, column=column, field_id=r.get("field_id"))
            assert len(listed) == r[column], (r["field"], column)
    names = {pk: name for name, pk in ward.ids.items()}

    def listed(column):
        return {names[d.pk] for d in drilldown(agency_ids=agency_ids, start=START, end=END, column=column)}

    assert listed("overdue") == {"paused_overdue", "extended_open", "open_overdue", "ready_after_overdue"}
    assert listed("within_deadline") == {"last_instant", "paused_within", "ready_after_within"}
    assert listed("carried_over") == {"carried_on_time", "carried_withdrawn"}
    assert listed("withdrawn_or_stopped") == {"carried_withdrawn", "withdrawn", "stopped"}
    assert listed("early") == {"first_instant"}
    with pytest.raises(ValueError, match="Cột không hợp lệ"):
        drilldown(agency_ids=agency_ids, start=START, end=END, column="received", field_id=None)


def test_several_agencies_are_summed_and_kept_apart(ward, other_ward, catalogue):
    only_other = table_06a(agency_ids=[other_ward.agency.pk], start=START, end=END)
    assert [r["field"] for r in only_other["rows"]] == ["Hộ tịch"]
    assert figures_only(only_other["total"]) == row(
        received_total=1, received_counter_post=1, resolved_total=1, early=1
    )
    only_ours = table_06a(agency_ids=[ward.agency.pk], start=START, end=END)
    assert only_ours["total"]["received_total"] == 15
    both = table_06a(agency_ids=[ward.agency.pk, other_ward.agency.pk], start=START, end=END)
    civil = next(r for r in both["rows"] if r["field"] == "Hộ tịch")
    assert figures_only(civil) == {c: CIVIL[c] + only_other["total"][c] for c in COLUMNS}
    assert both["total"]["received_total"] == 16 and both["total"]["early"] == 2
    assert table_06a(agency_ids=[], start=START, end=END) == {
        "rows": [],
        "total": {"field": "Tổng số", **dict.fromkeys(COLUMNS, 0)},
    }


def test_period_boundaries_are_inclusive_to_the_microsecond(ward):
    agency_ids = [ward.agency.pk]
    full = table_06a(agency_ids=agency_ids, start=START, end=END)["total"]
    # Ending one microsecond before the last-instant receipt loses it.
    shorter = table_06a(agency_ids=agency_ids, start=START, end=LAST_INSTANT - timedelta(microseconds=1))["total"]
    assert shorter["received_total"] == full["received_total"] - 1 == 14
    assert shorter["received_counter_post"] == full["received_counter_post"] - 1
    # Starting one microsecond after the first-instant receipt makes it carried over, not new.
    later = table_06a(agency_ids=agency_ids, start=START + timedelta(microseconds=1), end=END)["total"]
    assert (later["carried_over"], later["received_online"], later["received_total"]) == (3, 2, 15)


def test_the_indicators_match_the_hand_count(ward):
    figures = indicators(agency_ids=[ward.agency.pk], start=START, end=END)
    # 13 new (15 minus 2 carried over), 3 online: 23.08%; resolved 5, early or on time 3: 60%.
    assert (figures["online_share"], figures["online_full_marks"]) == (23.08, False)
    assert figures["early_or_on_time_share"] == 60.0
    # Extended: one resolved, one in progress at the end; two letters dated in the period.
    assert (figures["apologies"], figures["apology_letters"]) == (2, 2)
    assert figures["results_by_post"] == 1
    # Fees: first_instant (paid online) and paused_on_time (at the counter).
    assert figures["paid_online_share"] == 50.0
    assert figures["electronic_result_share"] == 20.0
    assert (figures["digitised_share"], figures["digitised_full_marks"]) == (15.38, False)
    assert figures["counts"]["new"] == 13 and figures["counts"]["resolved"] == 5
    # Hộ tịch, resolved in the period (working time, pauses excluded):
    # carried_on_time 21 h 30, first_instant 17 h 30, paused_on_time 29 h − 7 h 30 = 21 h 30,
    # two_supplements 7 h 30 − 1 h = 6 h 30 → 67 h / 4 = 16.75 h = 2.23 working days of 7.5 h.
    # Chứng thực: extended_late Mon 05/05 10:00 → Mon 12/05 10:00 = 37 h 30 = 5 working days.
    averages = figures["average_resolution"]
    assert [(a["code"], a["resolved"], a["average_hours"], a["average_working_days"]) for a in averages] == [
        ("1.000001", 4, 16.75, 2.23),
        ("2.000001", 1, 37.5, 5.0),
    ]
    assert averages[0]["average_seconds"] == 60_300
    assert (averages[0]["unit"], averages[0]["average_in_unit"], averages[0]["average_in_unit_label"]) == (
        "working_days",
        2.23,
        "ngày làm việc",
    )
    assert [(p["code"], p["received"]) for p in figures["top_procedures"]] == [
        ("1.000001", 6),
        ("2.000001", 4),
        ("1.000002", 3),
    ]
    assert figures["satisfaction"]["ratings"] == 0 and figures["satisfaction"]["returned"] == 1
    assert figures["indicator_5_4"]["resolved"] == 5 and figures["indicator_5_4"]["late"] == 2


def test_shares_are_none_without_a_denominator(agency):
    figures = indicators(agency_ids=[agency.pk], start=START, end=END)
    for key in ("online_share", "early_or_on_time_share", "paid_online_share", "electronic_result_share"):
        assert figures[key] is None
    assert figures["digitised_share"] is None and figures["digitised_full_marks"] is False
    assert figures["average_resolution"] == [] and figures["top_procedures"] == []


def test_compile_figures_is_plain_json_with_last_year_beside(ward):
    figures = compile_figures(agency_ids=[ward.agency.pk], period=MAY)
    assert json.loads(json.dumps(figures)) == figures
    assert figures["period"] == {"start": "2025-04-15", "end": "2025-05-14", "label": MAY.label}
    assert figures["agencies"] == [ward.agency.code]
    assert figures["total"]["received_total"] == 15 and len(figures["rows"]) == 3
    assert figures["previous_year"]["period"]["start"] == "2024-04-15"
    assert figures["previous_year"]["total"]["received_total"] == 0
    assert figures["previous_year"]["indicators"]["online_share"] is None


# -- the command ------------------------------------------------------------------------------
def run_command(*args):
    out = io.StringIO()
    call_command("compile_report", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_the_command_prints_the_figures_as_json(ward, other_ward):
    text = run_command("--agency", ward.agency.code, "--from", "2025-04-15", "--to", "2025-05-14")
    figures = json.loads(text)
    assert {"period", "rows", "total", "indicators"} <= set(figures)
    assert "Tổng số" in text and "\\u" not in text  # ensure_ascii=False
    assert figures["period"]["label"] == "Từ ngày 15/04/2025 đến ngày 14/05/2025"
    assert set(figures["rows"][0]) >= {"field", *COLUMNS}
    assert figures["total"]["received_total"] == 15
    both = json.loads(run_command("--agency", "all", "--period", "decree_month", "--year", "2025", "--number", "5"))
    assert both["period"]["label"] == "Tháng 5 năm 2025 (15/04/2025 – 14/05/2025)"
    assert both["total"]["received_total"] == 16
    assert both["agencies"] == sorted([ward.agency.code, other_ward.agency.code])


def test_the_command_writes_a_file(ward, tmp_path):
    target = tmp_path / "so-lieu.json"
    run_command("--agency", ward.agency.code, "--from", "2025-04-15", "--to", "2025-05-14", "-o", str(target))
    assert json.loads(target.read_text(encoding="utf-8"))["total"]["received_total"] == 15


def test_the_command_explains_bad_input_in_vietnamese(agency):
    with pytest.raises(CommandError, match=r"Không tìm thấy cơ quan có mã: 999\.99\.99\.H99"):
        run_command("--agency", "999.99.99.H99", "--from", "2025-01-01", "--to", "2025-06-30")
    with pytest.raises(CommandError, match="không được trước ngày bắt đầu"):
        run_command("--agency", agency.code, "--from", "2025-06-30", "--to", "2025-01-01")
    with pytest.raises(CommandError, match="không đúng dạng YYYY-MM-DD"):
        run_command("--agency", agency.code, "--from", "30/06/2025", "--to", "2025-07-01")
    with pytest.raises(CommandError, match="Hãy chọn kỳ báo cáo"):
        run_command("--agency", agency.code)


def test_xlsx_comes_from_the_export_module(ward, tmp_path):
    pytest.importorskip("baocao.exports")
    target = tmp_path / "bieu-06a.xlsx"
    run_command(
        "--agency",
        ward.agency.code,
        "--from",
        "2025-04-15",
        "--to",
        "2025-05-14",
        "--format",
        "xlsx",
        "-o",
        str(target),
    )
    assert target.read_bytes()[:2] == b"PK"
    with pytest.raises(CommandError, match="-o TỆP"):
        run_command("--agency", ward.agency.code, "--from", "2025-04-15", "--to", "2025-05-14", "--format", "xlsx")


# -- random timelines: the identities always hold ---------------------------------------------
# "ready" and the pause pair weigh more, so resolved (late too) and paused dossiers come up often.
STEPS = ("pause", "resume", "pause", "resume", "extend", "ready", "ready", "return", "withdraw", "stop")
BASE = vn(2025, 4, 1, 8)


def _step(desk, name, op, at):
    """Apply `op` if the dossier's state allows it (random scripts ask for impossible things too)."""
    d = Dossier.objects.get(pk=desk.ids[name])
    if op == "pause" and d.status == Status.PROCESSING:
        desk.pause(name, at)
    elif op == "resume" and d.status == Status.WAITING_SUPPLEMENT:
        desk.resume(name, at)
    elif op == "extend" and d.status in (Status.PROCESSING, Status.WAITING_SUPPLEMENT) and at < d.shown_due_at:
        workflow.extend(
            dossier_id=d.pk,
            actor=desk.officer,
            new_due_at=wc.add_working_days(calendar_for(d.agency_id), d.shown_due_at, 3),
            reason="Chậm",
            now=at,
        )
    elif op == "ready" and d.status == Status.PROCESSING:
        desk.ready(name, at)
    elif op == "return" and d.status == Status.RESULT_READY:
        workflow.return_result(dossier_id=d.pk, actor=desk.clerk, collector="Nguyễn Văn An", now=at)
    elif op == "withdraw" and d.status in (Status.PROCESSING, Status.WAITING_SUPPLEMENT):
        workflow.withdraw(dossier_id=d.pk, actor=desk.clerk, now=at)
    elif op == "stop" and d.status in (Status.PROCESSING, Status.WAITING_SUPPLEMENT):
        workflow.stop(dossier_id=d.pk, actor=desk.leader, reason="Dừng", now=at)


def _expected(d, events, start, end):
    """The columns a dossier belongs to, restated in Python from docs/report-06a.md §2 over its events."""
    if d.received_at is None or d.received_at > end:
        return set()
    if any(t is not None and t < start for t in (d.result_ready_at, d.withdrawn_at, d.stopped_at)):
        return set()
    columns = {"received_total"}
    if d.received_at < start:
        columns.add("carried_over")
    else:
        columns.add("received_online" if d.channel == Channel.ONLINE else "received_counter_post")
    if d.result_ready_at is not None and d.result_ready_at <= end:
        columns |= {"resolved_total", d.timeliness}
    elif any(t is not None and t <= end for t in (d.withdrawn_at, d.stopped_at)):
        columns.add("withdrawn_or_stopped")
    else:
        columns.add("in_progress_total")
        seen = [e for e in events if e.at <= end]
        last = seen[-1]
        # The due time an event records is the clock replayed up to it (pauses closed, extensions ignored).
        replay = clock.apply_events(calendar_for(d.agency_id), d.base_due_at, clock.clock_events(seen))
        assert replay.due_at == last.due_at
        if last.to_status == Status.WAITING_SUPPLEMENT:
            pause = [e for e in seen if e.action == Action.REQUEST_SUPPLEMENT][-1]
            overdue = pause.at > pause.due_at
        else:
            overdue = last.due_at < end
        columns.add("overdue" if overdue else "within_deadline")
    return columns


timeline = st.tuples(
    st.integers(0, 20 * 24 * 4),  # receipt: quarter hours after BASE (nights and weekends too)
    st.sampled_from([Channel.COUNTER, Channel.ONLINE, Channel.POST]),
    st.lists(st.tuples(st.sampled_from(STEPS), st.integers(0, 5 * 24 * 4)), min_size=1, max_size=8),
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    timelines=st.lists(timeline, min_size=2, max_size=6),
    start_offset=st.integers(0, 15 * 24),
    length=st.integers(3 * 24, 25 * 24),
)
def test_the_identities_hold_for_random_timelines(desk, catalogue, timelines, start_offset, length):
    start = BASE + timedelta(hours=start_offset)
    end = start + timedelta(hours=length, minutes=59)
    with transaction.atomic():
        for i, (receipt, channel, steps) in enumerate(timelines):
            name = f"d{i}"
            at = BASE + timedelta(minutes=15 * receipt)
            desk.receive(name, catalogue["civil" if i % 2 else "cert"], at, channel)
            at += timedelta(minutes=5)
            desk.assign(name, at)
            for op, gap in steps:
                at += timedelta(minutes=15 * gap)
                _step(desk, name, op, at)
        agency_ids = [desk.agency.pk]
        table = table_06a(agency_ids=agency_ids, start=start, end=end)
        for r in [*table["rows"], table["total"]]:
            assert_identities(r)
        expected = dict.fromkeys(COLUMNS, 0)
        for d in Dossier.objects.filter(pk__in=desk.ids.values()):
            for column in _expected(d, list(d.events.order_by("at", "id")), start, end):
                expected[column] += 1
        assert figures_only(table["total"]) == expected
        for column in (
            "carried_over",
            "early",
            "on_time",
            "late",
            "overdue",
            "within_deadline",
            "withdrawn_or_stopped",
        ):
            event(f"{column}: {'some' if expected[column] else 'none'}")
        for column in COLUMNS:
            assert drilldown(agency_ids=agency_ids, start=start, end=end, column=column).count() == expected[column]
        transaction.set_rollback(True)
    desk.ids.clear()


# -- docs/report-06a.md §7: the Hà Nội ward, first half of 2020 ------------------------------------------
_codes = iter(range(1, 10**9))


def bulk_dossier(
    agency,
    procedure,
    snapshot,
    clerk,
    officer,
    *,
    received_at,
    channel=Channel.COUNTER,
    result_ready_at=None,
    returned_at=None,
    delivery=Delivery.DESK,
):
    """An unsaved dossier on the plain path and its unsaved events, consistent as the workflow would write them.

    Path: RECEIVE at received_at → ASSIGN one minute later → MARK_RESULT_READY at result_ready_at
    (optional) → RETURN_RESULT at returned_at (optional; needs a result). No pause and no
    extension, so every event records the base due time: received_at plus the procedure's limit
    on the agency's calendar (`wc.compute_due`). The clock columns come from `clock.compute_clock`,
    as `workflow._transition` computes them.
    Save the pairs with `save_bulk`; `snapshot` is `creation.procedure_snapshot(...)`, built once.
    """
    calendar = calendar_for(agency.pk)
    limit = wc.Limit(value=procedure.time_limit_value, unit=procedure.time_limit_unit)
    due = wc.compute_due(calendar, received_at, limit)
    history = [(Action.RECEIVE, received_at), (Action.ASSIGN, received_at + timedelta(minutes=1))]
    if result_ready_at:
        history.append((Action.MARK_RESULT_READY, result_ready_at))
    if returned_at:
        history.append((Action.RETURN_RESULT, returned_at))
    actors = {Action.MARK_RESULT_READY: officer}  # the clerk receives, assigns and returns
    state = clock.compute_clock(
        calendar, received_at=received_at, base_due=due, events=[(action, at, {}) for action, at in history]
    )
    local_day = received_at.astimezone(VN_TZ).date()
    dossier = Dossier(
        agency=agency,
        code=f"{agency.code}-{local_day:%y%m%d}-{next(_codes):05d}",
        lookup_key="BULK",
        procedure=procedure,
        field_id=procedure.field_id,
        procedure_snapshot=snapshot,
        channel=channel,
        applicant_name="Nguyễn Văn An",
        delivery=delivery,
        clerk=clerk,
        officer=officer,
        received_at=received_at,
        **state.columns(),
    )
    statuses = ["", *state.event_status]
    events = [
        DossierEvent(
            action=action,
            from_status=statuses[i],
            to_status=statuses[i + 1],
            actor=actors.get(action, clerk),
            at=at,
            due_at=state.event_due_at[i],
        )
        for i, (action, at) in enumerate(history)
    ]
    return dossier, events


def save_bulk(pairs):
    """Insert the dossiers, then their events (bulk_create returns the primary keys on PostgreSQL and SQLite)."""
    dossiers = Dossier.objects.bulk_create([d for d, _ in pairs], batch_size=500)
    events = []
    for dossier, (_, dossier_events) in zip(dossiers, pairs, strict=True):
        for dossier_event in dossier_events:
            dossier_event.dossier = dossier
            events.append(dossier_event)
    DossierEvent.objects.bulk_create(events, batch_size=1000)
    return dossiers


def _working_mornings(calendar, first: date, last: date) -> list[datetime]:
    days = []
    day = first
    while day <= last:
        nine = datetime(day.year, day.month, day.day, 9, tzinfo=VN_TZ)
        if wc.normalise(calendar, nine) == nine:
            days.append(nine)
        day += timedelta(days=1)
    return days


def test_the_hanoi_ward_first_half_of_2020_gives_its_published_figures(agency, clerk, officer, catalogue, report_html):
    """2,201 received (699 online), 2,119 resolved on time or early, 82 in progress, none late; 3 by post."""
    calendar = calendar_for(agency.pk)
    procedure = catalogue["civil"]
    snapshot = creation.procedure_snapshot(procedure, wc.Limit(3, "working_days"), "Miễn phí")
    rng = random.Random(2020)
    mornings = _working_mornings(calendar, date(2020, 1, 2), date(2020, 6, 19))
    pairs = []
    # 2,119 resolved: 691 online; 119 on the due day before the due time, the others a working day later.
    for i in range(2119):
        received = rng.choice(mornings) + timedelta(minutes=10 * rng.randrange(40))
        due = wc.compute_due(calendar, received, wc.Limit(3, "working_days"))
        ready = due - timedelta(minutes=30) if i < 119 else wc.add_working_days(calendar, received, 1)
        pairs.append(
            bulk_dossier(
                agency,
                procedure,
                snapshot,
                clerk,
                officer,
                received_at=received,
                channel=Channel.ONLINE if i % 3 == 0 and i < 3 * 691 else Channel.COUNTER if i % 2 else Channel.POST,
                result_ready_at=ready,
                returned_at=ready + timedelta(hours=2),
                delivery=Delivery.POST if i in (5, 500, 1000) else Delivery.DESK,
            )
        )
    # 82 received on Mon 29 and Tue 30/06/2020, still open at the end (due in July): 8 online.
    for i in range(82):
        received = datetime(2020, 6, 29 + i % 2, 8, tzinfo=VN_TZ) + timedelta(minutes=5 * i)
        pairs.append(
            bulk_dossier(
                agency,
                procedure,
                snapshot,
                clerk,
                officer,
                received_at=received,
                channel=Channel.ONLINE if i < 8 else Channel.COUNTER,
            )
        )
    dossiers = save_bulk(pairs)
    assert sum(d.channel == Channel.ONLINE for d in dossiers) == 699
    assert {d.timeliness for d in dossiers if d.result_ready_at} == {"early", "on_time"}
    SatisfactionRating.objects.bulk_create(
        SatisfactionRating(
            dossier=d,
            agency=agency,
            procedure=procedure,
            field_id=procedure.field_id,
            clerk=clerk,
            level=SatisfactionLevel.VERY_SATISFIED if n % 2 else SatisfactionLevel.SATISFIED,
            channel=SurveyChannel.COUNTER,
            created_at=d.returned_at,
        )
        for n, d in enumerate(dossiers[:40])
    )

    figures = json.loads(run_command("--agency", agency.code, "--from", "2020-01-01", "--to", "2020-06-30"))

    total = figures["total"]
    assert (total["received_total"], total["received_online"], total["carried_over"]) == (2201, 699, 0)
    assert (total["resolved_total"], total["early"] + total["on_time"], total["late"]) == (2119, 2119, 0)
    assert (total["on_time"], total["early"]) == (119, 2000)
    assert (total["in_progress_total"], total["within_deadline"], total["overdue"]) == (82, 82, 0)
    assert total["withdrawn_or_stopped"] == 0
    indicators_ = figures["indicators"]
    assert indicators_["results_by_post"] == 3
    assert indicators_["satisfaction"]["satisfied_percent"] == 100.0
    assert indicators_["online_share"] == 31.76  # 699 / 2,201
    start, end = custom(date(2020, 1, 1), date(2020, 6, 30)).bounds()
    online = {"agency_ids": [agency.pk], "start": start, "end": end}
    assert drilldown(**online, column="resolved_total").filter(channel=Channel.ONLINE).count() == 691
    assert drilldown(**online, column="in_progress_total").filter(channel=Channel.ONLINE).count() == 8

    assert_pdf_and_xlsx_show(agency, total, report_html)


def assert_pdf_and_xlsx_show(agency, total: dict, report_html: list[str]) -> None:
    """The PDF's text (read from the HTML it is laid out from, tests/printed.py) and the XLSX's total row
    carry the same totals as the JSON."""
    folder = Path(tempfile.mkdtemp(prefix="bao-cao-"))
    common = ("--agency", agency.code, "--from", "2020-01-01", "--to", "2020-06-30")
    run_command(*common, "--format", "pdf", "-o", str(folder / "bao-cao.pdf"))
    run_command(*common, "--format", "xlsx", "-o", str(folder / "bieu-06a.xlsx"))
    assert (folder / "bao-cao.pdf").read_bytes() == FAKE_PDF
    text = "\n".join(html_lines(report_html[-1]))  # one line per table row
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    appendix = text.split("PHỤ LỤC", 1)[1]
    # The column headings also say "Tổng số": the total row is the one with figures.
    lines = [[n for n in line.split() if n.replace(".", "").isdigit()] for line in appendix.splitlines()]
    numbers = next(n for n, line in zip(lines, appendix.splitlines(), strict=True) if line.startswith("Tổng số") and n)
    assert numbers[:11] == ["2.201", "699", "1.502", "0", "2.119", "2.000", "119", "0", "82", "82", "0"]
    sheet = load_workbook(folder / "bieu-06a.xlsx").active
    rows = [[c for c in row if c is not None] for row in sheet.iter_rows(values_only=True)]
    # The sub-headers also say "Tổng số": the total row is the one with figures after the label.
    total_row = next(r for r in rows if r and r[0] == "Tổng số" and any(isinstance(v, int) for v in r))
    values = [v for v in total_row if isinstance(v, int)]
    assert values[:11] == [2201, 699, 1502, 0, 2119, 2000, 119, 0, 82, 82, 0]
    assert values[:11] == [
        total[k]
        for k in (
            "received_total",
            "received_online",
            "received_counter_post",
            "carried_over",
            "resolved_total",
            "early",
            "on_time",
            "late",
            "in_progress_total",
            "within_deadline",
            "overdue",
        )
    ]
