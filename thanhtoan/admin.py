"""Admin of the fees app: fee rules are edited; requests, transactions, notices and receipts are read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import FeeRequest, FeeRule, PaymentNotice, PaymentTransaction, Receipt


@admin.register(FeeRule)
class FeeRuleAdmin(admin.ModelAdmin):
    list_display = ("procedure", "agency", "timing", "extra_name", "extra_amount")
    list_filter = ("timing",)
    raw_id_fields = ("procedure",)


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(FeeRequest)
class FeeRequestAdmin(ReadOnly):
    list_display = ("dossier", "procedure", "amount_due", "timing", "exempt", "state", "paid_at")
    list_filter = ("state", "timing", "exempt")


@admin.register(PaymentTransaction)
class PaymentTransactionAdmin(ReadOnly):
    list_display = ("reference", "amount", "channel", "provider", "state", "started_at", "settled_at", "hash_verified")
    list_filter = ("state", "channel", "provider")
    search_fields = ("reference", "provider_transaction")


@admin.register(PaymentNotice)
class PaymentNoticeAdmin(ReadOnly):
    list_display = ("received_at", "kind", "reference", "hash_ok", "outcome")
    list_filter = ("kind", "hash_ok")
    search_fields = ("reference",)


@admin.register(Receipt)
class ReceiptAdmin(ReadOnly):
    list_display = ("series", "number", "amount", "issued_at", "agency")
