"""Petitions (phản ánh, kiến nghị), their events, photos and messages to the sender."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from hoso.outgoing import OutgoingMessage
from motcua.lib.text import BoundedTextField, TextLimit
from motcua.models import Agency

from .constants import Action, Channel, Decision, Kind, Rating, Status

ANSWER_LIMIT = 10_000


class Petition(models.Model):
    """One piece of feedback or one petition; its due columns are set by ``phananh.services`` from
    ``phananh.deadlines.schedule`` in the transaction of the event that changes them."""

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="petitions")
    code = models.CharField("mã phản ánh", max_length=60, unique=True)
    kind = models.CharField("loại", max_length=16, choices=Kind.choices)
    channel = models.CharField("kênh tiếp nhận", max_length=16, choices=Channel.choices)
    status = models.CharField("trạng thái", max_length=20, choices=Status.choices, default=Status.RECEIVED)
    subject = models.CharField("tiêu đề", max_length=200, blank=True)
    content = BoundedTextField("nội dung", max_length=TextLimit.NOTE * 2, blank=True)
    # The sender: never shown on a public page (docs/petitions.md §4).
    citizen = models.ForeignKey(
        "congdan.Citizen", verbose_name="công dân", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    sender_name = models.CharField("họ tên người gửi", max_length=TextLimit.NAME, blank=True)
    sender_phone = models.CharField("điện thoại", max_length=15, blank=True)
    sender_email = models.EmailField("thư điện tử", blank=True)
    sender_address = models.CharField("địa chỉ", max_length=TextLimit.ADDRESS, blank=True)
    sender_id_number = models.CharField("số định danh", max_length=12, blank=True)
    dossier = models.ForeignKey(
        "hoso.Dossier",
        verbose_name="hồ sơ liên quan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    survey_rating = models.OneToOneField(
        "hoso.SatisfactionRating",
        verbose_name="từ phiếu đánh giá",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="petition",
    )
    token = models.CharField("mã theo dõi của người gửi", max_length=64, unique=True)
    received_at = models.DateTimeField("tiếp nhận lúc")
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người nhập",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="công chức xử lý",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decide_due_at = models.DateTimeField("hạn xem xét tiếp nhận")
    decided_at = models.DateTimeField("quyết định lúc", null=True, blank=True)
    decision = models.CharField("quyết định", max_length=10, choices=Decision.choices, blank=True)
    refusal_reason = BoundedTextField("lý do từ chối", max_length=TextLimit.NOTE, blank=True)
    more_info_due_at = models.DateTimeField("hạn đề nghị bổ sung")
    more_info_requested_at = models.DateTimeField("đề nghị bổ sung lúc", null=True, blank=True)
    more_info_question = BoundedTextField("nội dung cần bổ sung", max_length=TextLimit.NOTE, blank=True)
    more_info_received_at = models.DateTimeField("nhận bổ sung lúc", null=True, blank=True)
    answer_due_at = models.DateTimeField("hạn trả lời", null=True, blank=True)
    answer = BoundedTextField("nội dung trả lời", max_length=ANSWER_LIMIT, blank=True)
    answered_at = models.DateTimeField("trả lời lúc", null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="lãnh đạo duyệt",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    publish_due_at = models.DateTimeField("hạn công khai", null=True, blank=True)
    published_at = models.DateTimeField("công khai lúc", null=True, blank=True)
    public_subject = models.CharField("tiêu đề công khai", max_length=200, blank=True)
    public_question = BoundedTextField("nội dung công khai", max_length=TextLimit.NOTE * 2, blank=True)
    public_answer = BoundedTextField("trả lời công khai", max_length=ANSWER_LIMIT, blank=True)
    rating = models.CharField("đánh giá của người gửi", max_length=16, choices=Rating.choices, blank=True)
    rated_at = models.DateTimeField("đánh giá lúc", null=True, blank=True)
    rating_comment = BoundedTextField("ý kiến", max_length=TextLimit.NOTE, blank=True)
    reopened_at = models.DateTimeField("mở lại lúc", null=True, blank=True)
    due_at = models.DateTimeField("hạn của bước hiện tại", null=True, blank=True)
    imported = models.BooleanField("nhập từ hệ thống cũ", default=False)

    class Meta:
        verbose_name = "phản ánh, kiến nghị"
        verbose_name_plural = "phản ánh, kiến nghị"
        ordering = ["-received_at"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(decision=Decision.REFUSED) | ~models.Q(refusal_reason=""),
                name="petition_refusal_has_reason",
                violation_error_message="Từ chối tiếp nhận phải ghi rõ lý do.",
            ),
            models.CheckConstraint(
                condition=models.Q(published_at__isnull=True) | models.Q(answered_at__isnull=False),
                name="petition_published_after_answer",
                violation_error_message="Chỉ công khai được phản ánh đã trả lời.",
            ),
        ]
        indexes = [
            # The worklists: a ward's open petitions by due time.
            models.Index(fields=["agency", "status", "due_at"], name="petition_worklist"),
            # The report: a ward's petitions received in a window.
            models.Index(fields=["agency", "received_at"], name="petition_agency_received"),
            # The public page of published answers.
            models.Index(fields=["agency", "published_at"], name="petition_published"),
        ]

    def __str__(self) -> str:
        return self.code


class PetitionEvent(models.Model):
    """One action on a petition: append-only, the petition's history."""

    petition = models.ForeignKey(Petition, verbose_name="phản ánh", on_delete=models.CASCADE, related_name="events")
    action = models.CharField("thao tác", max_length=24, choices=Action.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người thực hiện", on_delete=models.PROTECT, null=True, blank=True
    )
    at = models.DateTimeField("lúc")
    note = BoundedTextField("ghi chú", max_length=TextLimit.NOTE, blank=True)
    data = models.JSONField("dữ liệu", default=dict, blank=True)

    class Meta:
        verbose_name = "sự kiện phản ánh"
        verbose_name_plural = "sự kiện phản ánh"
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.petition_id} {self.action}"


def photo_path(instance: PetitionPhoto, filename: str) -> str:
    """``upload_to`` of PetitionPhoto.file; the service names the file itself."""
    return f"phan-anh/{instance.petition.agency_id}/{filename}"


class PetitionPhoto(models.Model):
    """A photo or PDF sent with a petition, checked by its content (``tructuyen.filecheck``)."""

    petition = models.ForeignKey(Petition, verbose_name="phản ánh", on_delete=models.CASCADE, related_name="photos")
    file = models.FileField("tệp", upload_to=photo_path, max_length=200)
    original_name = models.CharField("tên tệp", max_length=255)
    content_type = models.CharField("loại tệp", max_length=40)
    size = models.PositiveIntegerField("dung lượng")
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = "ảnh kèm phản ánh"
        verbose_name_plural = "ảnh kèm phản ánh"

    def __str__(self) -> str:
        return self.original_name


class PetitionMessage(OutgoingMessage):
    """One message to the sender about one event on one channel: sent at most once (the columns and
    the claim of ``hoso.Notification``, sent by the same channels)."""

    petition = models.ForeignKey(Petition, verbose_name="phản ánh", on_delete=models.CASCADE, related_name="messages")
    event = models.ForeignKey(PetitionEvent, verbose_name="sự kiện", on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = "thông báo phản ánh"
        verbose_name_plural = "thông báo phản ánh"
        constraints = [models.UniqueConstraint(fields=["event", "channel"], name="petition_message_once")]

    def __str__(self) -> str:
        return f"{self.petition_id} → {self.recipient}"
