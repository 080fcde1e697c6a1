"""The citizen app's configuration: a staff sign-in ends any citizen identity held by the same session."""

from django.apps import AppConfig


class CongdanConfig(AppConfig):
    name = "congdan"
    verbose_name = "Công dân"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from .session import forget_citizen_on_staff_login

        user_logged_in.connect(forget_citizen_on_staff_login, dispatch_uid="congdan_forget_citizen")
