"""Celery tasks of the report app: thin, taking ids, safe to run twice (see baocao.services)."""

from __future__ import annotations

from celery import shared_task

from . import services


@shared_task(
    acks_late=True,
    autoretry_for=services.TRANSIENT_ERRORS,
    retry_backoff=10,
    retry_backoff_max=5 * 60,
    retry_jitter=True,
    max_retries=5,
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
)
def compile_report_task(report_id: int) -> str:
    """Compile one report (``services.compile_report``); returns its outcome ('done', 'skipped'…).

    Only transient database errors are retried; any other error is recorded on the report as
    'failed' by the service. A duplicate delivery (acks_late) loses the claim and does nothing.
    """
    return services.compile_report(report_id)


@shared_task(acks_late=True, soft_time_limit=10 * 60, time_limit=11 * 60)
def draft_periodic_reports() -> list[int]:
    """Daily at 06:00: on the day after a Nghị định 09 cut-off, draft every active ward's report."""
    return services.draft_periodic_reports()


# Issue 17: the official files of a finalized report, rendered apart from the compile task.
@shared_task(
    acks_late=True,
    autoretry_for=services.TRANSIENT_ERRORS,
    retry_backoff=10,
    retry_backoff_max=5 * 60,
    max_retries=5,
    soft_time_limit=5 * 60,
    time_limit=6 * 60,
)
def render_final_report_task(report_id: int) -> str:
    """Render the official PDF and XLSX of a final report (``services.render_final_files``); idempotent."""
    return services.render_final_files(report_id)
