"""Online channel rows: API clients of other systems, the dossiers they pushed, and the dossiers' files."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hoso.models import Dossier
from motcua.models import Agency
from thutuc.models import RequiredDocument

from .constants import FileKind, FileType


class ApiClient(models.Model):
    """Another system (the national or provincial portal) allowed to push dossiers to a ward.

    The secret is kept as issued because each request's HMAC is verified with it; it is shown once,
    by `create_api_client`, and never displayed again (the admin does not list it).
    """

    agency = models.ForeignKey(Agency, verbose_name="cơ quan nhận hồ sơ", on_delete=models.PROTECT, related_name="+")
    name = models.CharField("tên hệ thống", max_length=200)
    client_id = models.CharField("mã khách (X-Client-Id)", max_length=64, unique=True)
    secret = models.CharField("khóa bí mật", max_length=128, editable=False)
    active = models.BooleanField("đang dùng", default=True)
    created_at = models.DateTimeField("thời điểm tạo", default=timezone.now)

    class Meta:
        verbose_name = "hệ thống kết nối (API)"
        verbose_name_plural = "hệ thống kết nối (API)"
        ordering = ["agency", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"


class ExternalSubmission(models.Model):
    """A dossier pushed by another system under its own id (MaHoSo): one dossier per id and ward."""

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+")
    external_id = models.CharField("mã hồ sơ bên gửi", max_length=100)
    client = models.ForeignKey(ApiClient, verbose_name="hệ thống gửi", on_delete=models.PROTECT, related_name="+")
    dossier = models.OneToOneField(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="external_submission"
    )
    at = models.DateTimeField("thời điểm nhận")

    class Meta:
        verbose_name = "hồ sơ do hệ thống khác gửi"
        verbose_name_plural = "hồ sơ do hệ thống khác gửi"
        constraints = [
            # The idempotency of POST /api/v1/online-dossiers/: a repeat (or a race) finds the first one.
            models.UniqueConstraint(
                fields=["agency", "external_id"],
                name="external_submission_unique_id",
                violation_error_message="Cơ quan đã nhận hồ sơ có mã này từ hệ thống khác.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.external_id} → {self.dossier}"


def storage_name(agency_id: int, content_type: str, now: datetime) -> str:
    """A path nobody can guess: ward, month, a random name; the original name stays in the row only."""
    extensions: dict[str, str] = {FileType.PDF: "pdf", FileType.JPEG: "jpg", FileType.PNG: "png"}
    extension = extensions.get(content_type, "bin")
    return f"hoso-tep/{agency_id}/{timezone.localtime(now):%Y/%m}/{uuid.uuid4().hex}.{extension}"


def file_path(instance: DossierFile, filename: str) -> str:
    """``upload_to`` of DossierFile.file: see storage_name."""
    return storage_name(instance.dossier.agency_id, instance.content_type, timezone.now())


class DossierFile(models.Model):
    """One uploaded file of a dossier: a paper of the procedure's list (or "other"), a supplement, a scan, a result."""

    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="files")
    required_document = models.ForeignKey(
        RequiredDocument,
        verbose_name="thành phần hồ sơ",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text="Để trống: giấy tờ khác.",
    )
    paper_name = models.CharField("tên giấy tờ", max_length=500)
    kind = models.CharField("loại tệp", max_length=12, choices=FileKind.choices, default=FileKind.SUBMITTED)
    file = models.FileField("tệp", upload_to=file_path, max_length=200)
    original_name = models.CharField("tên tệp gốc", max_length=255)
    content_type = models.CharField("định dạng (theo nội dung)", max_length=40, choices=FileType.choices)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField("SHA-256", max_length=64)
    digitised = models.BooleanField("bản số hóa", default=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người tải lên",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Để trống: công dân hoặc hệ thống khác gửi.",
    )
    source = models.CharField("nguồn", max_length=100, blank=True)
    uploaded_at = models.DateTimeField("thời điểm tải lên")

    class Meta:
        verbose_name = "tệp hồ sơ"
        verbose_name_plural = "tệp hồ sơ"
        ordering = ["dossier", "id"]
        indexes = [models.Index(fields=["dossier", "kind"], name="dossier_file_dossier_kind")]
        constraints = [
            models.CheckConstraint(
                name="dossier_file_sha256_hex",
                condition=Q(sha256__regex=r"^[0-9a-f]{64}$"),
                violation_error_message="Mã băm SHA-256 phải là 64 chữ số hệ 16.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.paper_name}: {self.original_name}"
