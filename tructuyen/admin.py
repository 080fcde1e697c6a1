"""Admin of the online channel: API clients (the secret is never shown) and the dossiers' files (read only)."""

from django.contrib import admin
from django.http import HttpRequest

from .models import ApiClient, DossierFile


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ["name", "agency", "client_id", "active", "created_at"]
    list_filter = ["active", "agency"]
    fields = ["agency", "name", "client_id", "active", "created_at"]
    readonly_fields = ["agency", "client_id", "created_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # created by `manage.py create_api_client`, which shows the secret once


@admin.register(DossierFile)
class DossierFileAdmin(admin.ModelAdmin):
    list_display = ["dossier", "paper_name", "kind", "content_type", "size", "uploaded_at"]
    list_filter = ["kind", "content_type"]
    search_fields = ["dossier__code", "sha256"]
    exclude = ["file"]  # files are opened only through the checked view (tructuyen:file)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
