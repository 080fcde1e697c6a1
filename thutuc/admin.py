"""Catalogue admin: procedures with their documents, import with preview, export to XLSX."""

from __future__ import annotations

import base64
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse

from motcua.admin import AgencyScopedAdmin, WardBoundForm, is_ward_admin
from motcua.lib.tabular import TabularError, check_size, import_limits, read_upload

from .constants import TimeUnit
from .importing import parse_procedure_file
from .models import AgencyProcedure, Field, Procedure, RequiredDocument
from .services import ImportRejected, export_procedures_xlsx, import_procedures

_SESSION_KEY = "thutuc_import_file"


class ImportForm(forms.Form):
    file = forms.FileField(label="Tệp danh mục (CSV hoặc XLSX)")

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith((".csv", ".xlsx")):
            raise forms.ValidationError("Chỉ nhận tệp .csv hoặc .xlsx.")
        try:
            check_size(upload.size, import_limits("procedures"))
        except TabularError as exc:
            raise forms.ValidationError(str(exc)) from exc
        return upload


class RequiredDocumentInline(admin.TabularInline):
    model = RequiredDocument
    extra = 1
    fields = ("position", "name", "form", "quantity", "mandatory", "note")


@admin.register(Field)
class FieldAdmin(admin.ModelAdmin):
    search_fields = ("name", "code")
    list_display = ("name", "code")


@admin.register(Procedure)
class ProcedureAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "field", "time_limit_value", "time_limit_unit", "cutoff", "active")
    list_filter = ("active", "time_limit_unit", "online_level", "field")
    search_fields = ("code", "name", "search_text")
    inlines = [RequiredDocumentInline]
    change_list_template = "admin/thutuc/procedure/change_list.html"
    fieldsets = (
        (None, {"fields": ("code", "name", "field", "level", "active", "valid_from", "valid_to")}),
        (
            "Thời hạn",
            {
                "fields": (
                    "time_limit_text",
                    "time_limit_value",
                    "time_limit_unit",
                    "time_limit_online",
                    "time_limit_post",
                    "cutoff",
                )
            },
        ),
        ("Phí, lệ phí", {"fields": ("fee_text", "fee_counter", "fee_online", "fee_post")}),
        ("Cách thức", {"fields": ("online_level", "accepts_counter", "accepts_online", "accepts_post")}),
        ("Nội dung", {"fields": ("result", "legal_basis", "source_url")}),
    )

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Ward admins read the shared catalogue (to choose their ward's procedures); only the
        # province's administrators change it.
        return super().has_view_permission(request, obj) or is_ward_admin(request)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return super().has_module_permission(request) or is_ward_admin(request)

    def get_urls(self) -> list[Any]:
        return [
            path("nhap/", self.admin_site.admin_view(self.import_view), name="thutuc_procedure_import"),
            path("xuat/", self.admin_site.admin_view(self.export_view), name="thutuc_procedure_export"),
            *super().get_urls(),
        ]

    def import_view(self, request: HttpRequest) -> HttpResponse:
        """Upload → preview (computed, rolled back) → confirm (written)."""
        if not self.has_add_permission(request):
            raise PermissionDenied
        context = {**self.admin_site.each_context(request), "opts": self.model._meta, "title": "Nhập danh mục thủ tục"}
        if request.method == "POST" and "confirm" in request.POST:
            stored = request.session.get(_SESSION_KEY)
            if not stored:
                messages.error(request, "Phiên nhập đã hết hạn, vui lòng tải tệp lên lại.")
                return redirect("admin:thutuc_procedure_import")
            data, name = base64.b64decode(stored["data"]), stored["name"]
            try:
                summary = import_procedures(parsed=parse_procedure_file(data, name))
            except (TabularError, ImportRejected) as exc:
                messages.error(request, f"Không nhập được: {exc}")
                return redirect("admin:thutuc_procedure_import")
            del request.session[_SESSION_KEY]
            messages.success(request, "Đã nhập danh mục. " + summary.as_text())
            return redirect("admin:thutuc_procedure_changelist")
        form = ImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                data = read_upload(upload, import_limits("procedures"))
                parsed = parse_procedure_file(data, upload.name)
                summary = import_procedures(parsed=parsed, dry_run=True)
            except TabularError as exc:
                form.add_error("file", str(exc))
            except ImportRejected as exc:
                context["errors"] = exc.errors
            else:
                request.session[_SESSION_KEY] = {"data": base64.b64encode(data).decode(), "name": upload.name}
                context["summary"] = summary
                context["file_name"] = upload.name
        context["form"] = form
        return render(request, "admin/thutuc/procedure/import.html", context)

    def export_view(self, request: HttpRequest) -> HttpResponse:
        if not self.has_view_permission(request):
            raise PermissionDenied
        data = export_procedures_xlsx(Procedure.objects.select_related("field").order_by("code"))
        response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
        response["Content-Disposition"] = 'attachment; filename="danh-muc-thu-tuc.xlsx"'
        return response

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> HttpResponse:
        extra = {
            "import_url": reverse("admin:thutuc_procedure_import"),
            "export_url": reverse("admin:thutuc_procedure_export"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, extra)


class AgencyProcedureForm(WardBoundForm):
    """A duplicate offer is a form error (the unique constraint), a cut-off needs a same-day limit."""

    class Meta:
        model = AgencyProcedure
        fields = (
            "agency",
            "procedure",
            "active",
            "time_limit_value",
            "time_limit_unit",
            "cutoff",
            "fee_text",
            "fee_amount",
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("cutoff") and data.get("time_limit_unit") != TimeUnit.SAME_DAY:
            self.add_error("cutoff", "Giờ chốt riêng chỉ dùng với thời hạn riêng “trong ngày”.")
        return data


@admin.register(AgencyProcedure)
class AgencyProcedureAdmin(AgencyScopedAdmin):
    form = AgencyProcedureForm
    list_display = ("procedure", "agency", "active", "time_limit_value", "time_limit_unit", "fee_amount")
    list_filter = ("active", "agency")
    search_fields = ("procedure__code", "procedure__name")
    autocomplete_fields = ("procedure",)
    ward_admin_can_delete = True

    def get_queryset(self, request: HttpRequest) -> QuerySet[AgencyProcedure]:
        return super().get_queryset(request).select_related("procedure", "agency")

    def get_readonly_fields(self, request: HttpRequest, obj: AgencyProcedure | None = None) -> tuple[str, ...]:
        return () if request.user.is_superuser else ("agency",)

    def save_model(self, request: HttpRequest, obj: AgencyProcedure, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.agency_id = request.user.agency_id
        super().save_model(request, obj, form, change)
