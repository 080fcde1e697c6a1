"""Celery tasks of the national link (drain the outbox) and the workflow's after-event hook that feeds it."""

from __future__ import annotations

import logging
from datetime import date

from celery import shared_task
from django.core.mail import send_mail
from django.db import transaction

from hoso import events
from hoso.models import DossierEvent, SatisfactionRating
from motcua.constants import Role
from motcua.lib.queue import publish
from motcua.models import Agency, User

from . import drain, outbox, reconcile
from .models import Reconciliation

logger = logging.getLogger(__name__)

DRAIN_SECONDS = 5 * 60  # one task claims for five minutes at most; the beat's next one takes over


def queue_after_event(event: DossierEvent) -> None:
    """Registered in LienthongConfig.ready: the event's outbox row, in the action's transaction (a
    receipt's was written with its dossier: ``outbox.row_with_receipt``); after the commit, a drain
    is asked for (the beat drain catches it when the broker is down)."""
    if outbox.queue_event(event) is not None or (events.creates_dossier(event) and not outbox.unsent(event)):
        transaction.on_commit(kick_drain)


def queue_after_rating(sender: object, instance: SatisfactionRating, created: bool, **kwargs: object) -> None:
    """post_save of a satisfaction rating: its outbox row (a new rating only; raw fixtures skipped)."""
    if created and not kwargs.get("raw") and outbox.queue_rating(instance) is not None:
        transaction.on_commit(kick_drain)


def kick_drain() -> None:
    try:
        publish(drain_outbox)
    except Exception:  # eager mode (no broker): the drain itself failed in this process; the beat retries
        logger.exception("Không chạy được việc đồng bộ Cổng DVC quốc gia")


@shared_task(acks_late=True, soft_time_limit=10 * 60, time_limit=11 * 60)
def drain_outbox() -> dict[str, object]:
    """After each action and every minute (beat): send what is due; workers running it at the same
    time share the rows (claims), so a duplicate of this message sends nothing twice."""
    if not outbox.link_on():
        return {}
    result = drain.drain_once(max_seconds=DRAIN_SECONDS)
    if result.failed:
        logger.warning("Đồng bộ Cổng DVC quốc gia: %s lần gửi không được", result.failed)
    return result.as_dict()


@shared_task(acks_late=True, soft_time_limit=30 * 60, time_limit=31 * 60)
def reconcile_week(today: str | None = None) -> dict[str, int]:
    """Weekly (beat): reconcile the seven days before `today` (YYYY-MM-DD; default today) of every
    agency that uses the link, resend what differs, keep the result and write to the ward's
    administrators; {agency code: differences}."""
    if not outbox.link_on():
        return {}
    start, end = reconcile.last_week(date.fromisoformat(today) if today else None)
    done = {}
    for agency in Agency.objects.filter(dossiers__outbox__isnull=False).distinct().order_by("code"):
        report = reconcile.reconcile(agency.code, start, end)
        run = Reconciliation.objects.create(
            agency=agency,
            start=start,
            end=end,
            checked=report.checked,
            differences=len(report.differences),
            resent=report.resent,
            blocked=len(report.blocked),
            report="\n".join(report.lines()),
        )
        tell_admins(run)
        done[agency.code] = len(report.differences)
    return done


def tell_admins(run: Reconciliation) -> int:
    """Mail the run's result to the ward's active administrators; a mail failure is logged only (the
    result stays in the admin)."""
    recipients = list(
        User.objects.filter(agency_id=run.agency_id, role=Role.ADMIN, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    subject = f"Đối chiếu với Cổng DVC quốc gia từ {run.start:%d/%m/%Y} đến {run.end:%d/%m/%Y}"
    try:
        send_mail(subject, run.report, None, recipients)
    except Exception:
        logger.exception("Không gửi được thư kết quả đối chiếu %s", run.pk)
        return 0
    return len(recipients)
