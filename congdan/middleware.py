"""A signed-in citizen's pages: personal (`Cache-Control: private, no-store`, as for staff), and their
sign-out form may be answered with a redirect to the identity provider, and their payment forms with a
redirect to the payment platform (both origins added to CSP form-action)."""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import urlsplit

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from .session import CITIZEN_KEY


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


def citizen_pages(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is None or CITIZEN_KEY not in session:
            return response
        add_never_cache_headers(response)
        origins = [o for o in (_origin(settings.MOTCUA_OIDC_ISSUER), _origin(settings.MOTCUA_PAYMENT_URL)) if o]
        if origins:
            # Chromium checks the redirect answering a form against the page's form-action.
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), *origins]
            response._csp_update = update  # type: ignore[attr-defined]
        return response

    return middleware
