"""Admin for wards and staff. A ward's admin sees and edits only their own ward's staff of lower rank."""

from __future__ import annotations

from typing import Any

from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connections
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from .constants import Role
from .models import Agency, User
from .permissions import can_manage, manageable

# The roles a ward admin may give: below their own (the admin role is given by a superuser).
WARD_ADMIN_ROLES = (Role.CLERK, Role.OFFICER, Role.LEADER)
NOT_FOUND = "Không có bản ghi này trong phạm vi quản lý của bạn."
ATTACH_CONFIRM_LABEL = "Tôi xác nhận gắn tài khoản quản trị hệ thống vào phường này"


class WardBoundForm(forms.ModelForm):
    """A form of a ward's row (`agency` field) that a ward admin fills without choosing the ward.

    The ward is set on the instance before validation and the constraints naming it are checked,
    so a duplicate (same ward, same day…) is a Vietnamese form error instead of an IntegrityError.
    """

    ward_id: int | None = None  # set by AgencyScopedAdmin.get_form for a ward admin

    def _post_clean(self) -> None:
        if self.ward_id is not None:
            self.instance.agency_id = self.ward_id
        super()._post_clean()

    def _get_validation_exclusions(self) -> set[str]:
        # Django leaves out every field that is not on the form, and with it every unique
        # constraint that names it; the ward is known, so those constraints are checked.
        exclude = super()._get_validation_exclusions()
        if self.ward_id is not None:
            exclude.discard("agency")
        return exclude

    def ward(self) -> int | None:
        """The ward the row will belong to: the ward admin's, or the one chosen by a superuser."""
        if self.ward_id is not None:
            return self.ward_id
        chosen = self.cleaned_data.get("agency") if "agency" in self.fields else self.instance.agency
        return chosen.pk if chosen is not None else None


class KeyCheckedAutocompleteSelect(AutocompleteSelect):
    """Django's autocomplete box looks up a re-displayed value as a key as it was typed: a forged
    " " or "abc" made the page with the form's errors a 500. Values that are not keys are dropped."""

    def format_value(self, value: Any) -> list[str]:
        target = self.field.target_field
        low, high = connections[self.db or "default"].ops.integer_field_range(target.get_internal_type())
        kept = []
        for item in super().format_value(value):
            try:
                key = target.to_python(item)
            except ValidationError:
                continue
            if isinstance(key, int) and ((low is not None and key < low) or (high is not None and key > high)):
                continue
            kept.append(item)
        return kept


def is_ward_admin(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_staff and getattr(user, "role", "") == Role.ADMIN and user.agency_id)


class ReadOnlyAdminMixin:
    """Records nobody edits by hand: listed and opened, never added, changed or deleted. Put it
    before the admin class in the bases (``class X(ReadOnlyAdminMixin, AgencyScopedAdmin)``)."""

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AgencyScopedAdmin(admin.ModelAdmin):
    """Limits rows to the user's agency unless the user is a superuser.

    A ward's admin (role admin) manages their ward's rows without per-model Django permissions;
    everything else stays with superusers (the province's system administrators). A row outside
    the user's scope is a 404 on every object page (change, delete, history), whatever the method.
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

    def formfield_for_foreignkey(self, db_field: Any, request: HttpRequest, **kwargs: Any) -> Any:
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = KeyCheckedAutocompleteSelect(db_field, self.admin_site, using=kwargs.get("using"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any) -> Any:
        form = super().get_form(request, obj, change=change, **kwargs)
        if issubclass(form, WardBoundForm):
            form.ward_id = None if request.user.is_superuser else request.user.agency_id
        return form

    def _require_in_scope(self, request: HttpRequest, object_id: str | None) -> None:
        # Django's own answer to an object outside the queryset is a redirect to the index with
        # "does not exist": a 404 says the same without a page that looks like success.
        if object_id is not None and self.get_object(request, unquote(object_id)) is None:
            raise Http404(NOT_FOUND)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._require_in_scope(request, object_id)
        return super().change_view(request, object_id, form_url, extra_context)

    def delete_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._require_in_scope(request, object_id)
        return super().delete_view(request, object_id, extra_context)

    def history_view(
        self, request: HttpRequest, object_id: str, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        self._require_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)


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

    def get_readonly_fields(self, request: HttpRequest, obj: Agency | None = None) -> tuple[str, ...]:
        # The national code heads every dossier code and identifies the ward to the province's
        # systems; whether the ward is served at all is the province's decision too.
        return () if request.user.is_superuser else ("code", "active")


class SuperuserUserForm(UserChangeForm):
    """The superuser's form: attaching a superuser to a ward needs an explicit, logged confirmation."""

    confirm_ward_attach = forms.BooleanField(
        label=ATTACH_CONFIRM_LABEL,
        required=False,
        help_text="Chỉ cần khi gắn tài khoản quản trị hệ thống vào một cơ quan; việc gắn được ghi nhật ký.",
    )

    def attaches_superuser(self) -> bool:
        """Whether this submission makes a superuser belong to a ward it did not belong to before."""
        data = self.cleaned_data
        is_superuser = data.get("is_superuser", self.instance.is_superuser)
        agency = data.get("agency", self.instance.agency)
        if not is_superuser or agency is None:
            return False
        before = User.objects.filter(pk=self.instance.pk).values("is_superuser", "agency_id").first()
        return not (before and before["is_superuser"] and before["agency_id"] == agency.pk)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.attaches_superuser() and not data.get("confirm_ward_attach"):
            self.add_error(
                "confirm_ward_attach",
                "Tài khoản quản trị hệ thống chỉ được gắn vào một cơ quan khi bạn đánh dấu ô xác nhận này.",
            )
        return data


@admin.register(User)
class UserAdmin(BaseUserAdmin, AgencyScopedAdmin):
    """Staff accounts. Ranks: superuser > ward admin > leader, officer, clerk (motcua.permissions).

    A ward admin lists, opens, edits and resets the password of their own ward's leaders, officers
    and clerks only; another ward admin, a superuser (even one attached to the ward) and anyone of
    another ward are a 404 on every page. They give only the roles below their own, never move a
    user to another ward and never delete an account (deactivate it instead).
    """

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

    def get_queryset(self, request: HttpRequest) -> QuerySet[User]:
        return manageable(request.user, super().get_queryset(request))

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_view_permission(request, obj) and (obj is None or can_manage(request.user, obj))

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return super().has_change_permission(request, obj) and (obj is None or can_manage(request.user, obj))

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.is_superuser

    def get_fieldsets(self, request: HttpRequest, obj: User | None = None) -> Any:
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        if not request.user.is_superuser:
            return [fs for fs in fieldsets if fs[0] != "Quyền hệ thống"]
        return [
            (name, {**opts, "fields": (*opts["fields"], "confirm_ward_attach")} if name == "Công tác" else opts)
            for name, opts in fieldsets
        ]

    def get_form(self, request: HttpRequest, obj: User | None = None, change: bool = False, **kwargs: Any) -> Any:
        if obj is not None and request.user.is_superuser:
            kwargs["form"] = SuperuserUserForm
        form = super().get_form(request, obj, change=change, **kwargs)
        if not request.user.is_superuser and "role" in form.base_fields:
            role = form.base_fields["role"]
            role.choices = [(value, label) for value, label in Role.choices if value in WARD_ADMIN_ROLES]
        return form

    def get_readonly_fields(self, request: HttpRequest, obj: User | None = None) -> tuple[str, ...]:
        if request.user.is_superuser:
            return ("last_login", "date_joined")
        return ("agency", "is_superuser", "groups", "user_permissions", "last_login", "date_joined")

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        self._require_in_scope(request, id)
        return super().user_change_password(request, id, form_url)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.agency_id = request.user.agency_id
            obj.is_superuser = False
            if obj.role not in WARD_ADMIN_ROLES:
                raise PermissionDenied("Chỉ quản trị hệ thống mới giao được vai trò quản trị.")
        # The admin role is what opens the admin site; a ward admin cannot be expected to know
        # Django's separate "staff status" box.
        obj.set_staff_flag()
        if not can_manage(request.user, obj):
            raise PermissionDenied("Bạn không được quản lý tài khoản này.")
        attaching = isinstance(form, SuperuserUserForm) and form.attaches_superuser()
        super().save_model(request, obj, form, change)
        if attaching:
            self.log_change(
                request,
                obj,
                f"Gắn tài khoản quản trị hệ thống vào cơ quan {obj.agency} ({obj.agency.code}): đã xác nhận.",
            )


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
