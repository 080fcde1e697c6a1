"""Celery application. Broker from CELERY_BROKER_URL / REDIS_URL; eager when neither is set."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

app = Celery("motcua")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="motcua.ping", ignore_result=False)
def ping() -> str:
    """Round-trip check used by the worker integration test (it opts back into a result)."""
    return "pong"
