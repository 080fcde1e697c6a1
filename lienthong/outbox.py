"""Writing the outbox: one row per workflow event, in the action's transaction, and nothing otherwise.

A counter receipt's row is written with its dossier (``row_with_receipt``, a companion of
``hoso.events.on_new_dossier``: the receipt's one statement fills in the code and the event's key);
every later event's row by ``queue_event``.

The link is off when no portal address is configured (``MOTCUA_NATIONAL_PORTAL_URL`` empty): then
nothing is queued (a first connection queues the current records with ``national_sync --resend``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Max, QuerySet
from django.utils import timezone

from hoso import events
from hoso.constants import Action
from hoso.models import Dossier, DossierEvent, SatisfactionRating

from . import fees, mapping
from . import record as completing
from .models import Kind, OutboxEntry, State


def link_on() -> bool:
    return bool(getattr(settings, "MOTCUA_NATIONAL_PORTAL_URL", ""))


def unsent(event: DossierEvent) -> bool:
    """Nothing is sent for this event: the link is off, or it is history recorded silently."""
    return not link_on() or events.recording_silently() or bool((event.data or {}).get("silent"))


# Where the receipt's write puts the dossier's code in the row's payload (``row_with_receipt``).
RECEIPT_CODE_AT = (("payload", "record", "MaHoSo"), ("payload", "steps", "0", "MaHoSo"))


def row_with_receipt(event: DossierEvent) -> list[events.Companion]:
    """The outbox row of a counter receipt, built before its dossier is saved and written with it
    (``hoso.events.on_new_dossier``): the same row ``queue_event`` would write afterwards, the code
    (given by the same write) and the event's key filled in by the write."""
    if not events.creates_dossier(event) or unsent(event):
        return []
    record = mapping.dossier_record(event.dossier, event)
    reasons = mapping.missing({**record, "MaHoSo": "…"})  # a receipt always gets its code
    row = OutboxEntry(
        kind=Kind.DOSSIER,
        payload={"record": record, "steps": [mapping.progress_step(event)]},
        mapping_version=mapping.MAPPING_VERSION,
        sequence=0,
        state=State.BLOCKED if reasons else State.PENDING,
        last_error=mapping.blocked_text(reasons) if reasons else "",
    )
    return [events.Companion(row, "dossier", event_key="sequence", code_at=RECEIPT_CODE_AT)]


def queue_event(event: DossierEvent) -> OutboxEntry | None:
    """Write the event's row (one INSERT, no other query); None when nothing is to be sent, or
    when it was written with the dossier (``row_with_receipt``).

    History recorded silently (demo history) and imports (which bulk-create their events without
    the workflow) are never queued, nor a dossier without a code (guided or refused at the counter:
    never received, never on the portal; its page says so, lienthong.state). A row whose data is
    incomplete is written BLOCKED with the reason. A payment's event (PAY) writes a row of kind
    ``fee``: the same record and step, and the payment it reports (``fee``).
    """
    if unsent(event) or events.creates_dossier(event):
        return None
    if not event.dossier.code:
        return None  # never received at the counter (guided, refused): no code, nothing the portal knows
    record = mapping.dossier_record(event.dossier, event)
    reasons = mapping.missing(record)
    payload: dict[str, Any] = {"record": record, "steps": [mapping.progress_step(event)]}
    if event.action == Action.PAY:
        payload["fee"] = fees.paid_entry(event)
    return OutboxEntry.objects.create(
        dossier_id=event.dossier_id,
        kind=Kind.FEE if event.action == Action.PAY else Kind.DOSSIER,
        payload=payload,
        mapping_version=mapping.MAPPING_VERSION,
        sequence=event.pk,
        state=State.BLOCKED if reasons else State.PENDING,
        last_error=mapping.blocked_text(reasons) if reasons else "",
    )


def queue_row(dossier: Dossier, kind: str, payload: dict[str, Any], reasons: list[str]) -> OutboxEntry | None:
    """A row of another kind than a workflow event (a rating), after every row
    the dossier has so far: its sequence is the dossier's last event (one SELECT, one INSERT).
    `reasons`: why it cannot be sent (the row is then BLOCKED with them). None while the link is off."""
    if not link_on() or events.recording_silently():
        return None
    last = DossierEvent.objects.filter(dossier_id=dossier.pk).aggregate(last=Max("id"))["last"]
    return OutboxEntry.objects.create(
        dossier_id=dossier.pk,
        kind=kind,
        payload=payload,
        mapping_version=mapping.MAPPING_VERSION,
        sequence=last or 0,
        state=State.BLOCKED if reasons else State.PENDING,
        last_error=mapping.blocked_text(reasons) if reasons else "",
    )


def queue_rating(rating: SatisfactionRating) -> OutboxEntry | None:
    """The rating's row, in the transaction that saves it (post_save, LienthongConfig.ready)."""
    if not link_on():
        return None
    dossier = rating.dossier
    payload = mapping.rating_record(rating, dossier)
    reasons = ["hồ sơ chưa có mã"] if not payload["MaHoSo"] else []
    return queue_row(dossier, Kind.RATING, {"rating": payload}, reasons)


@transaction.atomic
def queue_current(agency_code: str, start: date | None = None, end: date | None = None) -> tuple[int, int]:
    """``national_sync --resend``: queue the current record of the agency's dossiers (received or
    submitted between `start` and `end`, local dates, inclusive) after their earlier rows; returns
    (queued, blocked). For a first connection, imported history, or a portal that lost data."""
    dossiers = Dossier.objects.filter(agency__code=agency_code).exclude(code=None).exclude(code="")
    if start is not None:
        dossiers = dossiers.filter(created_at__date__gte=start)
    if end is not None:
        dossiers = dossiers.filter(created_at__date__lte=end)
    return queue_records(dossiers)


@transaction.atomic
def queue_records(dossiers: QuerySet[Dossier]) -> tuple[int, int]:
    """Queue the current record of each dossier (no step) after its earlier rows; (queued, blocked)."""
    rows = []
    for dossier in dossiers.annotate(last_event=Max("events__id")).order_by("pk"):
        record = mapping.dossier_record(dossier)
        reasons = mapping.missing(record)
        rows.append(
            OutboxEntry(
                dossier=dossier,
                kind=Kind.DOSSIER,
                payload={"record": record, "steps": []},
                mapping_version=mapping.MAPPING_VERSION,
                sequence=dossier.last_event or 0,  # type: ignore[attr-defined]
                state=State.BLOCKED if reasons else State.PENDING,
                last_error=mapping.blocked_text(reasons) if reasons else "",
            )
        )
    OutboxEntry.objects.bulk_create(rows, batch_size=500)
    blocked = sum(1 for row in rows if row.state == State.BLOCKED)
    return len(rows) - blocked, blocked


@transaction.atomic
def retry(rows: list[OutboxEntry]) -> tuple[int, int]:
    """Put refused (FAILED) and blocked rows back in the queue, blocked ones rebuilt from the dossier
    as it is now (the missing data may have been entered since); returns (requeued, still blocked)."""
    requeued = still_blocked = 0
    for row in (
        OutboxEntry.objects.select_for_update(of=("self",))
        .select_related("dossier__agency", "dossier__field", "dossier__procedure")
        .filter(pk__in=[r.pk for r in rows], state__in=(State.FAILED, State.BLOCKED))
    ):
        if row.state == State.BLOCKED:
            reasons = completing.reasons_now(row.dossier)
            if reasons:
                row.last_error = mapping.blocked_text(reasons)
                row.save(update_fields=["last_error"])
                still_blocked += 1
                continue
            if row.kind in (Kind.DOSSIER, Kind.FEE):
                record = mapping.dossier_record(row.dossier)
                steps = [{**step, "MaHoSo": record["MaHoSo"]} for step in row.payload.get("steps") or []]
                row.payload = {**row.payload, "record": record, "steps": steps}
                row.mapping_version = mapping.MAPPING_VERSION
        row.state, row.next_attempt_at = State.PENDING, timezone.now()
        row.save(update_fields=["state", "next_attempt_at", "payload", "mapping_version"])
        requeued += 1
    return requeued, still_blocked
