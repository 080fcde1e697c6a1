"""Configuration of the online channel app."""

from django.apps import AppConfig


class TructuyenConfig(AppConfig):
    name = "tructuyen"
    verbose_name = "Hồ sơ trực tuyến"

    def ready(self) -> None:
        from hoso.events import on_event

        from .results import digitise_on_online_receipt

        on_event(digitise_on_online_receipt)  # an online dossier received: its files count as digitised
