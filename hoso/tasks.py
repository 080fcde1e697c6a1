"""Celery tasks of the dossier app (thin, idempotent, taking ids) and the workflow's after-event hook
that queues them (see hoso.notifications).
"""

from __future__ import annotations

import logging
from functools import partial

from celery import shared_task
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from motcua.lib.queue import publish

from . import events, notifications
from .constants import NotificationStatus
from .models import DossierEvent, Notification

logger = logging.getLogger(__name__)

MAX_SEND_RETRIES = 5


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(notifications.TransientSendError,),
    retry_backoff=30,  # 30 s, 60 s, 120 s… between attempts, with jitter
    retry_backoff_max=30 * 60,
    retry_jitter=True,
    max_retries=MAX_SEND_RETRIES,
    soft_time_limit=60,
    time_limit=90,
)
def send_notification(self, notification_id: int) -> str:
    """Send one notification at most once; return its status after this attempt.

    Returns at once when the row is gone or no longer pending (already sent or failed). The
    attempt number is the Celery retry count + 1 and is claimed with a compare-and-set
    (``Notification.claim_attempt``): a duplicate of this message loses the claim and sends
    nothing. A TransientSendError is recorded and retried with exponential backoff, up to
    ``MAX_SEND_RETRIES`` retries; after the last one, or on any other error, the row is FAILED
    with the error.
    """
    status = Notification.objects.filter(pk=notification_id).values_list("status", flat=True).first()
    if status != NotificationStatus.PENDING:
        return status or "missing"
    attempt = self.request.retries + 1
    if not Notification.claim_attempt(notification_id, attempt):
        return "claimed elsewhere"
    notification = Notification.objects.get(pk=notification_id)
    try:
        notifications.deliver(notification)
    except notifications.TransientSendError as exc:
        final = self.request.retries >= self.max_retries
        Notification.record_failure(notification_id, f"Lần gửi {attempt}: {exc}", final=final)
        if final:
            logger.warning("Thông báo %s: gửi không được sau %s lần", notification_id, attempt)
            return NotificationStatus.FAILED
        raise  # autoretry_for schedules the next attempt
    except Exception as exc:
        # Permanent: a refused address, a backend bug. Retrying would not help; keep the reason.
        logger.exception("Thông báo %s: gửi không được", notification_id)
        Notification.record_failure(notification_id, f"Lần gửi {attempt}: {exc!r}", final=True)
        return NotificationStatus.FAILED
    Notification.record_sent(notification_id, now=timezone.now())
    return NotificationStatus.SENT


@shared_task(acks_late=True)
def notify_event(event_id: int) -> list[int]:
    """Plan the notifications of a dossier event and queue the sends; safe to run twice.

    Each send is queued on its own (``publish``): one the broker cannot take is logged, does not
    stop the others, and is sent by ``sweep_notifications`` later.
    """
    ids = notifications.plan_notifications(event_id)
    for notification_id in ids:
        publish(send_notification, notification_id)
    return ids


@shared_task(ignore_result=True)
def relay_notifications() -> int:
    """Every few seconds (beat, ``MOTCUA_NOTIFY_RELAY_SECONDS``): plan the notifications of the
    events committed since and queue their sends. The number of notifications queued."""
    ids = notifications.relay(timezone.now())
    for notification_id in ids:
        publish(send_notification, notification_id)  # a failure: the row stays pending for the sweeper
    return len(ids)


@shared_task
def sweep_notifications() -> dict[str, int]:
    """Every ten minutes (beat): send what a broker outage kept from being sent."""
    result = notifications.sweep(timezone.now())
    for notification_id in result.requeued:
        publish(send_notification, notification_id)  # a failure: the row stays pending for the next sweep
    if result.events or result.requeued or result.abandoned:
        logger.warning(
            "Quét thông báo: %s sự kiện được lập thông báo, %s thông báo gửi lại, %s thông báo bỏ",
            len(result.events),
            len(result.requeued),
            len(result.abandoned),
        )
    return {"events": len(result.events), "requeued": len(result.requeued), "abandoned": len(result.abandoned)}


# -- the workflow's after-event hook (registered in HosoConfig.ready) ------------------------------
def notify_after_commit(event: DossierEvent) -> None:
    """Called inside the action's transaction once the workflow wrote `event` (``hoso.events``).

    With a broker, beat's relay plans the event (``relay_notifications``): nothing to do here, and
    the request does not talk to the broker. Without one (eager mode, no beat): for the actions in
    ``notifications.NOTIFYING_ACTIONS``, and unless the event is history recorded silently,
    ``queue_event_notifications`` runs after commit only: a rolled-back action must never reach
    the applicant.
    """
    if relay_in_use():
        return
    if event.action in notifications.NOTIFYING_ACTIONS and not events.recording_silently():
        transaction.on_commit(partial(queue_event_notifications, event.pk))


def relay_in_use() -> bool:
    """Whether beat's relay plans the notifications (a real broker and ``MOTCUA_NOTIFY_RELAY``)."""
    return bool(settings.MOTCUA_NOTIFY_RELAY) and not notify_event.app.conf.task_always_eager


def queue_event_notifications(event_id: int) -> None:
    """Hand the committed event to the ``notify_event`` task.

    Never raises: the dossier change is already committed, and a broker that is down must not
    turn the clerk's successful action into an error page (the failure is logged).
    """
    try:
        # A broker that is down or hangs: about a second, one warning line; the sweeper plans
        # the event's messages once it is back (motcua.lib.queue).
        publish(notify_event, event_id)
    except Exception:  # eager mode (no broker): the task itself failed in this process
        logger.exception("Không đưa được thông báo của sự kiện %s vào hàng đợi", event_id)
