"""The dossier app (hồ sơ): dossiers, the working calendar, the desk; ``ready`` hooks the notifications
to the workflow's events."""

from django.apps import AppConfig


class HosoConfig(AppConfig):
    name = "hoso"
    verbose_name = "Hồ sơ"

    def ready(self) -> None:
        # The applicant's messages follow the workflow's events without the workflow importing them.
        from . import (
            calendar_store,  # noqa: F401 — connects the signals that keep the cached calendars fresh
            events,
            tasks,
        )

        events.on_event(tasks.notify_after_commit)
