"""Dossiers and the working calendar they are timed by."""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone

from motcua.lib.text import BoundedTextField, TextLimit, fold
from motcua.models import Agency
from thutuc.constants import Channel, DocumentForm
from thutuc.models import Field, Procedure, RequiredDocument

from .constants import (
    NATIONAL_STATUS,
    OPEN_STATUSES,
    Action,
    ApplicantKind,
    CalendarDayKind,
    Delivery,
    FollowUpStatus,
    IdKind,
    NotificationChannel,
    NotificationKind,
    SatisfactionLevel,
    Status,
    SurveyChannel,
    Timeliness,
    Weekday,
)
from .ended import ended_at
from .messages import check_text
from .outgoing import OutgoingMessage


class CalendarDay(models.Model):
    """A public holiday or a make-up working day (ngày làm bù).

    Rows without an agency are the national calendar (imported from holidays_vn.csv); a ward's
    own row for the same date replaces the national one for that ward.
    """

    agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_days",
        help_text="Để trống: áp dụng toàn quốc.",
    )
    date = models.DateField("ngày")
    kind = models.CharField("loại", max_length=16, choices=CalendarDayKind.choices)
    name = models.CharField("tên", max_length=300)
    source_url = models.URLField("nguồn", max_length=500, blank=True)

    class Meta:
        verbose_name = "ngày nghỉ / làm bù"
        verbose_name_plural = "lịch nghỉ lễ và ngày làm bù"
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(
                fields=["date"],
                condition=Q(agency__isnull=True),
                name="calendar_day_national_unique",
                violation_error_message="Lịch toàn quốc đã có ngày này: hãy sửa dòng đã có.",
            ),
            models.UniqueConstraint(
                fields=["agency", "date"],
                name="calendar_day_agency_unique",
                violation_error_message="Cơ quan đã khai báo ngày này: hãy sửa dòng đã có.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} – {self.name}"


class WorkingSession(models.Model):
    """An opening session of a ward on a weekday. A ward with no rows uses Mon–Fri 07:30–11:30, 13:30–17:00."""

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="sessions")
    weekday = models.PositiveSmallIntegerField("thứ", choices=Weekday.choices)
    start = models.TimeField("từ")
    end = models.TimeField("đến")

    class Meta:
        verbose_name = "buổi làm việc"
        verbose_name_plural = "buổi làm việc"
        ordering = ["agency", "weekday", "start"]
        constraints = [
            models.CheckConstraint(
                condition=Q(start__lt=F("end")),
                name="working_session_start_before_end",
                violation_error_message="Giờ kết thúc buổi làm việc phải sau giờ bắt đầu.",
            ),
            models.UniqueConstraint(
                fields=["agency", "weekday", "start"],
                name="working_session_unique_start",
                violation_error_message="Đã có buổi làm việc bắt đầu giờ này vào thứ này: hãy sửa buổi đã có.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class DossierCounter(models.Model):
    """The last sequence number an agency gave on a day; locked while a code is assigned."""

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+")
    day = models.DateField("ngày")
    last = models.PositiveIntegerField("số thứ tự cuối", default=0)

    class Meta:
        verbose_name = "bộ đếm mã hồ sơ"
        verbose_name_plural = "bộ đếm mã hồ sơ"
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "day"],
                name="dossier_counter_unique_day",
                violation_error_message="Cơ quan đã có bộ đếm mã hồ sơ cho ngày này.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.agency_id} {self.day}: {self.last}"


# The columns the counter's search box reads through `Dossier.search_text`.
SEARCH_SOURCES = frozenset({"code", "applicant_name", "applicant_phone", "applicant_id_number"})
_WORDS = re.compile(r"[^\W_]+")


def dossier_search_text(code: str | None, name: str, phone: str, id_number: str) -> str:
    """' nguyen van an 0912345678 001090012345 000.00.01.h26-250307-0001 ': lower case, no diacritics.

    Each word of the name is preceded by a space, so "a word of the name starts with X" is
    `contains " X"`, and every part is a plain substring test that one trigram index serves.
    """
    if code:
        return search_text_before_code(name, phone, id_number) + code.lower() + " "
    parts = [*_WORDS.findall(fold(name)), phone, id_number.lower()]
    return " " + " ".join(part for part in parts if part) + " "


def search_text_before_code(name: str, phone: str, id_number: str) -> str:
    """``dossier_search_text`` up to the code, which follows it then a space (``hoso.creation``
    appends the code in SQL when the database numbers the dossier)."""
    parts = [part for part in (*_WORDS.findall(fold(name)), phone, id_number.lower()) if part]
    return " " + "".join(f"{part} " for part in parts)


class DossierQuerySet(models.QuerySet):
    def bulk_create(self, objs: Any, *args: Any, **kwargs: Any) -> list[Dossier]:
        objs = list(objs)
        for obj in objs:
            obj.refresh_search_text()
        return super().bulk_create(objs, *args, **kwargs)


class Dossier(models.Model):
    """One application brought to the desk (hồ sơ).

    Status and the clock columns (due_at, shown_due_at, result_ready_at, supplement_requests,
    timeliness…) are written only by hoso.workflow, in the transaction of the event that changes
    them; `recompute_clock` rebuilds them from the events.
    """

    # No index of its own (nor the officer, nor the events' dossier): Meta's indexes begin with it,
    # and each receipt writes one entry fewer. The lookup key is only compared on the dossier found
    # by its code (hoso.lookup). Migration 0019 says more.
    agency = models.ForeignKey(Agency, models.PROTECT, verbose_name="cơ quan", related_name="dossiers", db_index=False)
    code = models.CharField("mã hồ sơ", max_length=60, unique=True, null=True, blank=True)
    lookup_key = models.CharField("mã tra cứu", max_length=12)
    status = models.CharField("trạng thái", max_length=24, choices=Status.choices)

    procedure = models.ForeignKey(Procedure, verbose_name="thủ tục", on_delete=models.PROTECT, related_name="dossiers")
    field = models.ForeignKey(Field, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="dossiers")
    # The procedure as it stood at intake: name, limit, fee, documents. Later catalogue edits
    # must not rewrite what the citizen was told.
    procedure_snapshot = models.JSONField("thủ tục lúc tiếp nhận", default=dict)
    channel = models.PositiveSmallIntegerField("kênh nộp", choices=Channel.choices, default=Channel.COUNTER)

    applicant_kind = models.CharField(
        "người nộp là", max_length=16, choices=ApplicantKind.choices, default=ApplicantKind.CITIZEN
    )
    applicant_name = models.CharField("họ tên người nộp / tên tổ chức", max_length=200)
    applicant_id_kind = models.CharField("loại giấy tờ", max_length=10, choices=IdKind.choices, default=IdKind.CCCD)
    applicant_id_number = models.CharField("số giấy tờ", max_length=20, blank=True)
    applicant_phone = models.CharField("điện thoại", max_length=15, blank=True)
    applicant_email = models.EmailField("thư điện tử", blank=True)
    applicant_address = models.CharField("địa chỉ", max_length=300, blank=True)

    sets = models.PositiveSmallIntegerField("số bộ hồ sơ", default=1)
    delivery = models.CharField("nơi nhận kết quả", max_length=12, choices=Delivery.choices, default=Delivery.DESK)
    delivery_address = models.CharField("địa chỉ nhận kết quả", max_length=300, blank=True)
    fee_amount = models.PositiveIntegerField("phí, lệ phí đã thu (đồng)", default=0)
    note = BoundedTextField("ghi chú", blank=True, max_length=TextLimit.NOTE)
    intake_token = models.UUIDField("mã phiên tiếp nhận", null=True, blank=True, unique=True, editable=False)

    clerk = models.ForeignKey(  # empty only while an online dossier awaits intake
        settings.AUTH_USER_MODEL, verbose_name="cán bộ tiếp nhận", on_delete=models.PROTECT, null=True, related_name="+"
    )
    officer = models.ForeignKey(  # searched through Meta's index (officer, status, due_at)
        settings.AUTH_USER_MODEL,
        verbose_name="công chức xử lý",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_dossiers",
        db_index=False,
    )

    # The instant of the intake that created the row (the workflow passes its one clock reading).
    created_at = models.DateTimeField("thời điểm lập", default=timezone.now)
    received_at = models.DateTimeField("thời điểm tiếp nhận", null=True, blank=True)
    # Online channel (tructuyen): submitted, to be received within 8 working hours (hoso.online).
    submitted_at = models.DateTimeField("thời điểm nộp trực tuyến", null=True, blank=True)
    intake_due_at = models.DateTimeField("hạn tiếp nhận hồ sơ trực tuyến", null=True, blank=True)
    level_of_assurance = models.CharField("mức độ bảo đảm định danh", max_length=16, blank=True)
    manual_due_at = models.DateTimeField(
        "ngày hẹn do cán bộ nhập", null=True, blank=True, help_text="Chỉ với thủ tục không có thời hạn tính được."
    )
    base_due_at = models.DateTimeField("hạn theo quy định", null=True, blank=True)
    due_at = models.DateTimeField("hạn giải quyết (đã trừ thời gian tạm dừng)", null=True, blank=True)
    shown_due_at = models.DateTimeField("ngày hẹn trả", null=True, blank=True)
    paused_at = models.DateTimeField("tạm dừng từ", null=True, blank=True)
    supplement_requests = models.PositiveSmallIntegerField("số lần yêu cầu bổ sung", default=0)
    extensions = models.PositiveSmallIntegerField("số lần gia hạn", default=0)
    result_ready_at = models.DateTimeField("thời điểm có kết quả", null=True, blank=True)
    returned_at = models.DateTimeField("thời điểm trả kết quả", null=True, blank=True)
    withdrawn_at = models.DateTimeField("thời điểm rút hồ sơ", null=True, blank=True)
    stopped_at = models.DateTimeField("thời điểm dừng xử lý", null=True, blank=True)
    timeliness = models.CharField("kết quả đúng hạn", max_length=16, choices=Timeliness.choices, blank=True)
    # Working time from receipt to result ready, paused time excluded (QĐ 766 indicator 2.2).
    resolution_seconds = models.PositiveIntegerField("thời gian giải quyết (giây làm việc)", null=True, blank=True)
    # QĐ 766 indicators 3.6, 4.1, 4.2, where the desk records them.
    paid_online = models.BooleanField("thanh toán trực tuyến", default=False)
    electronic_result = models.BooleanField("trả kết quả điện tử", default=False)
    digitised = models.BooleanField("đã số hóa hồ sơ", default=False)
    # Kept by save() and bulk_create(); see dossier_search_text. Indexed with pg_trgm on PostgreSQL.
    search_text = models.TextField("chuỗi tìm kiếm", default="", editable=False)

    objects = DossierQuerySet.as_manager()

    class Meta:
        verbose_name = "hồ sơ"
        verbose_name_plural = "hồ sơ"
        ordering = ["-received_at", "-id"]
        indexes = [
            # Officer's queue and the clerk's day: open dossiers of an agency by due time.
            models.Index(fields=["agency", "status", "due_at"], name="dossier_agency_status_due"),
            models.Index(fields=["officer", "status", "due_at"], name="dossier_officer_status_due"),
            # The desk's queue of online dossiers awaiting intake, by intake deadline.
            models.Index(fields=["agency", "status", "intake_due_at"], name="dossier_agency_status_intake"),
            # Reports and the tracking book: an agency's dossiers by receipt time.
            models.Index(fields=["agency", "received_at"], name="dossier_agency_received"),
            models.Index(fields=["agency", "result_ready_at"], name="dossier_agency_result_ready"),
            # Reports: the dossiers still open at a period's start (docs/report-06a.md §8).
            models.Index(F("agency"), ended_at(), F("received_at"), name="dossier_agency_ended_received"),
            # Search at the counter by phone and ID number.
            models.Index(fields=["agency", "applicant_phone"], name="dossier_agency_phone"),
            models.Index(fields=["agency", "applicant_id_number"], name="dossier_agency_id_number"),
        ]
        constraints = [
            models.CheckConstraint(
                name="dossier_received_has_code_and_dates",
                violation_error_message="Hồ sơ đã tiếp nhận phải có mã hồ sơ, thời điểm tiếp nhận và hạn giải quyết.",
                condition=Q(status__in=[Status.GUIDED, Status.REFUSED])
                | Q(
                    status__in=[Status.SUBMITTED, Status.AWAITING_PAPERS],
                    code__isnull=False,
                    submitted_at__isnull=False,
                    intake_due_at__isnull=False,
                )
                | (Q(code__isnull=False) & Q(received_at__isnull=False) & Q(due_at__isnull=False)),
            ),
            models.CheckConstraint(
                name="dossier_result_not_before_receipt",
                violation_error_message="Thời điểm có kết quả không được trước thời điểm tiếp nhận.",
                condition=Q(result_ready_at__isnull=True) | Q(result_ready_at__gte=F("received_at")),
            ),
        ]

    def __str__(self) -> str:
        return self.code or f"#{self.pk} ({self.get_status_display()})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.refresh_search_text()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and SEARCH_SOURCES & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "search_text"}
        super().save(*args, **kwargs)

    def refresh_search_text(self) -> None:
        self.search_text = dossier_search_text(
            self.code, self.applicant_name, self.applicant_phone, self.applicant_id_number
        )

    @property
    def national_status(self) -> int:
        return NATIONAL_STATUS[Status(self.status)]

    @property
    def procedure_name(self) -> str:
        return self.procedure_snapshot.get("name", "")

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class DossierDocument(models.Model):
    """A paper received with the dossier (from the procedure's list, or added by the clerk)."""

    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="documents")
    required_document = models.ForeignKey(
        RequiredDocument, verbose_name="thành phần hồ sơ", on_delete=models.SET_NULL, null=True, blank=True
    )
    name = models.CharField("tên giấy tờ", max_length=500)
    form = models.CharField("hình thức", max_length=24, choices=DocumentForm.choices, default=DocumentForm.ORIGINAL)
    quantity = models.PositiveSmallIntegerField("số lượng", default=1)

    class Meta:
        verbose_name = "giấy tờ đã nhận"
        verbose_name_plural = "giấy tờ đã nhận"
        ordering = ["dossier", "id"]

    def __str__(self) -> str:
        return self.name


class DossierEvent(models.Model):
    """One row of the dossier's history (append-only): the control slip and the clock come from here."""

    dossier = models.ForeignKey(  # searched through Meta's index (dossier, at)
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="events", db_index=False
    )
    action = models.CharField("thao tác", max_length=24, choices=Action.choices)
    from_status = models.CharField("từ trạng thái", max_length=24, choices=Status.choices, blank=True)
    to_status = models.CharField("sang trạng thái", max_length=24, choices=Status.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người thực hiện", on_delete=models.PROTECT, null=True, related_name="+"
    )
    at = models.DateTimeField("thời điểm")
    note = BoundedTextField("ghi chú", blank=True, max_length=TextLimit.NOTE)
    # Action details: the officer assigned, the new appointment, the collector, the reason…
    data = models.JSONField("chi tiết thao tác", default=dict, blank=True)
    # The pause-adjusted due time in force after this event (statistics' due, not the extended
    # appointment): reports read the due time at a past instant from the last event before it.
    due_at = models.DateTimeField("hạn sau sự kiện", null=True, blank=True)

    class Meta:
        verbose_name = "sự kiện hồ sơ"
        verbose_name_plural = "sự kiện hồ sơ"
        ordering = ["dossier", "at", "id"]
        indexes = [
            models.Index(fields=["dossier", "at"], name="dossier_event_dossier_at"),
            # The notification sweeper reads the last two days of events, every ten minutes.
            models.Index(fields=["at"], name="dossier_event_at"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier} {self.get_action_display()} {self.at:%d/%m/%Y %H:%M}"

    def save(self, *args: object, **kwargs: object) -> None:
        if self.pk is not None:
            raise RuntimeError("Sự kiện hồ sơ chỉ được ghi thêm, không được sửa.")
        super().save(*args, **kwargs)  # type: ignore[arg-type]


class AccessLog(models.Model):
    """Who viewed or exported personal data of a dossier (docs/personal-data.md §2)."""

    class Kind(models.TextChoices):
        VIEW = "view", "Xem"
        PRINT = "print", "In phiếu"
        EXPORT = "export", "Xuất dữ liệu"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="người truy cập", on_delete=models.PROTECT, related_name="+"
    )
    dossier = models.ForeignKey(
        Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, null=True, blank=True, related_name="access_logs"
    )
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("việc làm", max_length=8, choices=Kind.choices)
    detail = models.CharField("chi tiết", max_length=300, blank=True)
    at = models.DateTimeField("thời điểm", auto_now_add=True)

    class Meta:
        verbose_name = "nhật ký truy cập"
        verbose_name_plural = "nhật ký truy cập"
        ordering = ["-at"]
        indexes = [models.Index(fields=["dossier", "at"], name="access_log_dossier_at")]

    def __str__(self) -> str:
        return f"{self.user} {self.get_kind_display()} {self.dossier} {self.at:%d/%m/%Y %H:%M}"


class NotificationTemplate(models.Model):
    """The text sent to applicants for one kind of event; a ward's row replaces the default (agency empty).

    Subject and body are plain text with placeholders (``hoso.messages``): never a template.
    """

    agency = models.ForeignKey(
        Agency,
        verbose_name="cơ quan",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        help_text="Để trống: mẫu mặc định cho mọi cơ quan.",
    )
    kind = models.CharField("sự kiện", max_length=16, choices=NotificationKind.choices)
    channel = models.CharField("kênh", max_length=8, choices=NotificationChannel.choices)
    subject = models.CharField("tiêu đề (thư điện tử)", max_length=200, blank=True)
    body = BoundedTextField("nội dung", max_length=5000)

    class Meta:
        verbose_name = "mẫu thông báo"
        verbose_name_plural = "mẫu thông báo"
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "channel"],
                condition=Q(agency__isnull=True),
                name="notification_template_default",
                violation_error_message="Đã có mẫu mặc định cho sự kiện và kênh này: hãy sửa mẫu đó.",
            ),
            models.UniqueConstraint(
                fields=["agency", "kind", "channel"],
                name="notification_template_agency",
                violation_error_message="Cơ quan đã có mẫu thông báo cho sự kiện và kênh này: hãy sửa mẫu đó.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} – {self.get_channel_display()}"

    def clean(self) -> None:
        errors = {}
        for name in ("subject", "body"):
            try:
                check_text(getattr(self, name))
            except ValidationError as exc:
                errors[name] = exc.messages
        if errors:
            raise ValidationError(errors)


class Notification(OutgoingMessage):
    """One message to an applicant about one event on one channel: sent at most once."""

    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="notifications")
    event = models.ForeignKey(
        DossierEvent, verbose_name="sự kiện", on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField("loại thông báo", max_length=16, choices=NotificationKind.choices)

    class Meta:
        verbose_name = "thông báo"
        verbose_name_plural = "thông báo"
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["event", "channel"],
                name="notification_once_per_event",
                violation_error_message="Sự kiện này đã có thông báo qua kênh này.",
            )
        ]
        indexes = [
            # The sweeper's pending messages; the admin's list by status.
            models.Index(fields=["status", "created_at"], name="notification_status_created"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient}"


class SurveyCriterion(models.Model):
    """An optional question a ward asks with the rating (e.g. number of visits: 0 / 1 / 2 or more)."""

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="survey_criteria")
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    question = models.CharField("câu hỏi", max_length=300)
    options = models.JSONField("các lựa chọn", default=list, help_text='Danh sách lựa chọn, ví dụ ["0", "1"].')
    active = models.BooleanField("đang dùng", default=True)

    class Meta:
        verbose_name = "tiêu chí đánh giá"
        verbose_name_plural = "tiêu chí đánh giá"
        ordering = ["agency", "position", "id"]

    def __str__(self) -> str:
        return self.question


class SurveyToken(models.Model):
    """A one-time token binding a vote to a dossier (counter screen or printed/sent link)."""

    dossier = models.ForeignKey(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="survey_tokens")
    token = models.CharField("mã", max_length=64, unique=True)
    channel = models.CharField("cách đánh giá", max_length=8, choices=SurveyChannel.choices)
    created_at = models.DateTimeField("tạo lúc")
    expires_at = models.DateTimeField("hết hạn lúc")
    used_at = models.DateTimeField("dùng lúc", null=True, blank=True)

    class Meta:
        verbose_name = "mã đánh giá"
        verbose_name_plural = "mã đánh giá"

    def __str__(self) -> str:
        return f"{self.dossier} ({self.get_channel_display()})"


class SatisfactionRating(models.Model):
    """The applicant's rating of a returned dossier; one per dossier, whatever the channel."""

    dossier = models.OneToOneField(Dossier, verbose_name="hồ sơ", on_delete=models.CASCADE, related_name="rating")
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(Procedure, verbose_name="thủ tục", on_delete=models.PROTECT, related_name="+")
    field = models.ForeignKey(Field, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="+")
    clerk = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="cán bộ tiếp nhận", on_delete=models.PROTECT, related_name="+"
    )
    officer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="công chức xử lý",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    level = models.CharField("mức độ hài lòng", max_length=20, choices=SatisfactionLevel.choices)
    scale = models.PositiveSmallIntegerField("thang đo", default=3)
    answers = models.JSONField("trả lời các tiêu chí", default=dict, blank=True)
    comment = BoundedTextField("ý kiến", blank=True, max_length=TextLimit.NOTE)
    channel = models.CharField("cách đánh giá", max_length=8, choices=SurveyChannel.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ nhập phiếu",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Cán bộ nhập phiếu giấy.",
    )
    created_at = models.DateTimeField("thời điểm đánh giá")

    class Meta:
        verbose_name = "đánh giá mức độ hài lòng"
        verbose_name_plural = "đánh giá mức độ hài lòng"
        ordering = ["-created_at"]
        indexes = [
            # Satisfaction figures: an agency's ratings in a period.
            models.Index(fields=["agency", "created_at"], name="rating_agency_created"),
        ]

    def __str__(self) -> str:
        return f"{self.dossier}: {self.get_level_display()}"


class FollowUp(models.Model):
    """A leader's follow-up of an unhappy answer."""

    rating = models.OneToOneField(
        SatisfactionRating, verbose_name="đánh giá", on_delete=models.CASCADE, related_name="follow_up"
    )
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+")
    status = models.CharField(
        "tình trạng xử lý", max_length=10, choices=FollowUpStatus.choices, default=FollowUpStatus.NEW
    )
    note = BoundedTextField("ghi chú xử lý", blank=True, max_length=TextLimit.NOTE)
    # Set by the survey service from its clock (the rating's instant; the leader's update).
    created_at = models.DateTimeField("ghi nhận lúc", default=timezone.now)
    updated_at = models.DateTimeField("cập nhật lúc", default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người cập nhật",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "xử lý ý kiến không hài lòng"
        verbose_name_plural = "xử lý ý kiến không hài lòng"
        ordering = ["status", "-created_at"]
        indexes = [models.Index(fields=["agency", "status"], name="follow_up_agency_status")]

    def __str__(self) -> str:
        return f"{self.rating} – {self.get_status_display()}"
