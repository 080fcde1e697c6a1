"""Connections: the pool setting, and reports/exports reading from a replica only when asked."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import connections
from django.test.utils import CaptureQueriesContext

from hoso.models import Dossier
from motcua.databases import REPLICA, ReplicaRouter, database_settings, reading_from_replica
from tests.conftest import need
from tests.factories import AgencyFactory


def test_persistent_connections_by_default_and_a_pool_when_asked():
    url = "postgres://motcua:secret@db.internal:6432/motcua"
    plain = database_settings(url, {})
    assert plain["CONN_MAX_AGE"] == 600 and plain["CONN_HEALTH_CHECKS"] is True
    assert "pool" not in plain.get("OPTIONS", {})
    pooled = database_settings(url, {"DB_POOL": "1", "DB_POOL_MAX": "20"})
    # Django's pool needs CONN_MAX_AGE 0; the pool keeps the connections instead.
    assert pooled["CONN_MAX_AGE"] == 0
    assert pooled["OPTIONS"]["pool"] == {"min_size": 2, "max_size": 20, "timeout": 10}
    assert (pooled["HOST"], pooled["PORT"], pooled["NAME"]) == ("db.internal", 6432, "motcua")


def test_prepared_statements_unless_turned_off_for_a_pooler():
    url = "postgres://motcua@db.internal/motcua"
    # psycopg prepares at once what a server-binding cursor runs (prepared_cursor); Django's
    # client-binding cursors never prepare.
    assert database_settings(url, {})["OPTIONS"]["prepare_threshold"] == 0
    for off in ("0", "off", "false", " NO "):
        assert "prepare_threshold" not in database_settings(url, {"DB_PREPARED": off}).get("OPTIONS", {})


def test_the_router_uses_the_replica_only_inside_a_block_and_only_when_enabled(settings):
    router = ReplicaRouter()
    settings.DATABASES = {**settings.DATABASES, REPLICA: settings.DATABASES["default"]}
    settings.MOTCUA_READ_REPLICA = True
    assert router.db_for_read(Dossier) is None
    with reading_from_replica():
        assert router.db_for_read(Dossier) == REPLICA
        assert router.db_for_write(Dossier) == "default"
    settings.MOTCUA_READ_REPLICA = False  # the operator's switch back to the primary
    with reading_from_replica():
        assert router.db_for_read(Dossier) is None
    assert router.allow_migrate(REPLICA, "hoso") is False


# Without a replica (SQLite) the database list must not name it, or the setup errors before need() skips.
@pytest.mark.django_db(transaction=True, databases=["default", *([REPLICA] if REPLICA in connections.settings else [])])
def test_the_report_command_reads_the_dossiers_from_the_replica(settings):
    need(REPLICA in connections.settings, "No replica connection (the test settings add one on PostgreSQL).")
    settings.MOTCUA_READ_REPLICA = True
    ward = AgencyFactory()
    with (
        CaptureQueriesContext(connections["default"]) as primary,
        CaptureQueriesContext(connections[REPLICA]) as replica,
    ):
        call_command("compile_report", "--agency", ward.code, "--from", "2025-01-01", "--to", "2025-06-30")
    on_replica = [q["sql"] for q in replica.captured_queries if "hoso_dossier" in q["sql"]]
    on_primary = [q["sql"] for q in primary.captured_queries if "hoso_dossier" in q["sql"]]
    assert on_replica and not on_primary
    # Without the switch the same command reads the primary only.
    settings.MOTCUA_READ_REPLICA = False
    with CaptureQueriesContext(connections[REPLICA]) as replica:
        call_command("compile_report", "--agency", ward.code, "--from", "2025-01-01", "--to", "2025-06-30")
    assert replica.captured_queries == []
