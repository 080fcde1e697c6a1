"""Draining the outbox: claim due rows, send them to the national portal, record the outcome.

Order: a row is due only when every earlier row of its dossier (by ``sequence``, then id) is
acknowledged, so a dossier's later step never reaches the portal before an earlier one; a row the
portal refused (FAILED) or that cannot be built (BLOCKED) holds the dossier's later rows back, in
sight, until someone deals with it.

Claims: due rows are locked with ``select_for_update(skip_locked=True)`` and marked SENT with a lease
(``next_attempt_at`` = now + ``LEASE``) in one short transaction; the sending happens outside it. Two
workers never claim the same row; a worker killed mid-send leaves a SENT row whose lease runs out,
and the next drain sends it again (the record goes as an update; its progress step may then reach
the portal twice — the one case of a duplicate, when the portal took it but the answer was lost).

Failures: a transient one (portal down, 5xx, timeout) puts the row back to PENDING with an
exponential backoff (30 s, 1 min, 2 min… at most an hour) and no limit on attempts: nothing is
dropped. A refusal of the data (any other error code) makes the row FAILED with the portal's reason.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from . import mapping
from .adapter import NationalPortal, PortalError
from .models import OutboxEntry, State

LEASE = timedelta(minutes=2)
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
BATCH = 200

PortalFactory = Callable[[str], NationalPortal]


@dataclass
class DrainResult:
    sent: int = 0  # attempts made
    acknowledged: int = 0
    failed: int = 0  # attempts that did not go through (retried later, or refused for good)
    refused: int = 0  # of which refused for good (FAILED)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "sent": self.sent,
            "acknowledged": self.acknowledged,
            "failed": self.failed,
            "refused": self.refused,
            "errors": self.errors,
        }


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s doubled each time, at most an hour."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def due(now: datetime) -> QuerySet[OutboxEntry]:
    """Rows to send now: pending (or sent with an expired lease) with every earlier row acknowledged."""
    earlier_open = (
        OutboxEntry.objects.filter(dossier_id=OuterRef("dossier_id"))
        .filter(Q(sequence__lt=OuterRef("sequence")) | Q(sequence=OuterRef("sequence"), pk__lt=OuterRef("pk")))
        .exclude(state=State.ACKNOWLEDGED)
    )
    return (
        OutboxEntry.objects.filter(state__in=(State.PENDING, State.SENT), next_attempt_at__lte=now)
        .exclude(Exists(earlier_open))
        .order_by("sequence", "id")
    )


def claim(now: datetime, limit: int = BATCH) -> list[OutboxEntry]:
    """Lock up to `limit` due rows no other worker holds, mark them SENT under a lease, return them."""
    with transaction.atomic():
        rows = list(
            due(now).select_related("dossier__agency").select_for_update(skip_locked=True, of=("self",))[:limit]
        )
        _lease(rows, now)
    return rows


def claim_next(dossier_id: int, now: datetime) -> OutboxEntry | None:
    """The dossier's first row not acknowledged, claimed if it is due (the caller just acknowledged the
    one before it). Waits for a lock rather than skipping it: skipping would reach past the head."""
    with transaction.atomic():
        row = (
            OutboxEntry.objects.filter(dossier_id=dossier_id)
            .exclude(state=State.ACKNOWLEDGED)
            .select_related("dossier__agency")
            .select_for_update(of=("self",))
            .order_by("sequence", "id")
            .first()
        )
        if row is None or row.state not in (State.PENDING, State.SENT) or row.next_attempt_at > now:
            return None
        _lease([row], now)
    return row


def _lease(rows: list[OutboxEntry], now: datetime) -> None:
    if rows:
        OutboxEntry.objects.filter(pk__in=[r.pk for r in rows]).update(
            state=State.SENT, attempts=F("attempts") + 1, next_attempt_at=now + LEASE
        )
    for row in rows:
        row.state, row.attempts = State.SENT, row.attempts + 1


def send(portal: NationalPortal, row: OutboxEntry) -> None:
    """Send one row: the record (an update once the dossier is known to the portal), then its steps."""
    agency = row.dossier.agency
    record = mapping.with_unit(row.payload["record"], agency.name)
    known = OutboxEntry.objects.filter(dossier_id=row.dossier_id, state=State.ACKNOWLEDGED).exists()
    portal.send_record(record, updating=known)
    portal.send_progress(row.payload.get("steps") or [])


_local = threading.local()


def portal_for_unit(unit: str) -> NationalPortal:
    """This thread's connection for the unit (its session kept between drains)."""
    portals: dict[tuple[str, str, str], NationalPortal] = _local.__dict__.setdefault("portals", {})
    fresh = NationalPortal.from_settings(unit)
    return portals.setdefault((fresh.url, fresh.user, unit), fresh)


def drain_once(
    now: datetime | None = None, *, portal_for: PortalFactory = portal_for_unit, max_seconds: float | None = None
) -> DrainResult:
    """Send everything due at `now` (rows that become due by acknowledgements included) and return the
    counts; with `max_seconds`, no new claim after that long (the rest is for the next drain)."""
    now = now or timezone.now()
    stop_at = None if max_seconds is None else time.monotonic() + max_seconds
    result = DrainResult()
    portals: dict[str, NationalPortal] = {}

    def in_time() -> bool:
        return stop_at is None or time.monotonic() < stop_at

    while in_time() and (rows := claim(now)):
        for head in rows:
            unit = head.dossier.agency.code
            portal = portals.get(unit) or portals.setdefault(unit, portal_for(unit))
            row: OutboxEntry | None = head
            # Once a dossier's row is acknowledged its next one is due: follow the dossier's queue
            # with the cheap one-dossier claim instead of waiting for the next round over every row.
            while row is not None and _deliver(portal, row, now, result) and in_time():
                row = claim_next(row.dossier_id, now)
    return result


def _deliver(portal: NationalPortal, row: OutboxEntry, now: datetime, result: DrainResult) -> bool:
    """Send `row` and record the outcome; True when acknowledged."""
    result.sent += 1
    try:
        send(portal, row)
    except PortalError as exc:
        result.failed += 1
        result.errors.append(f"{row.dossier.code}: {exc}")
        if exc.transient:
            _record(row, State.PENDING, str(exc), next_attempt_at=now + backoff(row.attempts))
        else:
            result.refused += 1
            _record(row, State.FAILED, str(exc))
        return False
    except Exception as exc:  # a bug of ours: kept, retried later, never lost
        result.failed += 1
        result.errors.append(f"{row.dossier.code}: {exc!r}")
        _record(row, State.PENDING, f"Lỗi khi gửi: {exc!r}", next_attempt_at=now + backoff(row.attempts))
        return False
    result.acknowledged += 1
    _record(row, State.ACKNOWLEDGED, "", acknowledged_at=timezone.now())
    return True


def _record(row: OutboxEntry, state: str, error: str, **fields: object) -> None:
    OutboxEntry.objects.filter(pk=row.pk, state=State.SENT).update(state=state, last_error=error, **fields)
