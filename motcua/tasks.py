"""The portal's own periodic task: the heartbeat beat schedules every minute (docs/operations.md)."""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from .models import Heartbeat


@shared_task(name="motcua.heartbeat", bind=True)
def heartbeat(self: Task) -> None:
    """Record that beat sent this and a worker ran it, now (read by /healthz?full=1)."""
    hostname = self.request.hostname or ""
    Heartbeat.objects.update_or_create(name="beat", defaults={"at": timezone.now(), "worker": hostname[:200]})
