"""Django's Redis cache, made so that a Redis outage slows nothing and breaks nothing.

* **One client per pool.** Django builds a new ``redis.Redis`` object for every cache operation;
  with redis-py 8 building one costs about 0.2 ms (it fills its table of response callbacks), more
  than the round trip itself. A client is thread-safe over its pool, so one per pool is enough.
* **Short timeouts, no retries.** ``socket_connect_timeout`` / ``socket_timeout`` default to
  0.25 s / 0.5 s (settings ``CACHE_CONNECT_TIMEOUT``, ``CACHE_SOCKET_TIMEOUT``); redis-py does not
  retry a pool-made connection.
* **A circuit breaker per Redis server, shared by the threads of a process.** A connection error
  or a timeout opens it for ``CIRCUIT_SECONDS`` (default 30): meanwhile the cache is not asked at
  all — reads miss (callers fall back to the database), writes are dropped — so a dead Redis
  costs one timeout per process per period, not one per request. The outage is logged once
  (a warning when the breaker opens, an info line when Redis answers again), not per request.
* **Dropped writes are undone on recovery.** The keys whose write or delete was dropped are
  deleted when Redis answers again: an invalidation made during the outage (a calendar edit, a
  dossier event) is not undone by the old value that survived in Redis. Reading a deleted key
  only costs a rebuild.

Only ``ConnectionError`` and ``TimeoutError`` count as "Redis unavailable"; any other Redis error
(a wrong type, a script error) is a bug and is raised as usual.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Generic, TypeVar

from django.core.cache import cache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

UNAVAILABLE: tuple[type[BaseException], ...] = (RedisConnectionError, RedisTimeoutError)
DEFAULT_CONNECT_TIMEOUT = 0.25
DEFAULT_SOCKET_TIMEOUT = 0.5
DEFAULT_CIRCUIT_SECONDS = 30.0
#: At most this many dropped keys are remembered per server; beyond, they expire by themselves.
MAX_LOST_KEYS = 10_000


class CircuitBreaker:
    """Whether a Redis server may be asked now; one per server and process (``breaker_for``)."""

    def __init__(self, name: str, open_seconds: float = DEFAULT_CIRCUIT_SECONDS) -> None:
        self.name = name
        self.open_seconds = open_seconds
        self.down_since: float | None = None  # time.time() of the first failure of this outage
        self.last_error = ""
        self._open_until = 0.0  # time.monotonic()
        self._lost: set[Any] = set()
        self._lost_overflow = False
        self._lock = threading.Lock()

    @property
    def down(self) -> bool:
        return self.down_since is not None

    def allows(self) -> bool:
        """False while open; once the period is over, callers try again (and re-open it on failure)."""
        return time.monotonic() >= self._open_until

    def failed(self, exc: BaseException) -> None:
        with self._lock:
            self._open_until = time.monotonic() + self.open_seconds
            self.last_error = f"{type(exc).__name__}: {exc}"[:300]
            if self.down_since is None:
                self.down_since = time.time()
                logger.warning(
                    "Redis %s unreachable (%s): working without it, next try in %.0f s.",
                    self.name,
                    self.last_error,
                    self.open_seconds,
                )

    def succeeded(self) -> None:
        """Close the breaker (Redis answered); logged once per outage."""
        with self._lock:
            if self.down_since is None:
                return
            lasted = time.time() - self.down_since
            self.down_since = None
            self._open_until = 0.0
        logger.info("Redis %s answers again after %.0f s.", self.name, lasted)

    def take_lost(self) -> list[Any]:
        """The dropped keys, forgotten here (the caller deletes them or gives them back)."""
        with self._lock:
            lost, self._lost, self._lost_overflow = list(self._lost), set(), False
        return lost

    def lose(self, keys: Iterable[Any]) -> None:
        """Remember keys whose write was dropped (deleted on recovery)."""
        with self._lock:
            for key in keys:
                if len(self._lost) >= MAX_LOST_KEYS:
                    if not self._lost_overflow:
                        self._lost_overflow = True
                        logger.warning("Redis %s: over %s dropped keys, the rest expire.", self.name, MAX_LOST_KEYS)
                    return
                self._lost.add(key)


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def breaker_for(server: str, open_seconds: float = DEFAULT_CIRCUIT_SECONDS) -> CircuitBreaker:
    """The process-wide breaker of a Redis URL (Django makes one cache object per thread)."""
    with _breakers_lock:
        breaker = _breakers.get(server)
        if breaker is None:
            breaker = _breakers[server] = CircuitBreaker(_public_name(server), open_seconds)
        return breaker


def _public_name(url: str) -> str:
    """The URL without its password, for logs and /healthz."""
    scheme, sep, rest = url.partition("://")
    if "@" in rest:
        rest = rest.rsplit("@", 1)[1]
    return f"{scheme}{sep}{rest}"


class ResilientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, breaker: CircuitBreaker, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.breaker = breaker
        self._clients: dict[int, Any] = {}

    def get_client(self, key: Any = None, *, write: bool = False) -> Any:
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client

    def decode(self, raw: bytes) -> Any:
        """A value as stored by this cache (read by a script of our own rather than by ``get``)."""
        return self._serializer.loads(raw)

    def guarded(self, call: Callable[[], Any], fallback: Callable[[], Any], keys: Iterable[Any] = ()) -> Any:
        """``call()`` unless Redis is known to be down or fails now; then ``fallback()``.

        ``keys`` are the keys ``call`` writes: remembered when the write is dropped. The first call
        after an outage first deletes the keys dropped meanwhile, so it cannot read a stale one.
        """
        breaker = self.breaker
        if breaker.allows():
            try:
                if breaker.down:
                    self._recover()
                return call()
            except UNAVAILABLE as exc:
                breaker.failed(exc)
        breaker.lose(keys)
        return fallback()

    def _recover(self) -> None:
        """Delete the keys dropped during the outage (or just ping); raises while Redis is away."""
        lost = self.breaker.take_lost()
        try:
            client = self.get_client(write=True)
            client.ping()
            for start in range(0, len(lost), 500):
                client.delete(*lost[start : start + 500])
        except UNAVAILABLE:
            self.breaker.lose(lost)
            raise
        self.breaker.succeeded()

    def ping(self) -> None:
        """Ask Redis now, whatever the breaker says (the health check); raises when unavailable."""
        try:
            if self.breaker.down:
                self._recover()  # pings, and deletes the keys dropped meanwhile
            else:
                self.get_client(write=True).ping()
        except UNAVAILABLE as exc:
            self.breaker.failed(exc)
            raise

    # Each operation of Django's client, with what it answers when Redis is away.
    def add(self, key: Any, value: Any, timeout: Any) -> bool:
        return self.guarded(lambda: super(ResilientRedisCacheClient, self).add(key, value, timeout), _false, [key])

    def get(self, key: Any, default: Any) -> Any:
        return self.guarded(lambda: super(ResilientRedisCacheClient, self).get(key, default), lambda: default)

    def set(self, key: Any, value: Any, timeout: Any) -> None:
        return self.guarded(lambda: super(ResilientRedisCacheClient, self).set(key, value, timeout), _none, [key])

    def touch(self, key: Any, timeout: Any) -> bool:
        return self.guarded(lambda: super(ResilientRedisCacheClient, self).touch(key, timeout), _false, [key])

    def delete(self, key: Any) -> bool:
        return self.guarded(lambda: super(ResilientRedisCacheClient, self).delete(key), _false, [key])

    def get_many(self, keys: Any) -> dict[Any, Any]:
        return self.guarded(lambda: super(ResilientRedisCacheClient, self).get_many(keys), dict)

    def has_key(self, key: Any) -> bool:
        return self.guarded(lambda: super(ResilientRedisCacheClient, self).has_key(key), _false)

    def incr(self, key: Any, delta: int) -> int:
        def missing() -> int:
            raise ValueError(f"Key '{key}' not found (cache unavailable).")

        return self.guarded(lambda: super(ResilientRedisCacheClient, self).incr(key, delta), missing, [key])

    def set_many(self, data: dict[Any, Any], timeout: Any) -> None:
        return self.guarded(lambda: super(ResilientRedisCacheClient, self).set_many(data, timeout), _none, list(data))

    def delete_many(self, keys: Any) -> None:
        keys = list(keys)
        return self.guarded(lambda: super(ResilientRedisCacheClient, self).delete_many(keys), _none, keys)

    def clear(self) -> bool:
        return self.guarded(lambda: super(ResilientRedisCacheClient, self).clear(), _false)


def _false() -> bool:
    return False


def _none() -> None:
    return None


class ResilientRedisCache(RedisCache):
    """``CACHES["default"]`` with Redis: see the module docstring.

    OPTIONS: ``CIRCUIT_SECONDS`` (breaker), and anything redis-py's pool takes
    (``socket_connect_timeout``, ``socket_timeout``… defaults 0.25 s / 0.5 s).
    """

    def __init__(self, server: str, params: dict[str, Any]) -> None:
        options = dict(params.get("OPTIONS") or {})
        open_seconds = float(options.pop("CIRCUIT_SECONDS", DEFAULT_CIRCUIT_SECONDS))
        options.setdefault("socket_connect_timeout", DEFAULT_CONNECT_TIMEOUT)
        options.setdefault("socket_timeout", DEFAULT_SOCKET_TIMEOUT)
        super().__init__(server, {**params, "OPTIONS": options})
        self.breaker = breaker_for(self._servers[0], open_seconds)
        self._class = ResilientRedisCacheClient
        self._options = {**options, "breaker": self.breaker}

    @property
    def client(self) -> ResilientRedisCacheClient:
        """The guarded client (for the rate limiter's script and the health check)."""
        return self._cache


# -- version tokens of what processes keep for themselves (calendars, offers) -----------------------
# Keys registered by the modules that keep data (``version_key``): a request reads all of them in
# one round trip the first time it needs one, then holds them (``versions_held``).
_VERSION_KEYS: set[str] = set()
K = TypeVar("K")
V = TypeVar("V")
_held: ContextVar[dict[str, str] | None] = ContextVar("motcua_versions_held", default=None)


def version_key(key: str) -> str:
    """Register ``key`` as a version token's key (so a request reads it with the others); returns it."""
    _VERSION_KEYS.add(key)
    return key


@contextmanager
def versions_held() -> Iterator[None]:
    """Within the block (one request: ``motcua.middleware.hold_versions``) every version token is
    read from the shared cache once, all in one round trip, and then reused: an edit committed by
    another process during the request is seen from the next request on, as if the request had read
    everything at its start. A ``bump_version`` inside the block is seen at once."""
    reset = _held.set({})
    try:
        yield
    finally:
        _held.reset(reset)


def version_token(key: str) -> str:
    """The shared token of data each process keeps in memory; a kept copy is current while its
    token equals this one.

    A random token rather than a counter: if the cache is flushed or the key evicted, a new token
    appears and no process can mistake an old copy for a current one. With the shared cache
    unavailable no process can learn of an edit, so nothing kept is trusted: a fresh token (which
    matches no kept copy) sends every call to the database.
    """
    held = _held.get()
    if held is None:
        return _read_tokens([key])[key]
    if key not in held:
        held.update(_read_tokens(sorted(_VERSION_KEYS | {key})))
    return held[key]


def _read_tokens(keys: list[str]) -> dict[str, str]:
    found = cache.get_many(keys)
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        for key in missing:
            cache.add(key, uuid.uuid4().hex, timeout=None)
        found.update(cache.get_many(missing))
    return {key: uuid.uuid4().hex if found.get(key) is None else str(found[key]) for key in keys}


class Kept(Generic[K, V]):
    """Values a process keeps for itself, each with the version token it was read under; the least
    recently used are dropped beyond ``limit``. Thread-safe; the values are shared between requests,
    so callers read them and never change them."""

    MISSING: Any = object()

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self._items: OrderedDict[K, tuple[str, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K, version: str) -> Any:
        """The value kept for ``key`` under ``version``, else ``Kept.MISSING``."""
        with self._lock:
            hit = self._items.get(key)
            if hit is None or hit[0] != version:
                return Kept.MISSING
            self._items.move_to_end(key)
            return hit[1]

    def put(self, key: K, version: str, value: V) -> None:
        with self._lock:
            self._items[key] = (version, value)
            self._items.move_to_end(key)
            while len(self._items) > self.limit:
                self._items.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()


def bump_version(key: str) -> None:
    """Every process drops its kept copies of the data behind ``key`` (call after commit of an edit)."""
    token = uuid.uuid4().hex
    cache.set(key, token, timeout=None)
    held = _held.get()
    if held is not None:
        held[key] = token
