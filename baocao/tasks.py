"""Celery tasks of the report app: thin, taking ids, safe to run twice (see baocao.services).

The services send these tasks (``motcua.lib.queue.publish``), so they import this module; each
task imports the services when it runs, which keeps the import graph one-way.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from .constants import TRANSIENT_ERRORS


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=10,
    retry_backoff_max=5 * 60,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
)
def compile_report_task(self, report_id: int) -> str:
    """Compile one report (``services.compile_report``); returns its outcome ('done', 'skipped'…).

    Only transient database errors are retried; any other error is recorded on the report as
    'failed' by the service. A duplicate delivery loses the claim and does nothing. A delivery that
    finds the report running under another run's live lease (the message of a killed worker put
    back at once) comes back when that lease expires, and takes the report over if the run is dead.
    """
    from . import services

    outcome = services.compile_report(report_id)
    if outcome == "busy" and not self.request.is_eager and self.request.retries < self.max_retries:
        wait = services.lease_remaining(report_id, now=timezone.now())
        if wait is not None:
            raise self.retry(countdown=int(wait) + 1)
    return outcome


@shared_task(acks_late=True, soft_time_limit=10 * 60, time_limit=11 * 60)
def draft_periodic_reports() -> list[int]:
    """Daily at 06:00: on the day after a Nghị định 09 cut-off, draft every active ward's report."""
    from . import services

    return services.draft_periodic_reports()


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def sweep_reports() -> dict[str, list[int]]:
    """Every five minutes (beat): re-queue reports left behind by a dead worker or a down broker,
    and the official files of final reports whose rendering message was lost."""
    from . import services

    return services.sweep_reports() | {"official_files": services.resend_final_renderings()}


# The official files of a finalized report, rendered apart from the compile task.
@shared_task(
    acks_late=True,
    autoretry_for=TRANSIENT_ERRORS,
    retry_backoff=10,
    retry_backoff_max=5 * 60,
    max_retries=5,
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
)
def render_final_report_task(report_id: int) -> str:
    """Render the official PDF and XLSX of a final report (``services.render_final_files``); idempotent."""
    from . import services

    return services.render_final_files(report_id)
