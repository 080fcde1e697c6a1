"""Table II.06a (docs/report-06a.md §1–3) and the conditions every report figure counts with.

Everything is counted in the database: one grouped query with conditional aggregates for the
table. The rows are typed (``TableRow``, ``TotalRow``: TypedDicts, JSON as they are), and the
HTML page, the XLSX and the PDF all read them. The other figures of a report — the QĐ 766
indicators (``baocao.figures``), satisfaction and indicator 5.4 (``baocao.satisfaction``) — count
with the same conditions (``reported``, ``conditions``, ``returned_in``), over the same window.

Definitions for agencies A and the instants [start, end] (both inclusive). A dossier never counts
unless it was received (``received_at`` set: guided or refused at intake never count).

* **new** — received in [start, end]; **online** = channel 2; **counter + post** = the other new
  ones (channels 1 and 3).
* **carried over** — received before start and not resolved (result_ready_at), withdrawn or
  stopped before start.
* **scope** (= received_total) — carried over ∪ new.
* **resolved** — in scope, result ready in [start, end], split by the stored ``timeliness``; a
  resolved dossier without a stored timeliness (the workflow never leaves one; ``recompute_clock``
  repairs one) is counted **late**, so the table still adds up and nothing is reported on time
  without proof.
* **withdrawn_or_stopped** — in scope, not resolved in the period, withdrawn or stopped in it.
* **in progress** — in scope and neither resolved, withdrawn nor stopped by end (a dossier
  resolved after end is in progress). **Overdue at end** reads the events: E = the dossier's last
  event with at ≤ end (ordered by at, id). If E left it waiting for a supplement (the clock is
  stopped and the due time slides), it is overdue iff that pause began after the due time then in
  force (P = last REQUEST_SUPPLEMENT with at ≤ end: P.at > P.due_at); otherwise overdue iff
  E.due_at < end. A dossier without any event falls back to its due_at column. Otherwise it is
  **within deadline**. So a past period's figures stay exact after the dossier moved on.
* **returned** (not a column) — received, and handed over (``returned_at``) in [start, end].

The columns partition the scope, so for every row and the total:
received_total = carried_over + received_online + received_counter_post;
resolved_total = early + on_time + late; in_progress_total = within_deadline + overdue;
received_total = resolved_total + in_progress_total + withdrawn_or_stopped.
`drilldown` filters with the very same conditions as the counts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypedDict, cast

from django.db import connection, transaction
from django.db.models import (
    BooleanField,
    Case,
    Count,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThan, GreaterThanOrEqual, IsNull

from hoso.constants import Action, Status, Timeliness
from hoso.ended import ended_at
from hoso.models import Dossier, DossierEvent
from thutuc.constants import Channel
from thutuc.models import Field
from thutuc.selectors import vi_order

COLUMNS: tuple[str, ...] = (
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
    "withdrawn_or_stopped",
)
TOTAL_LABEL = "Tổng số"

_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


class ColumnCounts(TypedDict):
    """The twelve columns of one line of the table (keys of COLUMNS, in that order)."""

    received_total: int
    received_online: int
    received_counter_post: int
    carried_over: int
    resolved_total: int
    early: int
    on_time: int
    late: int
    in_progress_total: int
    within_deadline: int
    overdue: int
    withdrawn_or_stopped: int


class TableRow(ColumnCounts):
    """A field's line: ``field_id``, ``field`` (its name), then the columns."""

    field_id: int | None
    field: str


class TotalRow(ColumnCounts):
    """The total line: ``field`` = "Tổng số", then the columns (no field id)."""

    field: str


class Table06a(TypedDict):
    rows: list[TableRow]
    total: TotalRow


class CellMember(TypedDict):
    """A dossier of column 3 with the columns that counted it (a bit mask) and what the drill-down shows."""

    dossier_id: int
    field_id: int | None
    columns: int
    code: str
    procedure: str
    received_at: datetime
    due_at: datetime | None
    result_ready_at: datetime | None
    status: str | None


def column_counts(values: Mapping[str, Any]) -> ColumnCounts:
    """The COLUMNS of an aggregate row (or of a frozen row) as ints; a missing column is 0."""

    def count(column: str) -> int:
        return int(values.get(column) or 0)

    return ColumnCounts(
        received_total=count("received_total"),
        received_online=count("received_online"),
        received_counter_post=count("received_counter_post"),
        carried_over=count("carried_over"),
        resolved_total=count("resolved_total"),
        early=count("early"),
        on_time=count("on_time"),
        late=count("late"),
        in_progress_total=count("in_progress_total"),
        within_deadline=count("within_deadline"),
        overdue=count("overdue"),
        withdrawn_or_stopped=count("withdrawn_or_stopped"),
    )


def column_value(counts: ColumnCounts, column: str) -> int:
    """The count of `column` (a key of COLUMNS, named at run time); ValueError for another name."""
    if column not in COLUMNS:
        raise ValueError(f"Cột không hợp lệ: {column!r}.")
    return int(cast(Mapping[str, int], counts).get(column) or 0)


def share(part: int, whole: int) -> float | None:
    """100 × part / whole rounded half-up to 2 decimals (779/780 → 99.87); None when whole is 0."""
    if not whole:
        return None
    return float((_HUNDRED * part / whole).quantize(_CENT, rounding=ROUND_HALF_UP))


# -- definitions ------------------------------------------------------------------------------
def _none_before(moment: datetime) -> Q:
    """Not resolved, withdrawn nor stopped strictly before `moment`."""
    return (
        (Q(result_ready_at__isnull=True) | Q(result_ready_at__gte=moment))
        & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=moment))
        & (Q(stopped_at__isnull=True) | Q(stopped_at__gte=moment))
    )


def _none_by(moment: datetime) -> Q:
    """Not resolved, withdrawn nor stopped at or before `moment`."""
    return (
        (Q(result_ready_at__isnull=True) | Q(result_ready_at__gt=moment))
        & (Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gt=moment))
        & (Q(stopped_at__isnull=True) | Q(stopped_at__gt=moment))
    )


def reported(agency_ids: Sequence[int]) -> Q:
    """The agencies' received dossiers (guided / refused at intake have no received_at): every figure's base."""
    return Q(agency_id__in=list(agency_ids), received_at__isnull=False)


def returned_in(start: datetime, end: datetime) -> Q:
    """Handed over to the applicant in [start, end] (not a column: results by post, satisfaction)."""
    return Q(returned_at__gte=start, returned_at__lte=end)


def scope(start: datetime, end: datetime) -> Q:
    """Carried over ∪ new: the dossiers the table accounts for (column 3).

    The condition is received_at ≤ end and not ended (``hoso.ended.ended_at``: result ready,
    withdrawn or stopped) before start. Said as is, PostgreSQL reads every dossier of the ward
    received before end — the whole history. So it is said as three disjoint arms, each an index
    range (docs/report-06a.md §8): received in [start, end] (``dossier_agency_received``); received
    before start and ended at or after start; received before start and not ended (both
    ``dossier_agency_ended_received``). The plain condition stays ANDed on, and every row it
    admits lies in one arm, so the rows are the same.
    """
    ended = ended_at()
    return (
        Q(GreaterThanOrEqual(Coalesce(ended, F("received_at")), start), received_at__gte=start, received_at__lte=end)
        | Q(GreaterThanOrEqual(ended, start), received_at__lt=start)
        | Q(IsNull(ended, True), received_at__lt=start)
    )


def overdue_at(end: datetime) -> Combinable:
    """A boolean expression, never NULL: the dossier is open at `end` and overdue at that instant.

    The guard comes first in the CASE so the event subqueries run only for dossiers still open at
    `end` (CASE evaluates lazily on PostgreSQL and SQLite). They run only for a dossier that was
    ever paused (``supplement_requests`` > 0; the column counts every request, so 0 now means 0 at
    `end`): only a completed pause moves the due time and only a pause leaves it waiting, so every
    event of a never-paused dossier records its one due time, the row's ``due_at``, and the events
    would say ``due_at < end`` (docs/report-06a.md §8).
    """
    until_end = DossierEvent.objects.filter(dossier_id=OuterRef("pk"), at__lte=end).order_by("-at", "-id")
    pause_began_late = (
        DossierEvent.objects.filter(dossier_id=OuterRef("dossier_id"), action=Action.REQUEST_SUPPLEMENT, at__lte=end)
        .order_by("-at", "-id")
        .annotate(began_late=GreaterThan(F("at"), F("due_at")))
        .values("began_late")[:1]
    )
    event_flag = Case(
        When(to_status=Status.WAITING_SUPPLEMENT, then=Coalesce(Subquery(pause_began_late), Value(False))),
        When(due_at__lt=end, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )
    no_event_flag = Case(When(due_at__lt=end, then=Value(True)), default=Value(False), output_field=BooleanField())
    finished_by_end = Q(result_ready_at__lte=end) | Q(withdrawn_at__lte=end) | Q(stopped_at__lte=end)
    return Case(
        When(finished_by_end, then=Value(False)),
        When(supplement_requests=0, then=no_event_flag),
        default=Coalesce(
            Subquery(until_end.annotate(flag=event_flag).values("flag")[:1], output_field=BooleanField()),
            no_event_flag,
        ),
        output_field=BooleanField(),
    )


def parts(start: datetime, end: datetime) -> dict[str, Q]:
    """What each column adds to `scope` (keys of COLUMNS; received_total adds nothing: an empty Q).

    A dossier belongs to a column iff it matches ``scope(start, end) & parts(start, end)[column]``
    (`conditions`). The table filters its rows with the scope once (WHERE) and counts each column
    with its part (FILTER); `drilldown` filters with the full condition: the same Q objects.
    """
    resolved = Q(result_ready_at__lte=end)  # in scope, result_ready_at ≥ start already
    in_progress = _none_by(end)
    overdue = overdue_at(end)
    return {
        "received_total": Q(),
        "received_online": Q(received_at__gte=start, channel=Channel.ONLINE),
        "received_counter_post": Q(received_at__gte=start) & ~Q(channel=Channel.ONLINE),
        "carried_over": Q(received_at__lt=start),
        "resolved_total": resolved,
        "early": resolved & Q(timeliness=Timeliness.EARLY),
        "on_time": resolved & Q(timeliness=Timeliness.ON_TIME),
        "late": resolved & ~Q(timeliness__in=[Timeliness.EARLY, Timeliness.ON_TIME]),
        "in_progress_total": in_progress,
        "within_deadline": in_progress & Q(Exact(overdue, False)),
        "overdue": in_progress & Q(Exact(overdue, True)),
        "withdrawn_or_stopped": (Q(result_ready_at__isnull=True) | Q(result_ready_at__gt=end))
        & (Q(withdrawn_at__gte=start, withdrawn_at__lte=end) | Q(stopped_at__gte=start, stopped_at__lte=end)),
    }


def conditions(start: datetime, end: datetime) -> dict[str, Q]:
    """The full condition of every column of the table: ``scope & part`` (keys of COLUMNS)."""
    in_scope = scope(start, end)
    return {column: in_scope & part for column, part in parts(start, end).items()}


@contextmanager
def report_statement() -> Iterator[None]:
    """A transaction for a report's grouped statement, without PostgreSQL's JIT compilation.

    The planner prices the per-dossier event subqueries high, so a ward's half-year crosses
    jit_above_cost and compiling (≈ 50–250 ms on the benchmark machine) costs more than the
    statement itself (docs/report-06a.md §8). ``SET LOCAL`` ends with the transaction (or with the
    caller's, when one is open).
    """
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL jit = off")
        yield


# -- table II.06a -----------------------------------------------------------------------------
def table_06a(*, agency_ids: Sequence[int], start: datetime, end: datetime) -> Table06a:
    """Biểu II.06a for the agencies over [start, end] (aware instants, both inclusive).

    ``rows``: a ``TableRow`` per field with any dossier in scope (every other column is a part of
    received_total), in Vietnamese order of the field name. ``total``: the ``TotalRow``, with
    ``field`` = "Tổng số" (all zeros when nothing counts). One grouped query: WHERE the scope,
    one COUNT … FILTER (the column's part) per column; then the fields' names.
    """
    # overdue_at is never NULL, so within_deadline = in_progress_total − overdue: counted so, the
    # event subqueries run once per dossier open at end instead of twice.
    counts = {
        c: Count("pk", filter=p) if p else Count("pk") for c, p in parts(start, end).items() if c != "within_deadline"
    }
    query = Dossier.objects.filter(reported(agency_ids) & scope(start, end)).values("field_id").annotate(**counts)
    with report_statement():
        by_field = {row["field_id"]: row for row in query.order_by()}
    # Grouped by the field id alone and named afterwards, so the Vietnamese collation sorts the
    # few fields, not every dossier.
    names = Field.objects.filter(pk__in=list(by_field)).order_by(vi_order("name"), "pk").values_list("pk", "name")
    table_rows = [
        TableRow(field_id=pk, field=name, **column_counts(_with_within_deadline(by_field[pk]))) for pk, name in names
    ]
    sums = {c: sum(column_value(r, c) for r in table_rows) for c in COLUMNS}
    return Table06a(rows=table_rows, total=TotalRow(field=TOTAL_LABEL, **column_counts(sums)))


def _with_within_deadline(row: dict[str, Any]) -> dict[str, Any]:
    return row | {"within_deadline": row["in_progress_total"] - row["overdue"]}


def drilldown(
    *, agency_ids: Sequence[int], start: datetime, end: datetime, column: str, field_id: int | None = None
) -> QuerySet[Dossier]:
    """The dossiers behind one cell of `table_06a` (field_id None: the total row).

    Uses the same conditions as the counts, so ``drilldown(...).count()`` equals the cell.
    ValueError for a column not in COLUMNS.
    """
    if column not in COLUMNS:
        raise ValueError(f"Cột không hợp lệ: {column!r}.")
    queryset = Dossier.objects.filter(reported(agency_ids)).filter(conditions(start, end)[column])
    if field_id is not None:
        queryset = queryset.filter(field_id=field_id)
    return queryset.select_related("field", "procedure", "agency").order_by("received_at", "id")


# -- what each cell counted (frozen with the figures; the drill-down of a compiled report) --------
def cell_members(*, agency_ids: Sequence[int], start: datetime, end: datetime) -> list[CellMember]:
    """The dossiers in scope with the columns that counted each, as they stood at `end`.

    One dict per dossier of column 3 (received_total): ``dossier_id``, ``field_id``,
    ``columns`` (a bit mask: bit i = COLUMNS[i]), and a snapshot of what the drill-down shows:
    ``code``, ``procedure`` (name), ``received_at``, ``due_at`` (the due time in force at `end`,
    from the last event at or before it), ``result_ready_at`` (None unless at or before `end`),
    ``status`` (the status at `end`). Columns are found with the same `conditions` as the counts,
    so the number of members with bit i in a row equals that row's cell.
    """
    base = Dossier.objects.filter(reported(agency_ids))
    masks: dict[int, int] = {}
    for column, condition in conditions(start, end).items():
        bit = column_bit(column)
        for pk in base.filter(condition).values_list("pk", flat=True):
            masks[pk] = masks.get(pk, 0) | bit
    if not masks:
        return []
    last = DossierEvent.objects.filter(dossier_id=OuterRef("pk"), at__lte=end).order_by("-at", "-id")
    rows = (
        base.filter(pk__in=list(masks))
        .annotate(
            due_then=Coalesce(Subquery(last.values("due_at")[:1]), F("due_at")),
            status_then=Coalesce(Subquery(last.values("to_status")[:1]), F("status")),
        )
        .values(
            "pk", "field_id", "code", "procedure__name", "received_at", "due_then", "status_then", "result_ready_at"
        )
        .order_by("received_at", "pk")
    )
    return [
        CellMember(
            dossier_id=row["pk"],
            field_id=row["field_id"],
            columns=masks[row["pk"]],
            code=row["code"] or "",
            procedure=row["procedure__name"] or "",
            received_at=row["received_at"],
            due_at=row["due_then"],
            result_ready_at=row["result_ready_at"]
            if row["result_ready_at"] is not None and row["result_ready_at"] <= end
            else None,
            status=row["status_then"],
        )
        for row in rows
    ]


def column_bit(column: str) -> int:
    """The bit of `column` in ``cell_members(...)["columns"]``; ValueError for a column not in COLUMNS."""
    if column not in COLUMNS:
        raise ValueError(f"Cột không hợp lệ: {column!r}.")
    return 1 << COLUMNS.index(column)
