"""/healthz for the load balancer and /healthz?full=1 for operators (docs/operations.md).

The plain check stays public and cheap; the full one answers only staff signed in or a caller
with the health token, and adds a worker's ping, beat's heartbeat and the backlogs of the
national-link outbox and of the notifications. A real worker and its heartbeat: tests/drills.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection as primary
from django.test import Client
from django.utils import timezone

from hoso.constants import NotificationChannel, NotificationKind, NotificationStatus, Status
from hoso.models import Notification
from lienthong.models import OutboxEntry, State
from motcua.celery import app as celery_app
from motcua.constants import Role
from motcua.lib import health
from motcua.models import Heartbeat
from motcua.tasks import heartbeat
from tests.conftest import need
from tests.hoso.test_workflow import bring_to, procedure, staff  # noqa: F401 (fixtures)

pytestmark = pytest.mark.django_db

DENIED = "Cần đăng nhập tài khoản quản trị hoặc gửi mã kiểm tra để xem kiểm tra đầy đủ."


def test_the_plain_check_stays_public_and_names_only_its_three_components():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert set(response.json()["components"]) == {"database", "cache", "broker"}


def test_the_full_check_is_refused_to_the_public_and_to_a_clerk(clerk):
    anonymous = Client().get("/healthz?full=1")
    assert anonymous.status_code == 403 and anonymous.json() == {"detail": DENIED}
    client = Client()
    client.force_login(clerk)
    assert client.get("/healthz?full=1").status_code == 403


def test_staff_see_every_component(ward_admin):
    client = Client()
    client.force_login(ward_admin)
    response = client.get("/healthz?full=1")
    assert response.status_code == 200
    body = response.json()
    assert set(body["components"]) == {
        "database",
        "cache",
        "broker",
        "worker",
        "replica",
        "beat",
        "outbox",
        "notifications",
    }
    # The unit tests run tasks in the process: no worker and no beat to ask.
    assert body["components"]["worker"] == {"status": "eager"} and body["components"]["beat"] == {"status": "eager"}
    assert body["components"]["outbox"] == {"status": "ok", "waiting": 0, "oldest_age_seconds": 0}
    assert response["Cache-Control"].startswith("max-age=0")


def test_the_health_token_opens_the_full_check(settings):
    settings.MOTCUA_HEALTH_TOKEN = "mot-cua-kiem-tra-7f3a"
    assert Client().get("/healthz?full=1", HTTP_AUTHORIZATION="Bearer mot-cua-kiem-tra-7f3a").status_code == 200
    assert Client().get("/healthz?full=1", HTTP_AUTHORIZATION="Bearer mot-cua-kiem-tra-7f3b").status_code == 403
    assert Client().get("/healthz?full=1").status_code == 403
    settings.MOTCUA_HEALTH_TOKEN = ""  # no token configured: an empty one opens nothing
    assert Client().get("/healthz?full=1", HTTP_AUTHORIZATION="Bearer ").status_code == 403


def test_the_backlogs_count_the_waiting_rows_and_say_late_past_the_limit(agency, staff, procedure, settings):  # noqa: F811
    dossier = bring_to(Status.RECEIVED, agency, staff, procedure)
    OutboxEntry.objects.all().delete()
    Notification.objects.all().delete()
    now = timezone.now()
    for n, (state, age) in enumerate(
        [(State.PENDING, 20), (State.SENT, 2), (State.ACKNOWLEDGED, 60), (State.FAILED, 60), (State.BLOCKED, 60)]
    ):
        OutboxEntry.objects.create(
            dossier=dossier, payload={}, sequence=n, state=state, created_at=now - timedelta(minutes=age)
        )
    for status, channel in (
        (NotificationStatus.PENDING, NotificationChannel.SMS),
        (NotificationStatus.SENT, NotificationChannel.EMAIL),
    ):
        Notification.objects.create(
            dossier=dossier,
            event=dossier.events.first(),
            kind=NotificationKind.RECEIVED,
            channel=channel,
            recipient="0912345678",
            body="Hồ sơ đã được tiếp nhận.",
            status=status,
        )
    outbox = health.check_outbox(now)
    assert outbox["status"] == "late" and outbox["waiting"] == 2 and outbox["oldest_age_seconds"] == 20 * 60
    notifications = health.check_notifications(now)
    assert notifications["status"] == "ok" and notifications["waiting"] == 1
    settings.MOTCUA_HEALTH_BACKLOG_STALE = 30 * 60
    assert health.check_outbox(now)["status"] == "ok"

    client = Client()
    client.force_login(staff[Role.ADMIN])
    body = client.get("/healthz?full=1").json()
    assert body["status"] == "ok" and body["components"]["outbox"]["waiting"] == 2


def test_beat_is_down_until_its_heartbeat_runs_then_stale_after_the_limit(settings, monkeypatch):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/6"  # only to leave the eager mode: nothing connects
    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setitem(celery_app.conf, "task_always_eager", False)
    assert health.check_beat() == {"status": "down", "last_run": None}
    heartbeat.apply()  # what a worker runs when beat sends it (run here, in the process)
    beat = health.check_beat()
    assert beat["status"] == "ok" and beat["age_seconds"] < 5
    later = Heartbeat.objects.get(name="beat").at + timedelta(seconds=settings.MOTCUA_HEALTH_BEAT_STALE + 1)
    assert health.check_beat(later)["status"] == "down"


@pytest.mark.django_db(databases=["default", "replica"])
def test_the_read_replica_is_reported_with_its_lag(settings):
    need(primary.vendor == "postgresql" and "replica" in settings.DATABASES, "The replica mirror exists on PostgreSQL.")
    assert health.check_replica() == {"status": "off"}  # the test settings keep reads on the primary
    settings.MOTCUA_READ_REPLICA = True
    # The test replica is a second connection to the same primary: not in recovery, no lag.
    assert health.check_replica() == {"status": "ok", "lag_seconds": 0.0}
    settings.MOTCUA_HEALTH_REPLICA_LAG = -1
    assert health.check_replica()["status"] == "late"
    settings.DATABASES = {"default": settings.DATABASES["default"]}
    assert health.check_replica() == {"status": "none"}
