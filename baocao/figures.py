"""Every figure of one report (docs/report-06a.md §5–6), typed: ``compile_figures`` → ``ReportFigures``.

The one owner of a report's figures. It puts together, over one window and with one set of
conditions (``baocao.queries``): table II.06a (``queries.table_06a``), the QĐ 766 indicators a
ward computes itself (``indicators``, below), the satisfaction figures and indicator 5.4
(``baocao.satisfaction``), and the same figures for the same period a year earlier.

The result is a tree of TypedDicts — dicts with declared keys — so it is JSON as it is: frozen on
the report (``Report.figures``, hashed), printed by ``compile_report --format json``, and read
by the PDF, the XLSX and the report page (``baocao.exports``, ``baocao.views``) by these keys
only. Keys marked NotRequired may be missing from reports frozen by an older version.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NotRequired, TypedDict

from django.db.models import Avg, Count, Exists, Max, OuterRef, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.utils import timezone

from hoso.constants import Action, Delivery, FollowUpStatus
from hoso.models import Dossier, DossierEvent, FollowUp
from hoso.workcalendar import VN_TZ
from kyso.models import CertificationEntry
from motcua.models import Agency
from phananh.figures import PetitionFigures, petition_figures
from thanhtoan.models import FeeRequest, PayChannel, PaymentTransaction, TxState
from thutuc.constants import TimeUnit
from thutuc.models import AgencyProcedure

from .periods import Period, counted_until_text
from .queries import TableRow, TotalRow, conditions, reported, returned_in, share, table_06a
from .satisfaction import Indicator54, SatisfactionSummary, indicator_5_4, satisfaction_summary

WORKING_DAY_SECONDS = 27_000  # 7.5 working hours (07:30–11:30, 13:30–17:00)
TOP_PROCEDURES = 10
ONLINE_FULL_MARKS = 50.0  # QĐ 766 indicator 3.3
DIGITISED_FULL_MARKS = 80.0  # QĐ 766 indicator 4.2

_CENT = Decimal("0.01")


# -- the shape of the figures --------------------------------------------------------------------
class AverageResolution(TypedDict):
    """QĐ 766 indicator 2.2 for one procedure: the mean working time of its dossiers resolved in the period."""

    procedure_id: int | None
    code: str | None
    name: str | None
    unit: str
    unit_label: str
    resolved: int
    timed: int
    average_seconds: int | None
    average_working_days: float | None
    average_hours: float | None
    average_in_unit: float | None
    average_in_unit_label: str


class TopProcedure(TypedDict):
    procedure_id: int | None
    code: str | None
    name: str | None
    received: int


class Feedback(TypedDict):
    """Follow-up items opened by unhappy answers in the period, and those of them resolved when compiled."""

    received: int
    resolved: int


class FeesCollected(TypedDict):
    """Đồng of the payments that succeeded in the period (docs/payments.md §6)."""

    total: int
    online: int
    counter: int
    payments: int


class IndicatorCounts(TypedDict):
    """The numerators and denominators behind the shares."""

    new: int
    new_online: int
    resolved: int
    early_or_on_time: int
    apologies: int
    results_by_post: int
    with_fee: int
    paid_online: int
    electronic_result: int
    digitised: int
    apology_letters: int


class Indicators(TypedDict):
    """The QĐ 766 indicators of a period (shares: % with 2 decimals, None on 0/0); see ``indicators``."""

    online_share: float | None
    online_full_marks: bool
    early_or_on_time_share: float | None
    apologies: int
    apology_letters: int
    results_by_post: int
    paid_online_share: float | None
    electronic_result_share: float | None
    digitised_share: float | None
    digitised_full_marks: bool
    satisfaction: SatisfactionSummary
    indicator_5_4: Indicator54
    average_resolution: list[AverageResolution]
    top_procedures: list[TopProcedure]
    procedures_published: int
    feedback: Feedback
    fees_collected: FeesCollected
    counts: IndicatorCounts


class PeriodStamp(TypedDict):
    """A period as the figures name it: dates (YYYY-MM-DD), label and, for the instant judged at, its stamp."""

    start: str
    end: str
    label: str
    counted_until: NotRequired[str]  # ISO 8601, Vietnam time
    provisional: NotRequired[bool]
    counted_until_text: NotRequired[str]  # "tính đến hh:mm ngày dd/mm/yyyy" when provisional, else ""


class PreviousYear(TypedDict):
    """The same period a year earlier, cut after the same elapsed time."""

    period: PeriodStamp
    total: TotalRow
    indicators: Indicators


class CertifiedCopies(TypedDict):
    """Certifications of copies from originals in the period (the register, kyso.CertificationEntry):
    all of them, the electronic ones, and the share of electronic ones (%, 2 decimals; None when none)."""

    total: int
    electronic: int
    electronic_share: float | None


class ReportFigures(TypedDict):
    """Every figure of one report: what is frozen, hashed, printed and shown."""

    period: PeriodStamp
    counted_until: NotRequired[str]
    provisional: NotRequired[bool]
    counted_until_text: NotRequired[str]
    agencies: list[str]
    rows: list[TableRow]
    total: TotalRow
    indicators: Indicators
    previous_year: PreviousYear | None  # None only in a preview of bare figures without a comparison
    petitions: NotRequired[PetitionFigures]  # feedback and petitions, QĐ 766 group 5 (docs/petitions.md §5)
    certified_copies: NotRequired[CertifiedCopies]  # absent from reports frozen before issue 15


# -- the QĐ 766 indicators -----------------------------------------------------------------------
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


def _average_resolution(base: QuerySet[Dossier], resolved: Q) -> list[AverageResolution]:
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
            AverageResolution(
                procedure_id=row["procedure_id"],
                code=row["procedure__code"],
                name=row["procedure__name"],
                unit=unit,
                unit_label=_UNIT_LABELS.get(unit, unit),
                resolved=int(row["resolved"]),
                timed=int(row["timed"]),
                average_seconds=None if seconds is None else round(seconds),
                average_working_days=None if seconds is None else _round2(seconds / WORKING_DAY_SECONDS),
                average_hours=None if seconds is None else _round2(seconds / 3600),
                average_in_unit=value,
                average_in_unit_label=value_unit,
            )
        )
    return result


def _top_procedures(base: QuerySet[Dossier], new: Q) -> list[TopProcedure]:
    rows = (
        base.filter(new)
        .values("procedure_id", "procedure__code", "procedure__name")
        .annotate(received=Count("pk"))
        .order_by("-received", "procedure__code")[:TOP_PROCEDURES]
    )
    return [
        TopProcedure(
            procedure_id=r["procedure_id"], code=r["procedure__code"], name=r["procedure__name"], received=r["received"]
        )
        for r in rows
    ]


def indicators(*, agency_ids: Sequence[int], start: datetime, end: datetime) -> Indicators:
    """The QĐ 766 indicators a ward computes itself, over [start, end]. Shares: % with 2 decimals, None on 0/0.

    * ``online_share`` (3.3) = new online / new; ``online_full_marks`` at ≥ 50%.
    * ``early_or_on_time_share`` (2.1) = (early + on time) / resolved in the period.
    * ``apologies`` = dossiers resolved in the period or in progress at its end that had an
      apology-and-new-appointment (an EXTEND event at or before end) — the figure the report
      quotes; ``apology_letters`` = EXTEND events dated in the period (letters issued in it).
    * ``results_by_post`` = dossiers returned in the period with delivery "post".
    * ``paid_online_share`` (3.6) = new dossiers with a succeeded online payment settled by the
      end / new dossiers with a fee (a fee request owing an amount, or a succeeded payment), from
      the fees app's rows (docs/payments.md §6); ``fees_collected``: đồng of the payments that
      succeeded in the period, by channel.
    * ``electronic_result_share`` (4.1) = resolved in the period with an electronic result / resolved.
    * ``digitised_share`` (4.2) = new dossiers digitised / new; ``digitised_full_marks`` at ≥ 80%.
    * ``satisfaction`` = ``satisfaction.satisfaction_summary``; ``indicator_5_4`` =
      ``satisfaction.indicator_5_4`` (over the table's resolved and late columns).
    * ``average_resolution`` (2.2): per procedure with dossiers resolved in the period, by code:
      AVG(resolution_seconds) in seconds, working days of 7.5 h, hours, and in the procedure's own
      unit (its catalogue unit, else the unit pinned at intake; hours for hour and same-day limits).
    * ``top_procedures``: the 10 procedures with most new dossiers (ties by code).
    * ``procedures_published``: procedures the agencies offer (niêm yết) when compiled, summed.
    * ``feedback``: follow-up items opened by unhappy answers in the period (``received``), and
      those among them resolved when compiled (``resolved``) — "feedback handled" of §8.3.
    * ``counts``: the numerators and denominators behind the shares.
    """
    ids = list(agency_ids)
    conds = conditions(start, end)
    new = Q(received_at__gte=start, received_at__lte=end)
    returned = returned_in(start, end)
    base = Dossier.objects.filter(reported(ids))
    extended = Exists(DossierEvent.objects.filter(dossier_id=OuterRef("pk"), action=Action.EXTEND, at__lte=end))
    succeeded = PaymentTransaction.objects.filter(request__dossier_id=OuterRef("pk"), state=TxState.SUCCEEDED)
    has_fee = Exists(FeeRequest.objects.filter(dossier_id=OuterRef("pk"), exempt=False, amount_due__gt=0))
    has_payment = Exists(succeeded.filter(amount__gt=0))
    paid_online_by_end = Exists(succeeded.filter(channel=PayChannel.ONLINE, settled_at__lte=end))
    # The period's dossiers: the table's scope, and those returned in it.
    row = base.filter(conds["received_total"] | (Q(received_at__lte=end) & returned)).aggregate(
        new=Count("pk", filter=new),
        new_online=Count("pk", filter=conds["received_online"]),
        resolved=Count("pk", filter=conds["resolved_total"]),
        early_or_on_time=Count("pk", filter=conds["early"] | conds["on_time"]),
        apologies=Count("pk", filter=(conds["resolved_total"] | conds["in_progress_total"]) & Q(extended)),
        results_by_post=Count("pk", filter=returned & Q(delivery=Delivery.POST)),
        with_fee=Count("pk", filter=new & (Q(has_fee) | Q(has_payment))),
        paid_online=Count("pk", filter=new & Q(paid_online_by_end)),
        electronic_result=Count("pk", filter=conds["resolved_total"] & Q(electronic_result=True)),
        digitised=Count("pk", filter=new & Q(digitised=True)),
    )
    counts = IndicatorCounts(
        new=int(row["new"]),
        new_online=int(row["new_online"]),
        resolved=int(row["resolved"]),
        early_or_on_time=int(row["early_or_on_time"]),
        apologies=int(row["apologies"]),
        results_by_post=int(row["results_by_post"]),
        with_fee=int(row["with_fee"]),
        paid_online=int(row["paid_online"]),
        electronic_result=int(row["electronic_result"]),
        digitised=int(row["digitised"]),
        apology_letters=DossierEvent.objects.filter(
            dossier__agency_id__in=ids, action=Action.EXTEND, at__gte=start, at__lte=end
        ).count(),
    )
    feedback = FollowUp.objects.filter(agency_id__in=ids, created_at__gte=start, created_at__lte=end).aggregate(
        received=Count("pk"), resolved=Count("pk", filter=Q(status=FollowUpStatus.RESOLVED))
    )
    online = share(counts["new_online"], counts["new"])
    digitised = share(counts["digitised"], counts["new"])
    return Indicators(
        online_share=online,
        online_full_marks=online is not None and online >= ONLINE_FULL_MARKS,
        early_or_on_time_share=share(counts["early_or_on_time"], counts["resolved"]),
        apologies=counts["apologies"],
        apology_letters=counts["apology_letters"],
        results_by_post=counts["results_by_post"],
        paid_online_share=share(counts["paid_online"], counts["with_fee"]),
        electronic_result_share=share(counts["electronic_result"], counts["resolved"]),
        digitised_share=digitised,
        digitised_full_marks=digitised is not None and digitised >= DIGITISED_FULL_MARKS,
        satisfaction=satisfaction_summary(agency_ids=ids, start=start, end=end),
        indicator_5_4=indicator_5_4(agency_ids=ids, start=start, end=end),
        average_resolution=_average_resolution(base, conds["resolved_total"]),
        top_procedures=_top_procedures(base, new),
        procedures_published=AgencyProcedure.objects.filter(
            agency_id__in=ids, active=True, procedure__active=True
        ).count(),
        feedback=Feedback(received=int(feedback["received"]), resolved=int(feedback["resolved"])),
        fees_collected=_fees_collected(ids, start, end),
        counts=counts,
    )


def _fees_collected(ids: list[int], start: datetime, end: datetime) -> FeesCollected:
    rows = (
        PaymentTransaction.objects.filter(
            request__agency_id__in=ids, state=TxState.SUCCEEDED, settled_at__gte=start, settled_at__lte=end
        )
        .values("channel")
        .annotate(total=Sum("amount"), n=Count("pk"))
    )
    by_channel = {r["channel"]: int(r["total"] or 0) for r in rows}
    return FeesCollected(
        total=sum(by_channel.values()),
        online=by_channel.get(PayChannel.ONLINE, 0),
        counter=by_channel.get(PayChannel.CASH, 0) + by_channel.get(PayChannel.TRANSFER, 0),
        payments=sum(int(r["n"]) for r in rows),
    )


# -- everything for one report ----------------------------------------------------------------
class PeriodNotStarted(ValueError):
    """The period begins after the compile instant: there is nothing to count yet."""


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


def period_stamp(period: Period, until: datetime | None = None) -> PeriodStamp:
    """The period's dates and label; with `until`, the instant judged at and whether it is provisional."""
    stamp = PeriodStamp(start=period.start.isoformat(), end=period.end.isoformat(), label=period.label)
    if until is not None:
        provisional = until < period.bounds()[1]
        stamp["counted_until"] = until.astimezone(VN_TZ).isoformat()
        stamp["provisional"] = provisional
        stamp["counted_until_text"] = counted_until_text(until) if provisional else ""
    return stamp


def certified_copies(*, agency_ids: Sequence[int], start: datetime, end: datetime) -> CertifiedCopies:
    """The certification register's lines dated in [start, end] (local dates), paper and electronic."""
    rows = CertificationEntry.objects.filter(
        agency_id__in=agency_ids,
        certified_on__gte=timezone.localtime(start).date(),
        certified_on__lte=timezone.localtime(end).date(),
    ).aggregate(total=Count("pk"), electronic=Count("pk", filter=Q(electronic=True)))
    total, electronic = int(rows["total"]), int(rows["electronic"])
    return CertifiedCopies(total=total, electronic=electronic, electronic_share=share(electronic, total))


def compile_figures(*, agency_ids: Sequence[int], period: Period, as_of: datetime | None = None) -> ReportFigures:
    """Every figure of the report for the agencies and the period (``ReportFigures``, JSON as it is).

    ``{"period": {start, end (YYYY-MM-DD), label}, "counted_until", "provisional",
    "counted_until_text", "agencies": [codes, sorted], "rows": [...], "total": {...},
    "indicators": {...}, "previous_year": {"period", "total", "indicators"}}``: rows and total as
    in `queries.table_06a`, indicators as in `indicators`; previous_year is the same period a year
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
    stamp = period_stamp(period, until)
    return ReportFigures(
        period=period_stamp(period),
        counted_until=stamp["counted_until"],
        provisional=stamp["provisional"],
        counted_until_text=stamp["counted_until_text"],
        agencies=list(Agency.objects.filter(pk__in=ids).order_by("code").values_list("code", flat=True)),
        rows=table["rows"],
        total=table["total"],
        indicators=indicators(agency_ids=ids, start=start, end=until),
        previous_year=PreviousYear(
            period=period_stamp(before, before_until),
            total=table_06a(agency_ids=ids, start=before_start, end=before_until)["total"],
            indicators=indicators(agency_ids=ids, start=before_start, end=before_until),
        ),
        petitions=petition_figures(agency_ids=ids, start=start, end=until),
        certified_copies=certified_copies(agency_ids=ids, start=start, end=until),
    )
