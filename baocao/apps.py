"""The report app's configuration."""

from django.apps import AppConfig


class BaocaoConfig(AppConfig):
    name = "baocao"
    verbose_name = "Báo cáo"
