"""The time limits of one petition, by the ward's working calendar (docs/petitions.md §2). Pure.

Every limit counts working days with ``hoso.workcalendar``, the rule dossiers follow: an instant
outside working hours starts at the next session; N working days later at the same clock time.
Received on Friday at 16:00 → accept or refuse by Tuesday at 16:00, answer within 15 working days
of the receipt (the time waiting for the sender's information added).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from hoso import workcalendar as wc

from .constants import ANSWER_DAYS, DECIDE_DAYS, MORE_INFO_DAYS, PUBLISH_DAYS, Decision


@dataclass(frozen=True)
class Schedule:
    """The due instants of a petition as its dates stand (None: the step is not reached yet or paused)."""

    decide_due_at: datetime
    more_info_due_at: datetime
    answer_due_at: datetime | None
    publish_due_at: datetime | None


def schedule(
    cal: wc.WorkCalendar,
    *,
    received_at: datetime,
    decided_at: datetime | None = None,
    decision: str = "",
    more_info_requested_at: datetime | None = None,
    more_info_received_at: datetime | None = None,
    answered_at: datetime | None = None,
) -> Schedule:
    """The due instants from the petition's dates.

    * decide: ``DECIDE_DAYS`` working days after receipt;
    * ask for more information: ``MORE_INFO_DAYS`` working days after receipt;
    * answer: ``ANSWER_DAYS`` working days after receipt, plus the working time spent waiting for
      the sender's information (None while still waiting, or when refused);
    * publish: ``PUBLISH_DAYS`` working days after the answer.
    """
    decide = wc.add_working_days(cal, received_at, DECIDE_DAYS)
    more_info = wc.add_working_days(cal, received_at, MORE_INFO_DAYS)
    answer: datetime | None = None
    if decision != Decision.REFUSED:
        waiting = more_info_requested_at is not None and more_info_received_at is None
        if not waiting:
            answer = wc.add_working_days(cal, received_at, ANSWER_DAYS)
            if more_info_requested_at is not None and more_info_received_at is not None:
                paused = wc.working_time_between(cal, more_info_requested_at, more_info_received_at)
                if paused > timedelta(0):
                    answer = wc.add_working_time(cal, answer, paused)
    publish = wc.add_working_days(cal, answered_at, PUBLISH_DAYS) if answered_at is not None else None
    return Schedule(decide_due_at=decide, more_info_due_at=more_info, answer_due_at=answer, publish_due_at=publish)


def reopened_due(cal: wc.WorkCalendar, reopened_at: datetime) -> datetime:
    """A petition reopened by an unhappy rating is answered again within ``ANSWER_DAYS`` working days."""
    return wc.add_working_days(cal, reopened_at, ANSWER_DAYS)


def on_time(done_at: datetime | None, due_at: datetime | None) -> bool | None:
    """Whether a step done at ``done_at`` met ``due_at`` (None when either is missing)."""
    if done_at is None or due_at is None:
        return None
    return done_at <= due_at
