"""The dossier app (hồ sơ): dossiers, the working calendar, the desk."""

from django.apps import AppConfig


class HosoConfig(AppConfig):
    name = "hoso"
    verbose_name = "Hồ sơ"
