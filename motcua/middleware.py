"""Cross-cutting request handling: requests no page can answer, private staff pages, idle sessions."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render, resolve_url
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django_htmx.http import HttpResponseClientRedirect

from .constants import IDLE_TIMEOUT_DEFAULT
from .lib.cache import versions_held

logger = logging.getLogger(__name__)


def reject_null_characters(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A NUL character in the path or the query string (``%00``) reaches no real page, and
    PostgreSQL refuses it in any query: answer 400 with the Vietnamese page, not a 500."""

    def middleware(request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return render(request, "400.html", status=400)
        return get_response(request)

    return middleware


def hold_versions(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """The version tokens of what each process keeps (calendars, the catalogue) are read once per
    request, in one round trip to the shared cache (``motcua.lib.cache.versions_held``)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        with versions_held():
            return get_response(request)

    return middleware


def private_pages(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Every answer to a signed-in member of staff — pages, slips, the tracking book, exports — is
    personal: ``Cache-Control: private, no-store`` so no proxy and no browser cache keeps a copy (a
    shared counter PC's next user cannot page back through it). Public pages keep their headers."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # max-age=0, no-cache, no-store, must-revalidate, private
        return response

    return middleware


# --- Idle staff sessions ---------------------------------------------------------------------
LAST_ACTIVITY_KEY = "motcua_last_activity"
# The session's clock is written at most this often (seconds): not one database write per click.
ACTIVITY_RESOLUTION = 30
IDLE_MESSAGE = "Phiên làm việc đã hết hạn do không thao tác quá {minutes} phút. Vui lòng đăng nhập lại để tiếp tục."


def passive(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Marks a view a page calls by itself (the counter screen's poll): it does not count as the
    user's activity, so a screen left open does not keep an unattended session alive."""
    view.motcua_passive = True  # type: ignore[attr-defined]
    return view


def start_activity_clock(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """user_logged_in: the idle clock starts at sign-in, written with the new session (so the
    first page after it writes nothing more)."""
    if request is not None and hasattr(request, "session"):
        request.session[LAST_ACTIVITY_KEY] = int(timezone.now().timestamp())


def idle_minutes(user: Any) -> int:
    agency = getattr(user, "agency", None) if getattr(user, "agency_id", None) else None
    return agency.idle_timeout_minutes if agency is not None else IDLE_TIMEOUT_DEFAULT


def clear_site_data(response: HttpResponse) -> HttpResponse:
    """After a sign-out, the browser drops its cached pages and storage for this site (shared PCs).
    Not "cookies": that would clear every cookie of the registrable domain (other gov.vn portals)."""
    response["Clear-Site-Data"] = '"cache", "storage"'
    return response


def idle_timeout(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """Signs a member of staff out after the ward's idle time (``Agency.idle_timeout_minutes``)
    and sends them to the login page with a Vietnamese message. Sessions also end when the
    browser closes (SESSION_EXPIRE_AT_BROWSER_CLOSE)."""

    def middleware(request: HttpRequest) -> HttpResponse:
        now = int(timezone.now().timestamp())
        user = request.user
        if user.is_authenticated:
            last = request.session.get(LAST_ACTIVITY_KEY)
            minutes = idle_minutes(user)
            if isinstance(last, int) and now - last > minutes * 60:
                logger.info("Phiên của %s hết hạn sau %d phút không thao tác.", user.get_username(), minutes)
                logout(request)
                messages.warning(request, IDLE_MESSAGE.format(minutes=minutes))
                login_url = resolve_url(settings.LOGIN_URL)
                if getattr(request, "htmx", False):
                    return clear_site_data(HttpResponseClientRedirect(login_url))
                return clear_site_data(redirect_to_login(request.get_full_path(), login_url))
        response = get_response(request)
        match = getattr(request, "resolver_match", None)
        is_passive = match is not None and getattr(match.func, "motcua_passive", False)
        if request.user.is_authenticated and not is_passive:
            last = request.session.get(LAST_ACTIVITY_KEY)
            if not isinstance(last, int) or now - last >= ACTIVITY_RESOLUTION:
                request.session[LAST_ACTIVITY_KEY] = now
        return response

    return middleware
