"""The national link app (liên thông); ``ready`` hooks the outbox to the workflow's events."""

from django.apps import AppConfig


class LienthongConfig(AppConfig):
    name = "lienthong"
    verbose_name = "Liên thông Cổng DVC quốc gia"

    def ready(self) -> None:
        # Each workflow event writes its outbox row in the action's own transaction (hoso.events).
        from django.db.models.signals import post_save

        from hoso import events
        from hoso.models import SatisfactionRating

        from . import outbox, tasks

        events.on_new_dossier(outbox.row_with_receipt)  # a receipt's row: written with its dossier
        events.on_event(tasks.queue_after_event)
        # A rating goes the same way, in the transaction that saves it (a kind-"rating" row).
        post_save.connect(tasks.queue_after_rating, sender=SatisfactionRating, dispatch_uid="lienthong-rating")
