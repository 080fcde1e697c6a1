"""Configuration of the fees app (thanhtoan)."""

from django.apps import AppConfig


class ThanhtoanConfig(AppConfig):
    name = "thanhtoan"
    verbose_name = "Phí, lệ phí và thanh toán"

    def ready(self) -> None:
        from hoso.events import on_event

        from .hooks import fee_request_after_event

        on_event(fee_request_after_event)
