"""The working calendar: working days, hours and due dates (docs/due-dates.md). Pure.

A pure module: no ORM, no settings, no clock. Callers pass every instant in, feed the agency's
calendar in, and get timezone-aware datetimes in the calendar's zone back.

Contracts shared by every public function:

* instants are timezone-aware ``datetime``s (any zone); a naive one raises ``ValueError``;
* results are aware datetimes in ``cal.tz``;
* counts and durations must not be negative (``ValueError``);
* clock arithmetic is wall-clock arithmetic in ``cal.tz`` (Asia/Ho_Chi_Minh has no DST, so
  this is also exact elapsed time there);
* all messages a person may read are Vietnamese.

Working days are looked up in an index (``hoso.workday_index``) built when the calendar is made
(2015–2035 plus the years its data covers) and widened on demand, so adding N working days costs
O(1) and adding working time O(log n), whatever N. The sentences a person reads (explanations,
remaining time) are worded by ``hoso.calendar_words``.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from itertools import pairwise
from types import MappingProxyType
from zoneinfo import ZoneInfo

from . import calendar_words as words
from .workday_index import US, USession, WorkdayIndex, at_clock, clock_us, norm, time_us, worked_before

__all__ = [
    "DEFAULT_SESSIONS",
    "VN_TZ",
    "Due",
    "Limit",
    "Unit",
    "WorkCalendar",
    "add_calendar_days",
    "add_working_days",
    "add_working_hours",
    "add_working_time",
    "compute_due",
    "due_at",
    "end_of_working_day",
    "format_remaining",
    "in_working_hours",
    "normalise",
    "working_time_between",
]

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")

#: Mon–Fri sessions of a ward's one-stop desk (morning, afternoon).
DEFAULT_SESSIONS: tuple[tuple[time, time], ...] = (
    (time(7, 30), time(11, 30)),
    (time(13, 30), time(17, 0)),
)

HOLIDAY = "holiday"
MAKEUP_WORKDAY = "makeup_workday"

_ONE_US = timedelta(microseconds=1)
_INDEX_FIRST = date(2015, 1, 1).toordinal()
_INDEX_LAST = date(2035, 12, 31).toordinal()
_GROW_DAYS = 3660  # widen the index ten years at a time
_MAX_KEPT_DAYS = 200 * 366  # the shared index never spans more than about two centuries

_NO_MORE_WORK = "Lịch làm việc không còn đủ ngày làm việc để tính thời hạn."


class Unit(StrEnum):
    """Unit of a procedure's time limit."""

    WORKING_DAYS = "working_days"
    CALENDAR_DAYS = "calendar_days"
    WORKING_HOURS = "working_hours"
    SAME_DAY = "same_day"


@dataclass(frozen=True)
class Limit:
    """A procedure's time limit.

    ``value`` counts days or hours (ignored for ``SAME_DAY``); ``cutoff`` only matters for
    ``SAME_DAY``: a receipt whose (normalised) clock time is strictly after it is due at the end
    of the next working day. A string ``unit`` is coerced to ``Unit``.
    """

    value: int
    unit: Unit
    cutoff: time | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.unit, Unit):
            # Model fields hand us plain strings; accept them so callers need no conversion.
            object.__setattr__(self, "unit", Unit(self.unit))
        if isinstance(self.value, bool) or not isinstance(self.value, int):
            raise ValueError(f"Thời hạn phải là số nguyên, nhận được {self.value!r}.")
        if self.value < 0:
            raise ValueError(f"Thời hạn không được âm: {self.value}.")


@dataclass(frozen=True)
class Due:
    """A due instant and, when asked for, how it was reached, one Vietnamese sentence a step."""

    at: datetime
    steps: tuple[str, ...] = ()


Session = tuple[time, time]


class WorkCalendar:
    """An agency's working calendar: weekly sessions, holidays and make-up working days.

    A day is a working day when it has sessions: its make-up sessions if it is a make-up day,
    none if it is a holiday, otherwise its weekday's sessions. A date may not be both a holiday
    and a make-up day. Sessions are half-open ``[start, end)`` local wall-clock intervals, sorted
    and non-overlapping.

    ``makeup_sessions`` defaults to Monday's sessions (or, if Monday is closed, to the first open
    weekday's). ``confirmed_years`` defaults to the years whose 1 January is listed as a holiday:
    1/1 is a statutory holiday every year, so a year's table without it is not loaded yet.

    Instances are immutable from the outside; the internal index may be widened (replaced in one
    assignment, so concurrent readers see the old or the new one, both correct).
    """

    def __init__(
        self,
        *,
        weekly: Mapping[int, Sequence[Session]] | None = None,
        holidays: Mapping[date, str] | None = None,
        makeup_days: Mapping[date, str] | None = None,
        makeup_sessions: Sequence[Session] | None = None,
        tz: ZoneInfo = VN_TZ,
        confirmed_years: Iterable[int] | None = None,
    ) -> None:
        if weekly is None:
            weekly = dict.fromkeys(range(5), DEFAULT_SESSIONS)
        for wd in weekly:
            if wd not in range(7):
                raise ValueError(f"Thứ trong tuần phải từ 0 (thứ Hai) đến 6 (Chủ nhật): {wd!r}.")
        self._weekly: tuple[tuple[Session, ...], ...] = tuple(_check_sessions(weekly.get(wd, ())) for wd in range(7))
        self._weekly_us = tuple(_to_us(s) for s in self._weekly)
        if makeup_sessions is None:
            makeup_sessions = next((s for s in self._weekly if s), DEFAULT_SESSIONS)
        self._makeup_sessions = _check_sessions(makeup_sessions)
        if not self._makeup_sessions:
            raise ValueError("Ngày làm bù phải có ít nhất một buổi làm việc.")
        self._makeup_us = _to_us(self._makeup_sessions)

        self._holidays: dict[date, str] = {_check_date(d): str(n) for d, n in (holidays or {}).items()}
        self._makeup: dict[date, str] = {_check_date(d): str(n) for d, n in (makeup_days or {}).items()}
        both = sorted(self._holidays.keys() & self._makeup.keys())
        if both:
            raise ValueError(
                "Một ngày không thể vừa là ngày nghỉ vừa là ngày làm bù: " + ", ".join(words.dmy(d) for d in both) + "."
            )
        self.tz = tz
        if confirmed_years is None:
            confirmed_years = (d.year for d, _ in self._holidays.items() if (d.month, d.day) == (1, 1))
        self._confirmed = frozenset(int(y) for y in confirmed_years)

        # An agency open on no weekday works only its make-up days: past the last one there is no
        # working day at all, and searching further must stop instead of looping forever.
        self._weekly_has_work = any(self._weekly)
        special = [d.toordinal() for d in (*self._holidays, *self._makeup)]
        self._last_makeup = max((d.toordinal() for d in self._makeup), default=0)
        lo = min([_INDEX_FIRST, *(o - 366 for o in special)])
        hi = max([_INDEX_LAST, *(o + 366 for o in special)])
        self._ix = WorkdayIndex(self._usessions, tz, max(1, lo), min(date.max.toordinal(), hi))

    # -- queries --------------------------------------------------------------------------
    @property
    def holidays(self) -> Mapping[date, str]:
        """Days off (other than the weekly ones) and their names, read-only."""
        return MappingProxyType(self._holidays)

    @property
    def makeup_days(self) -> Mapping[date, str]:
        """Make-up working days and their names, read-only."""
        return MappingProxyType(self._makeup)

    def sessions_on(self, d: date) -> tuple[Session, ...]:
        """Sessions of day ``d`` in local wall-clock time; ``()`` for a day off."""
        if d in self._makeup:
            return self._makeup_sessions
        if d in self._holidays:
            return ()
        return self._weekly[d.weekday()]

    def is_working_day(self, d: date) -> bool:
        """True when ``d`` has at least one session."""
        return bool(self.sessions_on(d))

    def is_confirmed(self, year: int) -> bool:
        """True when the holidays of ``year`` come from official data (see class docstring)."""
        return year in self._confirmed

    @classmethod
    def from_rows(cls, rows: Iterable[Sequence[object]], **kw: object) -> WorkCalendar:
        """Build a calendar from ``(date, kind, name)`` rows as in ``holidays_vn.csv``.

        ``date`` is a ``date`` or an ISO string; ``kind`` is ``"holiday"`` or
        ``"makeup_workday"``; extra columns (``source_url``) are ignored. A date listed twice
        raises ``ValueError``. ``kw`` goes to the constructor (weekly, tz, confirmed_years…).
        """
        holidays: dict[date, str] = {}
        makeup: dict[date, str] = {}
        for row in rows:
            raw, kind, name = row[0], row[1], row[2]
            d = raw if isinstance(raw, date) else date.fromisoformat(str(raw).strip())
            if d in holidays or d in makeup:
                raise ValueError(f"Ngày {words.dmy(d)} xuất hiện hai lần trong lịch nghỉ.")
            kind = str(kind).strip()
            if kind == HOLIDAY:
                holidays[d] = str(name)
            elif kind == MAKEUP_WORKDAY:
                makeup[d] = str(name)
            else:
                raise ValueError(f"Loại ngày không hợp lệ: {kind!r} (chỉ nhận holiday, makeup_workday).")
        return cls(holidays=holidays, makeup_days=makeup, **kw)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return f"<WorkCalendar tz={self.tz} holidays={len(self._holidays)} makeup_days={len(self._makeup)}>"

    # -- index ----------------------------------------------------------------------------
    def _usessions(self, d: date) -> tuple[USession, ...]:
        if d in self._makeup:
            return self._makeup_us
        if d in self._holidays:
            return ()
        return self._weekly_us[d.weekday()]

    def _index(self, o: int, ahead: int = 0, *, also: int | None = None) -> WorkdayIndex:
        """An index covering ordinal ``o`` (and ``also``) with more than ``ahead + 2`` working
        days on or after ``o``.

        The two spare days absorb normalisation (to the next working day) and the final move to
        the next session start, so callers may use positions up to ``first[o - lo] + ahead + 2``.
        When no wider index can add working days it is returned as it is, and a position past
        its end raises ``IndexError``, which the public functions turn into ``ValueError``.
        Positions belong to the index they were read from: never mix two indexes.
        """
        lo_need = o if also is None else min(o, also)
        hi_need = o if also is None else max(o, also)
        ix = self._ix
        while True:
            if (
                ix.covers(lo_need)
                and ix.covers(hi_need)
                and (ix.first[o - ix.lo] + ahead + 2 < len(ix.ords) or not self._can_grow(ix))
            ):
                return ix
            ix = self._grow(ix, lo_need, max(hi_need, o + ahead * 2))

    def _can_grow(self, ix: WorkdayIndex) -> bool:
        """Whether widening ``ix`` upwards could add working days."""
        # A desk open on no weekday works only its make-up days: once the index holds the last
        # one, widening it cannot add a working day, and searching on would never end.
        if not self._weekly_has_work and ix.hi > self._last_makeup:
            return False
        return ix.hi < date.max.toordinal()

    def _grow(self, ix: WorkdayIndex, o_lo: int, o_hi: int) -> WorkdayIndex:
        """A wider index than ``ix`` covering ``o_lo..o_hi`` with ten years to spare.

        It replaces the shared index unless that would span more than two centuries: a date
        that far out (often a typo such as 9025) gets a throw-away index of just its window,
        so one bad input cannot leave every later call with a huge index.
        """
        top = date.max.toordinal()
        lo = max(1, min(ix.lo, o_lo - 366))
        hi = min(top, max(ix.hi, o_hi) + _GROW_DAYS)
        if hi - lo <= _MAX_KEPT_DAYS:
            new = WorkdayIndex(self._usessions, self.tz, lo, hi)
            self._ix = new
            return new
        lo = max(1, o_lo - 366)
        # Grow past a previous throw-away index of the same window, so callers' loops progress.
        hi = min(top, (max(ix.hi, o_hi) if ix.covers(o_lo) else o_hi) + _GROW_DAYS)
        return WorkdayIndex(self._usessions, self.tz, lo, hi)


# -- small helpers ----------------------------------------------------------------------------
def _check_date(d: object) -> date:
    if isinstance(d, datetime) or not isinstance(d, date):
        raise ValueError(f"Ngày phải là kiểu date: {d!r}.")
    return d


def _check_sessions(sessions: Sequence[Session]) -> tuple[Session, ...]:
    out = tuple((s, e) for s, e in sessions)
    for s, e in out:
        if not (isinstance(s, time) and isinstance(e, time)) or s.tzinfo or e.tzinfo:
            raise ValueError(f"Buổi làm việc phải là cặp giờ không kèm múi giờ: {(s, e)!r}.")
        if not s < e:
            raise ValueError(f"Buổi làm việc phải bắt đầu trước khi kết thúc: {words.hm(s)}–{words.hm(e)}.")
    for (_, e1), (s2, _) in pairwise(out):
        if s2 < e1:
            raise ValueError("Các buổi làm việc phải theo thứ tự và không chồng lên nhau.")
    return out


def _to_us(sessions: tuple[Session, ...]) -> tuple[USession, ...]:
    return tuple((time_us(s), time_us(e)) for s, e in sessions)


def _local(cal: WorkCalendar, instant: datetime, what: str = "Thời điểm") -> datetime:
    """``instant`` in the calendar's zone; refuses naive datetimes."""
    tz = getattr(instant, "tzinfo", None)
    if tz is cal.tz and isinstance(instant, datetime):
        return instant
    if not isinstance(instant, datetime) or tz is None or instant.utcoffset() is None:
        raise ValueError(f"{what} phải có múi giờ: {instant!r}.")
    return instant.astimezone(cal.tz)


def _check_count(n: object, what: str = "Số ngày") -> int:
    if isinstance(n, bool) or not isinstance(n, int):
        raise ValueError(f"{what} phải là số nguyên: {n!r}.")
    if n < 0:
        raise ValueError(f"{what} không được âm: {n}.")
    return n


# -- public arithmetic ------------------------------------------------------------------------
def normalise(cal: WorkCalendar, instant: datetime) -> datetime:
    """``instant`` if it lies inside a working session ``[start, end)``, else the next session start."""
    local = _local(cal, instant)
    o = local.toordinal()
    ix = cal._index(o)
    try:
        p, t = norm(ix, o, clock_us(local))
    except IndexError:
        raise ValueError(_NO_MORE_WORK) from None
    return ix.mid[p] + timedelta(microseconds=t)


def in_working_hours(cal: WorkCalendar, instant: datetime) -> bool:
    """True when ``instant`` lies in a working session, its closing minute included (17:00 is in).

    An appointment must be such an instant: the desk is open to hand the result over.
    """
    local = _local(cal, instant)
    clock = local.time().replace(tzinfo=None)
    return any(start <= clock <= end for start, end in cal.sessions_on(local.date()))


def add_working_days(cal: WorkCalendar, start: datetime, n: int) -> datetime:
    """Normalise ``start``, then move ``n`` working days forward at the same clock time.

    If that clock time is outside a session on the target day the result is the next session
    start (11:45 → 13:30 the same day; after the last session → the next working day's first).
    ``n == 0`` returns the normalised start.
    """
    _check_count(n)
    local = _local(cal, start)
    o = local.toordinal()
    ix = cal._index(o, n)
    try:
        p, t = norm(ix, o, clock_us(local))
        return at_clock(ix, p + n, t)
    except IndexError:
        raise ValueError(_NO_MORE_WORK) from None


def add_calendar_days(cal: WorkCalendar, start: datetime, n: int) -> datetime:
    """Normalise ``start``, add ``n`` calendar days, then move to the next session start if the
    result is outside a session (a day off lands on the next working day's opening)."""
    _check_count(n)
    landing = _calendar_landing(cal, start, n)
    return normalise(cal, landing)


def _calendar_landing(cal: WorkCalendar, start: datetime, n: int) -> datetime:
    n0 = normalise(cal, start)
    d = n0.date() + timedelta(days=n)
    return datetime.combine(d, n0.timetz())


def _to_us_amount(amount: float | Decimal | timedelta) -> int:
    if isinstance(amount, timedelta):
        us = amount // _ONE_US
    elif isinstance(amount, Decimal):
        if not amount.is_finite():
            raise ValueError(f"Số giờ không hợp lệ: {amount}.")
        us = int((amount * 3600 * US).to_integral_value(ROUND_HALF_EVEN))
    elif isinstance(amount, int | float) and not isinstance(amount, bool):
        if not math.isfinite(amount):
            raise ValueError(f"Số giờ không hợp lệ: {amount}.")
        us = round(amount * 3600 * US)
    else:
        raise ValueError(f"Số giờ phải là số hoặc timedelta: {amount!r}.")
    if us < 0:
        raise ValueError(f"Thời gian cộng thêm không được âm: {amount}.")
    return us


def add_working_time(cal: WorkCalendar, start: datetime, delta: timedelta) -> datetime:
    """Walk the sessions from the normalised ``start`` consuming ``delta`` of working time.

    Used up exactly at a session end, the result is that end (17:00, not the next opening).
    A zero ``delta`` returns the normalised start.
    """
    us = _to_us_amount(delta)
    return _add_us(cal, start, us)


def add_working_hours(cal: WorkCalendar, start: datetime, hours: float | Decimal | timedelta) -> datetime:
    """``add_working_time`` with the amount in hours (int, float, Decimal) or a timedelta."""
    return _add_us(cal, start, _to_us_amount(hours))


def _add_us(cal: WorkCalendar, start: datetime, us: int) -> datetime:
    local = _local(cal, start)
    o, clock = local.toordinal(), clock_us(local)
    ix = cal._index(o)
    while True:
        try:
            p, t = norm(ix, o, clock)
        except IndexError:
            raise ValueError(_NO_MORE_WORK) from None
        if us == 0:
            return ix.mid[p] + timedelta(microseconds=t)
        target = worked_before(ix, ix.ords[p], t) + us
        if target <= ix.cum[-1]:
            break
        if not cal._can_grow(ix):
            raise ValueError(_NO_MORE_WORK)
        # Growing may move the index's lower end, so positions are recomputed after it.
        ix = cal._grow(ix, o, ix.hi + 1)
    # The earliest instant by which `target` µs have been worked: cum[q] < target <= cum[q+1].
    q = bisect_left(ix.cum, target) - 1
    rem = target - ix.cum[q]
    for s, e in ix.sess[q]:
        if rem <= e - s:
            return ix.mid[q] + timedelta(microseconds=s + rem)
        rem -= e - s
    raise AssertionError("unreachable: cum[q+1] covers the remainder")  # pragma: no cover


def end_of_working_day(cal: WorkCalendar, d: date) -> datetime:
    """End of the last session of working day ``d``; ``ValueError`` if ``d`` is a day off."""
    _check_date(d)
    sessions = cal.sessions_on(d)
    if not sessions:
        raise ValueError(f"{words.cap(words.WEEKDAYS[d.weekday()])}, {words.dmy(d)} không phải ngày làm việc.")
    return datetime.combine(d, sessions[-1][1], tzinfo=cal.tz)


def working_time_between(cal: WorkCalendar, a: datetime, b: datetime) -> timedelta:
    """Working time inside sessions between ``a`` and ``b``; negative when ``b < a``."""
    la, lb = _local(cal, a), _local(cal, b)
    oa, ob = la.toordinal(), lb.toordinal()
    ix = cal._index(oa, also=ob)
    return timedelta(microseconds=worked_before(ix, ob, clock_us(lb)) - worked_before(ix, oa, clock_us(la)))


# -- due dates --------------------------------------------------------------------------------
def compute_due(cal: WorkCalendar, received: datetime, limit: Limit) -> datetime:
    """The due instant of a dossier received at ``received`` (fast path, no explanation).

    WORKING_DAYS → ``add_working_days``; CALENDAR_DAYS → ``add_calendar_days``; WORKING_HOURS →
    ``add_working_hours``; SAME_DAY → end of the normalised receipt's day, or of the next working
    day if the normalised clock time is strictly after ``limit.cutoff``.
    """
    unit = limit.unit
    if unit is Unit.WORKING_DAYS:
        # add_working_days inlined: this is the hot path of imports and reports.
        n = limit.value
        local = _local(cal, received, "Thời điểm tiếp nhận")
        o = local.toordinal()
        ix = cal._index(o, n)
        try:
            p, t = norm(ix, o, clock_us(local))
            return at_clock(ix, p + n, t)
        except IndexError:
            raise ValueError(_NO_MORE_WORK) from None
    if unit is Unit.SAME_DAY:
        local = _local(cal, received, "Thời điểm tiếp nhận")
        o = local.toordinal()
        ix = cal._index(o, 1)
        try:
            p, t = norm(ix, o, clock_us(local))
            if limit.cutoff is not None and t > time_us(limit.cutoff):
                p += 1
            return ix.mid[p] + timedelta(microseconds=ix.sess[p][-1][1])
        except IndexError:
            raise ValueError(_NO_MORE_WORK) from None
    if unit is Unit.CALENDAR_DAYS:
        return add_calendar_days(cal, received, limit.value)
    return add_working_hours(cal, received, limit.value)


def due_at(cal: WorkCalendar, received: datetime, limit: Limit, *, explain: bool = True) -> Due:
    """The due instant and, unless ``explain=False``, the Vietnamese steps that lead to it.

    The steps name the receipt, its normalisation, the rule applied, every day off and counted
    make-up day between the receipt's day and the due day (plain weekly days off summarised in
    one sentence), and the due instant.
    """
    at = compute_due(cal, received, limit)
    if not explain:
        return Due(at=at)
    return Due(at=at, steps=tuple(_explain(cal, received, limit, at)))


def _explain(cal: WorkCalendar, received: datetime, limit: Limit, due: datetime) -> list[str]:
    """The facts behind ``due``, worded by ``hoso.calendar_words``."""
    rec = _local(cal, received)
    start = normalise(cal, rec)
    steps = words.receipt_steps(cal, rec, start)
    unit = limit.unit
    if unit is Unit.CALENDAR_DAYS:
        steps += words.calendar_days_steps(cal, limit.value, _calendar_landing(cal, rec, limit.value), due)
    elif unit is Unit.SAME_DAY:
        steps += words.same_day_steps(cal, limit.cutoff, start, due)
    elif unit is Unit.WORKING_DAYS:
        steps += words.working_days_steps(cal, limit.value, start, due)
    else:
        steps += words.working_hours_steps(cal, limit.value, start, due)
    steps.append(words.due_step(due))
    return steps


# -- remaining time ---------------------------------------------------------------------------
def format_remaining(cal: WorkCalendar, now: datetime, due: datetime) -> str:
    """``còn 2 ngày 3 giờ``, ``còn 45 phút``, ``quá hạn 1 ngày 4 giờ``…

    Days = the largest n with ``add_working_days(from, n) <= normalise(to)``; the rest is working
    time, hours shown (floored) after days, hours and minutes when there are no days; zero parts
    are dropped. Both ends are taken as working time, so a closing instant equals the next
    opening: Wed 17:00 → Fri 17:00 is two whole days, as Wed 16:59 → Fri 16:59 is. Before or at
    ``due`` counts from ``now`` (exactly at due: ``còn 0 phút``); after it counts from ``due`` to
    ``now``, minutes rounded up and at least one, so an overdue dossier never reads as zero (e.g.
    due Friday 17:00 seen on Saturday: ``quá hạn 1 phút``).
    """
    lnow, ldue = _local(cal, now), _local(cal, due, "Hạn")
    overdue = lnow > ldue
    frm, to = (ldue, lnow) if overdue else (lnow, ldue)
    days = _whole_working_days(cal, frm, normalise(cal, to))
    used = working_time_between(cal, frm, add_working_days(cal, frm, days))
    rest = max(working_time_between(cal, frm, to) - used, timedelta(0))
    return words.remaining_words(days, rest, overdue=overdue)


def _whole_working_days(cal: WorkCalendar, frm: datetime, to: datetime) -> int:
    """Largest n with ``add_working_days(frm, n) <= to`` (0 if none), for ``frm <= to``."""
    o_frm, o_to = frm.toordinal(), to.toordinal()
    ix = cal._index(o_to, 2, also=o_frm)  # room for the candidate n + 1 below
    try:
        p, _ = norm(ix, o_frm, clock_us(frm))
    except IndexError:
        raise ValueError(_NO_MORE_WORK) from None
    # The candidate can only be off by one: start from the day count and step down.
    n = max(ix.first[o_to - ix.lo] - p + 1, 0)
    while n > 0 and add_working_days(cal, frm, n) > to:
        n -= 1
    return n
