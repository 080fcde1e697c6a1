"""A fixed-window request limit per client address, kept in the Django cache (Redis in production)."""

from __future__ import annotations

import functools
import logging
import re
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

_RATE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rate:
    requests: int
    seconds: int

    @classmethod
    def parse(cls, text: str, *, default: str | None = None) -> Rate:
        """'30/10m' → 30 requests per 10 minutes; '60/h', '5/30s', '500/d'.

        An unreadable ``text`` (or a zero count or window) raises ValueError, or, with
        ``default``, is logged once and replaced by it: a mistyped setting must not turn every
        public request into an error page.
        """
        return _parse(text or "", default)

    def retry_after(self, now: float | None = None) -> int:
        """Seconds until the current window ends (the 429 answer's Retry-After)."""
        now = time.time() if now is None else now
        return max(1, int(self.seconds - now % self.seconds))


@functools.lru_cache(maxsize=32)
def _parse(text: str, default: str | None) -> Rate:
    match = _RATE.match(text)
    if not match or int(match.group(1)) < 1 or int(match.group(2) or 1) < 1:
        if default is not None:
            logger.warning("Rate limit %r is unreadable; using %r.", text, default)
            return _parse(default, None)
        raise ValueError(f"Giới hạn truy cập “{text}” không đúng dạng, ví dụ 30/10m.")
    count, multiple, unit = match.groups()
    return Rate(int(count), int(multiple or 1) * _UNIT_SECONDS[unit])


def client_address(request: HttpRequest) -> str:
    """The client's address; behind a trusted proxy, the last X-Forwarded-For entry — the one the
    proxy itself appended. Earlier entries come from the client and can be made up at will."""
    if getattr(settings, "MOTCUA_TRUST_X_FORWARDED_FOR", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded.strip():
            return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def allow(request: HttpRequest, scope: str, rate: str | Rate) -> bool:
    """Count this request against `rate` for (scope, client); False once the window is full."""
    limit = rate if isinstance(rate, Rate) else Rate.parse(rate)
    window = int(time.time() // limit.seconds)
    key = f"ratelimit:{scope}:{client_address(request)}:{window}"
    try:
        count = cache.incr(key)  # one round trip in the common case
    except ValueError:  # the window's first request: create the counter
        # If another request created it meanwhile, add() fails and we count on top of it.
        count = 1 if cache.add(key, 1, timeout=limit.seconds + 5) else cache.incr(key)
    return count <= limit.requests
