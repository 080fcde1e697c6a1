"""Login throttling with django-axes: failures counted per username and per client address in the
database (not the cache: the lockout holds when Redis is down), a Vietnamese lockout page.

Settings (motcua/settings.py, "Login throttling"): ``AXES_FAILURE_LIMIT`` failures for one username
lock that username; ``MOTCUA_LOGIN_FAILURES_PER_ADDRESS`` failures from one address (whatever the
usernames) lock that address; both for ``AXES_COOLOFF_TIME`` after the last counted failure.
"""

from __future__ import annotations

import ipaddress
import logging
import math
from datetime import datetime
from typing import Any

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username, get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from .lib.ratelimit import client_address

logger = logging.getLogger(__name__)


def client_ip(request: HttpRequest) -> str | None:
    """The address failures are counted against: the rate limiter's (which honours
    MOTCUA_TRUST_X_FORWARDED_FOR), or None when it is not an IP address (axes stores an IP field)."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None


class StaffLockoutHandler(AxesDatabaseHandler):
    """axes' database handler, with its own limit for each lockout parameter.

    axes compares one number (the largest failure count among AXES_LOCKOUT_PARAMETERS) with one
    limit. A ward's staff often share one public address, so the address gets a higher limit
    than a username: each count is scaled to the username's limit before the comparison
    (``count * user_limit // own_limit >= user_limit`` exactly when ``count >= own_limit``).
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        user_limit = get_failure_limit(request, credentials)
        counts = []
        for parameter, attempts in zip(
            settings.AXES_LOCKOUT_PARAMETERS, self.get_user_attempts(request, credentials), strict=True
        ):
            failures = attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
            own_limit = settings.MOTCUA_LOGIN_FAILURES_PER_ADDRESS if parameter == "ip_address" else user_limit
            counts.append(failures * user_limit // max(own_limit, 1))
        return max(counts, default=0)


def locked_until(request: HttpRequest, username: str | None, now: datetime) -> datetime:
    """When the lockout ends: the cool-off after the last counted failure of this username or address."""
    cool_off = get_cool_off(request)
    latest = (
        AccessAttempt.objects.filter(Q(username=username) | Q(ip_address=client_ip(request)))
        .filter(attempt_time__gte=now - cool_off)
        .aggregate(latest=Max("attempt_time"))["latest"]
    )
    return (latest or now) + cool_off


def locked_out(request: HttpRequest, response: HttpResponse | None = None, credentials: Any = None) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the login page again (staff or admin login), saying until when
    logins are refused, with 429 and Retry-After."""
    now = timezone.now()
    username = get_client_username(request, credentials)
    until = locked_until(request, username, now)
    minutes = max(1, math.ceil((until - now).total_seconds() / 60))
    logger.warning(
        "Tạm khóa đăng nhập: tài khoản %r, địa chỉ %s, đến %s.", username, client_ip(request), until.isoformat()
    )
    context = {
        "locked_until": timezone.localtime(until),
        "locked_minutes": minutes,
        "username_value": username or "",
        "next": request.POST.get("next", request.GET.get("next", "")),
    }
    locked = render(request, "registration/login.html", context, status=429)
    locked["Retry-After"] = str(max(1, math.ceil((until - now).total_seconds())))
    return locked
