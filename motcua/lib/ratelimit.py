"""A sliding-window request limit per client address (the public lookup and survey pages).

``check`` lets a request through when fewer than ``rate.requests`` requests of the same scope and
client were let through in the last ``rate.seconds`` — in *any* window of that length, so a burst
straddling the boundary of a clock window cannot double the limit (the fixed window it replaces
let 120 requests through in 15 s for "60/10m"). Refused requests are not counted: a client that
keeps knocking gets in again as soon as its oldest request leaves the window, and ``retry_after``
says exactly when.

Where the log lives:

* Redis configured (production): one sorted set per scope and client, trimmed, counted and
  appended by one Lua script, so concurrent web processes share the limit exactly.
* No Redis (a laptop, the tests): in the process's own cache.
* **Redis unavailable** (the breaker of ``motcua.lib.cache`` is open, or the script fails to reach
  it): each web process falls back to its own in-memory log. The limit then holds per process —
  at most ``requests × web processes`` per window from one address (4 with the default gunicorn
  setup) — never unlimited, and nobody is refused because Redis is away.

``check_and_read`` does the same and reads one entry of the default cache with it: with Redis, in the
script's one round trip (the public lookup reads its cached page so: one round trip a request, not two).

Client addresses are stored as a digest only.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import math
import re
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.base import BaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest

from .cache import ResilientRedisCache, ResilientRedisCacheClient

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
        """Seconds until the current clock window ends (a coarse hint; ``check`` answers exactly)."""
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


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int = 0  # seconds until a request would be let through (0 when allowed)


# KEYS[1]: the log; KEYS[2] (optional): a cache entry to read when the request is let through.
# ARGV: now (ms), window (ms), limit, a unique member. Returns {allowed, wait ms, the entry or nil}.
SLIDING_WINDOW_LUA = """
local now = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
if redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[3]) then
  redis.call('ZADD', KEYS[1], now, ARGV[4])
  redis.call('PEXPIRE', KEYS[1], window)
  if KEYS[2] then
    return {1, 0, redis.call('GET', KEYS[2])}
  end
  return {1, 0}
end
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
return {0, tonumber(oldest[2]) + window - now}
"""

# The in-process logs used when Redis is unavailable (bounded: least recently used dropped first).
_fallback = LocMemCache("motcua-ratelimit-fallback", {"TIMEOUT": None, "OPTIONS": {"MAX_ENTRIES": 20_000}})
_local_lock = threading.Lock()
_scripts: dict[int, Any] = {}


def check(request: HttpRequest, scope: str, rate: str | Rate) -> Decision:
    """Count this request against ``rate`` for (scope, client) unless the window is full."""
    return check_and_read(request, scope, rate)[0]


def check_and_read(
    request: HttpRequest, scope: str, rate: str | Rate, cache_key: str | None = None
) -> tuple[Decision, Any]:
    """``check``, and the default cache's value for ``cache_key`` when the request is let through
    (None when refused, missing, or Redis unavailable). With Redis both are one round trip."""
    limit = rate if isinstance(rate, Rate) else Rate.parse(rate)
    digest = hashlib.sha256(client_address(request).encode()).hexdigest()[:24]
    key = f"ratelimit:v2:{scope}:{digest}"
    now = time.time()
    backend = caches["default"]
    if not isinstance(backend, ResilientRedisCache):
        decision = _local(backend, key, limit, now)
        return decision, backend.get(cache_key) if cache_key is not None and decision.allowed else None
    client = backend.client
    raw_key = backend.make_key(key)
    read = None if cache_key is None else backend.make_and_validate_key(cache_key)
    return client.guarded(
        lambda: _redis(client, raw_key, limit, now, read),
        lambda: (_local(_fallback, key, limit, now), None),
    )


def _redis(
    client: ResilientRedisCacheClient, key: str, limit: Rate, now: float, read: str | None = None
) -> tuple[Decision, Any]:
    redis_client = client.get_client(write=True)
    script = _scripts.get(id(redis_client))
    if script is None:
        script = _scripts[id(redis_client)] = redis_client.register_script(SLIDING_WINDOW_LUA)
    member = f"{now:.6f}:{uuid.uuid4().hex[:8]}"
    keys = [key] if read is None else [key, read]
    allowed, wait_ms, *entry = script(keys=keys, args=[int(now * 1000), limit.seconds * 1000, limit.requests, member])
    if not allowed:
        return Decision(False, max(1, math.ceil(int(wait_ms) / 1000))), None
    raw = entry[0] if entry else None
    return Decision(True), None if raw is None else client.decode(raw)


def _local(store: BaseCache, key: str, limit: Rate, now: float) -> Decision:
    """The same sliding log, kept in a per-process cache (atomic within the process)."""
    with _local_lock:
        log = [t for t in store.get(key, ()) if t > now - limit.seconds]
        allowed = len(log) < limit.requests
        if allowed:
            log.append(now)
        store.set(key, log, timeout=limit.seconds + 1)
    if allowed:
        return Decision(True)
    return Decision(False, max(1, math.ceil(log[0] + limit.seconds - now)))


def reset_fallback() -> None:
    """Forget the in-process logs used while Redis is unavailable (tests, drills)."""
    _fallback.clear()
