"""Vietnamese words of the working calendar: dates, days off, due-date steps, remaining time. Pure.

No ORM, no clock and no calendar arithmetic: ``hoso.workcalendar`` computes the instants and
the counts, this module puts them into the sentences a person reads (the steps explaining an
appointment, "còn 2 ngày 3 giờ"). A calendar is read only through its public queries
(``holidays``, ``makeup_days``, ``is_working_day``), so this module imports nothing of the app.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Protocol

__all__ = [
    "WEEKDAYS",
    "calendar_days_steps",
    "cap",
    "days_off_steps",
    "dmy",
    "due_step",
    "hm",
    "receipt_steps",
    "remaining_words",
    "same_day_steps",
    "when",
    "working_days_steps",
    "working_hours_steps",
]

WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")

_MINUTE = timedelta(minutes=1)
_HOUR = timedelta(hours=1)


class CalendarFacts(Protocol):
    """What the words read of a ``WorkCalendar``."""

    @property
    def holidays(self) -> Mapping[date, str]: ...

    @property
    def makeup_days(self) -> Mapping[date, str]: ...

    def is_working_day(self, d: date) -> bool: ...


# -- dates and clock times --------------------------------------------------------------------
def dmy(d: date) -> str:
    """``24/01/2025``."""
    return f"{d.day:02d}/{d.month:02d}/{d.year}"


def hm(t: time | datetime) -> str:
    """``16 giờ 20 phút``."""
    return f"{t.hour:02d} giờ {t.minute:02d} phút"


def when(dt: datetime) -> str:
    """``16 giờ 20 phút, thứ Sáu, 24/01/2025``."""
    return f"{hm(dt)}, {WEEKDAYS[dt.weekday()]}, {dmy(dt)}"


def cap(s: str) -> str:
    """``s`` with its first letter upper-case (``thứ Hai`` → ``Thứ Hai``)."""
    return s[:1].upper() + s[1:]


# -- the steps of a due-date explanation ------------------------------------------------------
def receipt_steps(cal: CalendarFacts, received: datetime, start: datetime) -> list[str]:
    """The receipt and, when it was outside working hours, the days off until ``start``."""
    steps = [f"Tiếp nhận lúc {when(received)}."]
    if start != received:
        steps += days_off_steps(cal, received.date(), start.date() - timedelta(days=1))
        reason = "Tiếp nhận vào ngày nghỉ" if not cal.is_working_day(received.date()) else "Ngoài giờ làm việc"
        steps.append(f"{reason}: tính từ {when(start)}.")
    return steps


def calendar_days_steps(cal: CalendarFacts, days: int, landing: datetime, due: datetime) -> list[str]:
    """``days`` calendar days added, landing at ``landing``, then moved to the due instant."""
    steps = [f"Cộng {days} ngày (tính cả ngày nghỉ): đến {when(landing)}."]
    if landing != due:
        steps += days_off_steps(cal, landing.date(), due.date() - timedelta(days=1), counting=False)
        reason = "Ngoài giờ làm việc" if cal.is_working_day(landing.date()) else "Rơi vào ngày nghỉ"
        steps.append(f"{reason}: chuyển sang {when(due)}.")
    return steps


def same_day_steps(cal: CalendarFacts, cutoff: time | None, start: datetime, due: datetime) -> list[str]:
    """A same-day limit: the cut-off against the (normalised) receipt, the days off to the due day."""
    next_day = due.date() != start.date()
    if cutoff is None:
        steps = ["Trả kết quả trong ngày làm việc."]
    elif next_day:
        steps = [
            f"Sau giờ chốt {cutoff.hour:02d} giờ {cutoff.minute:02d} phút: trả kết quả trong ngày làm việc tiếp theo."
        ]
    else:
        steps = [f"Không muộn hơn giờ chốt {cutoff.hour:02d} giờ {cutoff.minute:02d} phút: trả kết quả trong ngày."]
    steps += days_off_steps(cal, start.date(), due.date())
    if next_day:
        steps.append(f"Tính từ {WEEKDAYS[due.weekday()]}, {dmy(due)}.")
    return steps


def working_days_steps(cal: CalendarFacts, days: int, start: datetime, due: datetime) -> list[str]:
    """``days`` working days counted from ``start``, with the days off skipped."""
    steps = [f"Cộng {days} ngày làm việc."]
    steps += days_off_steps(cal, start.date(), due.date())
    if due.time() != start.time():
        # Only with uneven sessions (e.g. a Saturday-morning desk): the clock time of the
        # start does not exist on the due day.
        steps.append(f"Lúc {hm(start)} ngoài giờ làm việc của ngày đến hạn: chuyển sang {when(due)}.")
    return steps


def working_hours_steps(cal: CalendarFacts, hours: int, start: datetime, due: datetime) -> list[str]:
    """``hours`` working hours counted from ``start``, with the days off skipped."""
    steps = [f"Cộng {hours} giờ làm việc (chỉ tính trong giờ làm việc)."]
    steps += days_off_steps(cal, start.date(), due.date())
    return steps


def due_step(due: datetime) -> str:
    """The last step: the due instant."""
    return f"Hạn trả kết quả: {when(due)}."


def _holiday_label(name: str) -> str:
    # CSV names read "<holiday> – <which kind of day>"; blocks are grouped by the holiday part.
    label = name.split(" – ", 1)[0].strip()
    return label or "ngày nghỉ lễ"


def days_off_steps(cal: CalendarFacts, first: date, last: date, *, counting: bool = True) -> list[str]:
    """Sentences for the days off and make-up days in ``first..last`` (inclusive), in order.

    ``counting``: the days are being counted (working days, hours), so weekly days off are
    "not counted"; otherwise (calendar days) they are named as the days the result cannot be
    handed over."""
    holidays, makeup_days = cal.holidays, cal.makeup_days
    steps: list[str] = []
    weekly_off: set[int] = set()
    block: list[object] | None = None  # [first day, last day, label]

    def flush() -> None:
        nonlocal block
        if block is not None:
            b0, b1, label = block
            span = dmy(b0) if b0 == b1 else f"{dmy(b0)}–{dmy(b1)}"  # type: ignore[arg-type]
            steps.append(f"{span} là ngày nghỉ ({label}).")
            block = None

    for o in range(first.toordinal(), last.toordinal() + 1):
        d = date.fromordinal(o)
        name = holidays.get(d)
        if name is not None:
            label = _holiday_label(name)
            if block is not None and block[2] == label and block[1] == d - timedelta(days=1):
                block[1] = d
            else:
                flush()
                block = [d, d, label]
            continue
        flush()
        makeup = makeup_days.get(d)
        if makeup is not None:
            steps.append(f"{cap(WEEKDAYS[d.weekday()])} {dmy(d)} là ngày làm bù, được tính là ngày làm việc: {makeup}.")
        elif not cal.is_working_day(d):
            weekly_off.add(d.weekday())
    flush()
    if weekly_off:
        names = ", ".join(WEEKDAYS[wd] for wd in sorted(weekly_off))
        if counting:
            steps.append(f"Không tính ngày nghỉ hằng tuần ({names}).")
        else:
            steps.append(f"{cap(names)} là ngày nghỉ hằng tuần, không trả kết quả.")
    return steps


# -- remaining time ---------------------------------------------------------------------------
def remaining_words(days: int, rest: timedelta, *, overdue: bool) -> str:
    """``còn 2 ngày 3 giờ``, ``còn 45 phút``, ``quá hạn 1 ngày 4 giờ``…

    ``days`` whole working days and ``rest`` working time (not negative): hours shown (floored)
    after days, hours and minutes when there are no days; zero parts are dropped. Overdue
    minutes are rounded up and at least one, so an overdue dossier never reads as zero.
    """
    parts: list[str] = []
    if days:
        parts.append(f"{days} ngày")
        hours = rest // _HOUR
        if hours:
            parts.append(f"{hours} giờ")
    else:
        minutes = -(-rest // _MINUTE) if overdue else rest // _MINUTE
        if overdue:
            minutes = max(minutes, 1)
        hours, minutes = divmod(minutes, 60)
        if hours:
            parts.append(f"{hours} giờ")
        if minutes or not hours:
            parts.append(f"{minutes} phút")
    return ("quá hạn " if overdue else "còn ") + " ".join(parts)
