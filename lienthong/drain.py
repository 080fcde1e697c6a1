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

from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone

from . import record as completing
from .adapter import NationalPortal, PortalError
from .models import Kind, OutboxEntry, State

LEASE = timedelta(minutes=2)
BACKOFF_FIRST = timedelta(seconds=30)
BACKOFF_MAX = timedelta(hours=1)
BATCH = 200
WITH_DOSSIER = ("dossier__agency", "dossier__field", "dossier__procedure")

PortalFactory = Callable[[str], NationalPortal]


@dataclass
class DrainResult:
    sent: int = 0  # attempts made
    acknowledged: int = 0
    failed: int = 0  # attempts that did not go through (retried later, or refused for good)
    refused: int = 0  # of which refused for good (FAILED)
    blocked: int = 0  # of which held as "cannot sync" (data missing: BLOCKED)
    errors: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "sent": self.sent,
            "acknowledged": self.acknowledged,
            "failed": self.failed,
            "refused": self.refused,
            "blocked": self.blocked,
            "errors": self.errors,
        }


def backoff(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 30 s doubled each time, at most an hour."""
    return min(BACKOFF_FIRST * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def due(now: datetime) -> QuerySet[OutboxEntry]:
    """Rows to send now: pending (or sent with an expired lease) with every earlier row acknowledged
    (the portable form of the claim's question; PostgreSQL answers it with ``_due_heads``)."""
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


# Each dossier's head (its first row not acknowledged), dossier after dossier from the cursor on,
# read from the partial index ``outbox_open_by_dossier`` one probe per dossier (a skip scan): the
# cost is the number of dossiers visited, never the number of rows queued behind their heads.
HEADS_SQL = """
WITH RECURSIVE heads(id, dossier_id, state, next_attempt_at) AS (
    (SELECT id, dossier_id, state, next_attempt_at FROM {table}
      WHERE NOT (state = 'acknowledged') AND dossier_id > %(after)s
      ORDER BY dossier_id, sequence, id LIMIT 1)
    UNION ALL
    SELECT n.id, n.dossier_id, n.state, n.next_attempt_at FROM heads h CROSS JOIN LATERAL (
        SELECT id, dossier_id, state, next_attempt_at FROM {table}
         WHERE NOT (state = 'acknowledged') AND dossier_id > h.dossier_id
         ORDER BY dossier_id, sequence, id LIMIT 1) n
)
SELECT id FROM heads WHERE state IN ('pending', 'sent') AND next_attempt_at <= %(now)s LIMIT %(limit)s
"""


def _due_heads(now: datetime, limit: int, after: int) -> list[int]:
    if connection.vendor != "postgresql":
        return list(due(now).filter(dossier_id__gt=after).values_list("pk", flat=True)[:limit])
    sql = HEADS_SQL.format(table=connection.ops.quote_name(OutboxEntry._meta.db_table))
    with connection.cursor() as cursor:
        cursor.execute(sql, {"after": after, "now": now, "limit": limit})
        return [pk for (pk,) in cursor.fetchall()]


def claim(now: datetime, limit: int = BATCH, after: int = 0) -> list[OutboxEntry]:
    """Lock up to `limit` due dossier heads no other worker holds (of dossiers whose id is above
    `after`, the drain's cursor), mark them SENT under a lease, return them."""
    with transaction.atomic():
        heads = _due_heads(now, limit, after)
        rows = list(
            OutboxEntry.objects.filter(pk__in=heads, state__in=(State.PENDING, State.SENT), next_attempt_at__lte=now)
            .select_related(*WITH_DOSSIER)
            .select_for_update(skip_locked=True, of=("self",))
            .order_by("dossier_id")
        )
        _lease(rows, now)
    return rows


def claim_next(previous: OutboxEntry, now: datetime) -> OutboxEntry | None:
    """The first row not acknowledged of `previous`'s dossier, claimed if it is due (the caller has
    just acknowledged `previous`, in this same transaction when there is one). Rows are only ever
    added after a dossier's last one, so the search starts past `previous` in the index and never
    walks the rows acknowledged before. Waits for a lock rather than skipping it: skipping would
    reach past the head."""
    with transaction.atomic(savepoint=False):
        row = (
            OutboxEntry.objects.filter(dossier_id=previous.dossier_id, sequence__gte=previous.sequence)
            .exclude(sequence=previous.sequence, pk__lte=previous.pk)
            .exclude(state=State.ACKNOWLEDGED)
            .select_for_update()
            .order_by("sequence", "id")
            .first()
        )
        if row is None or row.state not in (State.PENDING, State.SENT) or row.next_attempt_at > now:
            return None
        _lease([row], now)
    row.dossier = previous.dossier  # loaded with its agency, field and procedure: spare the joins
    return row


def _release(rows: list[OutboxEntry]) -> None:
    """Give back rows claimed but not tried (their lease would hold them for nothing)."""
    OutboxEntry.objects.filter(pk__in=[r.pk for r in rows], state=State.SENT).update(
        state=State.PENDING, attempts=F("attempts") - 1, next_attempt_at=F("created_at")
    )


def _lease(rows: list[OutboxEntry], now: datetime) -> None:
    if rows:
        OutboxEntry.objects.filter(pk__in=[r.pk for r in rows]).update(
            state=State.SENT, attempts=F("attempts") + 1, next_attempt_at=now + LEASE
        )
    for row in rows:
        row.state, row.attempts = State.SENT, row.attempts + 1


Sender = Callable[[NationalPortal, OutboxEntry, bool], None]


def send_dossier(portal: NationalPortal, row: OutboxEntry, known: bool) -> None:
    """The record as of the row's event, completed now (an update once the portal knows the
    dossier), then the event's steps. Raises CannotSync when data is missing."""
    record = completing.complete(row.dossier, row.payload["record"], upto=row.sequence)
    portal.send_record(record, updating=known)
    portal.send_progress(completing.steps(row.payload.get("steps") or [], row.dossier.agency.name))


def send_steps(portal: NationalPortal, row: OutboxEntry, known: bool) -> None:
    portal.send_progress(completing.steps(row.payload.get("steps") or [], row.dossier.agency.name))


def send_rating(portal: NationalPortal, row: OutboxEntry, known: bool) -> None:
    portal.send_ratings([row.payload["rating"]])


def send_fee(portal: NationalPortal, row: OutboxEntry, known: bool) -> None:
    """A payment (the PAY event's row): the portal has no service of its own for fees, so the record
    goes as an update whose ``DanhSachLePhi`` lists the payment, then the step «Nộp phí, lệ phí».
    The payment must be among the fee request's succeeded ones, else the row is held (CannotSync)."""
    record = completing.complete(row.dossier, row.payload["record"], upto=row.sequence)
    reference = (row.payload.get("fee") or {}).get("MaThamChieu", "")
    if reference and not any(reference in entry.get("MaThamChieu", []) for entry in record["DanhSachLePhi"]):
        raise completing.CannotSync([f"khoản thanh toán {reference} không có trong yêu cầu thu phí của hồ sơ"])
    portal.send_record(record, updating=known)
    portal.send_progress(completing.steps(row.payload.get("steps") or [], row.dossier.agency.name))


# How each kind of row goes out; another kind registers its own with ``register_sender``. A row whose
# kind has no sender is held as "cannot sync" with the reason, never dropped.
SENDERS: dict[str, Sender] = {
    Kind.DOSSIER: send_dossier,
    Kind.PROGRESS: send_steps,
    Kind.FEE: send_fee,
    Kind.RATING: send_rating,
}
RECORD_KINDS = (Kind.DOSSIER, Kind.FEE)  # rows that send the record: once acknowledged, the portal holds it


def register_sender(kind: str, sender: Sender) -> None:
    SENDERS[kind] = sender


def send(portal: NationalPortal, row: OutboxEntry, known: bool | None = None) -> None:
    """Send one row by its kind; `known`: the portal already holds the dossier (asked when None)."""
    sender = SENDERS.get(row.kind)
    if sender is None:
        raise completing.CannotSync([f"chưa gửi được bản tin loại «{row.get_kind_display()}» (chưa hỗ trợ)"])
    if known is None:
        known = OutboxEntry.objects.filter(
            dossier_id=row.dossier_id, kind__in=RECORD_KINDS, state=State.ACKNOWLEDGED
        ).exists()
    sender(portal, row, known)


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
    counts; with `max_seconds`, no new claim after that long (the rest is for the next drain).

    The claims walk the dossiers from a cursor (the last dossier claimed) and wrap around once, so
    each claim costs the dossiers it passes, and no dossier waits behind others claimed again."""
    now = now or timezone.now()
    stop_at = None if max_seconds is None else time.monotonic() + max_seconds
    result = DrainResult()
    portals: dict[str, NationalPortal] = {}
    after = 0

    def in_time() -> bool:
        return stop_at is None or time.monotonic() < stop_at

    while in_time():
        rows = claim(now, after=after)
        if not rows:
            if after == 0:
                break
            after = 0  # wrap around: dossiers before the cursor may have become due
            continue
        after = rows[-1].dossier_id
        for n, head in enumerate(rows):
            if not in_time():
                _release(rows[n:])  # claimed, not tried: due again at once for the next drain
                break
            unit = head.dossier.agency.code
            portal = portals.get(unit) or portals.setdefault(unit, portal_for(unit))
            row: OutboxEntry | None = head
            known: bool | None = None
            # Once a dossier's row is acknowledged its next one is due: follow the dossier's queue
            # with the cheap one-dossier claim, in the acknowledgement's transaction (one commit a
            # row), instead of waiting for the next round over every dossier.
            while row is not None and _deliver(portal, row, now, result, known):
                known = known or row.kind in RECORD_KINDS or None
                with transaction.atomic():
                    _record(row, State.ACKNOWLEDGED, "", acknowledged_at=timezone.now())
                    row = claim_next(row, now) if in_time() else None
    return result


def _deliver(portal: NationalPortal, row: OutboxEntry, now: datetime, result: DrainResult, known: bool | None) -> bool:
    """Send `row`; True when the portal took it (the caller records the acknowledgement), else the
    failure is recorded here."""
    result.sent += 1
    try:
        send(portal, row, known)
    except completing.CannotSync as exc:
        result.failed += 1
        result.blocked += 1
        result.errors.append(f"{row.dossier.code}: {exc}")
        _record(row, State.BLOCKED, str(exc))
        return False
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
    return True


def _record(row: OutboxEntry, state: str, error: str, **fields: object) -> None:
    OutboxEntry.objects.filter(pk=row.pk, state=State.SENT).update(state=state, last_error=error, **fields)
