"""Drill: /healthz?full=1 against a real Celery worker on Redis. With the worker up it answers the
ping and the heartbeat it ran shows beat alive; once the worker is stopped the check says so."""

from __future__ import annotations

import os

import pytest
from django.test import Client

from motcua.models import Heartbeat
from motcua.tasks import heartbeat

from .conftest import celery_worker, require_services, task_queue, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_the_full_check_sees_a_live_worker_and_beat_then_the_worker_gone(ward_admin, tmp_path, settings):
    require_services()
    settings.CELERY_TASK_ALWAYS_EAGER = False
    client = Client()
    client.force_login(ward_admin)
    queue = f"motcua-drill-health-{os.getpid()}"
    with task_queue(queue):
        with celery_worker(tmp_path, queue, "pulse"):
            heartbeat.delay()  # what beat sends every minute
            beat = wait_for(lambda: Heartbeat.objects.filter(name="beat").first(), 60, "the heartbeat")
            assert beat.worker.startswith("pulse-")
            body = client.get("/healthz?full=1").json()
            assert body["components"]["worker"] == {"status": "ok", "workers": 1}
            assert body["components"]["beat"]["status"] == "ok"
            assert body["status"] == "ok", body
        body = client.get("/healthz?full=1").json()
    assert body["components"]["worker"] == {"status": "down", "workers": 0}
    assert body["status"] == "degraded"
    assert Client().get("/healthz").json()["status"] == "ok"  # the load balancer's check does not ask workers
