"""A broker outage never costs an action, and the sweeper sends the messages once it is back."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from hoso import events, notifications, workflow
from hoso.constants import NotificationStatus
from hoso.models import Notification
from hoso.tasks import sweep_notifications
from tests.factories import AgencyProcedureFactory, ProcedureFactory
from tests.faults import CLOSED_PORT, celery_broker, hanging_server

pytestmark = pytest.mark.django_db


def receive(agency, clerk):
    procedure = ProcedureFactory(code="1.000009", name="Chứng thực bản sao")
    AgencyProcedureFactory(agency=agency, procedure=procedure)
    intake = workflow.Intake(procedure=procedure, applicant_name="Phạm Thị Lan", applicant_phone="0912345678")
    return workflow.receive(agency=agency, actor=clerk, intake=intake)


@pytest.mark.parametrize("broker", ["closed", "hanging"])
def test_an_intake_with_the_broker_away_commits_and_the_sweeper_sends_its_message_later(
    broker, settings, agency, clerk, django_capture_on_commit_callbacks, caplog
):
    settings.MOTCUA_NOTIFY_RELAY = False  # each action publishes its notification after commit
    with hanging_server() as hung:
        port = CLOSED_PORT if broker == "closed" else hung.port
        with celery_broker(f"redis://127.0.0.1:{port}/4"), django_capture_on_commit_callbacks(execute=True):
            dossier = receive(agency, clerk)  # the after-commit hook cannot reach the broker: no error
        assert hung.accepted <= 1  # one attempt, no retry loop
    assert dossier.events.count() == 1 and not Notification.objects.exists()
    warnings = [r for r in caplog.records if r.name == "motcua.lib.queue"]
    assert len(warnings) == 1 and "hoso.tasks.notify_event" in warnings[0].getMessage()
    assert not any(r.exc_info for r in warnings)  # one line, no traceback per action

    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False), caplog.at_level(logging.INFO):
        result = sweep_notifications.apply().get()  # the broker is back (eager here)
    assert result == {"events": 1, "requeued": 1, "abandoned": 0}
    notification = Notification.objects.get()
    assert notification.status == NotificationStatus.SENT and dossier.code in notification.body


def test_with_beats_relay_an_action_never_reaches_for_the_broker_and_the_relay_plans_its_message(
    settings, agency, clerk, django_capture_on_commit_callbacks
):
    settings.MOTCUA_NOTIFY_RELAY = True  # with a real broker (below), beat's relay plans the notifications
    with hanging_server() as hung:
        with celery_broker(f"redis://127.0.0.1:{hung.port}/4"), django_capture_on_commit_callbacks(execute=True):
            dossier = receive(agency, clerk)
        assert hung.accepted == 0  # the intake did not even try the broker
    assert not Notification.objects.exists()

    planned = notifications.relay(timezone.now())
    notification = Notification.objects.get()
    assert planned == [notification.pk] and notification.status == NotificationStatus.PENDING
    assert notification.channel == "sms" and dossier.code in notification.body
    assert notifications.relay(timezone.now()) == []  # planned once: the next run finds nothing
    later = timezone.now() + notifications.RELAY_WINDOW + timedelta(minutes=1)
    assert notifications.relay(later) == []


def test_the_relay_leaves_silent_history_alone(agency, clerk):
    with events.recorded_silently():
        receive(agency, clerk)
    assert notifications.relay(timezone.now()) == [] and not Notification.objects.exists()


def test_beat_runs_the_relay_every_five_seconds(settings):
    from motcua.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["hoso-relay-notifications"]
    assert entry["task"] == "hoso.tasks.relay_notifications" in app.tasks
    assert entry["schedule"] == 5.0


def test_the_relay_skips_an_applicant_reachable_by_no_channel(agency, clerk):
    procedure = ProcedureFactory(code="1.000010")
    AgencyProcedureFactory(agency=agency, procedure=procedure)
    intake = workflow.Intake(procedure=procedure, applicant_name="Công ty TNHH An Phú", applicant_phone="024 3826 1234")
    workflow.receive(agency=agency, actor=clerk, intake=intake)
    assert notifications.unplanned_events(since=timezone.now() - timedelta(minutes=1), until=timezone.now()) == []
    assert notifications.relay(timezone.now()) == [] and not Notification.objects.exists()
