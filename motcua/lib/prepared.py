"""Prepared statements for the few hot statements that are long and always the same text.

Django binds parameters on the client and never prepares, so PostgreSQL parses and plans each
statement anew; for the counter's receipt (one statement of some ninety parameters,
``hoso.creation``) that was a third of its time. ``prepared_cursor()`` runs a statement bound on
the server instead, and psycopg prepares it on the connection the first time (the connection's
``prepare_threshold`` is 0, ``motcua.databases.database_settings``): later runs send only the
values, and once PostgreSQL settles on a generic plan (after five runs) they skip the planning too.
With ``DB_PREPARED=0`` (a transaction-mode pooler that does not carry prepared statements) or on
SQLite it is Django's usual cursor, with the same result.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

import psycopg
from django.db import connections
from django.db.backends.postgresql.base import CursorDebugWrapper
from django.db.backends.utils import CursorWrapper

_PLACEHOLDER = re.compile(r"%(.?)", re.DOTALL)


@lru_cache(maxsize=128)  # a handful of texts (the receipt's shapes); psycopg keeps 100 prepared
def numbered(sql: str) -> str:
    """Django's ``%s`` placeholders as PostgreSQL's ``$1``, ``$2``…, ``%%`` as ``%``; once per text."""
    count = 0

    def one(match: re.Match[str]) -> str:
        nonlocal count
        if match.group(1) == "%":
            return "%"
        if match.group(1) != "s":
            raise ValueError(f"only %s placeholders and %% are supported, not %{match.group(1)}")
        count += 1
        return f"${count}"

    return _PLACEHOLDER.sub(one, sql)


class _NumberedCursor(psycopg.RawCursor):  # type: ignore[type-arg]
    """psycopg's raw cursor (server-side binding, ``$n`` placeholders taken as they are) fed Django's
    ``%s`` text: the numbering is done once per text, where psycopg's own cursor would parse a
    statement of more than 50 parameters again on every run (its cache stops there)."""

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> Any:
        return super().execute(numbered(query), params, **kwargs)

    def executemany(self, query: Any, params_seq: Any, **kwargs: Any) -> Any:
        return super().executemany(numbered(query), params_seq, **kwargs)


class LoggedAsWritten(CursorDebugWrapper):
    """Django's query log (DEBUG, tests' query capture) with the statement as written: psycopg keeps
    no text of the last query for a prepared statement, so Django's own would log None."""

    def execute(self, sql: str, params: Any = None) -> Any:
        with self.debug_sql(sql, params):
            return CursorWrapper.execute(self, sql, params)


def prepared_cursor(using: str = "default") -> Any:
    """A cursor (use it as ``with``) whose statements stay prepared on this connection; elsewhere
    the usual cursor. Django's cursor wrapper (execute wrappers, error translation, query log) around
    a server-binding cursor instead of Django's client-binding one; the statement is written as for
    any Django cursor (``%s`` placeholders, ``%%`` for a literal percent sign)."""
    connection = connections[using]
    if connection.vendor != "postgresql" or connection.settings_dict["OPTIONS"].get("prepare_threshold") is None:
        return connection.cursor()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    cursor = _NumberedCursor(connection.connection)
    return LoggedAsWritten(cursor, connection) if connection.queries_logged else connection.make_cursor(cursor)
