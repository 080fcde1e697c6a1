"""A broker outage never costs an action, and the sweeper sends the messages once it is back."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from hoso import workflow
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
    broker, agency, clerk, django_capture_on_commit_callbacks, caplog
):
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
