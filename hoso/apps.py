"""The dossier app (hồ sơ): dossiers, the working calendar, the desk."""

from django.apps import AppConfig


class HosoConfig(AppConfig):
    name = "hoso"
    verbose_name = "Hồ sơ"

    def ready(self) -> None:
        from . import calendar_store  # noqa: F401 — connects the signals that keep the cached calendars fresh
