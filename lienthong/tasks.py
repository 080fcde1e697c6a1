"""Celery tasks of the national link (drain the outbox) and the workflow's after-event hook that feeds it."""

from __future__ import annotations

import logging

from celery import shared_task
from django.db import transaction

from hoso.models import DossierEvent
from motcua.lib.queue import publish

from . import outbox

logger = logging.getLogger(__name__)


def queue_after_event(event: DossierEvent) -> None:
    """Registered in LienthongConfig.ready: the event's outbox row, in the action's transaction;
    after the commit, a drain is asked for (the beat drain catches it when the broker is down)."""
    if outbox.queue_event(event) is not None:
        transaction.on_commit(kick_drain)


def kick_drain() -> None:
    try:
        publish(drain_outbox)
    except Exception:  # eager mode (no broker): the drain itself failed in this process; the beat retries
        logger.exception("Không chạy được việc đồng bộ Cổng DVC quốc gia")


@shared_task(acks_late=True)
def drain_outbox() -> dict[str, int]:
    """Send what is due (placeholder until the drain is built): nothing."""
    return {}
