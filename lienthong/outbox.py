"""Writing the outbox: one row per workflow event, in the action's transaction, and nothing otherwise.

The link is off when no portal address is configured (``MOTCUA_NATIONAL_PORTAL_URL`` empty): then
nothing is queued (a first connection queues the current records with ``national_sync --resend``).
"""

from __future__ import annotations

from django.conf import settings

from hoso import events
from hoso.models import DossierEvent

from . import mapping
from .models import Kind, OutboxEntry, State


def link_on() -> bool:
    return bool(getattr(settings, "MOTCUA_NATIONAL_PORTAL_URL", ""))


def queue_event(event: DossierEvent) -> OutboxEntry | None:
    """Write the event's row (one INSERT, no other query); None when nothing is to be sent.

    History recorded silently (demo history) and imports (which bulk-create their events without
    the workflow) are never queued. A row whose data is incomplete is written BLOCKED with the reason.
    """
    if not link_on() or events.recording_silently() or (event.data or {}).get("silent"):
        return None
    record = mapping.dossier_record(event.dossier, event)
    reasons = mapping.missing(record)
    return OutboxEntry.objects.create(
        dossier_id=event.dossier_id,
        kind=Kind.DOSSIER,
        payload={"record": record, "steps": [mapping.progress_step(event)]},
        mapping_version=mapping.MAPPING_VERSION,
        sequence=event.pk,
        state=State.BLOCKED if reasons else State.PENDING,
        last_error=mapping.blocked_text(reasons) if reasons else "",
    )
