"""Signed documents, their signatures, a ward's own signing key and the certification register.

* ``SignedDocument``: a PDF the portal issued (a final report, an electronic result, a certified
  copy) under a public verification code; ``issued_sha256`` is the hash of the bytes as issued,
  ``pdf`` the latest signed version. A signed file is recognised by the hash of any of its
  revisions (kyso.verify.prefix_hashes).
* ``Signature``: one signature on it (leader or organisation), with what its validation found.
* ``SigningKey``: a ward's own PKCS#12; wards without one sign with MOTCUA_SIGNING_P12.
* ``CertificationEntry``: one line of the certification register (sổ chứng thực), paper or
  electronic, for the share of certified electronic copies in a report.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from hoso.models import Dossier
from motcua.models import Agency


class DocumentKind(models.TextChoices):
    REPORT = "report", "Báo cáo"
    RESULT = "result", "Kết quả giải quyết"
    COPY = "copy", "Bản sao điện tử chứng thực từ bản chính"


class SignerRole(models.TextChoices):
    LEADER = "leader", "Người có thẩm quyền"
    ORGANISATION = "organisation", "Cơ quan"


class SignedDocument(models.Model):
    """A PDF issued by the portal to be signed, under its verification code."""

    code = models.CharField("mã xác thực", max_length=16, unique=True)
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("loại văn bản", max_length=12, choices=DocumentKind.choices)
    title = models.CharField("tên văn bản", max_length=300)
    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    issued_at = models.DateTimeField("thời điểm phát hành", default=timezone.now)
    issued_sha256 = models.CharField("SHA-256 khi phát hành", max_length=64, db_index=True)
    issued_revisions = models.PositiveIntegerField("số phiên bản khi phát hành", default=1)
    pdf = models.BinaryField("tệp PDF đã ký", editable=False)
    current_sha256 = models.CharField("SHA-256 bản hiện tại", max_length=64)

    class Meta:
        verbose_name = "văn bản ký số"
        verbose_name_plural = "văn bản ký số"
        ordering = ["-issued_at"]

    def __str__(self) -> str:
        return f"{self.title} ({self.code})"


class Signature(models.Model):
    """One signature of a document and the result of its validation."""

    document = models.ForeignKey(
        SignedDocument, verbose_name="văn bản", on_delete=models.CASCADE, related_name="signatures"
    )
    role = models.CharField("vai trò", max_length=12, choices=SignerRole.choices)
    signer_name = models.CharField("người ký", max_length=300)
    position = models.CharField("chức vụ", max_length=200, blank=True)
    serial = models.CharField("số hiệu chứng thư", max_length=80)
    issuer = models.CharField("tổ chức cấp chứng thư", max_length=500)
    signed_at = models.DateTimeField("thời điểm ký", null=True)
    document_sha256 = models.CharField("SHA-256 tệp sau khi ký", max_length=64, db_index=True)
    on_server = models.BooleanField("ký trên máy chủ", default=True)
    valid = models.BooleanField("hợp lệ", default=False)
    problems = models.TextField("vấn đề phát hiện", blank=True)
    validated_at = models.DateTimeField("thời điểm kiểm tra", default=timezone.now)

    class Meta:
        verbose_name = "chữ ký số"
        verbose_name_plural = "chữ ký số"
        ordering = ["document", "signed_at", "id"]

    def __str__(self) -> str:
        return f"{self.signer_name} ({self.get_role_display()})"


class SigningKey(models.Model):
    """A ward's own PKCS#12 key for the organisation's signature."""

    agency = models.OneToOneField(Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+")
    p12 = models.BinaryField("tệp PKCS#12", editable=False)
    password = models.CharField("mật khẩu tệp", max_length=200, blank=True)
    signer_name = models.CharField("tên hiển thị trên chữ ký", max_length=300)
    position = models.CharField("chức vụ", max_length=200, blank=True)
    created_at = models.DateTimeField("thời điểm nạp", default=timezone.now)

    class Meta:
        verbose_name = "khóa ký số của cơ quan"
        verbose_name_plural = "khóa ký số của cơ quan"

    def __str__(self) -> str:
        return str(self.signer_name)


class CertificationEntry(models.Model):
    """A line of the certification register: one certification, paper or electronic."""

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+")
    book_number = models.CharField("quyển số", max_length=30)
    entry_number = models.PositiveIntegerField("số chứng thực")
    certified_on = models.DateField("ngày chứng thực")
    fee = models.PositiveIntegerField("lệ phí (đồng)", default=0)
    electronic = models.BooleanField("bản sao điện tử", default=False)
    title = models.CharField("tên giấy tờ", max_length=300)
    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    document = models.OneToOneField(
        SignedDocument, verbose_name="bản sao điện tử", null=True, blank=True, on_delete=models.PROTECT
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người ghi sổ", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_at = models.DateTimeField("thời điểm ghi sổ", default=timezone.now)

    class Meta:
        verbose_name = "sổ chứng thực"
        verbose_name_plural = "sổ chứng thực"
        ordering = ["agency", "book_number", "entry_number"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "book_number", "entry_number"],
                name="certification_entry_unique_number",
                violation_error_message="Số chứng thực này đã có trong quyển sổ.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.book_number}/{self.entry_number}"
