"""App config of the operations app."""

from django.apps import AppConfig


class VanhanhConfig(AppConfig):
    name = "vanhanh"
    verbose_name = "Vận hành"
    default_auto_field = "django.db.models.BigAutoField"
