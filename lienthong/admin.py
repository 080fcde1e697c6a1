"""Admin of the national link: a ward's outbox rows (failing and blocked first) with a retry action."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.admin import AgencyScopedAdmin

from . import outbox
from .models import OutboxEntry, Reconciliation, State


class NotSynchronised(admin.SimpleListFilter):
    title = "cần xử lý"
    parameter_name = "can_xu_ly"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("1", "Lỗi hoặc không đồng bộ được")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        if self.value() == "1":
            return queryset.filter(state__in=(State.FAILED, State.BLOCKED))
        return queryset


@admin.register(OutboxEntry)
class OutboxEntryAdmin(AgencyScopedAdmin):
    """Listed and opened, never edited by hand; refused or blocked rows are put back with the action."""

    agency_field = "dossier__agency"
    list_display = ("created_at", "dossier", "kind", "state", "attempts", "next_attempt_at", "last_error")
    list_filter = (NotSynchronised, "state", "kind")
    search_fields = ("dossier__code",)
    list_select_related = ("dossier",)
    date_hierarchy = "created_at"
    actions = ["retry"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Gửi lại (các bản tin lỗi hoặc không đồng bộ được)")
    def retry(self, request: HttpRequest, queryset: QuerySet[OutboxEntry]) -> None:
        requeued, still_blocked = outbox.retry(list(queryset))
        self.message_user(request, f"Đã xếp lại {requeued} bản tin để gửi.", messages.SUCCESS)
        if still_blocked:
            self.message_user(
                request,
                f"{still_blocked} bản tin vẫn không đồng bộ được: hãy bổ sung dữ liệu còn thiếu.",
                messages.WARNING,
            )


@admin.register(Reconciliation)
class ReconciliationAdmin(AgencyScopedAdmin):
    """The weekly reconciliation's results (lienthong.tasks.reconcile_week), read only."""

    list_display = ("ran_at", "agency", "start", "end", "checked", "differences", "resent", "blocked")
    ordering = ("-ran_at",)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
