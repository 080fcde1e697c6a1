"""Configuration of the signature app."""

from django.apps import AppConfig


class KysoConfig(AppConfig):
    name = "kyso"
    verbose_name = "Ký số và xác thực văn bản"
