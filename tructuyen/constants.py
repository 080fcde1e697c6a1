"""Choices of the online channel app."""

from django.db import models


class FileKind(models.TextChoices):
    SUBMITTED = "submitted", "Nộp kèm hồ sơ"
    SUPPLEMENT = "supplement", "Bổ sung"
    RESULT = "result", "Kết quả"
    SCAN = "scan", "Bản quét tại quầy (số hóa)"


class FileType(models.TextChoices):
    """The only file types accepted, recognised by their content (tructuyen.filecheck)."""

    PDF = "application/pdf", "PDF"
    JPEG = "image/jpeg", "JPEG"
    PNG = "image/png", "PNG"
