"""A demo citizen's identity record at the development provider: the claims VNeID would release."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models


class DemoCitizen(models.Model):
    """One signed-in account of the provider (a Django user) and its identity claims."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen")
    tech_id = models.CharField("TechID", max_length=64, unique=True)
    id_number = models.CharField("số định danh cá nhân", max_length=12, unique=True)
    full_name = models.CharField("họ và tên", max_length=200)
    birth_date = models.DateField("ngày sinh")
    level = models.PositiveSmallIntegerField("mức độ định danh (loAs/IAL)", default=2)
    email = models.EmailField("thư điện tử", blank=True)
    phone = models.CharField("điện thoại", max_length=15, blank=True)
    address = models.CharField("địa chỉ", max_length=300, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.id_number})"

    def claims(self) -> dict[str, Any]:
        """The claims of the ID token and the userinfo answer, in the national portal's vocabulary."""
        return {
            "TechID": self.tech_id,
            "LoaiTaiKhoan": "1",
            "SoDinhDanh": self.id_number,
            "HoVaTen": self.full_name,
            "NgayThangNamSinh": self.birth_date.strftime("%d/%m/%Y"),
            "loAs": str(self.level),
            "IAL": str(self.level),
            "name": self.full_name,
            "birthdate": self.birth_date.isoformat(),
            "email": self.email,
            "phone_number": self.phone,
            "address": {"formatted": self.address},
        }
