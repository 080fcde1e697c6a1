"""A dossier's clock columns recomputed from its events alone, and the limit its snapshot recorded.

``expected_clock`` is what ``recompute_dossiers`` compares the stored columns with (and writes
with ``--fix``); ``snapshot_limit`` reads back the time limit the citizen was told at intake (the
workflow explains the due date with it). No query: the caller passes the events and the calendar.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time
from typing import Any

from . import clock
from . import workcalendar as wc
from .constants import Action
from .models import Dossier, DossierEvent


def snapshot_limit(dossier: Dossier) -> wc.Limit:
    """The time limit the citizen was told at intake, read back from the dossier's procedure snapshot."""
    limit = dossier.procedure_snapshot["limit"]
    cutoff = limit.get("cutoff")
    return wc.Limit(
        value=limit["value"],
        unit=limit["unit"],
        cutoff=time.fromisoformat(cutoff) if cutoff else None,
    )


def expected_clock(
    dossier: Dossier, events: Sequence[DossierEvent], calendar: wc.WorkCalendar
) -> tuple[dict[str, Any], dict[int, datetime | None]]:
    """What the clock columns of `dossier` and the due time of each event must be, from its events alone.

    The base due time is the one the RECEIVE event recorded (what the citizen was told), or, for
    an older row without it, the appointment computed from the snapshot's limit.
    """
    columns: dict[str, Any] = {name: getattr(dossier, name) for name in clock.CLOCK_COLUMNS}
    if not events or dossier.received_at is None:
        return columns, {}
    receive_event = next((e for e in events if e.action == Action.RECEIVE), None)
    base = (receive_event.due_at if receive_event else None) or dossier.manual_due_at
    if base is None:
        base = wc.compute_due(calendar, dossier.received_at, snapshot_limit(dossier))
    state = clock.compute_clock(calendar, received_at=dossier.received_at, base_due=base, events=events)
    event_dues: dict[int, datetime | None] = {e.pk: due for e, due in zip(events, state.event_due_at, strict=True)}
    columns.update(state.columns())
    return columns, event_dues
