"""What every page needs to know of citizen sign-in: whether it is on, and who is signed in."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest

from .access import current_citizen


def citizen(request: HttpRequest) -> dict[str, object]:
    return {
        "citizen_sign_in_enabled": bool(settings.MOTCUA_OIDC_ISSUER and settings.MOTCUA_OIDC_CLIENT_ID),
        "citizen": current_citizen(request),
    }
