"""The remaining time of a dossier at an instant, in words and as a colour: the one rule the
dossier page and every worklist show (docs/due-dates.md §5: after an apology the work counts to
the new appointment the citizen was given, ``shown_due_at``)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from django.utils import timezone

from . import workcalendar as wc
from .constants import OPEN_STATUSES, Timeliness
from .models import Dossier


class Tone(StrEnum):
    """Bootstrap colour of the remaining-time badge."""

    AMPLE = "success"  # more than one working day left
    CLOSE = "warning"  # one working day or less
    OVERDUE = "danger"
    PAUSED = "secondary"
    DONE = "light"


PAUSED_TEXT = "tạm dừng (chờ bổ sung)"
EXTENDED_SUFFIX = " (đã hẹn lại)"


def remaining_text(calendar: wc.WorkCalendar, now: datetime, due: datetime) -> str:
    """``wc.format_remaining``, or the bare date for a due time beyond the calendar's reach (an
    imported or legacy record): a page must show every dossier, whatever its dates."""
    try:
        return wc.format_remaining(calendar, now, due)
    except ValueError:
        return f"hẹn {timezone.localtime(due):%d/%m/%Y}"


def remaining(
    dossier: Dossier, *, now: datetime, calendar: wc.WorkCalendar, one_day_ahead: datetime | None = None
) -> tuple[str, Tone | str]:
    """(text, tone) of a dossier's deadline at `now`, computed without a query.

    Green with more than one working day left, yellow with one or less, red once overdue, grey
    while paused; a closed dossier shows its timeliness. `one_day_ahead` (now plus one working
    day) may be passed in when many rows share `now`.
    """
    if dossier.status in OPEN_STATUSES and dossier.due_at is not None:
        if dossier.paused_at is not None:
            return PAUSED_TEXT, Tone.PAUSED
        # After an apology the citizen was given a new appointment: the work aims at it
        # (statistics keep the original due time, docs/due-dates.md §5).
        extended = bool(dossier.extensions and dossier.shown_due_at)
        due = dossier.shown_due_at if extended and dossier.shown_due_at else dossier.due_at
        text = remaining_text(calendar, now, due) + (EXTENDED_SUFFIX if extended else "")
        if due < now:
            return text, Tone.OVERDUE
        if one_day_ahead is None:
            one_day_ahead = wc.add_working_days(calendar, now, 1)
        return text, Tone.CLOSE if due <= one_day_ahead else Tone.AMPLE
    if dossier.timeliness in (Timeliness.EARLY, Timeliness.ON_TIME, Timeliness.LATE):
        label = Timeliness(dossier.timeliness).label.lower()
        return f"đã xong, {label}", Tone.OVERDUE if dossier.timeliness == Timeliness.LATE else Tone.DONE
    return "", ""
