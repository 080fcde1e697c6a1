"""Celery application. Broker from CELERY_BROKER_URL / REDIS_URL; eager when neither is set."""

import logging
import os

from celery import Celery

# Connects the signals that carry a request's id into the tasks it sends (and set it on the worker).
from . import requestid  # noqa: F401

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "motcua.settings")

logger = logging.getLogger(__name__)

app = Celery("motcua")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.task(name="motcua.ping", ignore_result=False)
def ping() -> str:
    """Round-trip check used by the worker integration test (it opts back into a result); its log
    line shows the id of the request that sent it."""
    logger.info("ping")
    return "pong"
