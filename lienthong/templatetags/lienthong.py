"""{% load lienthong %} then {% national_sync_state dossier %}: the dossier's sync line (none while the link is off)."""

from __future__ import annotations

from typing import Any

from django import template

from lienthong.state import sync_state

register = template.Library()


@register.inclusion_tag("lienthong/_sync_state.html")
def national_sync_state(dossier: Any) -> dict[str, Any]:
    return {"state": sync_state(dossier.pk) if dossier.code else None}
