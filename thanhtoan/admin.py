"""Admin of the fees app: a ward admin edits their ward's fee rules and reads its requests, transactions
and receipts; nothing financial is added, changed or deleted here (append-only)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from motcua.admin import AgencyScopedAdmin, ReadOnlyAdminMixin

from .models import FeeRequest, FeeRule, PaymentNotice, PaymentTransaction, Receipt


@admin.register(FeeRule)
class FeeRuleAdmin(AgencyScopedAdmin):
    list_display = ("procedure", "agency", "timing", "extra_name", "extra_amount")
    list_filter = ("timing",)
    search_fields = ("procedure__code", "procedure__name")
    autocomplete_fields = ("procedure",)
    ward_admin_can_delete = True

    def get_readonly_fields(self, request: HttpRequest, obj: FeeRule | None = None) -> tuple[str, ...]:
        return () if request.user.is_superuser else ("agency",)

    def save_model(self, request: HttpRequest, obj: FeeRule, form: Any, change: bool) -> None:
        if not request.user.is_superuser:
            obj.agency_id = request.user.agency_id
        super().save_model(request, obj, form, change)


class ReadOnly(ReadOnlyAdminMixin, AgencyScopedAdmin):
    """A ward's payment records: written by the payment services only."""


@admin.register(FeeRequest)
class FeeRequestAdmin(ReadOnly):
    list_display = ("dossier", "procedure", "amount_due", "timing", "exempt", "state", "paid_at")
    list_filter = ("state", "timing", "exempt")


@admin.register(PaymentTransaction)
class PaymentTransactionAdmin(ReadOnly):
    agency_field = "request__agency"
    list_display = ("reference", "amount", "channel", "provider", "state", "started_at", "settled_at", "hash_verified")
    list_filter = ("state", "channel", "provider")
    search_fields = ("reference", "provider_transaction")


@admin.register(PaymentNotice)
class PaymentNoticeAdmin(ReadOnly):
    """Notices whose reference is unknown belong to no ward: superusers see every notice, a ward admin its own."""

    agency_field = "transaction__request__agency"
    list_display = ("received_at", "kind", "reference", "hash_ok", "outcome")
    list_filter = ("kind", "hash_ok")
    search_fields = ("reference",)

    def get_queryset(self, request: HttpRequest) -> QuerySet[PaymentNotice]:
        return super().get_queryset(request).select_related("transaction")


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ("series", "number", "amount", "issued_at", "agency")
