"""The index of working days behind a WorkCalendar, and positions in it (µs arithmetic). Pure.

A calendar lists the working days of a span of ordinals once, with their sessions and the
working time before each (``WorkdayIndex``); ``hoso.workcalendar`` then moves through it by
position: ``(p, t)`` is the working day at position ``p`` at clock ``t`` (µs since midnight).
Adding N working days costs O(1) this way and adding working time O(log n), whatever N.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta, tzinfo

US = 1_000_000  # microseconds per second: clock times are kept as int µs since midnight
USession = tuple[int, int]  # (start, end) in µs since midnight


class WorkdayIndex:
    """Working days of ordinals ``lo..hi``; immutable once built.

    ``ords[p]`` is the ordinal of the p-th working day, ``first[o - lo]`` the position of the
    first working day on or after ordinal ``o`` (``len(ords)`` if none), ``sess[p]`` its
    sessions in µs, ``cum[p]`` the working µs of all days before position ``p`` (one entry
    more than ``ords``) and ``mid[p]`` its aware midnight, from which results are built.
    """

    __slots__ = ("cum", "first", "hi", "lo", "mid", "ords", "sess")

    def __init__(self, sessions_on: Callable[[date], tuple[USession, ...]], tz: tzinfo, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi
        ords: list[int] = []
        first: list[int] = []
        sess: list[tuple[USession, ...]] = []
        cum = [0]
        mid: list[datetime] = []
        for o in range(lo, hi + 1):
            first.append(len(ords))
            d = date.fromordinal(o)
            day_sessions = sessions_on(d)
            if day_sessions:
                ords.append(o)
                sess.append(day_sessions)
                cum.append(cum[-1] + sum(e - s for s, e in day_sessions))
                mid.append(datetime(d.year, d.month, d.day, tzinfo=tz))
        self.ords, self.first, self.sess, self.cum, self.mid = ords, first, sess, cum, mid

    def covers(self, o: int) -> bool:
        """True when ordinal ``o`` lies in ``lo..hi``."""
        return self.lo <= o <= self.hi


def time_us(t: time) -> int:
    """Clock time ``t`` in µs since midnight."""
    return ((t.hour * 60 + t.minute) * 60 + t.second) * US + t.microsecond


def clock_us(dt: datetime) -> int:
    """The wall-clock time of ``dt`` in µs since midnight."""
    return ((dt.hour * 60 + dt.minute) * 60 + dt.second) * US + dt.microsecond


# -- positions: (p, t) = working day at index position p, clock t µs ------------------------
def norm(ix: WorkdayIndex, o: int, t: int) -> tuple[int, int]:
    """Normalise ordinal/clock to a position inside a session (or the next session start)."""
    p = ix.first[o - ix.lo]
    if ix.ords[p] == o:
        for s, e in ix.sess[p]:
            if t < s:
                return p, s
            if t < e:
                return p, t
        p += 1
    return p, ix.sess[p][0][0]


def at_clock(ix: WorkdayIndex, q: int, t: int) -> datetime:
    """Day at position ``q`` at clock ``t``, or the next session start if ``t`` is outside one."""
    for s, e in ix.sess[q]:
        if t < e:
            return ix.mid[q] + timedelta(microseconds=t if t >= s else s)
    q += 1
    return ix.mid[q] + timedelta(microseconds=ix.sess[q][0][0])


def worked_before(ix: WorkdayIndex, o: int, t: int) -> int:
    """Working µs from the start of the index to local ordinal ``o`` at clock ``t``."""
    p = ix.first[o - ix.lo]
    total = ix.cum[p]
    if p < len(ix.ords) and ix.ords[p] == o:
        for s, e in ix.sess[p]:
            if t <= s:
                break
            total += (t if t < e else e) - s
    return total
