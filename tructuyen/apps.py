"""Configuration of the online channel app."""

from django.apps import AppConfig


class TructuyenConfig(AppConfig):
    name = "tructuyen"
    verbose_name = "Hồ sơ trực tuyến"
