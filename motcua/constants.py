"""Choices shared by every app."""

from django.db import models


class Role(models.TextChoices):
    CLERK = "clerk", "Cán bộ một cửa"
    OFFICER = "officer", "Công chức chuyên môn"
    LEADER = "leader", "Lãnh đạo"
    ADMIN = "admin", "Quản trị"


# The national agency identifier (QCVN 102:2016) looks like 000.25.31.H49: V1V2V3.Z1Z2.Y1Y2.MX1X2.
AGENCY_CODE_PATTERN = r"^[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9A-Z]{2}$"
DEFAULT_DOSSIER_CODE_PATTERN = "{agency}-{date:%y%m%d}-{seq:04d}"

# A staff session idle this long ends (minutes); each ward sets its own within the bounds.
IDLE_TIMEOUT_DEFAULT = 30
IDLE_TIMEOUT_MIN = 5
IDLE_TIMEOUT_MAX = 480
