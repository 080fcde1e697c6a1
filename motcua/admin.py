"""Admin for wards and staff. A ward's admin sees and edits only their own ward's staff."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest

from .constants import Role
from .models import Agency, User


def is_ward_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "role", "") == Role.ADMIN and user.agency_id)


class AgencyScopedAdmin(admin.ModelAdmin):
    """Limits rows to the user's agency unless the user is a superuser.

    A ward's admin (role admin) manages their ward's rows without per-model Django permissions;
    everything else stays with superusers (the province's system administrators).
    """

    agency_field = "agency"
    ward_admin_can_add = True
    ward_admin_can_delete = False

    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or is_ward_admin(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser or is_ward_admin(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser or is_ward_admin(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return request.user.is_superuser or (self.ward_admin_can_add and is_ward_admin(request))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser or (self.ward_admin_can_delete and is_ward_admin(request))

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(**{self.agency_field: request.user.agency_id})


@admin.register(Agency)
class AgencyAdmin(AgencyScopedAdmin):
    agency_field = "pk"
    list_display = ("name", "code", "parent_name", "active")
    search_fields = ("name", "code")
    list_filter = ("active",)
    fieldsets = (
        (None, {"fields": ("code", "name", "parent_name", "desk_name", "active")}),
        ("Liên hệ", {"fields": ("address", "place_name", "phone", "email", "opening_hours")}),
        ("Văn bản", {"fields": ("leader_name", "leader_title", "dossier_code_pattern")}),
        ("Bảo mật", {"fields": ("idle_timeout_minutes",)}),
    )

    ward_admin_can_add = False


@admin.register(User)
class UserAdmin(BaseUserAdmin, AgencyScopedAdmin):
    list_display = ("username", "full_name", "agency", "role", "is_active")
    list_filter = ("role", "is_active", "agency")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        ("Thông tin", {"fields": ("last_name", "first_name", "email", "title")}),
        ("Công tác", {"fields": ("agency", "role", "is_active")}),
        ("Quyền hệ thống", {"fields": ("is_superuser", "groups", "user_permissions"), "classes": ("collapse",)}),
        ("Thời gian", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("username", "agency", "role", "password1", "password2")}),
    )

    @admin.display(description="Họ và tên", ordering="last_name")
    def full_name(self, obj: User) -> str:
        return obj.get_full_name()

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        if request.user.is_superuser:
            return ("last_login", "date_joined")
        return ("agency", "is_superuser", "groups", "user_permissions", "last_login", "date_joined")

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.agency_id = request.user.agency_id
            obj.is_superuser = False
        # The admin role is what opens the admin site; a ward admin cannot be expected to know
        # Django's separate "staff status" box.
        obj.is_staff = obj.role == Role.ADMIN or obj.is_superuser
        super().save_model(request, obj, form, change)


# --- Login throttling (django-axes): read-only views, names from locale/vi -------------------
# Superusers only (ward admins hold no Django permissions on these models). Nothing is edited;
# deleting a current failure counter unlocks that username or address at once, the logs stay.
@admin.register(AccessAttempt)
class LoginAttemptAdmin(AccessAttemptAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser


@admin.register(AccessLog)
class LoginLogAdmin(AccessLogAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # kept; `manage.py axes_reset_logs --age DAYS` prunes old rows


@admin.register(AccessFailureLog)
class LoginFailureLogAdmin(AccessFailureLogAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
