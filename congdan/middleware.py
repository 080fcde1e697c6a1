"""Every answer to a signed-in citizen is personal: `Cache-Control: private, no-store` (as for staff)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

from .session import CITIZEN_KEY


def citizen_private_pages(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        session = getattr(request, "session", None)
        if session is not None and CITIZEN_KEY in session:
            add_never_cache_headers(response)
        return response

    return middleware
