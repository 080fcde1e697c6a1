"""The checks behind /healthz: database (required), cache and broker (the portal runs without them).

Each check answers within about a second even when its service hangs (short socket timeouts) and
never raises. A component's status is ``ok``, ``down``, or a word saying it is not used here
(``local``: a per-process cache; ``eager``: no broker, tasks run in the web process).
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection

from .cache import UNAVAILABLE, ResilientRedisCache

logger = logging.getLogger(__name__)

#: Components the portal cannot serve without: /healthz answers 503 when one is down.
REQUIRED = frozenset({"database"})
BROKER_CONNECT_TIMEOUT = 0.25
BROKER_SOCKET_TIMEOUT = 0.5

_broker_clients: dict[str, Any] = {}
_broker_lock = threading.Lock()


def check_database() -> dict[str, Any]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        logger.exception("Health check: the database does not answer")
        return {"status": "down", "vendor": connection.vendor}
    return {"status": "ok", "vendor": connection.vendor}


def check_cache() -> dict[str, Any]:
    backend = caches["default"]
    if not isinstance(backend, ResilientRedisCache):
        return {"status": "local"}
    try:
        backend.client.ping()
    except UNAVAILABLE:
        since = backend.breaker.down_since
        return {"status": "down", "down_since": datetime.fromtimestamp(since, tz=UTC).isoformat() if since else None}
    return {"status": "ok"}


def check_broker() -> dict[str, Any]:
    url = settings.CELERY_BROKER_URL
    if not url or getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return {"status": "eager"}
    try:
        if url.startswith(("redis://", "rediss://", "unix://")):
            _redis_client(url).ping()
        else:  # another transport: let kombu try once
            from motcua.celery import app

            with app.connection_for_write() as conn:
                conn.ensure_connection(max_retries=1, timeout=1)
    except Exception as exc:
        logger.warning("Health check: the broker does not answer (%s: %s)", type(exc).__name__, exc)
        return {"status": "down"}
    return {"status": "ok"}


def _redis_client(url: str) -> Any:
    import redis

    with _broker_lock:
        client = _broker_clients.get(url)
        if client is None:
            client = _broker_clients[url] = redis.Redis.from_url(
                url,
                socket_connect_timeout=BROKER_CONNECT_TIMEOUT,
                socket_timeout=BROKER_SOCKET_TIMEOUT,
                retry=None,
            )
        return client


def report() -> tuple[dict[str, Any], int]:
    """The /healthz body and its HTTP status (200, or 503 when a required component is down)."""
    components = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    down = {name for name, part in components.items() if part["status"] == "down"}
    if down & REQUIRED:
        return {"status": "down", "components": components}, 503
    return {"status": "degraded" if down else "ok", "components": components}, 200
