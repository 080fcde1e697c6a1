"""Admin of the signature app: a ward's own signing key, the certification register, issued documents.

A ward's admin sees and edits only their ward's rows (``agency`` is set to theirs); the key's file
is read and checked with its password when uploaded, and never offered for download.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from motcua.admin import AgencyScopedAdmin, ReadOnlyAdminMixin, WardBoundForm

from .models import CertificationEntry, SignedDocument, SigningKey
from .signing import SigningError, load_signer


class WardAdmin(AgencyScopedAdmin):
    """A ward admin's rows belong to their ward (set on save, shown read-only)."""

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.agency_id = request.user.agency_id
        super().save_model(request, obj, form, change)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        base = tuple(super().get_readonly_fields(request, obj))
        return base if request.user.is_superuser else (*base, "agency")


class SigningKeyForm(WardBoundForm):
    key_file = forms.FileField(label="Tệp khóa ký số (PKCS#12, .pfx)", required=False)

    class Meta:
        model = SigningKey
        fields = ["agency", "signer_name", "position", "password"]
        widgets = {"password": forms.PasswordInput(render_value=True)}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        upload = data.get("key_file")
        if upload is None and not self.instance.pk:
            raise forms.ValidationError("Hãy chọn tệp khóa ký số.")
        if upload is not None:
            content = upload.read(1024 * 1024 + 1)
            if len(content) > 1024 * 1024:
                raise forms.ValidationError("Tệp khóa ký số quá lớn.")
            try:
                load_signer(content, data.get("password", ""))
            except SigningError as exc:
                raise forms.ValidationError(str(exc)) from exc
            self.instance.p12 = content
        return data


@admin.register(SigningKey)
class SigningKeyAdmin(WardAdmin):
    form = SigningKeyForm
    list_display = ["agency", "signer_name", "position", "created_at"]


@admin.register(CertificationEntry)
class CertificationEntryAdmin(WardAdmin):
    list_display = ["book_number", "entry_number", "certified_on", "title", "electronic", "fee"]
    list_filter = ["electronic", "book_number"]
    readonly_fields = ("document", "dossier", "recorded_by", "recorded_at")
    date_hierarchy = "certified_on"


@admin.register(SignedDocument)
class SignedDocumentAdmin(ReadOnlyAdminMixin, WardAdmin):
    list_display = ["code", "title", "kind", "issued_at"]
    list_filter = ["kind"]
    search_fields = ["code"]
