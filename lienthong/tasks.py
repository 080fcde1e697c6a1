"""Celery tasks of the national link (drain the outbox) and the workflow's after-event hook that feeds it."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from hoso.models import DossierEvent, SatisfactionRating
from motcua.lib.queue import publish

from . import drain, outbox

logger = logging.getLogger(__name__)

DRAIN_SECONDS = 5 * 60  # one task claims for five minutes at most; the beat's next one takes over


def queue_after_event(event: DossierEvent) -> None:
    """Registered in LienthongConfig.ready: the event's outbox row, in the action's transaction;
    after the commit, a drain is asked for (the beat drain catches it when the broker is down)."""
    if outbox.queue_event(event) is not None:
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
