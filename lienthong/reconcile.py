"""Reconciliation with the national portal: what we hold against what the portal answers to ``TraCuuHoSo``.

For the agency's dossiers with a code that changed in a window (created, or an event, between two
local dates inclusive), the current record (as the drain would send it) is compared with the
portal's record, field by field (``COMPARED``). A dossier whose rows are still waiting is not
compared (the drain has not finished with it: counted "waiting"); one held as "cannot sync" is
listed with its reason. A difference (the portal holds nothing, or another value) is listed and,
unless told otherwise, the current record is queued again (after the dossier's earlier rows; it is
sent as an update). ``national_reconcile`` runs it from the command line; the weekly beat job
(``tasks.reconcile_week``) runs it for the last seven days of each agency using the link, keeps the
result (``Reconciliation``, in the admin) and writes to the ward's administrators.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from hoso.models import Dossier
from hoso.workcalendar import VN_TZ

from . import drain, mapping, outbox
from . import record as completing
from .adapter import PortalError
from .models import OutboxEntry, State

COMPARED = (
    "MaTTHC",
    "MaLinhVuc",
    "MaDoiTuong",
    "TrangThaiHoSo",
    "NgayTiepNhan",
    "NgayHenTra",
    "NgayKetThucXuLy",
    "NgayTra",
    "DonViXuLy",
)


@dataclass
class Difference:
    code: str
    fields: list[tuple[str, Any, Any]]  # (field, ours, the portal's); empty: the portal holds nothing

    def text(self) -> str:
        if not self.fields:
            return f"{self.code}: Cổng DVC quốc gia không có hồ sơ này."
        parts = "; ".join(f"{name} ở ta {ours!r}, trên Cổng {theirs!r}" for name, ours, theirs in self.fields)
        return f"{self.code}: {parts}."


@dataclass
class Report:
    checked: int = 0
    same: int = 0
    waiting: int = 0
    resent: int = 0
    differences: list[Difference] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)  # "code: reason"
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "same": self.same,
            "waiting": self.waiting,
            "resent": self.resent,
            "differences": [d.text() for d in self.differences],
            "blocked": self.blocked,
            "errors": self.errors,
        }

    def lines(self) -> list[str]:
        head = (
            f"Đã đối chiếu {self.checked} hồ sơ: {self.same} khớp, {len(self.differences)} khác "
            f"(đã gửi lại {self.resent}), {self.waiting} đang chờ gửi, {len(self.blocked)} không đồng bộ được."
        )
        return [
            head,
            *(f"  Khác: {d.text()}" for d in self.differences),
            *(f"  Không đồng bộ được: {b}" for b in self.blocked),
            *(f"  Lỗi: {e}" for e in self.errors),
        ]


def _instant(day: date, end: bool) -> datetime:
    return datetime.combine(day + timedelta(days=1) if end else day, time.min, tzinfo=VN_TZ)


def changed(agency_code: str, start: date, end: date) -> QuerySet[Dossier]:
    """The agency's coded dossiers created, or with an event, between the two local dates (inclusive)."""
    low, high = _instant(start, False), _instant(end, True)
    in_window = Q(created_at__gte=low, created_at__lt=high) | Q(events__at__gte=low, events__at__lt=high)
    ids = (
        Dossier.objects.filter(agency__code=agency_code)
        .exclude(code=None)
        .exclude(code="")
        .filter(in_window)
        .values("pk")
        .distinct()
    )
    return Dossier.objects.filter(pk__in=ids).select_related("agency", "field", "procedure").order_by("pk")


def compare(ours: dict[str, Any], theirs: dict[str, Any] | None) -> Difference | None:
    if theirs is None:
        return Difference(ours["MaHoSo"], [])
    fields = [(name, ours.get(name), theirs.get(name)) for name in COMPARED if ours.get(name) != theirs.get(name)]
    return Difference(ours["MaHoSo"], fields) if fields else None


def reconcile(
    agency_code: str, start: date, end: date, *, resend: bool = True, portal_for: drain.PortalFactory | None = None
) -> Report:
    report = Report()
    portal = (portal_for or drain.portal_for_unit)(agency_code)
    open_rows = OutboxEntry.objects.exclude(state=State.ACKNOWLEDGED)
    to_resend: list[int] = []
    for dossier in changed(agency_code, start, end):
        report.checked += 1
        stuck = open_rows.filter(dossier=dossier, state__in=(State.BLOCKED, State.FAILED)).order_by("sequence").first()
        if stuck is not None:
            report.blocked.append(f"{dossier.code}: {stuck.last_error}")
            continue
        if open_rows.filter(dossier=dossier).exists():
            report.waiting += 1
            continue
        try:
            ours = completing.complete(dossier, mapping.dossier_record(dossier))
        except completing.CannotSync as exc:
            report.blocked.append(f"{dossier.code}: {exc}")
            continue
        try:
            theirs = portal.lookup(dossier.code or "")
        except PortalError as exc:
            report.errors.append(f"{dossier.code}: {exc}")
            if exc.transient:
                break  # the portal is away: the next run compares the rest
            continue
        difference = compare(ours, theirs)
        if difference is None:
            report.same += 1
        else:
            report.differences.append(difference)
            to_resend.append(dossier.pk)
    if resend and to_resend:
        queued, _ = outbox.queue_records(Dossier.objects.filter(pk__in=to_resend))
        report.resent = queued
    return report


def last_week(today: date | None = None) -> tuple[date, date]:
    """The seven local days ending yesterday."""
    today = today or timezone.localdate(timezone.now(), VN_TZ)
    return today - timedelta(days=7), today - timedelta(days=1)
