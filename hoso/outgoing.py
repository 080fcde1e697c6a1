"""What every message to a person has in common: the abstract model behind ``hoso.Notification``
(to an applicant, about a dossier) and ``phananh.PetitionMessage`` (to the sender of a petition).

The columns (channel, address, text, send status) and the at-most-once send: an attempt is taken
with one conditional UPDATE, so two workers holding the same task never send a message twice.
Both kinds go out through ``hoso.notifications.deliver``.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import models
from django.db.models import F

from .constants import NotificationChannel, NotificationStatus


class OutgoingMessage(models.Model):
    """One message on one channel to one address, sent at most once."""

    channel = models.CharField("kênh gửi", max_length=8, choices=NotificationChannel.choices)
    recipient = models.CharField("người nhận", max_length=254)
    subject = models.CharField("tiêu đề", max_length=200, blank=True)
    body = models.TextField("nội dung")
    status = models.CharField(
        "trạng thái", max_length=8, choices=NotificationStatus.choices, default=NotificationStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField("số lần gửi", default=0)
    error = models.TextField("lỗi", blank=True)
    created_at = models.DateTimeField("lập lúc", auto_now_add=True)
    sent_at = models.DateTimeField("gửi lúc", null=True, blank=True)

    class Meta:
        abstract = True

    @classmethod
    def claim_attempt(cls, pk: int, attempt: int) -> bool:
        """Take attempt number ``attempt`` (1 for the first send) of a pending message.

        One conditional UPDATE: it succeeds only when the row is still pending and exactly
        ``attempt - 1`` attempts were taken. Two workers holding the same task message (a duplicate
        queue, a redelivery after ``acks_late``) race for the same attempt number and only one wins,
        so a message is never sent twice. The price: a worker that dies in the middle of a send
        leaves the row pending (at most once, never twice).
        """
        updated = cls._default_manager.filter(pk=pk, status=NotificationStatus.PENDING, attempts=attempt - 1).update(
            attempts=F("attempts") + 1
        )
        return updated == 1

    @classmethod
    def record_sent(cls, pk: int, *, now: datetime) -> None:
        cls._default_manager.filter(pk=pk).update(status=NotificationStatus.SENT, sent_at=now, error="")

    @classmethod
    def record_failure(cls, pk: int, error: str, *, final: bool) -> None:
        """Keep the error; the row stays pending while a retry is coming, failed after the last one."""
        changes: dict[str, Any] = {"error": error[:2000]}
        if final:
            changes["status"] = NotificationStatus.FAILED
        cls._default_manager.filter(pk=pk, status=NotificationStatus.PENDING).update(**changes)
