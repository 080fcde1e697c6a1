"""Dossiers not synchronised with the national portal for more than a working day (the leader's board).

A dossier counts while it has a row not acknowledged whose oldest one was written more than one
working day ago by the ward's calendar (``add_working_days(written, 1) <= now``): waiting, retrying,
refused or held as "cannot sync". One working day is at least 24 hours, so only rows older than
that are read, and the calendar decides for those.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Min

from hoso import workcalendar as wc
from hoso.calendar_store import calendar_for
from hoso.models import Dossier

from .models import OutboxEntry, State


@dataclass(frozen=True)
class Unsynced:
    dossier: Dossier
    since: datetime
    state: str  # the worst open row's state
    reason: str


def unsynced(agency_id: int, now: datetime) -> list[Unsynced]:
    """The agency's dossiers not synchronised for more than a working day, the oldest first."""
    open_rows = OutboxEntry.objects.filter(dossier__agency_id=agency_id).exclude(state=State.ACKNOWLEDGED)
    oldest = dict(
        open_rows.values("dossier_id")
        .annotate(since=Min("created_at"))
        .filter(since__lte=now - timedelta(days=1))
        .values_list("dossier_id", "since")
    )
    calendar = calendar_for(agency_id)
    late = {pk: since for pk, since in oldest.items() if wc.add_working_days(calendar, since, 1) <= now}
    if not late:
        return []
    worst: dict[int, OutboxEntry] = {}
    rank = {State.BLOCKED: 0, State.FAILED: 1, State.PENDING: 2, State.SENT: 3}
    for row in open_rows.filter(dossier_id__in=late).only("dossier_id", "state", "last_error", "sequence"):
        held = worst.get(row.dossier_id)
        if held is None or rank[State(row.state)] < rank[State(held.state)]:
            worst[row.dossier_id] = row
    dossiers = Dossier.objects.in_bulk(list(late))
    listed = [
        Unsynced(dossiers[pk], since, worst[pk].get_state_display(), worst[pk].last_error) for pk, since in late.items()
    ]
    return sorted(listed, key=lambda u: (u.since, u.dossier.pk))
