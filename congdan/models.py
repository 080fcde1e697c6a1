"""A citizen known through the national digital identity (never a Django user, never staff)."""

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
