"""The procedure catalogue app (thủ tục hành chính)."""

from django.apps import AppConfig


class ThutucConfig(AppConfig):
    name = "thutuc"
    verbose_name = "Thủ tục hành chính"

    def ready(self) -> None:
        from . import offers  # noqa: F401 — connects the signals that keep the offer cache fresh
