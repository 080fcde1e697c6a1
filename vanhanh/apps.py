"""App config of the operations app."""

from django.apps import AppConfig


class VanhanhConfig(AppConfig):
    name = "vanhanh"
    verbose_name = "Vận hành"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Connects the Celery signals that time each task (and serve a worker host's metrics).
        from . import metrics  # noqa: F401
