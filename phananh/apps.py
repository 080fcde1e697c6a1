"""The petitions app (phản ánh, kiến nghị)."""

from django.apps import AppConfig


class PhananhConfig(AppConfig):
    name = "phananh"
    verbose_name = "Phản ánh, kiến nghị"
