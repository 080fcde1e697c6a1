"""Celery tasks of the petitions app (thin, taking ids) and the after-commit hook that queues them."""

from __future__ import annotations

import logging

from celery import shared_task

from motcua.lib.queue import publish

from . import messaging

logger = logging.getLogger(__name__)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def send_message(message_id: int) -> str:
    return messaging.send(message_id)


@shared_task(acks_late=True)
def plan_messages(event_id: int) -> list[int]:
    """Plan the sender's messages about one event and queue each (safe to run twice)."""
    ids = messaging.plan_messages(event_id)
    for message_id in ids:
        publish(send_message, message_id)
    return ids


def queue_messages(event_id: int) -> None:
    """Called after commit: never raises, the petition change is already committed."""
    try:
        publish(plan_messages, event_id)
    except Exception:
        logger.exception("Không đưa được thông báo phản ánh %s vào hàng đợi", event_id)
