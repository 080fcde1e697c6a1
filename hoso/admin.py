"""Admin for the working calendar; every edit invalidates the cached calendars."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template import TemplateSyntaxError
from django.utils import timezone

from motcua.admin import AgencyScopedAdmin, is_ward_admin

from .calendars import calendar_for, invalidate_calendars, unconfirmed_years
from .models import AccessLog, CalendarDay, Notification, NotificationTemplate, WorkingSession
from .notifications import DEFAULT_TEMPLATES, compile_template
from .workcalendar import DEFAULT_SESSIONS


class CalendarEditAdmin(AgencyScopedAdmin):
    """Saves and deletes schedule a calendar rebuild once the transaction commits."""

    ward_admin_can_delete = True

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.agency_id = request.user.agency_id
        super().save_model(request, obj, form, change)
        transaction.on_commit(invalidate_calendars)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        super().delete_model(request, obj)
        transaction.on_commit(invalidate_calendars)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        super().delete_queryset(request, queryset)
        transaction.on_commit(invalidate_calendars)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return () if request.user.is_superuser else ("agency",)


@admin.register(CalendarDay)
class CalendarDayAdmin(CalendarEditAdmin):
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
class NotificationTemplateForm(forms.ModelForm):
    """Refuses a template that does not compile, and a second row for the same ward, kind and channel."""

    agency_id_for_check: int | None = None

    class Meta:
        model = NotificationTemplate
        fields = ("agency", "kind", "channel", "subject", "body")
        help_texts = {
            "body": "Mẫu Django. Biến dùng được: {{ dossier.code }}, {{ dossier.procedure_name }}, {{ salutation }}, "
            "{{ addressee }}, {{ agency.name }}, {{ lookup_url }} (đường dẫn tra cứu, nên luôn có), "
            "{{ appointment|chu }} (ngày hẹn bằng chữ), {{ new_due_at|chu }} (ngày hẹn mới khi gia hạn), "
            "{{ documents }} (giấy tờ cần bổ sung), {{ reasons }}, {{ collect_text }} (nơi nhận kết quả), "
            "{{ event.note }}. Bộ lọc: |chu, |ngay, |ngay_gio.",
        }

    def _check_template(self, name: str) -> str:
        text = self.cleaned_data.get(name, "")
        try:
            compile_template(text)
        except TemplateSyntaxError as exc:
            raise forms.ValidationError(f"Mẫu viết sai cú pháp: {exc}") from exc
        return text

    def clean_subject(self) -> str:
        return self._check_template("subject")

    def clean_body(self) -> str:
        return self._check_template("body")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        agency_id = data["agency"].pk if data.get("agency") else self.agency_id_for_check
        if "agency" not in self.fields and data.get("kind") and data.get("channel"):
            # The ward is not a form field for a ward admin, so the model's unique check skips it.
            duplicate = NotificationTemplate.objects.filter(
                agency_id=agency_id, kind=data["kind"], channel=data["channel"]
            ).exclude(pk=self.instance.pk)
            if duplicate.exists():
                raise forms.ValidationError("Cơ quan đã có mẫu thông báo cho sự kiện và kênh này: hãy sửa mẫu đó.")
        return data


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
        default = DEFAULT_TEMPLATES[(obj.kind, obj.channel)]
        return f"{default.subject}\n\n{default.body}" if default.subject else default.body

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> tuple[str, ...]:
        return ("default_text",) if request.user.is_superuser else ("agency", "default_text")

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        form.agency_id_for_check = None if request.user.is_superuser else request.user.agency_id
        return form

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.agency_id = request.user.agency_id
        super().save_model(request, obj, form, change)


class ReadOnlyScopedAdmin(AgencyScopedAdmin):
    """A ward's records that nobody edits by hand: listed and opened, never added, changed or deleted."""

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


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
