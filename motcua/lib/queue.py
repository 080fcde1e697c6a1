"""Sending Celery tasks from a request without ever turning a broker outage into an error page.

The settings (motcua/settings.py, "Celery: reliability") bound the wait: about a second on a broker
that refuses or hangs, no publish retries. ``publish`` catches what is left — the broker's own
errors — logs one line and answers False; the caller's row (a queued report, a notification
outbox row, a dossier event) stays for the sweepers, which send it once the broker is back.

Errors raised by the task itself (eager mode, tests) are not caught: they are bugs.
"""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from kombu.exceptions import OperationalError as KombuOperationalError
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

BROKER_ERRORS: tuple[type[BaseException], ...] = (
    KombuOperationalError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)


def publish(task: Task, *args: Any, **kwargs: Any) -> bool:
    """``task.delay(*args, **kwargs)``; False (and a warning) when the broker cannot take it."""
    try:
        task.apply_async(args, kwargs)
    except BROKER_ERRORS as exc:
        logger.warning(
            "Không gửi được việc %s%r vào hàng đợi (%s: %s); việc quét định kỳ sẽ gửi lại.",
            task.name,
            args,
            type(exc).__name__,
            exc,
        )
        return False
    return True
