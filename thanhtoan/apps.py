"""Configuration of the fees app (thanhtoan)."""

from django.apps import AppConfig


class ThanhtoanConfig(AppConfig):
    name = "thanhtoan"
    verbose_name = "Phí, lệ phí và thanh toán"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from hoso.events import on_event, on_new_dossier
        from thutuc.offers import catalogue_changed

        from .hooks import fee_request_after_event, fee_request_with_receipt, pays_at_intake
        from .models import FeeRule

        on_new_dossier(fee_request_with_receipt, writes_after=pays_at_intake)
        on_event(fee_request_after_event)
        # Fee rules are kept per process with the catalogue (thanhtoan.fees.fee_rule_for).
        post_save.connect(catalogue_changed, sender=FeeRule, dispatch_uid="thanhtoan-fee-rule-save")
        post_delete.connect(catalogue_changed, sender=FeeRule, dispatch_uid="thanhtoan-fee-rule-delete")
