"""Table II.06a read through its own rows (docs/report-06a.md §8): the same figures as before.

``baocao.queries.scope`` used to be "received before end and not ended before start", which
PostgreSQL can only answer by reading every dossier of the ward received before end. It is now
said as three index ranges (received in the period; received before and ended at or after start;
received before and not ended). These tests build several years of varied dossiers with the
clock (resolved early, on time or late, withdrawn, stopped, paused, still open, some on the very
instants of a period's bounds) and check, for many periods, that the table, every drill-down and
the rows in scope are those of the former condition, and that the statement reads indexes.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta

import pytest
from django.db import connection, transaction
from django.db.models import Count, Q
from django.test.utils import CaptureQueriesContext

from baocao.periods import calendar_half_year, calendar_month, calendar_quarter, custom, decree_month, decree_year
from baocao.queries import COLUMNS, drilldown, parts, reported, scope, table_06a
from hoso import clock, creation
from hoso import workcalendar as wc
from hoso.calendar_store import calendar_for
from hoso.constants import Action
from hoso.models import Dossier, DossierEvent
from hoso.workcalendar import VN_TZ
from tests.factories import AgencyProcedureFactory, FieldFactory, ProcedureFactory, load_holidays
from thutuc.constants import Channel, TimeUnit

pytestmark = pytest.mark.django_db

FIRST, LAST = date(2023, 1, 2), date(2025, 12, 31)
H1_2025 = calendar_half_year(2025, 1)
PERIODS = [
    H1_2025,
    calendar_half_year(2024, 2),
    calendar_half_year(2023, 1),
    calendar_quarter(2025, 3),
    calendar_month(2024, 2),
    decree_month(2025, 5),
    decree_year(2024),
    custom(date(2022, 1, 1), date(2022, 12, 31)),  # before any dossier
    custom(date(2026, 1, 1), date(2026, 3, 31)),  # after every receipt: only carried over
    custom(date(2023, 3, 1), date(2025, 10, 31)),  # long
    custom(date(2024, 7, 15), date(2024, 7, 15)),  # one day
]


def _before(start, end):
    """The former condition of column 3, as it was written: received ≤ end, nothing ended before start."""
    return (
        Q(received_at__lte=end)
        & (Q(result_ready_at__isnull=True) | Q(result_ready_at__gte=start))
        & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=start))
        & (Q(stopped_at__isnull=True) | Q(stopped_at__gte=start))
    )


def _history(rng, cal, received):
    """A varied life: assignment, maybe a pause, then resolved / withdrawn / stopped / nothing yet."""
    last = received + timedelta(minutes=1)
    history = [(Action.RECEIVE, received), (Action.ASSIGN, last)]
    if rng.random() < 0.2:
        last = wc.add_working_days(cal, received, 1)
        history.append((Action.REQUEST_SUPPLEMENT, last))
        if rng.random() < 0.7:
            last = wc.add_working_days(cal, last, rng.randint(1, 4))
            history.append((Action.COMPLETE_SUPPLEMENT, last))
        else:
            return history  # still waiting for the papers
    u = rng.random()
    if u < 0.7:
        ready = max(wc.add_working_days(cal, received, rng.randint(0, 6)), last + timedelta(minutes=30))
        history.append((Action.MARK_RESULT_READY, ready))
        if rng.random() < 0.8:
            history.append((Action.RETURN_RESULT, ready + timedelta(hours=3)))
    elif u < 0.8:
        history.append((Action.WITHDRAW, last + timedelta(days=rng.randint(0, 40))))
    elif u < 0.9:
        history.append((Action.STOP, last + timedelta(days=rng.randint(0, 40))))
    return history  # else open for ever


def _edges(cal):
    """Lives that start or end on the very instants of H1 2025's bounds (and a microsecond off)."""
    start, end = H1_2025.bounds()
    tick = timedelta(microseconds=1)
    early = start - timedelta(days=20)
    return [
        (start, [(Action.RECEIVE, start)]),
        (end, [(Action.RECEIVE, end)]),
        (end + tick, [(Action.RECEIVE, end + tick)]),
        (start - tick, [(Action.RECEIVE, start - tick)]),
        (early, [(Action.RECEIVE, early), (Action.MARK_RESULT_READY, start)]),
        (early, [(Action.RECEIVE, early), (Action.MARK_RESULT_READY, start - tick)]),
        (early, [(Action.RECEIVE, early), (Action.WITHDRAW, start)]),
        (early, [(Action.RECEIVE, early), (Action.STOP, start - tick)]),
        (early, [(Action.RECEIVE, early), (Action.MARK_RESULT_READY, end), (Action.RETURN_RESULT, end + tick)]),
        (start, [(Action.RECEIVE, start), (Action.WITHDRAW, end + tick)]),
    ]


@pytest.fixture
def history(agency, other_agency, clerk, officer):
    """About 700 dossiers over 2023–2025 in two wards and three fields, plus the edge cases."""
    load_holidays()
    cal = calendar_for(agency.pk)
    procedures = []
    for code, name in (("1.000001", "Hộ tịch"), ("2.000001", "Chứng thực"), ("1.000002", "Đất đai")):
        procedure = ProcedureFactory(
            code=code, field=FieldFactory(name=name), time_limit_value=3, time_limit_unit=TimeUnit.WORKING_DAYS
        )
        for ward in (agency, other_agency):
            AgencyProcedureFactory(agency=ward, procedure=procedure)
        procedures.append((procedure, creation.procedure_snapshot(procedure, wc.Limit(3, "working_days"), "")))
    rng = random.Random(18)
    days = [FIRST + timedelta(days=k) for k in range((LAST - FIRST).days + 1)]
    lives = []
    for _ in range(700):
        received = datetime.combine(rng.choice(days), datetime.min.time(), VN_TZ) + timedelta(
            minutes=rng.randrange(7 * 60, 17 * 60)
        )
        lives.append((received, _history(rng, cal, received)))
    lives.extend(_edges(cal))
    pairs = []
    for n, (received, life) in enumerate(lives):
        procedure, snapshot = procedures[n % 3]
        base_due = wc.compute_due(cal, received, wc.Limit(3, "working_days"))
        state = clock.compute_clock(
            cal, received_at=received, base_due=base_due, events=[(a, at, {}) for a, at in life]
        )
        statuses = ["", *state.event_status]
        dossier = Dossier(
            agency=(agency, other_agency)[n % 2] if n < 700 else agency,
            code=f"COST-{n:05d}",
            lookup_key="COST",
            procedure=procedure,
            field_id=procedure.field_id,
            procedure_snapshot=snapshot,
            channel=rng.choice([Channel.COUNTER, Channel.ONLINE, Channel.POST]),
            applicant_name="Nguyễn Văn An",
            clerk=clerk,
            officer=officer,
            received_at=received,
            **state.columns(),
        )
        events = [
            DossierEvent(
                action=action,
                from_status=statuses[k],
                to_status=statuses[k + 1],
                actor=clerk,
                at=at,
                due_at=state.event_due_at[k],
            )
            for k, (action, at) in enumerate(life)
        ]
        pairs.append((dossier, events))
    saved = Dossier.objects.bulk_create([d for d, _ in pairs])
    for dossier, (_, events) in zip(saved, pairs, strict=True):
        for event in events:
            event.dossier = dossier
    DossierEvent.objects.bulk_create([e for _, events in pairs for e in events])
    return [agency.pk, other_agency.pk]


def _former_table(agency_ids, start, end):
    """Every cell counted with the former condition of column 3: {(field id, column): count}."""
    cells = {}
    for column, part in parts(start, end).items():
        rows = (
            Dossier.objects.filter(reported(agency_ids) & _before(start, end) & part)
            .values("field_id")
            .annotate(n=Count("pk"))
        )
        cells.update({(row["field_id"], column): row["n"] for row in rows})
    return cells


@pytest.mark.parametrize("period", PERIODS, ids=lambda p: f"{p.start:%Y%m%d}-{p.end:%Y%m%d}")
def test_the_table_and_its_cells_are_those_of_the_former_condition(history, period):
    start, end = period.bounds()
    for agency_ids in (history[:1], history[1:], history):
        former = _former_table(agency_ids, start, end)
        table = table_06a(agency_ids=agency_ids, start=start, end=end)
        ours = {(row["field_id"], c): row[c] for row in table["rows"] for c in COLUMNS if row[c]}
        assert ours == former
        base = Dossier.objects.filter(reported(agency_ids))
        assert set(base.filter(scope(start, end)).values_list("pk", flat=True)) == set(
            base.filter(_before(start, end)).values_list("pk", flat=True)
        )
        for column in COLUMNS:
            listed = drilldown(agency_ids=agency_ids, start=start, end=end, column=column)
            assert listed.count() == table["total"][column]


def test_the_history_is_varied(history):
    """The comparison means something: each period kind meets carried-over, resolved, open and ended rows."""
    start, end = H1_2025.bounds()
    total = table_06a(agency_ids=history, start=start, end=end)["total"]
    for column in COLUMNS:
        assert total[column] > 0, column
    received_at_bounds = Dossier.objects.filter(Q(received_at=start) | Q(received_at=end)).count()
    assert received_at_bounds == 3  # two edge lives start at start (one withdrawn after end), one at end


def test_the_statement_reads_the_period_and_the_open_rows_through_indexes(history):
    """With sequential scans priced out, the plan probes both indexes and never scans the table."""
    if connection.vendor != "postgresql":
        pytest.skip("The plan is PostgreSQL's (SQLite has no such planner setting).")
    start, end = H1_2025.bounds()
    with CaptureQueriesContext(connection) as queries:
        table_06a(agency_ids=history[:1], start=start, end=end)
    statement = next(q["sql"] for q in queries.captured_queries if "GROUP BY" in q["sql"])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "dossier_agency_received" in plan
    assert "dossier_agency_ended_received" in plan
    assert "Seq Scan on hoso_dossier" not in plan


def _overdue_from_events(dossier, end):
    """docs/report-06a.md §2 read literally: the last event at or before end (and the last pause) decides."""
    seen = [e for e in dossier.events.all() if e.at <= end]
    if not seen:
        return dossier.due_at is not None and dossier.due_at < end
    last = seen[-1]
    if last.to_status == "waiting_supplement":
        pause = [e for e in seen if e.action == Action.REQUEST_SUPPLEMENT][-1]
        return pause.at > pause.due_at
    return last.due_at is not None and last.due_at < end


@pytest.mark.parametrize("period", PERIODS[:6], ids=lambda p: f"{p.start:%Y%m%d}-{p.end:%Y%m%d}")
def test_a_never_paused_dossier_is_judged_by_its_row_and_agrees_with_its_events(history, period):
    """The overdue flag reads events only for a dossier that was ever paused (§8): the same dossiers either way."""
    start, end = period.bounds()
    open_at_end = drilldown(agency_ids=history, start=start, end=end, column="in_progress_total").prefetch_related(
        "events"
    )
    expected = {d.pk for d in open_at_end if _overdue_from_events(d, end)}
    listed = set(drilldown(agency_ids=history, start=start, end=end, column="overdue").values_list("pk", flat=True))
    assert listed == expected
    paused = {d.pk for d in open_at_end if d.supplement_requests}
    assert paused and paused != {d.pk for d in open_at_end}  # both kinds are met
