"""Reports never get stuck: the lease on a running compilation, the sweeper, and a broker that is
down when a report is created (baocao.services, baocao.tasks, motcua.lib.queue)."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

from baocao import services
from baocao.constants import MAX_ATTEMPTS, ReportStatus
from baocao.models import Report
from baocao.tasks import compile_report_task
from motcua.lib.queue import publish
from tests.baocao.test_reports import PERIOD, make_dossiers
from tests.faults import CLOSED_PORT, celery_broker, hanging_server

pytestmark = pytest.mark.django_db

LEASE = timedelta(seconds=settings.MOTCUA_REPORT_LEASE_SECONDS)


@pytest.fixture
def queued(agency, clerk, officer, leader):
    make_dossiers(agency, clerk, officer)
    report, _ = services.draft_report(agency=agency, period=PERIOD, user=leader)  # on_commit not run: queued
    return report


def killed_run(report: Report, at: datetime) -> None:
    """A worker claimed the report at ``at`` and was killed before writing anything else."""
    assert services.claim(report.pk, now=at)


def test_a_live_lease_is_not_taken_over_and_a_second_delivery_answers_busy(queued):
    start = timezone.now()
    killed_run(queued, start)
    with time_machine.travel(start + LEASE - timedelta(seconds=30), tick=False):
        assert services.compile_report(queued.pk) == "busy"
        assert services.lease_remaining(queued.pk, now=timezone.now()) == pytest.approx(30)
    queued.refresh_from_db()
    assert queued.status == ReportStatus.RUNNING and queued.attempts == 1


def test_a_run_whose_worker_died_is_taken_over_once_its_lease_expires_and_completed_once(queued, caplog):
    start = timezone.now()
    killed_run(queued, start)
    stale_token = Report.objects.get(pk=queued.pk).claim_token
    with time_machine.travel(start + LEASE + timedelta(seconds=1), tick=False), caplog.at_level(logging.INFO):
        assert services.compile_report(queued.pk) == "done"
    queued.refresh_from_db()
    assert queued.status == ReportStatus.DONE and queued.attempts == 2 and queued.claim_token != stale_token
    # The dead run cannot write over the run that took over.
    assert services._mine(queued.pk, stale_token).update(progress=40) == 0
    assert [r.getMessage() for r in caplog.records if "tổng hợp xong" in r.getMessage()] == [
        f"Báo cáo {queued.pk}: tổng hợp xong (lượt 2)"
    ]


def test_tong_hop_lai_takes_over_a_report_whose_worker_died(queued, leader, client, django_capture_on_commit_callbacks):
    start = timezone.now()
    killed_run(queued, start)
    client.force_login(leader)
    page = client.get(reverse("baocao:detail", args=[queued.pk])).content.decode()
    assert "Tổng hợp lại</button>" not in page  # still within its lease: a live run may be working
    with time_machine.travel(start + LEASE + timedelta(seconds=1), tick=False):
        page = client.get(reverse("baocao:detail", args=[queued.pk])).content.decode()
        assert "Việc tổng hợp đang bị chậm" in page and "Tổng hợp lại</button>" in page
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("baocao:retry", args=[queued.pk]))
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == ReportStatus.DONE


def test_the_sweeper_requeues_an_expired_lease_and_sends_it(queued):
    start = timezone.now()
    killed_run(queued, start)
    with time_machine.travel(start + LEASE - timedelta(seconds=1), tick=False):
        assert services.sweep_reports() == {"failed": [], "requeued": [], "resent": [], "sent": []}
    with time_machine.travel(start + LEASE + timedelta(seconds=1), tick=False):
        result = services.sweep_reports()  # eager here: the task runs at once
    assert result["requeued"] == [queued.pk] and result["sent"] == [queued.pk]
    queued.refresh_from_db()
    assert queued.status == ReportStatus.DONE


def test_after_too_many_interrupted_runs_the_sweeper_fails_the_report_with_the_reason(queued):
    at = timezone.now()
    for _ in range(MAX_ATTEMPTS):
        killed_run(queued, at)
        at += LEASE + timedelta(seconds=1)
    with time_machine.travel(at, tick=False):
        result = services.sweep_reports()
        assert services.compile_report(queued.pk) == "skipped"  # a stray message does not start it again
    queued.refresh_from_db()
    assert result["failed"] == [queued.pk] and queued.status == ReportStatus.FAILED
    assert queued.error.startswith(f"Việc tổng hợp bị gián đoạn {MAX_ATTEMPTS} lần")
    services.retry_report(report=queued, user=None)  # a person may still try again
    queued.refresh_from_db()
    assert queued.status == ReportStatus.QUEUED and queued.attempts == 0


def test_the_sweeper_leaves_a_freshly_queued_report_to_its_message(queued):
    assert services.sweep_reports() == {"failed": [], "requeued": [], "resent": [], "sent": []}
    queued.refresh_from_db()
    assert queued.status == ReportStatus.QUEUED


def test_creating_a_report_with_the_broker_away_answers_and_the_sweeper_sends_it_later(
    agency, clerk, officer, leader, client, django_capture_on_commit_callbacks, caplog
):
    make_dossiers(agency, clerk, officer)
    client.force_login(leader)
    with celery_broker(f"redis://127.0.0.1:{CLOSED_PORT}/4"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("baocao:create"), {"kind": "calendar_half_year", "year": "2025", "number": "2"})
    report = Report.objects.get()
    assert response.status_code == 302 and report.status == ReportStatus.QUEUED
    assert any("việc quét định kỳ sẽ gửi lại" in r.getMessage() for r in caplog.records)
    with time_machine.travel(timezone.now() + timedelta(minutes=6), tick=False):
        assert services.sweep_reports()["resent"] == [report.pk]  # the broker is back (eager here)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE


def test_publishing_to_a_hanging_broker_gives_up_after_one_connection_and_never_raises():
    with hanging_server() as broker, celery_broker(f"redis://127.0.0.1:{broker.port}/4"):
        assert publish(compile_report_task, 1) is False
        assert publish(compile_report_task, 2) is False
    assert broker.accepted <= 2  # one attempt per publish, no retry loop


def test_the_report_sweeper_runs_every_five_minutes_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["baocao-sweep-reports"]
    assert entry["task"] == "baocao.tasks.sweep_reports"
    assert entry["schedule"].minute == set(range(0, 60, 5))


def test_workers_acknowledge_late_and_give_back_the_message_of_a_lost_worker():
    from motcua.celery import app

    assert app.conf.task_acks_late and app.conf.task_reject_on_worker_lost
    assert compile_report_task.acks_late and compile_report_task.reject_on_worker_lost
    assert app.conf.broker_transport_options["visibility_timeout"] > 30 * 60  # > the longest countdown
    assert compile_report_task.time_limit < settings.MOTCUA_REPORT_LEASE_SECONDS
