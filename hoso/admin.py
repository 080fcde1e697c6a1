"""Admin of the dossier app: the working calendar, notification templates and logs, the surveys.

The cached calendars follow every calendar edit through the model signals of `hoso.calendar_store`.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from motcua.admin import AgencyAdmin, AgencyScopedAdmin, ReadOnlyAdminMixin, WardBoundForm, is_ward_admin
from motcua.models import Agency

from .calendar_store import calendar_for, unconfirmed_years
from .messages import help_text as placeholder_help
from .models import AccessLog, CalendarDay, Notification, NotificationTemplate, WorkingSession
from .notifications import default_template
from .workcalendar import DEFAULT_SESSIONS

# The calendar is read for appointments in these years (the search forms accept the same range).
CALENDAR_YEARS = range(2000, 2101)
SESSION_OVERLAP = "Buổi {start:%H:%M}–{end:%H:%M} trùng giờ với buổi {other_start:%H:%M}–{other_end:%H:%M} cùng ngày."


class CalendarDayForm(WardBoundForm):
    class Meta:
        model = CalendarDay
        fields = ("agency", "date", "kind", "name", "source_url")

    def clean_date(self) -> Any:
        value = self.cleaned_data["date"]
        if value is not None and value.year not in CALENDAR_YEARS:
            raise forms.ValidationError(f"Năm phải trong khoảng {CALENDAR_YEARS.start}–{CALENDAR_YEARS.stop - 1}.")
        return value


class WorkingSessionForm(WardBoundForm):
    """Start before end (named on the field) and no overlap with another session of the same weekday."""

    class Meta:
        model = WorkingSession
        fields = ("agency", "weekday", "start", "end")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end, weekday = data.get("start"), data.get("end"), data.get("weekday")
        if start is None or end is None or weekday is None:
            return data
        if start >= end:
            self.add_error("end", "Giờ kết thúc buổi làm việc phải sau giờ bắt đầu.")
            return data
        ward = self.ward()
        others = WorkingSession.objects.filter(agency_id=ward, weekday=weekday, start__lt=end, end__gt=start)
        # A session with the same start is the duplicate the unique constraint reports.
        other = others.exclude(pk=self.instance.pk).exclude(start=start).first() if ward else None
        if other is not None:
            raise forms.ValidationError(
                SESSION_OVERLAP.format(start=start, end=end, other_start=other.start, other_end=other.end)
            )
        return data


class WardRowsFormSet(forms.BaseInlineFormSet):
    """The ward's rows on its own page: duplicates and overlaps within one submission are form errors."""

    def get_unique_error_message(self, unique_check: Any) -> str:
        labels = ", ".join(
            str(self.model._meta.get_field(name).verbose_name) for name in unique_check if name != "agency"
        )
        return f"Có hai dòng trùng nhau ({labels}): mỗi dòng chỉ được khai báo một lần."

    def clean(self) -> None:
        super().clean()
        if self.model is not WorkingSession:
            return
        rows = [
            form.cleaned_data
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.cleaned_data.get("start")
        ]
        for i, a in enumerate(rows):
            for b in rows[i + 1 :]:
                same_day = a.get("weekday") == b.get("weekday") and a["start"] != b["start"]
                if same_day and a.get("end") and b.get("end") and a["start"] < b["end"] and b["start"] < a["end"]:
                    raise forms.ValidationError(
                        SESSION_OVERLAP.format(
                            start=a["start"], end=a["end"], other_start=b["start"], other_end=b["end"]
                        )
                    )


class WardRowsInline(admin.TabularInline):
    """A ward admin edits their own ward's rows on the ward's page without per-model permissions."""

    formset = WardRowsFormSet
    extra = 0

    def _allowed(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or is_ward_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._allowed(request)


class WorkingSessionInline(WardRowsInline):
    model = WorkingSession
    form = WorkingSessionForm
    verbose_name = "buổi làm việc riêng"
    verbose_name_plural = "Buổi làm việc riêng của cơ quan (để trống: giờ mặc định)"


class CalendarDayInline(WardRowsInline):
    model = CalendarDay
    form = CalendarDayForm
    fields = ("date", "kind", "name")
    verbose_name = "ngày nghỉ hoặc làm bù riêng"
    verbose_name_plural = "Ngày nghỉ, ngày làm bù riêng của cơ quan"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarDay]:
        return super().get_queryset(request).order_by("-date")


admin.site.unregister(Agency)


@admin.register(Agency)
class AgencyWithCalendarAdmin(AgencyAdmin):
    """The ward's page also holds its own week and days; saving them rebuilds the calendars."""

    inlines = [WorkingSessionInline, CalendarDayInline]


class CalendarEditAdmin(AgencyScopedAdmin):
    """A ward admin's rows belong to their ward; saves and deletes rebuild the calendars (signals)."""

    ward_admin_can_delete = True

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.agency_id = request.user.agency_id
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return () if request.user.is_superuser else ("agency",)


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarEditAdmin):
    form = CalendarDayForm
    list_display = ("date", "kind", "name", "scope")
    list_filter = ("kind", "agency")
    search_fields = ("name",)
    date_hierarchy = "date"
    ordering = ("-date",)  # the coming year first

    @admin.display(description="áp dụng cho", ordering="agency__name")
    def scope(self, obj: CalendarDay) -> str:
        return obj.agency.name if obj.agency_id else "Toàn quốc"

    def get_queryset(self, request: HttpRequest) -> QuerySet[CalendarDay]:
        queryset = admin.ModelAdmin.get_queryset(self, request).select_related("agency")
        if request.user.is_superuser:
            return queryset
        # A ward sees the national rows (read-only in effect: they belong to no ward) and its own.
        return queryset.filter(agency__isnull=True) | queryset.filter(agency_id=request.user.agency_id)

    def has_change_permission(self, request: HttpRequest, obj: CalendarDay | None = None) -> bool:
        if obj is not None and obj.agency_id is None and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: CalendarDay | None = None) -> bool:
        if obj is not None and obj.agency_id is None and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        agency_id = None if request.user.is_superuser else request.user.agency_id
        year = timezone.localdate().year
        for missing in unconfirmed_years(calendar_for(agency_id), year, year + 1):
            messages.warning(
                request,
                f"Năm {missing} chưa có lịch nghỉ lễ chính thức: hạn giải quyết đang tính theo quy luật "
                "của Bộ luật Lao động (ngày lễ theo âm lịch, chưa có ngày nghỉ hoán đổi và làm bù). Hãy nhập lịch "
                "chính thức khi có thông báo.",
            )
        return super().changelist_view(request, extra_context)


@admin.register(WorkingSession)
class WorkingSessionAdmin(CalendarEditAdmin):
    form = WorkingSessionForm
    list_display = ("agency", "weekday", "start", "end")
    list_filter = ("agency", "weekday")
    ordering = ("agency", "weekday", "start")

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        hours = ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in DEFAULT_SESSIONS)
        messages.info(
            request,
            f"Thứ Hai đến Thứ Sáu làm việc theo giờ mặc định ({hours}) trừ ngày nào cơ quan khai báo buổi "
            "làm việc riêng ở đây; Thứ Bảy, Chủ nhật chỉ làm việc khi được khai báo (ví dụ sáng Thứ Bảy).",
        )
        return super().changelist_view(request, extra_context)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or is_ward_admin(request)


# -- notifications to applicants ---------------------------------------------------------------
class NotificationTemplateForm(WardBoundForm):
    """A text in the placeholder language (``NotificationTemplate.clean`` names each unknown
    placeholder under its field); a second row for the same ward, kind and channel is refused by
    the model's constraint, checked with the ward set (``WardBoundForm``)."""

    class Meta:
        model = NotificationTemplate
        fields = ("agency", "kind", "channel", "subject", "body")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["body"].help_text = placeholder_help()
        self.fields["subject"].help_text = "Cùng các chỗ cần điền như nội dung, ví dụ: Đã tiếp nhận hồ sơ {ma_ho_so}."


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(AgencyScopedAdmin):
    """A ward admin writes their ward's texts; rows without a ward (deployment defaults) are the superuser's."""

    form = NotificationTemplateForm
    list_display = ("kind", "channel", "agency", "subject")
    list_filter = ("kind", "channel")
    ward_admin_can_delete = True  # deleting a ward's row brings back the default text
    readonly_fields = ("default_text",)

    @admin.display(description="Nội dung mặc định (khi không có mẫu riêng)")
    def default_text(self, obj: NotificationTemplate | None) -> str:
        if obj is None or not obj.kind or not obj.channel:
            return "Chọn sự kiện và kênh, lưu lại để xem nội dung mặc định."
        default = default_template(obj.kind, obj.channel)
        return f"{default.subject}\n\n{default.body}" if default.subject else default.body

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("default_text",) if request.user.is_superuser else ("agency", "default_text")


class ReadOnlyScopedAdmin(ReadOnlyAdminMixin, AgencyScopedAdmin):
    """A ward's records that nobody edits by hand: listed and opened, never added, changed or deleted."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyScopedAdmin):
    """What was sent to applicants, for checking a complaint ("I never got the message"): read-only."""

    agency_field = "dossier__agency"
    list_display = ("created_at", "dossier", "kind", "channel", "recipient", "status", "attempts", "sent_at")
    list_filter = ("status", "kind", "channel")
    search_fields = ("dossier__code", "recipient")
    list_select_related = ("dossier",)
    date_hierarchy = "created_at"


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyScopedAdmin):
    """Who viewed, printed or exported a dossier's personal data (docs/personal-data.md §2): read-only, kept whole."""

    list_display = ("at", "user", "kind", "dossier", "detail")
    list_filter = ("kind",)
    search_fields = ("dossier__code", "user__username", "user__last_name", "detail")
    list_select_related = ("user", "dossier")
    date_hierarchy = "at"


# -- satisfaction surveys (issue 6) --------------------------------------------------------------
from .models import FollowUp, SatisfactionRating, SurveyCriterion  # noqa: E402


class SurveyCriterionForm(forms.ModelForm):
    """The options are typed one per line instead of as JSON."""

    options_text = forms.CharField(
        label="Các lựa chọn",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Mỗi dòng một lựa chọn, ví dụ: 0 lần / 1 lần / 2 lần trở lên.",
    )

    class Meta:
        model = SurveyCriterion
        fields = ("agency", "position", "question", "options_text", "active")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["options_text"].initial = "\n".join(str(o) for o in self.instance.options)

    def clean_options_text(self) -> list[str]:
        options = [line.strip() for line in self.cleaned_data["options_text"].splitlines() if line.strip()]
        if len(options) < 2:
            raise forms.ValidationError("Cần ít nhất hai lựa chọn.")
        if len(set(options)) != len(options):
            raise forms.ValidationError("Các lựa chọn không được trùng nhau.")
        return options

    def save(self, commit: bool = True) -> SurveyCriterion:
        self.instance.options = self.cleaned_data["options_text"]
        return super().save(commit)


@admin.register(SurveyCriterion)
class SurveyCriterionAdmin(AgencyScopedAdmin):
    """A ward's optional survey questions (e.g. staff attitude, number of visits needed)."""

    form = SurveyCriterionForm
    ward_admin_can_delete = True
    list_display = ("question", "position", "active", "agency")
    list_filter = ("active", "agency")
    search_fields = ("question",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return () if request.user.is_superuser else ("agency",)

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.agency_id = request.user.agency_id
        super().save_model(request, obj, form, change)


@admin.register(SatisfactionRating)
class SatisfactionRatingAdmin(AgencyScopedAdmin):
    """Ratings are the citizens' words: read-only in the admin."""

    list_display = ("created_at", "dossier", "level", "channel", "recorded_by")
    list_filter = ("level", "channel", "agency")
    search_fields = ("dossier__code",)
    list_select_related = ("dossier", "recorded_by")
    date_hierarchy = "created_at"

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in SatisfactionRating._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FollowUp)
class FollowUpAdmin(AgencyScopedAdmin):
    """Follow-ups are handled on the leader's page (hoso:follow_ups); the admin only shows them."""

    list_display = ("created_at", "rating", "status", "updated_by", "updated_at")
    list_filter = ("status",)
    search_fields = ("rating__dossier__code",)
    list_select_related = ("rating", "rating__dossier", "updated_by")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in FollowUp._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
