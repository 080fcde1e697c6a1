"""Drill (b): the broker unreachable (a proxy in front of Redis, switched off). An intake commits in
under 2 s; once the broker is back, the sweeper plans and a real worker sends its notification."""

from __future__ import annotations

import json
import os
import time
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from hoso.constants import NotificationStatus
from hoso.models import Dossier, Notification
from hoso.tasks import sweep_notifications
from tests.faults import proxy_to, with_port

from .conftest import BIRTH, Browser, celery_worker, gunicorn, intake_form, require_services, task_queue, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_with_the_broker_away_an_intake_commits_at_once_and_its_message_is_sent_after_recovery(ward, tmp_path):
    redis = require_services()
    with (
        proxy_to(redis) as proxy,
        gunicorn(
            tmp_path, CELERY_BROKER_URL=with_port(redis, proxy.port), CELERY_RESULT_BACKEND=with_port(redis, proxy.port)
        ) as server,
    ):
        proxy.down()
        health = json.loads(Browser(server.url).get("/healthz").body)
        assert health["components"]["broker"]["status"] == "down"
        assert health["components"]["cache"]["status"] == "ok"
        desk = Browser(server.url)
        desk.sign_in("canbo")
        started = time.monotonic()
        reply = desk.post(f"/ho-so/tiep-nhan/{BIRTH}/", intake_form())
        took = time.monotonic() - started
        assert reply.status == 302, reply.body[:3000]
        assert took < 2, f"the intake took {took:.1f} s with the broker away"
        dossier = Dossier.objects.exclude(pk=ward.returned.pk).get()
        assert dossier.events.filter(action="receive").count() == 1 and dossier.applicant_phone
        assert not Notification.objects.filter(dossier=dossier).exists()  # nothing could be queued
        proxy.up()
    assert "Traceback" not in server.log.read_text(errors="replace")

    # The broker is back: beat's sweeper (run here, past its 5-minute grace) finds the event
    # without messages, plans them and sends them to a real worker.
    queue = f"motcua-drill-notify-{os.getpid()}"
    with celery_worker(tmp_path, queue, "notify") as worker, task_queue(queue):
        with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=True):
            result = sweep_notifications.apply().get()
        assert result["events"] == 1 and result["requeued"] == 1
        sent = wait_for(
            lambda: Notification.objects.filter(dossier=dossier, status=NotificationStatus.SENT).first(),
            60,
            "the notification to be sent",
        )
        assert worker.poll() is None
    assert sent.channel == "sms" and sent.attempts == 1 and dossier.code in sent.body
    assert Notification.objects.filter(dossier=dossier).count() == 1
