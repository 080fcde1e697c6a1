"""The checks behind /healthz: database (required), cache and broker (the portal runs without them).

``full_report`` adds what an operator wants and a load balancer does not (docs/operations.md):
a Celery worker answering a ping, beat's last heartbeat, the read replica's lag, and the backlogs of the national-link
outbox and of the notifications. It is slower (up to a second waiting for a worker) and is only
served to staff or with the health token.

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

from django.apps import apps
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, connection, connections
from django.db.models import Count, Min
from django.utils import timezone

from motcua.celery import app as celery_app

from ..models import Heartbeat
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


def _eager() -> bool:
    """Tasks run in this process (no broker, or the Celery app says so): no worker or beat to ask."""
    return (
        not settings.CELERY_BROKER_URL
        or bool(getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False))
        or bool(celery_app.conf.task_always_eager)
    )


def check_worker() -> dict[str, Any]:
    """A worker answers a broadcast ping within MOTCUA_HEALTH_WORKER_TIMEOUT (the first reply ends the wait)."""
    if _eager():
        return {"status": "eager"}
    try:
        replies = celery_app.control.ping(timeout=settings.MOTCUA_HEALTH_WORKER_TIMEOUT, limit=1)
    except Exception as exc:
        logger.warning("Health check: no worker ping (%s: %s)", type(exc).__name__, exc)
        return {"status": "down"}
    return {"status": "ok", "workers": len(replies)} if replies else {"status": "down", "workers": 0}


def check_beat(now: datetime | None = None) -> dict[str, Any]:
    """Beat's last heartbeat (``motcua.tasks.heartbeat``, every minute): stale after MOTCUA_HEALTH_BEAT_STALE."""
    if _eager():
        return {"status": "eager"}
    beat = Heartbeat.objects.filter(name="beat").first()
    if beat is None:
        return {"status": "down", "last_run": None}
    age = ((now or timezone.now()) - beat.at).total_seconds()
    status = "ok" if age <= settings.MOTCUA_HEALTH_BEAT_STALE else "down"
    return {"status": status, "last_run": beat.at.isoformat(), "age_seconds": int(age)}


def _backlog(model_label: str, waiting: dict[str, Any], since: str, now: datetime) -> dict[str, Any]:
    """Rows waiting to be sent: how many, and how long the oldest has waited (``late`` past the limit)."""
    model = apps.get_model(model_label)
    row = model.objects.filter(**waiting).aggregate(count=Count("pk"), oldest=Min(since))
    age = int((now - row["oldest"]).total_seconds()) if row["oldest"] else 0
    return {
        "status": "late" if age > settings.MOTCUA_HEALTH_BACKLOG_STALE else "ok",
        "waiting": row["count"],
        "oldest_age_seconds": age,
    }


def check_outbox(now: datetime | None = None) -> dict[str, Any]:
    """The national-link outbox: rows not yet acknowledged nor given up (pending, or claimed)."""
    return _backlog("lienthong.OutboxEntry", {"state__in": ["pending", "sent"]}, "created_at", now or timezone.now())


def check_notifications(now: datetime | None = None) -> dict[str, Any]:
    """Messages to applicants still waiting to be sent."""
    return _backlog("hoso.Notification", {"status": "pending"}, "created_at", now or timezone.now())


def check_replica() -> dict[str, Any]:
    """The read replica (``REPLICA_DATABASE_URL``): answering, and how far behind the primary it is
    (``late`` past MOTCUA_HEALTH_REPLICA_LAG seconds; reports read from it, docs/deployment.md)."""
    if "replica" not in settings.DATABASES:
        return {"status": "none"}
    if not getattr(settings, "MOTCUA_READ_REPLICA", False):
        return {"status": "off"}  # configured, but reports read the primary (MOTCUA_READ_REPLICA=0)
    try:
        with connections["replica"].cursor() as cursor:
            cursor.execute(
                "SELECT CASE WHEN pg_is_in_recovery() "
                "THEN COALESCE(EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()), 0) ELSE 0 END"
            )
            lag = float(cursor.fetchone()[0])
    except DatabaseError:
        logger.warning("Health check: the read replica does not answer", exc_info=True)
        return {"status": "down"}
    return {"status": "late" if lag > settings.MOTCUA_HEALTH_REPLICA_LAG else "ok", "lag_seconds": round(lag, 1)}


def full_report() -> tuple[dict[str, Any], int]:
    """`report` plus the worker, beat and the backlogs; the same HTTP status rule (503 only without a database)."""
    body, status = report()
    if status != 200:
        return body, status
    components = body["components"]
    components["worker"] = check_worker()
    components["replica"] = check_replica()
    try:
        components["beat"] = check_beat()
        components["outbox"] = check_outbox()
        components["notifications"] = check_notifications()
    except DatabaseError:
        logger.exception("Health check: the database failed during the full check")
        return {"status": "down", "components": components}, 503
    fine = {"ok", "eager", "local", "none", "off"}
    body["status"] = "ok" if all(part["status"] in fine for part in components.values()) else "degraded"
    return body, 200
