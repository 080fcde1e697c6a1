"""Database connections: one primary, optionally a read replica for reports and exports.

``database_settings`` turns a ``postgres://`` URL into Django's settings: a persistent connection
per thread checked before reuse (``DB_CONN_MAX_AGE`` seconds, 600 by default), or, with
``DB_POOL=1``, a psycopg pool per process (``DB_POOL_MIN``, ``DB_POOL_MAX``, ``DB_POOL_TIMEOUT``).

Prepared statements (``motcua.lib.prepared``): on by default, the connection's ``prepare_threshold``
is 0, which only the server-binding cursor of ``prepared_cursor()`` acts on (Django's own cursors
bind on the client and never prepare). ``DB_PREPARED=0`` turns it off, for a transaction-mode pooler
that does not carry prepared statements (PgBouncer before 1.21, or without
``max_prepared_statements``); those statements then run unprepared, with the same result.

The replica (``REPLICA_DATABASE_URL``, off by default) only serves reads that ask for it: code that
compiles figures or writes an export runs them inside ``reading_from_replica()``. Everything else
— the desk's screens, the workflow, anything that reads what it has just written — stays on the
primary, so a replica's lag never shows a clerk stale data. ``MOTCUA_READ_REPLICA`` (on when a
replica is configured) lets an operator send those reads back to the primary without a restart of
the database side, e.g. while the replica is rebuilt.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any

import dj_database_url
from django.conf import settings

from motcua.lib.env import env_bool, env_int

REPLICA = "replica"

_replica_reads: contextvars.ContextVar[bool] = contextvars.ContextVar("motcua_replica_reads", default=False)


def database_settings(url: str, environ: Mapping[str, str]) -> dict[str, Any]:
    pooled = env_bool("DB_POOL", False, environ)
    config: dict[str, Any] = dict(
        dj_database_url.parse(
            url,
            conn_max_age=0 if pooled else env_int("DB_CONN_MAX_AGE", 600, environ),
            conn_health_checks=not pooled,
        )
    )
    if env_bool("DB_PREPARED", True, environ):
        # Only server-binding cursors prepare (prepared_cursor); Django's own client-binding
        # cursors never do, whatever this says.
        config.setdefault("OPTIONS", {})["prepare_threshold"] = 0
    if pooled:
        config.setdefault("OPTIONS", {})["pool"] = {
            "min_size": env_int("DB_POOL_MIN", 2, environ),
            "max_size": env_int("DB_POOL_MAX", 10, environ),
            "timeout": env_int("DB_POOL_TIMEOUT", 10, environ),
        }
    return config


@contextmanager
def reading_from_replica() -> Iterator[None]:
    """Reads inside the block go to the replica when one is configured and enabled."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def replica_in_use() -> bool:
    return bool(getattr(settings, "MOTCUA_READ_REPLICA", False)) and REPLICA in settings.DATABASES


class ReplicaRouter:
    """Routes the reads of ``reading_from_replica()`` blocks; writes and migrations stay on default."""

    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        if _replica_reads.get() and replica_in_use():
            return REPLICA
        return None

    def db_for_write(self, model: Any, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool | None:
        return True  # the replica holds the same rows as the primary

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        return db != REPLICA
