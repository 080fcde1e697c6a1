"""Drill (c): a Celery worker SIGKILLed while it compiles a report. Once a new worker runs, the
report is completed exactly once: the dead run's lease expires, the sweeper re-queues it, the new
worker takes it over; the dead run could not write anything after that."""

from __future__ import annotations

import os

import pytest

from baocao import services
from baocao.constants import ReportStatus
from baocao.models import Report
from tests.baocao.test_reports import PERIOD

from .conftest import celery_worker, children_of, kill, require_services, task_queue, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.services, pytest.mark.django_db(transaction=True)]

LEASE = 12  # seconds: the first worker's claim expires this long after its last step


def test_a_report_whose_worker_was_killed_mid_compile_is_completed_exactly_once(ward, tmp_path):
    require_services()
    queue = f"motcua-drill-reports-{os.getpid()}"
    with task_queue(queue):
        # A slow compilation (the drill's setting) so the worker can be killed in the middle.
        with celery_worker(
            tmp_path, queue, "doomed", MOTCUA_REPORT_COMPILE_DELAY="60", MOTCUA_REPORT_LEASE_SECONDS=str(LEASE)
        ) as doomed:
            report = services.draft_report(agency=ward.agency, period=PERIOD, user=None)[0]  # sent on commit
            wait_for(  # figures computed, the PDF not yet rendered
                lambda: Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING, progress=40).exists(),
                60,
                "the first worker to be half-way",
            )
            kill(doomed.pid)
            doomed.wait(timeout=10)
        report.refresh_from_db()
        assert report.status == ReportStatus.RUNNING and report.attempts == 1 and report.pdf is None  # left behind

        with celery_worker(tmp_path, queue, "rescuer") as rescuer:
            # What beat does every five minutes, here every second until the lease has expired.
            def swept_and_done() -> bool:
                services.sweep_reports()
                return Report.objects.filter(pk=report.pk, status=ReportStatus.DONE).exists()

            wait_for(swept_and_done, LEASE + 90, "the report to be taken over and completed", interval=1)
            assert rescuer.poll() is None
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.attempts == 2
    assert bytes(report.pdf).startswith(b"%PDF") and report.figures_hash == services.figures_digest(report.figures)
    doomed_log = (tmp_path / "doomed.log").read_text(errors="replace")
    rescuer_log = (tmp_path / "rescuer.log").read_text(errors="replace")
    assert f"Báo cáo {report.pk}: bắt đầu tổng hợp (lượt 1)" in doomed_log
    assert "tổng hợp xong" not in doomed_log
    assert rescuer_log.count(f"Báo cáo {report.pk}: tổng hợp xong") == 1
    assert f"Báo cáo {report.pk}: tổng hợp xong (lượt 2)" in rescuer_log


def test_a_killed_pool_process_gives_its_message_back_and_the_retry_completes_the_report(ward, tmp_path):
    """The other way a worker dies: its pool process (out of memory) while the worker lives on. The
    message comes back at once (reject_on_worker_lost); its delivery finds the dead run's lease
    still live, comes back when it expires (the task's retry) and completes the report: no sweeper."""
    require_services()
    queue = f"motcua-drill-pool-{os.getpid()}"
    with (
        task_queue(queue),
        celery_worker(
            tmp_path,
            queue,
            "pool",
            pool="prefork",
            MOTCUA_REPORT_COMPILE_DELAY="15",
            MOTCUA_REPORT_LEASE_SECONDS=str(LEASE),
        ) as worker,
    ):
        report = services.draft_report(agency=ward.agency, period=PERIOD, user=None)[0]
        wait_for(
            lambda: Report.objects.filter(pk=report.pk, status=ReportStatus.RUNNING, progress=40).exists(),
            60,
            "the pool process to be half-way",
        )
        [child] = children_of(worker.pid)
        kill(child)
        wait_for(
            lambda: Report.objects.filter(pk=report.pk, status=ReportStatus.DONE).exists(),
            LEASE + 15 + 90,
            "the retry to take the report over and complete it",
            interval=1,
        )
        assert worker.poll() is None
    report.refresh_from_db()
    assert report.attempts == 2 and bytes(report.pdf).startswith(b"%PDF")
    log = (tmp_path / "pool.log").read_text(errors="replace")
    assert "WorkerLostError" in log  # the pool process died; its message was given back
    assert "retry: Retry in" in log  # the delivery found the live lease and came back at its expiry
    assert f"Báo cáo {report.pk}: bắt đầu tổng hợp (lượt 1)" in log
    assert log.count(f"Báo cáo {report.pk}: tổng hợp xong") == 1
    assert f"Báo cáo {report.pk}: tổng hợp xong (lượt 2)" in log
