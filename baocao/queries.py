"""The report figures (docs/report-06a.md §1–3, §5): table II.06a, the QĐ 766 indicators, drill-down lists.

Everything is counted in the database: one grouped query with conditional aggregates for the
table, a few aggregates for the indicators. Functions return plain, JSON-ready data (ints, floats,
strings, lists, dicts), which the HTML page, the XLSX and the PDF all consume.

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

The columns partition the scope, so for every row and the total:
received_total = carried_over + received_online + received_counter_post;
resolved_total = early + on_time + late; in_progress_total = within_deadline + overdue;
received_total = resolved_total + in_progress_total + withdrawn_or_stopped.
`drilldown` filters with the very same conditions as the counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Avg,
    BooleanField,
    Case,
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.expressions import Combinable
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.db.models.lookups import Exact, GreaterThan
from django.utils import timezone

from hoso.constants import Action, Delivery, FollowUpStatus, Status, Timeliness
from hoso.models import Dossier, DossierEvent, FollowUp
from hoso.surveys import indicator_5_4, satisfaction_summary
from hoso.workcalendar import VN_TZ
from motcua.models import Agency
from thutuc.constants import Channel, TimeUnit
from thutuc.models import AgencyProcedure
from thutuc.selectors import vi_order

from .periods import Period

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
# Headings of the columns, numbered as in Biểu II.06a (the reconciliation column is ours).
COLUMN_LABELS: dict[str, str] = {
    "received_total": "(3) Tổng số hồ sơ tiếp nhận",
    "received_online": "(4) Trực tuyến",
    "received_counter_post": "(5) Trực tiếp, dịch vụ bưu chính",
    "carried_over": "(6) Từ kỳ trước chuyển qua",
    "resolved_total": "(7) Tổng số hồ sơ đã giải quyết",
    "early": "(8) Trước hạn",
    "on_time": "(9) Đúng hạn",
    "late": "(10) Quá hạn",
    "in_progress_total": "(11) Tổng số hồ sơ đang giải quyết",
    "within_deadline": "(12) Trong hạn",
    "overdue": "(13) Quá hạn",
    "withdrawn_or_stopped": "Rút hồ sơ, dừng xử lý trong kỳ",
}
TOTAL_LABEL = "Tổng số"
WORKING_DAY_SECONDS = 27_000  # 7.5 working hours (07:30–11:30, 13:30–17:00)
TOP_PROCEDURES = 10
ONLINE_FULL_MARKS = 50.0  # QĐ 766 indicator 3.3
DIGITISED_FULL_MARKS = 80.0  # QĐ 766 indicator 4.2

_CENT = Decimal("0.01")


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


def _reported(agency_ids: Sequence[int]) -> Q:
    """The agencies' received dossiers (guided / refused at intake have no received_at)."""
    return Q(agency_id__in=list(agency_ids), received_at__isnull=False)


def scope(start: datetime, end: datetime) -> Q:
    """Carried over ∪ new: the dossiers the table accounts for (column 3)."""
    return Q(received_at__lte=end) & _none_before(start)


def overdue_at(end: datetime) -> Combinable:
    """A boolean expression, never NULL: the dossier is open at `end` and overdue at that instant.

    The guard comes first in the CASE so the event subqueries run only for dossiers still open at
    `end` (CASE evaluates lazily on PostgreSQL and SQLite).
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


# -- table II.06a -----------------------------------------------------------------------------
def table_06a(*, agency_ids: Sequence[int], start: datetime, end: datetime) -> dict[str, Any]:
    """Biểu II.06a for the agencies over [start, end] (aware instants, both inclusive).

    Returns ``{"rows": [...], "total": {...}}``. A row per field with any dossier in scope
    (every other column is a part of received_total), in Vietnamese order of the field name:
    ``field_id``, ``field`` and the COLUMNS as ints. ``total`` has the same keys without
    ``field_id``, with ``field`` = "Tổng số" (all zeros when nothing counts). One grouped query:
    WHERE the scope, one COUNT … FILTER (the column's part) per column.
    """
    column_parts = parts(start, end)
    counts = {c: Count("pk", filter=p) if p else Count("pk") for c, p in column_parts.items()}
    rows = (
        Dossier.objects.filter(_reported(agency_ids) & scope(start, end))
        .values("field_id", "field__name")
        .annotate(**counts)
        .order_by(vi_order("field__name"), "field_id")
    )
    table_rows = [
        {"field_id": row["field_id"], "field": row["field__name"], **{c: int(row[c]) for c in COLUMNS}} for row in rows
    ]
    total: dict[str, Any] = {"field": TOTAL_LABEL, **{c: sum(r[c] for r in table_rows) for c in COLUMNS}}
    return {"rows": table_rows, "total": total}


def drilldown(
    *, agency_ids: Sequence[int], start: datetime, end: datetime, column: str, field_id: int | None = None
) -> QuerySet[Dossier]:
    """The dossiers behind one cell of `table_06a` (field_id None: the total row).

    Uses the same conditions as the counts, so ``drilldown(...).count()`` equals the cell.
    ValueError for a column not in COLUMNS.
    """
    if column not in COLUMNS:
        raise ValueError(f"Cột không hợp lệ: {column!r}.")
    queryset = Dossier.objects.filter(_reported(agency_ids)).filter(conditions(start, end)[column])
    if field_id is not None:
        queryset = queryset.filter(field_id=field_id)
    return queryset.select_related("field", "procedure", "agency").order_by("received_at", "id")


# -- indicators -------------------------------------------------------------------------------
def share(part: int, whole: int) -> float | None:
    """100 × part / whole rounded half-up to 2 decimals; None when whole is 0."""
    if not whole:
        return None
    return float((Decimal(100) * part / whole).quantize(_CENT, rounding=ROUND_HALF_UP))


def _round2(value: float | Decimal) -> float:
    return float(Decimal(str(value)).quantize(_CENT, rounding=ROUND_HALF_UP))


_UNIT_LABELS = {
    TimeUnit.WORKING_DAYS: "ngày làm việc",
    TimeUnit.CALENDAR_DAYS: "ngày",
    TimeUnit.WORKING_HOURS: "giờ làm việc",
    TimeUnit.SAME_DAY: "trong ngày",
}


def _in_unit(unit: str, seconds: float) -> tuple[float, str]:
    """The average expressed in the procedure's unit: hours for hour and same-day limits, working days otherwise.

    resolution_seconds counts working time only, so a calendar-day limit is compared in working days.
    """
    if unit in (TimeUnit.WORKING_HOURS, TimeUnit.SAME_DAY):
        return _round2(seconds / 3600), "giờ làm việc"
    return _round2(seconds / WORKING_DAY_SECONDS), "ngày làm việc"


def _average_resolution(base: QuerySet[Dossier], resolved: Q) -> list[dict[str, Any]]:
    """QĐ 766 indicator 2.2: AVG(resolution_seconds) per procedure of the dossiers resolved in the period."""
    rows = (
        base.filter(resolved)
        .values("procedure_id", "procedure__code", "procedure__name", "procedure__time_limit_unit")
        .annotate(
            resolved=Count("pk"),
            timed=Count("resolution_seconds"),
            average_seconds=Avg("resolution_seconds"),
            snapshot_unit=Max(KT("procedure_snapshot__limit__unit")),
            snapshot_value=Max(KT("procedure_snapshot__limit__value")),
        )
        .order_by("procedure__code")
    )
    result = []
    for row in rows:
        seconds = float(row["average_seconds"]) if row["average_seconds"] is not None else None
        unit = row["procedure__time_limit_unit"] or row["snapshot_unit"] or TimeUnit.WORKING_DAYS
        value, value_unit = _in_unit(unit, seconds) if seconds is not None else (None, "")
        result.append(
            {
                "procedure_id": row["procedure_id"],
                "code": row["procedure__code"],
                "name": row["procedure__name"],
                "unit": unit,
                "unit_label": _UNIT_LABELS.get(unit, unit),
                "resolved": int(row["resolved"]),
                "timed": int(row["timed"]),
                "average_seconds": None if seconds is None else round(seconds),
                "average_working_days": None if seconds is None else _round2(seconds / WORKING_DAY_SECONDS),
                "average_hours": None if seconds is None else _round2(seconds / 3600),
                "average_in_unit": value,
                "average_in_unit_label": value_unit,
            }
        )
    return result


def _top_procedures(base: QuerySet[Dossier], new: Q) -> list[dict[str, Any]]:
    rows = (
        base.filter(new)
        .values("procedure_id", "procedure__code", "procedure__name")
        .annotate(received=Count("pk"))
        .order_by("-received", "procedure__code")[:TOP_PROCEDURES]
    )
    return [
        {
            "procedure_id": r["procedure_id"],
            "code": r["procedure__code"],
            "name": r["procedure__name"],
            "received": r["received"],
        }
        for r in rows
    ]


def indicators(*, agency_ids: Sequence[int], start: datetime, end: datetime) -> dict[str, Any]:
    """The QĐ 766 indicators a ward computes itself, over [start, end]. Shares: % with 2 decimals, None on 0/0.

    * ``online_share`` (3.3) = new online / new; ``online_full_marks`` at ≥ 50%.
    * ``early_or_on_time_share`` (2.1) = (early + on time) / resolved in the period.
    * ``apologies`` = dossiers resolved in the period or in progress at its end that had an
      apology-and-new-appointment (an EXTEND event at or before end) — the figure the report
      quotes; ``apology_letters`` = EXTEND events dated in the period (letters issued in it).
    * ``results_by_post`` = dossiers returned in the period with delivery "post".
    * ``paid_online_share`` (3.6) = new dossiers paid online / new dossiers with a fee
      (fee_amount > 0 or paid online).
    * ``electronic_result_share`` (4.1) = resolved in the period with an electronic result / resolved.
    * ``digitised_share`` (4.2) = new dossiers digitised / new; ``digitised_full_marks`` at ≥ 80%.
    * ``satisfaction`` = hoso.surveys.satisfaction_summary; ``indicator_5_4`` = hoso.surveys.indicator_5_4.
    * ``average_resolution`` (2.2): per procedure with dossiers resolved in the period, by code:
      AVG(resolution_seconds) in seconds, working days of 7.5 h, hours, and in the procedure's own
      unit (its catalogue unit, else the unit pinned at intake; hours for hour and same-day limits).
    * ``top_procedures``: the 10 procedures with most new dossiers (ties by code).
    * ``procedures_published``: procedures the agencies offer (niêm yết) when compiled, summed.
    * ``feedback``: follow-up items opened by unhappy answers in the period (``received``), and
      those among them resolved when compiled (``resolved``) — "feedback handled" of §8.3.
    * ``counts``: the numerators and denominators behind the shares.
    """
    conds = conditions(start, end)
    new = Q(received_at__gte=start, received_at__lte=end)
    returned = Q(returned_at__gte=start, returned_at__lte=end)
    base = Dossier.objects.filter(_reported(agency_ids))
    extended = Exists(DossierEvent.objects.filter(dossier_id=OuterRef("pk"), action=Action.EXTEND, at__lte=end))
    counts = base.filter(Q(received_at__lte=end) & (_none_before(start) | returned)).aggregate(
        new=Count("pk", filter=new),
        new_online=Count("pk", filter=conds["received_online"]),
        resolved=Count("pk", filter=conds["resolved_total"]),
        early_or_on_time=Count("pk", filter=conds["early"] | conds["on_time"]),
        apologies=Count("pk", filter=(conds["resolved_total"] | conds["in_progress_total"]) & Q(extended)),
        results_by_post=Count("pk", filter=returned & Q(delivery=Delivery.POST)),
        with_fee=Count("pk", filter=new & (Q(fee_amount__gt=0) | Q(paid_online=True))),
        paid_online=Count("pk", filter=new & Q(paid_online=True)),
        electronic_result=Count("pk", filter=conds["resolved_total"] & Q(electronic_result=True)),
        digitised=Count("pk", filter=new & Q(digitised=True)),
    )
    counts = {key: int(value) for key, value in counts.items()}
    counts["apology_letters"] = DossierEvent.objects.filter(
        dossier__agency_id__in=list(agency_ids), action=Action.EXTEND, at__gte=start, at__lte=end
    ).count()
    online = share(counts["new_online"], counts["new"])
    digitised = share(counts["digitised"], counts["new"])
    return {
        "online_share": online,
        "online_full_marks": online is not None and online >= ONLINE_FULL_MARKS,
        "early_or_on_time_share": share(counts["early_or_on_time"], counts["resolved"]),
        "apologies": counts["apologies"],
        "apology_letters": counts["apology_letters"],
        "results_by_post": counts["results_by_post"],
        "paid_online_share": share(counts["paid_online"], counts["with_fee"]),
        "electronic_result_share": share(counts["electronic_result"], counts["resolved"]),
        "digitised_share": digitised,
        "digitised_full_marks": digitised is not None and digitised >= DIGITISED_FULL_MARKS,
        "satisfaction": satisfaction_summary(agency_ids=list(agency_ids), start=start, end=end),
        "indicator_5_4": indicator_5_4(agency_ids=list(agency_ids), start=start, end=end),
        "average_resolution": _average_resolution(base, conds["resolved_total"]),
        "top_procedures": _top_procedures(base, new),
        "procedures_published": AgencyProcedure.objects.filter(
            agency_id__in=list(agency_ids), active=True, procedure__active=True
        ).count(),
        "feedback": FollowUp.objects.filter(
            agency_id__in=list(agency_ids), created_at__gte=start, created_at__lte=end
        ).aggregate(
            received=Count("pk"),
            resolved=Count("pk", filter=Q(status=FollowUpStatus.RESOLVED)),
        ),
        "counts": counts,
    }


# -- everything for one report ----------------------------------------------------------------
class PeriodNotStarted(ValueError):
    """The period begins after the compile instant: there is nothing to count yet."""


def counted_until_text(instant: datetime) -> str:
    """'tính đến 10:15 ngày 05/12/2026' (Vietnam time): how a provisional report names its instant."""
    local = instant.astimezone(VN_TZ)
    return f"tính đến {local:%H:%M} ngày {local:%d/%m/%Y}"


def cutoff(period: Period, as_of: datetime) -> datetime:
    """The instant a report on `period` compiled at `as_of` is judged at: the period's end, or
    `as_of` when the period is not over yet (a provisional report). PeriodNotStarted (Vietnamese
    message) when `as_of` is before the period's first instant.
    """
    start, end = period.bounds()
    if as_of < start:
        raise PeriodNotStarted(
            f"Kỳ báo cáo bắt đầu từ ngày {period.start:%d/%m/%Y}, chưa đến: chưa có số liệu để tổng hợp."
        )
    return min(end, as_of)


def _period_json(period: Period, until: datetime | None = None) -> dict[str, Any]:
    data: dict[str, Any] = {"start": period.start.isoformat(), "end": period.end.isoformat(), "label": period.label}
    if until is not None:
        provisional = until < period.bounds()[1]
        data["counted_until"] = until.astimezone(VN_TZ).isoformat()
        data["provisional"] = provisional
        data["counted_until_text"] = counted_until_text(until) if provisional else ""
    return data


def compile_figures(*, agency_ids: Sequence[int], period: Period, as_of: datetime | None = None) -> dict[str, Any]:
    """Every figure of the report for the agencies and the period, JSON-serialisable.

    ``{"period": {start, end (YYYY-MM-DD), label}, "counted_until", "provisional",
    "counted_until_text", "agencies": [codes, sorted], "rows": [...], "total": {...},
    "indicators": {...}, "previous_year": {"period", "total", "indicators"}}``: rows and total as
    in `table_06a`, indicators as in `indicators`; previous_year is the same period a year
    earlier (`Period.previous_year`).

    ``as_of`` is the compile instant (default: now). A period not over at ``as_of`` is counted
    up to ``as_of`` instead of its end (`cutoff`): nothing dated later (a dossier, an event, a
    rating) counts, and the in-progress columns say within deadline / overdue at ``as_of``;
    ``provisional`` is then true and ``counted_until_text`` says "tính đến hh:mm ngày dd/mm/yyyy"
    (else ""). The previous year is then cut after the same elapsed time, so the comparison is
    like for like. ``counted_until`` is the instant judged at (ISO 8601, Vietnam time).
    PeriodNotStarted when ``as_of`` is before the period.
    """
    ids = list(agency_ids)
    start, _ = period.bounds()
    until = cutoff(period, as_of if as_of is not None else timezone.now())
    table = table_06a(agency_ids=ids, start=start, end=until)
    before = period.previous_year()
    before_start, before_end = before.bounds()
    before_until = min(before_end, before_start + (until - start))
    stamp = _period_json(period, until)
    return {
        "period": _period_json(period),
        "counted_until": stamp["counted_until"],
        "provisional": stamp["provisional"],
        "counted_until_text": stamp["counted_until_text"],
        "agencies": list(Agency.objects.filter(pk__in=ids).order_by("code").values_list("code", flat=True)),
        "rows": table["rows"],
        "total": table["total"],
        "indicators": indicators(agency_ids=ids, start=start, end=until),
        "previous_year": {
            "period": _period_json(before, before_until),
            "total": table_06a(agency_ids=ids, start=before_start, end=before_until)["total"],
            "indicators": indicators(agency_ids=ids, start=before_start, end=before_until),
        },
    }


# -- what each cell counted (frozen with the figures; the drill-down of a compiled report) --------
def cell_members(*, agency_ids: Sequence[int], start: datetime, end: datetime) -> list[dict[str, Any]]:
    """The dossiers in scope with the columns that counted each, as they stood at `end`.

    One dict per dossier of column 3 (received_total): ``dossier_id``, ``field_id``,
    ``columns`` (a bit mask: bit i = COLUMNS[i]), and a snapshot of what the drill-down shows:
    ``code``, ``procedure`` (name), ``received_at``, ``due_at`` (the due time in force at `end`,
    from the last event at or before it), ``result_ready_at`` (None unless at or before `end`),
    ``status`` (the status at `end`). Columns are found with the same `conditions` as the counts,
    so the number of members with bit i in a row equals that row's cell.
    """
    base = Dossier.objects.filter(_reported(agency_ids))
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
        {
            "dossier_id": row["pk"],
            "field_id": row["field_id"],
            "columns": masks[row["pk"]],
            "code": row["code"] or "",
            "procedure": row["procedure__name"] or "",
            "received_at": row["received_at"],
            "due_at": row["due_then"],
            "result_ready_at": row["result_ready_at"]
            if row["result_ready_at"] is not None and row["result_ready_at"] <= end
            else None,
            "status": row["status_then"],
        }
        for row in rows
    ]


def column_bit(column: str) -> int:
    """The bit of `column` in ``cell_members(...)["columns"]``; ValueError for a column not in COLUMNS."""
    if column not in COLUMNS:
        raise ValueError(f"Cột không hợp lệ: {column!r}.")
    return 1 << COLUMNS.index(column)
