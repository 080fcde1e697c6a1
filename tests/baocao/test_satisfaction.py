"""The satisfaction figures of a report (baocao.satisfaction): summary, breakdowns, indicator 5.4,
and the same window and conditions as table II.06a in a compiled report."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
import time_machine

from baocao.figures import compile_figures
from baocao.periods import custom
from baocao.satisfaction import indicator_5_4, satisfaction_breakdown, satisfaction_summary
from hoso.constants import SatisfactionLevel, Status
from hoso.models import Dossier, FollowUp, SatisfactionRating
from motcua.constants import Role
from tests.factories import AgencyProcedureFactory, FieldFactory, ProcedureFactory, UserFactory, load_holidays
from tests.hoso.test_surveys import AFTER_RETURN, rate_by_link, returned_dossier, vn
from thutuc.constants import TimeUnit

pytestmark = pytest.mark.django_db

VERY = SatisfactionLevel.VERY_SATISFIED
SATISFIED = SatisfactionLevel.SATISFIED
UNHAPPY = SatisfactionLevel.DISSATISFIED


@pytest.fixture(autouse=True)
def _at_the_desk():
    """The clock runs from just after the return, as in tests/hoso/test_surveys.py."""
    with time_machine.travel(AFTER_RETURN + timedelta(minutes=5), tick=True):
        yield


@pytest.fixture
def procedure(agency):
    load_holidays()
    p = ProcedureFactory(code="1.000001", name="Cấp giấy xác nhận thử nghiệm", time_limit_unit=TimeUnit.WORKING_DAYS)
    AgencyProcedureFactory(agency=agency, procedure=p)
    return p


@pytest.fixture
def dossier(agency, clerk, officer, procedure):
    """A dossier returned through the workflow on 05/03/2025."""
    return returned_dossier(agency, clerk, officer, procedure)


def bulk_returned(agency, clerk, procedure, count: int, *, at: datetime, late: int = 0, officer=None) -> list[Dossier]:
    """`count` returned dossiers written directly (figures need hundreds; the workflow is tested above)."""
    start = Dossier.objects.count()
    rows = [
        Dossier(
            agency=agency,
            code=f"TEST-{start + i:06d}",
            lookup_key="ACDEFGHJ",
            status=Status.RETURNED,
            procedure=procedure,
            field_id=procedure.field_id,
            applicant_name="Nguyễn Văn An",
            clerk=clerk,
            officer=officer,
            received_at=at - timedelta(days=5),
            base_due_at=at - timedelta(days=1),
            due_at=at - timedelta(days=1),
            shown_due_at=at - timedelta(days=1),
            result_ready_at=at - timedelta(hours=2),
            returned_at=at,
            timeliness="late" if i < late else "on_time",
        )
        for i in range(count)
    ]
    return Dossier.objects.bulk_create(rows)


def bulk_rate(dossiers: list[Dossier], level: str, at: datetime) -> None:
    SatisfactionRating.objects.bulk_create(
        SatisfactionRating(
            dossier=d,
            agency_id=d.agency_id,
            procedure_id=d.procedure_id,
            field_id=d.field_id,
            clerk_id=d.clerk_id,
            officer_id=d.officer_id,
            level=level,
            channel="link",
            created_at=at,
        )
        for d in dossiers
    )


H1_2018 = (vn(2018, 1, 1), vn(2018, 12, 31, 23, 59, 59))


def test_779_satisfied_ratings_show_100_percent_and_one_unhappy_more_shows_99_87(
    agency, clerk, officer, procedure, dossier
):
    # The Đà Nẵng ward of docs/report-06a.md §7: 779/779 satisfied in 2018.
    dossiers = bulk_returned(agency, clerk, procedure, 779, at=vn(2018, 6, 1, 9))
    bulk_rate(dossiers[:500], VERY, vn(2018, 6, 1, 10))
    bulk_rate(dossiers[500:], SATISFIED, vn(2018, 6, 1, 10))
    start, end = H1_2018
    summary = satisfaction_summary(agency_ids=[agency.pk], start=start, end=end)
    assert (summary["ratings"], summary["satisfied_percent"], summary["returned"]) == (779, 100.0, 779)
    assert summary["response_rate"] == 100.0
    assert summary["by_level"] == {"very_satisfied": 500, "satisfied": 279, "neutral": 0, "dissatisfied": 0,
                                   "very_dissatisfied": 0}  # fmt: skip
    assert summary["percent_by_level"]["very_satisfied"] == 64.18  # 500/779
    assert not FollowUp.objects.exists()

    rate_by_link(dossier, UNHAPPY)  # rated 2025: move it into the period, as if rated in 2018
    SatisfactionRating.objects.filter(dossier=dossier).update(created_at=vn(2018, 12, 31, 23, 59, 59))
    summary = satisfaction_summary(agency_ids=[agency.pk], start=start, end=end)
    assert (summary["ratings"], summary["satisfied_percent"]) == (780, 99.87)
    assert summary["by_level"]["dissatisfied"] == 1 and summary["percent_by_level"]["dissatisfied"] == 0.13
    assert summary["response_rate"] == 100.13  # 780 ratings / 779 returned in 2018 (one returned in 2025)
    assert FollowUp.objects.count() == 1


def test_the_summary_period_is_inclusive_and_limited_to_the_given_agencies(agency, other_agency, clerk, procedure):
    start, end = vn(2025, 1, 1), vn(2025, 6, 30, 23, 59, 59)
    AgencyProcedureFactory(agency=other_agency, procedure=procedure)
    other_clerk = UserFactory(agency=other_agency, role=Role.CLERK)
    edge = bulk_returned(agency, clerk, procedure, 4, at=start)
    bulk_rate(edge[:1], VERY, start)  # first instant: in
    bulk_rate(edge[1:2], UNHAPPY, end)  # last instant: in
    bulk_rate(edge[2:3], VERY, start - timedelta(seconds=1))  # before: out
    bulk_rate(edge[3:], VERY, end + timedelta(seconds=1))  # after: out
    bulk_rate(bulk_returned(other_agency, other_clerk, procedure, 2, at=start), VERY, start)
    summary = satisfaction_summary(agency_ids=[agency.pk], start=start, end=end)
    assert (summary["ratings"], summary["satisfied_percent"], summary["returned"]) == (2, 50.0, 4)
    assert summary["response_rate"] == 50.0
    both = satisfaction_summary(agency_ids=[agency.pk, other_agency.pk], start=start, end=end)
    assert (both["ratings"], both["returned"]) == (4, 6)


def test_an_empty_period_has_zero_counts_and_no_percentages(agency):
    summary = satisfaction_summary(agency_ids=[agency.pk], start=vn(2020, 1, 1), end=vn(2020, 12, 31))
    assert summary["ratings"] == 0 and summary["returned"] == 0
    assert set(summary["by_level"]) == set(SatisfactionLevel.values)
    assert summary["satisfied_percent"] is None and summary["response_rate"] is None
    assert set(summary["percent_by_level"].values()) == {0.0}


def test_the_breakdown_groups_by_field_clerk_officer_and_month(agency, clerk, officer, procedure):
    land = ProcedureFactory(field=FieldFactory(name="Đất đai"), name="Xác nhận đất đai")
    clerk_b = UserFactory(agency=agency, role=Role.CLERK, last_name="Trần Thị", first_name="Bình")
    march = bulk_returned(agency, clerk, procedure, 3, at=vn(2025, 3, 10, 9), officer=officer)
    april = bulk_returned(agency, clerk_b, land, 4, at=vn(2025, 4, 1, 0, 30))  # 31/03 17:30 UTC: April in Vietnam
    bulk_rate(march[:2], VERY, vn(2025, 3, 10, 10))
    bulk_rate(march[2:], UNHAPPY, vn(2025, 3, 10, 10))
    bulk_rate(april[:1], SATISFIED, vn(2025, 4, 1, 0, 45))
    period = {"agency_ids": [agency.pk], "start": vn(2025, 1, 1), "end": vn(2025, 12, 31, 23, 59)}

    by_field = satisfaction_breakdown(**period, by="field")
    assert [(g["name"], g["ratings"], g["returned"], g["satisfied_percent"]) for g in by_field] == [
        ("Đất đai", 1, 4, 100.0),
        ("Hộ tịch", 3, 3, 66.67),
    ]
    assert by_field[1]["response_rate"] == 100.0 and by_field[0]["response_rate"] == 25.0
    by_clerk = satisfaction_breakdown(**period, by="clerk")
    assert [(g["id"], g["name"], g["ratings"]) for g in by_clerk] == [
        (clerk.pk, "Nguyễn Văn An", 3),
        (clerk_b.pk, "Trần Thị Bình", 1),
    ]
    by_officer = satisfaction_breakdown(**period, by="officer")
    assert [(g["id"], g["ratings"], g["returned"]) for g in by_officer] == [(officer.pk, 3, 3), (None, 1, 4)]
    assert by_officer[1]["name"] == "Chưa phân công"
    by_month = satisfaction_breakdown(**period, by="month")
    assert [(g["id"], g["name"], g["ratings"], g["returned"]) for g in by_month] == [
        ("2025-03", "Tháng 03/2025", 3, 3),
        ("2025-04", "Tháng 04/2025", 1, 4),
    ]
    by_procedure = satisfaction_breakdown(**period, by="procedure")
    assert {g["code"] for g in by_procedure} == {procedure.code, land.code}
    with pytest.raises(ValueError):
        satisfaction_breakdown(**period, by="ward")


def test_indicator_5_4_subtracts_the_late_and_unhappy_rates_from_100(agency, clerk, procedure):
    # 200 resolved in the quarter: 6 late, 8 rated unhappy (2 of them also late) → 100 − (3 + 4) = 93.
    at = vn(2025, 2, 10, 9)
    resolved = bulk_returned(agency, clerk, procedure, 200, at=at, late=6)
    bulk_rate(resolved[4:12], UNHAPPY, at)
    bulk_rate(resolved[12:150], VERY, at)
    bulk_returned(agency, clerk, procedure, 5, at=vn(2025, 4, 2, 9), late=5)  # resolved after: out
    figures = indicator_5_4(agency_ids=[agency.pk], start=vn(2025, 1, 1), end=vn(2025, 3, 31, 23, 59, 59))
    assert figures == {
        "resolved": 200,
        "late": 6,
        "unhappy": 8,
        "late_rate": 3.0,
        "unhappy_rate": 4.0,
        "value": 93.0,
        "full_marks": True,
    }


def test_indicator_5_4_is_clamped_at_zero_and_undefined_without_resolved_dossiers(agency, clerk, procedure):
    at = vn(2025, 2, 10, 9)
    resolved = bulk_returned(agency, clerk, procedure, 3, at=at, late=3)
    bulk_rate(resolved, UNHAPPY, at)
    figures = indicator_5_4(agency_ids=[agency.pk], start=vn(2025, 1, 1), end=vn(2025, 3, 31))
    assert (figures["late_rate"], figures["unhappy_rate"], figures["value"], figures["full_marks"]) == (
        100.0,
        100.0,
        0.0,
        False,
    )
    empty = indicator_5_4(agency_ids=[agency.pk], start=vn(2024, 1, 1), end=vn(2024, 3, 31))
    assert empty["resolved"] == 0 and empty["value"] is None and empty["full_marks"] is False


def test_figures_run_in_a_fixed_number_of_queries(agency, clerk, procedure, django_assert_max_num_queries):
    bulk_rate(bulk_returned(agency, clerk, procedure, 50, at=vn(2025, 2, 10, 9)), VERY, vn(2025, 2, 10, 9))
    period = {"agency_ids": [agency.pk], "start": vn(2025, 1, 1), "end": vn(2025, 3, 31)}
    with django_assert_max_num_queries(2):
        satisfaction_summary(**period)
    with django_assert_max_num_queries(2):
        satisfaction_breakdown(**period, by="clerk")
    with django_assert_max_num_queries(1):
        indicator_5_4(**period)


# -- in a compiled report: the 06a table's window and conditions ------------------------------
def written_dossier(agency, clerk, procedure, code: str, *, received: datetime, ready=None, returned=None,
                    timeliness: str = "", status: str = Status.RETURNED) -> Dossier:  # fmt: skip
    """A dossier written directly with the clock columns the workflow would store."""
    return Dossier.objects.create(
        agency=agency,
        code=code,
        lookup_key="ACDEFGHJ",
        status=status,
        procedure=procedure,
        field_id=procedure.field_id,
        applicant_name="Nguyễn Văn An",
        clerk=clerk,
        received_at=received,
        base_due_at=received + timedelta(days=10),
        due_at=received + timedelta(days=10),
        shown_due_at=received + timedelta(days=10),
        result_ready_at=ready,
        returned_at=returned,
        timeliness=timeliness,
    )


def test_the_reports_satisfaction_and_5_4_match_a_hand_count_over_the_06a_window(
    agency, other_agency, clerk, procedure
):
    # The first quarter of 2025, compiled long after it ended: [01/01 00:00, 31/03 23:59:59.999999].
    q1 = custom(date(2025, 1, 1), date(2025, 3, 31))
    make = lambda code, **kw: written_dossier(agency, clerk, procedure, code, **kw)  # noqa: E731
    carried = make("A1", received=vn(2024, 12, 20, 9), ready=vn(2025, 1, 5, 9), returned=vn(2025, 1, 6, 9),
                   timeliness="on_time")  # fmt: skip
    late = make("A2", received=vn(2025, 2, 1, 9), ready=vn(2025, 2, 10, 9), returned=vn(2025, 2, 11, 9),
                timeliness="late")  # fmt: skip
    last_minute = make("A3", received=vn(2025, 3, 20, 9), ready=vn(2025, 3, 31, 23, 30),
                       returned=vn(2025, 4, 1, 9), timeliness="on_time")  # fmt: skip
    ready_before = make("A4", received=vn(2024, 12, 1, 9), ready=vn(2024, 12, 30, 9), returned=vn(2025, 1, 2, 9),
                        timeliness="on_time")  # fmt: skip
    make("A5", received=vn(2025, 3, 1, 9), ready=vn(2025, 4, 2, 9), status=Status.RESULT_READY, timeliness="on_time")
    make("A6", received=vn(2025, 3, 1, 9), ready=vn(2025, 3, 5, 9), status=Status.RESULT_READY)  # no stored class
    early = make("A7", received=vn(2025, 1, 10, 9), ready=vn(2025, 1, 15, 9), returned=vn(2025, 1, 16, 9),
                 timeliness="early")  # fmt: skip
    make("A8", received=vn(2025, 2, 18, 9), ready=vn(2025, 2, 20, 9), status=Status.RESULT_READY, timeliness="on_time")
    other_clerk = UserFactory(agency=other_agency, role=Role.CLERK)
    AgencyProcedureFactory(agency=other_agency, procedure=procedure)
    elsewhere = written_dossier(other_agency, other_clerk, procedure, "B1", received=vn(2025, 2, 1, 9),
                                ready=vn(2025, 2, 3, 9), returned=vn(2025, 2, 4, 9), timeliness="late")  # fmt: skip
    bulk_rate([carried], VERY, vn(2025, 1, 6, 10))
    bulk_rate([late, elsewhere], UNHAPPY, vn(2025, 2, 11, 10))
    bulk_rate([last_minute], UNHAPPY, vn(2025, 4, 1, 10))  # rated after the period
    bulk_rate([ready_before, early], SATISFIED, vn(2025, 1, 16, 10))

    figures = compile_figures(agency_ids=[agency.pk], period=q1, as_of=vn(2025, 6, 1, 9))

    # By hand: resolved in Q1 = A1, A2, A3, A6, A7, A8 (A4 before it, A5 after it); late = A2 and
    # A6 (resolved without a class counts late, column 10); unhappy = A2 and A3 (rated whenever).
    total, indicator = figures["total"], figures["indicators"]["indicator_5_4"]
    assert (total["resolved_total"], total["late"]) == (6, 2)
    assert (indicator["resolved"], indicator["late"], indicator["unhappy"]) == (6, 2, 2)
    assert (indicator["late_rate"], indicator["unhappy_rate"], indicator["value"]) == (33.33, 33.33, 33.33)
    assert indicator["full_marks"] is False
    # Ratings given in Q1 = A1, A2, A4, A7 (A3's came in April, B1 is another ward's): 3 of 4
    # satisfied; returned in Q1 = A1, A2, A4, A7 (A3 on 01/04), as "results by post" counts them.
    satisfaction = figures["indicators"]["satisfaction"]
    assert (satisfaction["ratings"], satisfaction["returned"], satisfaction["satisfied_percent"]) == (4, 4, 75.0)
    assert satisfaction["by_level"] == {"very_satisfied": 1, "satisfied": 2, "neutral": 0, "dissatisfied": 1,
                                        "very_dissatisfied": 0}  # fmt: skip
    assert satisfaction["response_rate"] == 100.0
    assert figures["indicators"]["counts"]["resolved"] == total["resolved_total"]
