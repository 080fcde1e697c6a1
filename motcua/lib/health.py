"""The checks behind /healthz: database (required), cache and broker (the portal runs without them).

Each check answers within about a second even when its service hangs (short socket timeouts) and
never raises. The broker is probed through the Celery app's own connection, so the probe uses the
timeouts set in motcua/settings.py ("Celery: reliability") and none of its own. A component's
status is ``ok``, ``down``, or a word saying it is not used here (``local``: a per-process cache;
``eager``: no broker, tasks run in the web process).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection

from motcua.celery import app as celery_app

from .cache import UNAVAILABLE, ResilientRedisCache

logger = logging.getLogger(__name__)

#: Components the portal cannot serve without: /healthz answers 503 when one is down.
REQUIRED = frozenset({"database"})


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
        # One attempt, with the broker's configured connect and socket timeouts (Redis: a PING).
        with celery_app.connection_for_write(url) as conn:
            conn.ensure_connection(max_retries=0)
    except Exception as exc:
        logger.warning("Health check: the broker does not answer (%s: %s)", type(exc).__name__, exc)
        return {"status": "down"}
    return {"status": "ok"}


def report() -> tuple[dict[str, Any], int]:
    """The /healthz body and its HTTP status (200, or 503 when a required component is down)."""
    components = {"database": check_database(), "cache": check_cache(), "broker": check_broker()}
    down = {name for name, part in components.items() if part["status"] == "down"}
    if down & REQUIRED:
        return {"status": "down", "components": components}, 503
    return {"status": "degraded" if down else "ok", "components": components}, 200
