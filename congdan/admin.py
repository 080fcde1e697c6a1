"""The citizens in the admin: read-only (the identity provider is the source of every field)."""

from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from .models import Citizen


@admin.register(Citizen)
class CitizenAdmin(admin.ModelAdmin):
    list_display = ["full_name", "id_number", "assurance_level", "last_login_at"]
    search_fields = ["id_number", "full_name"]
    readonly_fields = [field.name for field in Citizen._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: object = None) -> bool:
        # Citizens belong to no ward: only the system's superuser sees them.
        return bool(request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return bool(request.user.is_superuser)
