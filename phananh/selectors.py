"""Reads of the petitions pages: the worklists with remaining time, the published answers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Q, QuerySet

from hoso import workcalendar as wc
from hoso.calendar_store import calendar_for
from hoso.remaining import Tone, remaining_text
from motcua.constants import Role
from motcua.models import User

from .constants import OPEN_STATUSES, Status
from .models import Petition

MAX_ROWS = 300


@dataclass(frozen=True)
class Row:
    petition: Petition
    remaining: str
    tone: str
    overdue: bool


def _rows(petitions: list[Petition], now: datetime, cal: wc.WorkCalendar) -> list[Row]:
    ahead = wc.add_working_days(cal, now, 1)
    rows = []
    for petition in petitions:
        due = petition.due_at
        if due is None:
            text = "chờ người gửi bổ sung" if petition.status == Status.MORE_INFO else ""
            rows.append(Row(petition, text, Tone.PAUSED if text else "", False))
            continue
        tone = Tone.OVERDUE if due < now else Tone.CLOSE if due <= ahead else Tone.AMPLE
        rows.append(Row(petition, remaining_text(cal, now, due), tone, due < now))
    return rows


def worklist(user: User, *, now: datetime) -> list[Row]:
    """A leader sees every open petition of the ward and the answered ones not yet published; an
    officer the open ones assigned to them; a clerk those waiting for the sender's information."""
    base = Petition.objects.filter(agency_id=user.agency_id).select_related("assignee")
    mine: QuerySet[Petition]
    if user.has_role(Role.LEADER):
        mine = base.filter(Q(status__in=OPEN_STATUSES) | Q(status=Status.ANSWERED))
    elif user.role == Role.OFFICER:
        mine = base.filter(status__in=OPEN_STATUSES - {Status.REOPENED}, assignee=user)
    else:
        mine = base.filter(status__in=(Status.MORE_INFO, Status.RECEIVED))
    petitions = list(mine.order_by("due_at", "received_at")[:MAX_ROWS])
    return _rows(petitions, now, calendar_for(user.agency_id))


def published(agency_id: int | None = None) -> QuerySet[Petition]:
    """The published answers, newest first; only the reviewed public columns are meant to be read."""
    rows = Petition.objects.filter(status=Status.PUBLISHED, published_at__isnull=False)
    if agency_id is not None:
        rows = rows.filter(agency_id=agency_id)
    return (
        rows.select_related("agency")
        .only(
            "code",
            "kind",
            "agency__name",
            "received_at",
            "answered_at",
            "published_at",
            "public_subject",
            "public_question",
            "public_answer",
        )
        .order_by("-published_at")
    )
