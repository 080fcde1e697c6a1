"""The intake deadline of an online dossier: 8 working hours from submission. Pure.

No ORM, no clock: the caller passes the ward's working calendar and the submission instant. An
instant outside the sessions (evening, weekend, holiday) counts from the next session's start;
make-up Saturdays are working days, as the calendar says.
"""

from __future__ import annotations

from datetime import datetime

from hoso.workcalendar import WorkCalendar, add_working_hours

# Seen in a provincial one-stop system (docs/online-dossiers.md §2): the desk receives or refuses an online
# dossier within 8 working hours of its submission.
INTAKE_WORKING_HOURS = 8


def intake_due(cal: WorkCalendar, submitted: datetime) -> datetime:
    """By when the desk must receive (or refuse) a dossier submitted online at ``submitted``."""
    return add_working_hours(cal, submitted, INTAKE_WORKING_HOURS)
