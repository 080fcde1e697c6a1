"""The portal's app configuration: Vietnamese collation on SQLite, the activity clock, axes in Vietnamese."""

from axes import apps as axes_apps
from django.apps import AppConfig
from django.conf import settings
from django.db.backends.signals import connection_created
from django.utils.timezone import localtime

from .lib.text import vi_compare


def _register_sqlite_collation(sender: object, connection: object, **kwargs: object) -> None:
    """Give SQLite the Vietnamese collation PostgreSQL has through ICU, under the same name."""
    if getattr(connection, "vendor", "") == "sqlite":
        connection.connection.create_collation(settings.VI_COLLATION, vi_compare)  # type: ignore[attr-defined]


class MotcuaConfig(AppConfig):
    name = "motcua"
    verbose_name = "Cơ quan và cán bộ"

    def ready(self) -> None:
        connection_created.connect(_register_sqlite_collation, dispatch_uid="motcua_sqlite_collation")
        from django.contrib.auth.signals import user_logged_in

        from .middleware import start_activity_clock

        user_logged_in.connect(start_activity_clock, dispatch_uid="motcua_idle_clock")


class LoginGuardConfig(axes_apps.AppConfig):
    """django-axes under a Vietnamese name in the admin (INSTALLED_APPS names this class)."""

    default = False
    verbose_name = "Bảo vệ đăng nhập"

    def ready(self) -> None:
        super().ready()
        from axes.models import AccessAttempt, AccessFailureLog, AccessLog

        # axes names its rows in English; the admin shows these names as page titles.
        AccessAttempt.__str__ = lambda self: f"Lần đăng nhập sai: {self.username} từ {self.ip_address}"  # type: ignore[method-assign]
        AccessFailureLog.__str__ = lambda self: (  # type: ignore[method-assign]
            f"Đăng nhập sai: {self.username} từ {self.ip_address} lúc {localtime(self.attempt_time):%H:%M %d/%m/%Y}"
        )
        AccessLog.__str__ = lambda self: (  # type: ignore[method-assign]
            f"Đăng nhập: {self.username} lúc {localtime(self.attempt_time):%H:%M %d/%m/%Y}"
        )
