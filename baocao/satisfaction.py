"""The satisfaction figures of a report (docs/satisfaction.md §3–4): summary, breakdowns, indicator 5.4.

Counted in the database with ``aggregate``/``annotate`` (no rating is loaded into Python), over
the same window and with the same conditions as table II.06a (``baocao.queries``):

* **ratings** — the agencies' ratings given in [start, end] (``SatisfactionRating.created_at``);
* **returned** — the agencies' received dossiers handed over in [start, end]
  (``queries.reported`` and ``queries.returned_in``, as "results by post" counts them);
* **indicator 5.4** — over the dossiers the table counts as resolved in the period (column 7,
  ``conditions(...)["resolved_total"]``): late = those of column 10, unhappy = those rated
  unhappy (whenever rated).

Every function returns TypedDicts (JSON as they are): ``SatisfactionSummary``,
``SatisfactionGroup``, ``Indicator54``. The report freezes them; the PDF, the XLSX and the JSON
read them by these keys.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, NotRequired, TypedDict

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from hoso.constants import UNHAPPY_LEVELS, SatisfactionLevel
from hoso.models import Dossier, SatisfactionRating
from motcua.lib.text import vi_sort_key

from .queries import conditions, reported, returned_in, share

BREAKDOWNS = ("field", "procedure", "clerk", "officer", "month")
INDICATOR_5_4_FULL_MARKS = 90.0  # QĐ 766 indicator 5.4
_HUNDRED = Decimal(100)
_CENT = Decimal("0.01")


class SatisfactionSummary(TypedDict):
    """The ratings of a period (or of one group of it) against the dossiers returned in it."""

    ratings: int
    by_level: dict[str, int]  # every SatisfactionLevel value, zeros included
    percent_by_level: dict[str, float]  # of the ratings, 2 decimals; 0.0 without ratings
    satisfied_percent: float | None  # ratings not unhappy / ratings; None without ratings
    returned: int
    response_rate: float | None  # ratings / returned; None when none returned


class SatisfactionGroup(TypedDict):
    """One group of a breakdown: its id and name (a procedure also its code), then the summary's keys."""

    id: int | str | None
    name: str
    ratings: int
    by_level: dict[str, int]
    percent_by_level: dict[str, float]
    satisfied_percent: float | None
    returned: int
    response_rate: float | None
    code: NotRequired[str]


class Indicator54(TypedDict):
    """QĐ 766 indicator 5.4: 100% − (late rate + unhappy rate) over the dossiers resolved in the period."""

    resolved: int
    late: int
    unhappy: int
    late_rate: float | None
    unhappy_rate: float | None
    value: float | None
    full_marks: bool


def _level_counts() -> dict[str, Count]:
    return {f"level_{level.value}": Count("id", filter=Q(level=level)) for level in SatisfactionLevel}


def _summary(row: Mapping[str, Any], returned: int) -> SatisfactionSummary:
    """The counts and percentages of one group from an aggregate row holding level_<value> keys."""
    by_level = {level.value: int(row.get(f"level_{level.value}") or 0) for level in SatisfactionLevel}
    ratings = sum(by_level.values())
    unhappy = sum(by_level[level.value] for level in UNHAPPY_LEVELS)
    return SatisfactionSummary(
        ratings=ratings,
        by_level=by_level,
        percent_by_level={level: share(count, ratings) or 0.0 for level, count in by_level.items()},
        satisfied_percent=share(ratings - unhappy, ratings),
        returned=returned,
        response_rate=share(ratings, returned),
    )


def _ratings(agency_ids: Sequence[int], start: datetime, end: datetime) -> QuerySet[SatisfactionRating]:
    return SatisfactionRating.objects.filter(agency_id__in=list(agency_ids), created_at__gte=start, created_at__lte=end)


def _returned(agency_ids: Sequence[int], start: datetime, end: datetime) -> QuerySet[Dossier]:
    return Dossier.objects.filter(reported(agency_ids) & returned_in(start, end))


def satisfaction_summary(*, agency_ids: Sequence[int], start: datetime, end: datetime) -> SatisfactionSummary:
    """Satisfaction of the agencies' ratings given in [start, end] (both inclusive); two aggregate queries.

    ``returned`` counts the received dossiers handed over in [start, end] (``queries.returned_in``).
    """
    row = _ratings(agency_ids, start, end).aggregate(**_level_counts())
    return _summary(row, _returned(agency_ids, start, end).count())


def _month_id(value: datetime | None) -> str | None:
    """'2025-03' for the month a TruncMonth value starts (read in Vietnam time)."""
    if value is None:
        return None
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    return value.strftime("%Y-%m")


def _group_name(by: str, row: Mapping[str, Any]) -> str:
    if by == "field":
        return row.get("field__name") or ""
    if by == "procedure":
        return row.get("procedure__name") or ""
    if by in ("clerk", "officer"):
        if row.get(f"{by}_id") is None:
            return "Chưa phân công"
        name = f"{row.get(f'{by}__last_name') or ''} {row.get(f'{by}__first_name') or ''}".strip()
        return name or row.get(f"{by}__username") or ""
    month = _month_id(row.get("month"))
    return f"Tháng {month[5:]}/{month[:4]}" if month else ""


def _group_keys(by: str) -> list[str]:
    if by == "field":
        return ["field_id", "field__name"]
    if by == "procedure":
        return ["procedure_id", "procedure__code", "procedure__name"]
    return [f"{by}_id", f"{by}__last_name", f"{by}__first_name", f"{by}__username"]


def _group(by: str, key: Any, row: Mapping[str, Any], summary: SatisfactionSummary) -> SatisfactionGroup:
    group = SatisfactionGroup(id=key, name=_group_name(by, row), **summary)
    if by == "procedure":
        group["code"] = row["procedure__code"]
    return group


def satisfaction_breakdown(
    *, agency_ids: Sequence[int], start: datetime, end: datetime, by: str
) -> list[SatisfactionGroup]:
    """The summary's figures per group: by "field", "procedure", "clerk", "officer" or "month".

    One group per field / procedure / person / month that has ratings in [start, end] or dossiers
    returned in it: ``id`` (the field / procedure / user id, None for dossiers without an officer;
    "YYYY-MM" for a month, local time), ``name`` (a procedure also has ``code``) and the keys of
    ``SatisfactionSummary``. Groups of people and places sort by Vietnamese name, months by date.
    Raises ValueError for another `by`. Ratings carry their own copies of the dossier's field,
    procedure, clerk (intake clerk) and officer; ``returned`` groups the returned dossiers by the
    same columns.
    """
    if by not in BREAKDOWNS:
        raise ValueError(f"by must be one of {', '.join(BREAKDOWNS)}")
    ratings = _ratings(agency_ids, start, end)
    returned = _returned(agency_ids, start, end)
    key_of: Callable[[Mapping[str, Any]], Any]
    if by == "month":
        tz = timezone.get_current_timezone()
        rating_rows = (
            ratings.annotate(month=TruncMonth("created_at", tzinfo=tz)).values("month").annotate(**_level_counts())
        )
        returned_rows = returned.annotate(month=TruncMonth("returned_at", tzinfo=tz)).values("month")
        returned_rows = returned_rows.annotate(n=Count("id"))

        def key_of(row: Mapping[str, Any]) -> Any:
            return _month_id(row["month"])

    else:
        keys = _group_keys(by)
        rating_rows = ratings.values(*keys).annotate(**_level_counts())
        returned_rows = returned.values(*keys).annotate(n=Count("id"))

        def key_of(row: Mapping[str, Any]) -> Any:
            return row[f"{by}_id"]

    returned_by_key = {key_of(row): row["n"] for row in returned_rows}
    groups: dict[Any, SatisfactionGroup] = {}
    for row in rating_rows:
        key = key_of(row)
        groups[key] = _group(by, key, row, _summary(row, returned_by_key.get(key, 0)))
    for row in returned_rows:
        key = key_of(row)
        if key not in groups:
            groups[key] = _group(by, key, row, _summary({}, row["n"]))
    if by == "month":
        return sorted(groups.values(), key=lambda g: str(g["id"] or ""))
    return sorted(groups.values(), key=lambda g: (g["id"] is None, vi_sort_key(g["name"])))


def indicator_5_4(*, agency_ids: Sequence[int], start: datetime, end: datetime) -> Indicator54:
    """QĐ 766 indicator 5.4: 100% − (late rate + unhappy rate), clamped at 0, full marks at ≥ 90.

    Denominator: ``resolved`` = column 7 of table II.06a (the agencies' received dossiers whose
    result became ready in [start, end]). ``late`` = column 10 of the table (classified late, or
    resolved without a class, docs/report-06a.md §2). ``unhappy`` = those resolved dossiers whose
    rating (whenever given) is in UNHAPPY_LEVELS — the numerator is a subset of the denominator,
    so the rate never exceeds 100%; the project has no complaint register yet, so "complaints"
    count only through unhappy ratings. A dossier both late and unhappy counts in both rates, as
    the formula adds them. ``late_rate``, ``unhappy_rate`` and ``value`` are percents with 2
    decimals (value computed from exact fractions); all three are None and ``full_marks`` False
    when nothing was resolved. One aggregate query.
    """
    column = conditions(start, end)
    row = Dossier.objects.filter(reported(agency_ids) & column["resolved_total"]).aggregate(
        resolved=Count("id"),
        late=Count("id", filter=column["late"]),
        unhappy=Count("id", filter=Q(rating__level__in=UNHAPPY_LEVELS)),
    )
    resolved, late, unhappy = int(row["resolved"]), int(row["late"]), int(row["unhappy"])
    value: float | None = None
    if resolved:
        exact = _HUNDRED - _HUNDRED * (late + unhappy) / resolved
        value = float(max(exact, Decimal(0)).quantize(_CENT, rounding=ROUND_HALF_UP))
    return Indicator54(
        resolved=resolved,
        late=late,
        unhappy=unhappy,
        late_rate=share(late, resolved),
        unhappy_rate=share(unhappy, resolved),
        value=value,
        full_marks=value is not None and value >= INDICATOR_5_4_FULL_MARKS,
    )
