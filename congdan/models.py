"""A citizen known through the national digital identity (never a Django user, never staff), and their drafts
of online dossiers with the files already uploaded."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from motcua.lib.identity import validate_cccd


def validate_id_number(value: str) -> None:
    """The 12-digit personal ID number (số định danh cá nhân), checked as a căn cước number."""
    number = validate_cccd(value, today=timezone.localdate())
    if number != value:
        raise ValidationError("Số định danh cá nhân chỉ gồm 12 chữ số.", code="id_number_form")


class Citizen(models.Model):
    """One person signed in through the identity provider, keyed on the provider's stable subject."""

    issuer = models.CharField("nhà cung cấp định danh (issuer)", max_length=300)
    subject = models.CharField("mã định danh tài khoản (sub/TechID)", max_length=255)
    id_number = models.CharField("số định danh cá nhân", max_length=12, unique=True, validators=[validate_id_number])
    full_name = models.CharField("họ và tên", max_length=200)
    date_of_birth = models.DateField("ngày sinh", null=True, blank=True)
    assurance_level = models.CharField(
        "mức độ định danh", max_length=40, blank=True, help_text="loAs / IAL / acr do nhà cung cấp trả về."
    )
    email = models.EmailField("thư điện tử", blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    created_at = models.DateTimeField("thời điểm tạo", default=timezone.now)
    last_login_at = models.DateTimeField("lần đăng nhập gần nhất", default=timezone.now)

    class Meta:
        verbose_name = "công dân"
        verbose_name_plural = "công dân"
        ordering = ["full_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["issuer", "subject"], name="citizen_issuer_subject_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.id_number})"


def draft_file_path(instance: DraftFile, filename: str) -> str:
    """``upload_to`` of DraftFile.file; the services name the file themselves (tructuyen.models.storage_name)."""
    return f"ban-nhap/{instance.draft.citizen_id}/{filename}"


class Draft(models.Model):
    """A citizen's online submission not sent yet (/nop-ho-so/): saved at every step, resumable.

    Once sent it keeps a link to its dossier (a repeated "Nộp hồ sơ" finds it) and its files belong
    to the dossier; an unfinished draft has ``dossier`` empty.
    """

    citizen = models.ForeignKey(Citizen, verbose_name="công dân", on_delete=models.CASCADE, related_name="drafts")
    agency = models.ForeignKey(
        "motcua.Agency", verbose_name="cơ quan nhận hồ sơ", on_delete=models.CASCADE, related_name="+"
    )
    procedure = models.ForeignKey(
        "thutuc.Procedure", verbose_name="thủ tục", on_delete=models.CASCADE, related_name="+"
    )
    answers = models.JSONField("nội dung đã khai", default=dict, blank=True)
    dossier = models.OneToOneField(
        "hoso.Dossier",
        verbose_name="hồ sơ đã nộp",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("thời điểm tạo", default=timezone.now)
    updated_at = models.DateTimeField("lưu lần cuối", default=timezone.now)

    class Meta:
        verbose_name = "hồ sơ đang soạn"
        verbose_name_plural = "hồ sơ đang soạn"
        ordering = ["-updated_at", "-id"]
        # "Hồ sơ của tôi": the citizen's unfinished drafts, last saved first.
        indexes = [models.Index(fields=["citizen", "-updated_at"], name="draft_citizen_updated")]

    def __str__(self) -> str:
        return f"Bản nháp #{self.pk} của {self.citizen_id}"


class DraftFile(models.Model):
    """A file of a draft, already checked by content and stored: at submission the dossier's file
    row points at the same stored file (it is never uploaded or copied again)."""

    draft = models.ForeignKey(Draft, verbose_name="bản nháp", on_delete=models.CASCADE, related_name="files")
    # The slot: "giay-<id of the procedure's paper>", "giay-khac" or "uy-quyen".
    slot = models.CharField("ô tải lên", max_length=40)
    paper_name = models.CharField("tên giấy tờ", max_length=500)
    file = models.FileField("tệp", upload_to=draft_file_path, max_length=200)
    original_name = models.CharField("tên tệp gốc", max_length=255)
    content_type = models.CharField("định dạng (theo nội dung)", max_length=40)
    size = models.PositiveBigIntegerField("dung lượng (byte)")
    sha256 = models.CharField("SHA-256", max_length=64)
    uploaded_at = models.DateTimeField("thời điểm tải lên", default=timezone.now)

    class Meta:
        verbose_name = "tệp của bản nháp"
        verbose_name_plural = "tệp của bản nháp"
        ordering = ["draft", "id"]

    def __str__(self) -> str:
        return f"{self.paper_name}: {self.original_name}"
