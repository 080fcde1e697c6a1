"""The outbox of the national link: one row per workflow event to send to the national portal."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from hoso.models import Dossier


class Kind(models.TextChoices):
    DOSSIER = "dossier", "Hồ sơ và bước xử lý"  # the record as of the event, and the event's step
    PROGRESS = "progress", "Bước xử lý"
    FEE = "fee", "Phí, lệ phí"
    RATING = "rating", "Đánh giá"


class State(models.TextChoices):
    PENDING = "pending", "Đang chờ gửi"
    SENT = "sent", "Đang gửi"  # claimed by a worker until next_attempt_at (its lease)
    ACKNOWLEDGED = "acknowledged", "Đã đồng bộ"
    FAILED = "failed", "Cổng quốc gia từ chối"
    BLOCKED = "blocked", "Không đồng bộ được"


class OutboxEntry(models.Model):
    """What to send for one event of a dossier, sent in ``sequence`` order within the dossier.

    ``sequence`` is the id of the dossier event the row was written with: it increases within a
    dossier (events are written under the dossier's row lock) and costs no query to know.
    """

    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="outbox")
    kind = models.CharField("loại", max_length=12, choices=Kind.choices, default=Kind.DOSSIER)
    payload = models.JSONField("nội dung gửi", default=dict)
    mapping_version = models.PositiveSmallIntegerField("phiên bản ánh xạ", default=1)
    sequence = models.BigIntegerField("thứ tự trong hồ sơ")
    state = models.CharField("trạng thái", max_length=12, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField("số lần gửi", default=0)
    last_error = models.TextField("lỗi gần nhất", blank=True)
    next_attempt_at = models.DateTimeField("gửi lại từ", default=timezone.now)
    acknowledged_at = models.DateTimeField("thời điểm được xác nhận", null=True, blank=True)
    created_at = models.DateTimeField("thời điểm lập", default=timezone.now)

    class Meta:
        verbose_name = "bản tin liên thông"
        verbose_name_plural = "bản tin liên thông"
        ordering = ["dossier", "sequence", "id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_state_next"),
            models.Index(fields=["dossier", "sequence"], name="outbox_dossier_sequence"),
            # The drain's "an earlier row of this dossier is not acknowledged yet" probe.
            models.Index(
                fields=["dossier", "sequence", "id"],
                name="outbox_open_by_dossier",
                condition=~models.Q(state="acknowledged"),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.dossier_id} #{self.sequence} {self.get_state_display()}"


class Reconciliation(models.Model):
    """One run of the reconciliation with the portal (lienthong.reconcile), kept for the ward admin."""

    agency = models.ForeignKey("motcua.Agency", verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+")
    start = models.DateField("từ ngày")
    end = models.DateField("đến ngày")
    ran_at = models.DateTimeField("thời điểm đối chiếu", default=timezone.now)
    checked = models.PositiveIntegerField("số hồ sơ đối chiếu", default=0)
    differences = models.PositiveIntegerField("số hồ sơ khác", default=0)
    resent = models.PositiveIntegerField("số hồ sơ gửi lại", default=0)
    blocked = models.PositiveIntegerField("số hồ sơ không đồng bộ được", default=0)
    report = models.TextField("kết quả", blank=True)

    class Meta:
        verbose_name = "lần đối chiếu với Cổng DVC quốc gia"
        verbose_name_plural = "đối chiếu với Cổng DVC quốc gia"
        ordering = ["-ran_at"]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"
