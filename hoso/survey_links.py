"""Survey link tokens: issued by the transition that makes a dossier ratable, only read elsewhere.

A dossier gets its link token (``SurveyToken`` channel ``link``) when its result becomes ready or
is returned (``issue_token``, called from ``workflow._transition``), or when it is imported or
migrated already in that state (``issue_missing_tokens``, one bulk insert). The lookup page, the
return slip and the result-ready message only read it (``survey_link``): no token, no link, and
never a write on a read. The link opens the vote once the dossier is returned, until
``LINK_VALIDITY`` after the return.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from .constants import Status, SurveyChannel
from .models import Dossier, SurveyToken

LINK_VALIDITY = timedelta(days=14)
# A link sent with the result-ready notification exists before the return; its row carries this
# outer bound, and the effective expiry is the earlier of it and returned_at + LINK_VALIDITY.
LINK_PENDING_RETURN_BOUND = timedelta(days=90)
RATEABLE_LINK_STATUSES = (Status.RESULT_READY, Status.RETURNED)


def new_token_string() -> str:
    return secrets.token_urlsafe(24)  # 32 characters, 192 bits: not guessable


def effective_expiry(token: SurveyToken, dossier: Dossier) -> datetime:
    """When `token` stops working: its row's bound; a link also ends LINK_VALIDITY after the return."""
    if token.channel == SurveyChannel.LINK and dossier.returned_at is not None:
        return min(token.expires_at, dossier.returned_at + LINK_VALIDITY)
    return token.expires_at


def survey_url(token: str) -> str:
    """The absolute public URL of a link token (settings.MOTCUA_PUBLIC_URL + /danh-gia/<token>/)."""
    return settings.MOTCUA_PUBLIC_URL + reverse("survey_public", kwargs={"token": token})


def live_token(dossier: Dossier, *, now: datetime | None = None) -> SurveyToken | None:
    """The dossier's live link token, or None (read only: never creates one)."""
    now = now or timezone.now()
    if dossier.status not in RATEABLE_LINK_STATUSES:
        return None
    candidates = SurveyToken.objects.filter(
        dossier=dossier, channel=SurveyChannel.LINK, used_at__isnull=True, expires_at__gt=now
    ).order_by("-created_at")
    for candidate in candidates[:3]:
        if now <= effective_expiry(candidate, dossier):
            return candidate
    return None


def survey_link(dossier: Dossier, *, now: datetime | None = None) -> str:
    """The absolute survey URL of the dossier's live link token; empty when it has none (read only)."""
    token = live_token(dossier, now=now)
    return survey_url(token.token) if token else ""


def _expiry(dossier: Dossier, now: datetime) -> datetime | None:
    """The bound of a link token issued now; None once the 14 days after the return have passed."""
    if dossier.returned_at is None:
        return now + LINK_PENDING_RETURN_BOUND
    expires_at = dossier.returned_at + LINK_VALIDITY
    return expires_at if expires_at > now else None


def issue_token(dossier: Dossier, *, now: datetime | None = None) -> SurveyToken | None:
    """The dossier's live link token, issued when it has none; None when it cannot be rated by link.

    Called by the transitions that make a dossier ratable (result ready, returned); reuses a live
    token, so calling twice is harmless.
    """
    now = now or timezone.now()
    if dossier.status not in RATEABLE_LINK_STATUSES:
        return None
    live = live_token(dossier, now=now)
    if live is not None:
        return live
    expires_at = _expiry(dossier, now)
    if expires_at is None:
        return None
    token = SurveyToken(
        dossier=dossier, token=new_token_string(), channel=SurveyChannel.LINK, created_at=now, expires_at=expires_at
    )
    token.full_clean()
    token.save()
    return token


def issue_missing_tokens(dossiers: QuerySet[Dossier], *, now: datetime | None = None) -> int:
    """Issue a link token to each ratable, unrated dossier of `dossiers` without a live one (one bulk insert).

    For dossiers created already result-ready or returned (import). Returns the number issued.
    """
    now = now or timezone.now()
    live = SurveyToken.objects.filter(
        dossier=OuterRef("pk"), channel=SurveyChannel.LINK, used_at__isnull=True, expires_at__gt=now
    )
    candidates = (
        dossiers.filter(status__in=RATEABLE_LINK_STATUSES, rating__isnull=True)
        .filter(Q(returned_at__isnull=True) | Q(returned_at__gt=now - LINK_VALIDITY))
        .exclude(Exists(live))
        .only("pk", "returned_at")
    )
    tokens = []
    for dossier in candidates:
        expires_at = _expiry(dossier, now)
        if expires_at is not None:
            tokens.append(
                SurveyToken(
                    dossier=dossier,
                    token=new_token_string(),
                    channel=SurveyChannel.LINK,
                    created_at=now,
                    expires_at=expires_at,
                )
            )
    SurveyToken.objects.bulk_create(tokens, batch_size=1000)
    return len(tokens)
