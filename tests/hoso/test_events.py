"""The workflow's after-event callbacks (hoso.events) and history recorded silently."""

from __future__ import annotations

import pytest

from hoso import events, workflow
from hoso.constants import Action
from hoso.models import DossierEvent, Notification
from tests.factories import AgencyProcedureFactory, ProcedureFactory

pytestmark = pytest.mark.django_db


def receive(agency, clerk):
    procedure = ProcedureFactory(code="1.000009", name="Chứng thực bản sao")
    AgencyProcedureFactory(agency=agency, procedure=procedure)
    intake = workflow.Intake(procedure=procedure, applicant_name="Phạm Thị Lan", applicant_phone="0912345678")
    return workflow.receive(agency=agency, actor=clerk, intake=intake)


def test_a_callback_registered_twice_sees_each_event_once_before_the_commit(
    agency, clerk, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(events, "_callbacks", list(events._callbacks))  # leave the app's hooks as they were
    seen: list[tuple[str, bool]] = []

    def callback(event: DossierEvent) -> None:
        seen.append((event.action, Notification.objects.exists()))

    events.on_event(callback)
    events.on_event(callback)
    with django_capture_on_commit_callbacks(execute=True):
        dossier = receive(agency, clerk)
    assert seen == [(Action.RECEIVE, False)]  # called once, before the message was planned
    assert Notification.objects.filter(event__dossier=dossier).exists()  # the notifications' hook still ran


def test_history_recorded_silently_is_marked_and_never_messaged(agency, clerk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), events.recorded_silently():
        dossier = receive(agency, clerk)
    event = dossier.events.get()
    assert event.data == {"silent": True}
    assert not Notification.objects.exists()
    assert not events.recording_silently()  # only inside the block
