"""The wards (agencies) a deployment serves and their staff."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils import timezone

from .constants import (
    AGENCY_CODE_PATTERN,
    DEFAULT_DOSSIER_CODE_PATTERN,
    IDLE_TIMEOUT_DEFAULT,
    IDLE_TIMEOUT_MAX,
    IDLE_TIMEOUT_MIN,
    Role,
)
from .lib.codepattern import HELP_TEXT as CODE_PATTERN_HELP
from .lib.codepattern import validate_code_pattern
from .lib.identity import validate_name
from .lib.text import normalise_spaces

agency_code_validator = RegexValidator(
    AGENCY_CODE_PATTERN,
    "Mã định danh cơ quan không đúng dạng QCVN 102:2016 (ví dụ 000.25.31.H49).",
)


class Agency(models.Model):
    """A ward or commune one-stop desk (Trung tâm Phục vụ hành chính công cấp xã)."""

    code = models.CharField(
        "mã định danh",
        max_length=20,
        unique=True,
        validators=[agency_code_validator],
        help_text="Mã định danh cơ quan theo QCVN 102:2016; đứng đầu mã hồ sơ.",
    )
    name = models.CharField("tên", max_length=200, help_text="Ví dụ: Phường Hoàn Kiếm")
    parent_name = models.CharField("tỉnh/thành phố", max_length=200, blank=True)
    desk_name = models.CharField(
        "tên bộ phận tiếp nhận",
        max_length=200,
        default="Trung tâm Phục vụ hành chính công",
        help_text="Dòng thứ hai của quốc hiệu bên trái trên phiếu.",
    )
    address = models.CharField("địa chỉ", max_length=300, blank=True)
    place_name = models.CharField(
        "địa danh", max_length=100, blank=True, help_text="Dùng ở dòng ngày tháng: “Hà Nội, ngày …”."
    )
    phone = models.CharField("điện thoại", max_length=30, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    leader_name = models.CharField("họ tên lãnh đạo", max_length=120, blank=True)
    leader_title = models.CharField("chức danh lãnh đạo", max_length=120, blank=True, default="Chủ tịch")
    opening_hours = models.CharField(
        "giờ làm việc",
        max_length=200,
        blank=True,
        default="Sáng 07:30–11:30, chiều 13:30–17:00, thứ Hai đến thứ Sáu",
    )
    dossier_code_pattern = models.CharField(
        "mẫu mã hồ sơ",
        max_length=80,
        default=DEFAULT_DOSSIER_CODE_PATTERN,
        validators=[validate_code_pattern],
        help_text=CODE_PATTERN_HELP,
    )
    survey_scale = models.PositiveSmallIntegerField(
        "thang đánh giá hài lòng", choices=[(3, "3 mức"), (5, "5 mức")], default=3
    )
    # Shared counter PCs: a staff session left untouched this long ends (motcua.middleware.idle_timeout).
    idle_timeout_minutes = models.PositiveSmallIntegerField(
        "tự đăng xuất sau (phút không thao tác)",
        default=IDLE_TIMEOUT_DEFAULT,
        validators=[MinValueValidator(IDLE_TIMEOUT_MIN), MaxValueValidator(IDLE_TIMEOUT_MAX)],
        help_text=f"Từ {IDLE_TIMEOUT_MIN} đến {IDLE_TIMEOUT_MAX} phút. Phiên làm việc của cán bộ kết thúc khi "
        "không thao tác quá thời gian này, và luôn kết thúc khi đóng trình duyệt.",
    )
    active = models.BooleanField("đang hoạt động", default=True)
    created_at = models.DateTimeField("thời điểm tạo", auto_now_add=True)

    class Meta:
        verbose_name = "cơ quan"
        verbose_name_plural = "cơ quan"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(idle_timeout_minutes__gte=IDLE_TIMEOUT_MIN)
                & models.Q(idle_timeout_minutes__lte=IDLE_TIMEOUT_MAX),
                name="agency_idle_timeout_bounded",
                violation_error_message=(
                    f"Thời gian tự đăng xuất phải từ {IDLE_TIMEOUT_MIN} đến {IDLE_TIMEOUT_MAX} phút."
                ),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """One-line texts in normal form (no bidi-override, control or invisible characters); the
        names printed on slips must have a letter."""
        super().clean()
        for name in ("name", "parent_name", "desk_name", "address", "place_name", "leader_name", "leader_title"):
            setattr(self, name, normalise_spaces(getattr(self, name)))
        errors = {}
        for name, what in (("name", "Tên cơ quan"), ("desk_name", "Tên bộ phận"), ("leader_name", "Họ tên lãnh đạo")):
            try:
                validate_name(getattr(self, name), what=what)
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)

    @property
    def committee_name(self) -> str:
        """The issuing body on the left of the national header, e.g. 'ỦY BAN NHÂN DÂN PHƯỜNG X'."""
        return f"Ủy ban nhân dân {self.name}".upper()


class User(AbstractUser):
    """A member of staff. Citizens never log in."""

    agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan",
        on_delete=models.PROTECT,
        related_name="staff",
        null=True,
        blank=True,
        help_text="Để trống chỉ với quản trị hệ thống toàn tỉnh.",
    )
    role = models.CharField("vai trò", max_length=16, choices=Role.choices, default=Role.CLERK)
    title = models.CharField("chức vụ", max_length=120, blank=True)
    # Django's own names for these read "trạng thái superuser", "tình trạng nhân viên": say what
    # they mean at a ward (same columns, same defaults).
    first_name = models.CharField("tên", max_length=150, blank=True)
    last_name = models.CharField("họ và tên đệm", max_length=150, blank=True)
    email = models.EmailField("thư điện tử", blank=True)
    is_staff = models.BooleanField(
        "được vào trang quản trị",
        default=False,
        help_text="Tự đặt theo vai trò: chỉ quản trị cơ quan và quản trị hệ thống vào được trang quản trị.",
    )
    is_superuser = models.BooleanField(
        "quản trị hệ thống (toàn quyền)",
        default=False,
        help_text="Toàn quyền trên mọi cơ quan; chỉ dành cho quản trị hệ thống của tỉnh.",
    )
    is_active = models.BooleanField(
        "đang hoạt động",
        default=True,
        help_text="Bỏ chọn thay cho việc xóa tài khoản khi cán bộ nghỉ hoặc chuyển công tác.",
    )
    date_joined = models.DateTimeField("ngày tạo tài khoản", default=timezone.now)

    class Meta:
        verbose_name = "cán bộ"
        verbose_name_plural = "cán bộ"
        constraints = [
            # Everyone but a deployment-wide superuser works for one ward.
            models.CheckConstraint(
                condition=models.Q(agency__isnull=False) | models.Q(is_superuser=True),
                name="user_agency_required_unless_superuser",
                violation_error_message="Cán bộ phải thuộc một cơ quan (chỉ quản trị hệ thống được để trống).",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    def get_full_name(self) -> str:
        """Vietnamese order: family and middle names (last_name) before the given name."""
        return f"{self.last_name} {self.first_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.username

    def has_role(self, *roles: str) -> bool:
        return self.is_active and (self.is_superuser or self.role in roles)

    def set_staff_flag(self) -> None:
        """Derive Django's staff flag, which opens the admin site: the admin role or a superuser."""
        self.is_staff = self.role == Role.ADMIN or self.is_superuser

    def clean(self) -> None:
        """Names in normal form (no bidi-override, control or invisible characters) and with a letter."""
        super().clean()
        errors = {}
        for name, what in (("last_name", "Họ và tên đệm"), ("first_name", "Tên")):
            try:
                setattr(self, name, validate_name(getattr(self, name), what=what))
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)


class Heartbeat(models.Model):
    """The last time a periodic job ran, by name: ``beat`` is written every minute by a worker
    running the task beat sent (``motcua.tasks.heartbeat``), so /healthz?full=1 can tell an
    operator when beat (or every worker) stopped (docs/operations.md)."""

    name = models.CharField("tên", max_length=40, unique=True)
    at = models.DateTimeField("lần chạy gần nhất")
    worker = models.CharField("tiến trình", max_length=200, blank=True)

    class Meta:
        verbose_name = "nhịp hoạt động"
        verbose_name_plural = "nhịp hoạt động"

    def __str__(self) -> str:
        return f"{self.name} {self.at:%d/%m/%Y %H:%M:%S}"
