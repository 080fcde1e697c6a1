"""Reports in the admin: read-only (they are written by the services, never by hand)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Report


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    list_display = ("label", "agency", "status", "progress", "finalized_at", "created_at")
    list_filter = ("status", "period_kind")
    search_fields = ("label", "agency__name", "agency__code")
    exclude = ("pdf", "xlsx", "final_pdf", "final_xlsx")

    def get_queryset(self, request: HttpRequest):  # type: ignore[no-untyped-def]
        queryset = (
            super().get_queryset(request).select_related("agency").defer("pdf", "xlsx", "final_pdf", "final_xlsx")
        )
        if request.user.is_superuser:
            return queryset
        return queryset.filter(agency_id=request.user.agency_id)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Report | None = None) -> bool:
        return request.user.is_superuser and (obj is None or not obj.is_final)
