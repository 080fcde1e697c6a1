"""{% load lienthong %} then {% national_sync_state dossier %}: the dossier's sync line, and
{% national_unsynced_card agency_id %}: the leader board's count of dossiers not synchronised for more
than a working day (both nothing while the link is off)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from lienthong import board, outbox
from lienthong.state import sync_state

register = template.Library()


@register.inclusion_tag("lienthong/_sync_state.html")
def national_sync_state(dossier: Any) -> dict[str, Any]:
    return {"state": sync_state(dossier.pk, coded=bool(dossier.code))}


@register.inclusion_tag("lienthong/_unsynced_card.html")
def national_unsynced_card(agency_id: int) -> dict[str, Any]:
    if not outbox.link_on():
        return {"link_on": False}
    return {"link_on": True, "count": len(board.unsynced(agency_id, timezone.now()))}
