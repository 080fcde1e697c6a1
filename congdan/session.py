"""Where a citizen's identity lives: its own session keys, apart from Django's staff authentication."""

from __future__ import annotations

from typing import Any

from django.contrib.sessions.backends.base import SessionBase
from django.http import HttpRequest
from django.utils import timezone

CITIZEN_KEY = "congdan_citizen_id"
SIGNED_IN_AT_KEY = "congdan_signed_in_at"
LAST_SEEN_KEY = "congdan_last_seen"
# The ID token of the sign-in, handed back to the provider at sign-out (id_token_hint).
ID_TOKEN_KEY = "congdan_id_token"  # noqa: S105 - a session key, not a secret
# Where to go after sign-in (a path of this site), kept between the start and the callback.
NEXT_KEY = "congdan_next"
# A citizen's session ends after this long without a page (seconds); the ward's staff have their own.
IDLE_SECONDS = 30 * 60
SEEN_RESOLUTION = 30


def citizen_id(request: HttpRequest) -> int | None:
    """The signed-in citizen's row id, or None (no session, idle too long, or a staff session)."""
    session = getattr(request, "session", None)
    if session is None or CITIZEN_KEY not in session:
        return None
    now = int(timezone.now().timestamp())
    last = session.get(LAST_SEEN_KEY)
    if not isinstance(last, int) or now - last > IDLE_SECONDS:
        forget_citizen(session)
        return None
    if now - last >= SEEN_RESOLUTION:
        session[LAST_SEEN_KEY] = now
    value = session.get(CITIZEN_KEY)
    return value if isinstance(value, int) else None


def remember_citizen(request: HttpRequest, pk: int, id_token: str = "") -> None:
    """Sign the citizen in: a new session key (no fixation), the identity under its own key.

    A member of staff signed in on the same browser is signed out first: one person per session.
    """
    if getattr(request, "user", None) is not None and request.user.is_authenticated:
        request.session.flush()
    else:
        request.session.cycle_key()
    now = int(timezone.now().timestamp())
    request.session[CITIZEN_KEY] = pk
    request.session[SIGNED_IN_AT_KEY] = now
    request.session[LAST_SEEN_KEY] = now
    request.session[ID_TOKEN_KEY] = id_token


def forget_citizen(session: SessionBase) -> None:
    for key in (CITIZEN_KEY, SIGNED_IN_AT_KEY, LAST_SEEN_KEY, ID_TOKEN_KEY):
        session.pop(key, None)


def forget_citizen_on_staff_login(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """user_logged_in: staff and citizen identities never share a session."""
    if request is not None and hasattr(request, "session"):
        forget_citizen(request.session)
