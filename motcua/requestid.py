"""One id per request, written on every log line of that request and of the Celery tasks it sends.

The id comes from the ``X-Request-ID`` header that nginx sets (``$request_id``, see deploy/nginx) when
it looks like one (8–64 letters, digits, ``.``, ``_``, ``-``: nothing a client sends can break a log
line), otherwise a new one is made; the answer carries it back in the same header, so an operator
can go from a citizen's complaint ("mã lỗi …" on the error page) or nginx's access log to every line
the web node and the workers wrote for it.

A task sent while a request is served carries the id in a message header (``motcua_request_id``);
the worker sets it for the task's run and logs with it. Tasks started by beat get their own id
(``task-<task id>``). Eager tasks (no broker) simply run inside the request's context.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from collections.abc import Callable
from typing import Any

from celery import signals
from django.core.signals import request_finished
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
TASK_HEADER = "motcua_request_id"
NONE = "-"

current: contextvars.ContextVar[str] = contextvars.ContextVar("motcua_request_id", default=NONE)

_WELL_FORMED = re.compile(r"[A-Za-z0-9._-]{8,64}")
_task_tokens: dict[str, contextvars.Token[str]] = {}


def new_id() -> str:
    return uuid.uuid4().hex


def accepted(value: str) -> str | None:
    """The incoming id when it is well formed, else None."""
    return value if _WELL_FORMED.fullmatch(value or "") else None


def request_id_middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    """Sets the request's id for its logs and tasks, and answers it in ``X-Request-ID``."""

    def middleware(request: HttpRequest) -> HttpResponse:
        request_id = accepted(request.headers.get(HEADER, "")) or new_id()
        request.request_id = request_id  # type: ignore[attr-defined]
        # Kept until the response is closed (``request_finished``), not reset on the way out: Django
        # logs a 4xx/5xx answer ("Not Found: …") after the middleware chain has returned.
        current.set(request_id)
        response = get_response(request)
        response[HEADER] = request_id
        return response

    return middleware


@receiver(request_finished)
def forget_request_id(**kwargs: Any) -> None:
    current.set(NONE)


class RequestIdFilter(logging.Filter):
    """Adds ``request_id`` to every record, "-" outside a request or task."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current.get()
        return True


@signals.before_task_publish.connect
def carry_request_id(headers: dict[str, Any] | None = None, **kwargs: Any) -> None:
    request_id = current.get()
    if headers is not None and request_id != NONE:
        headers.setdefault(TASK_HEADER, request_id)


@signals.task_prerun.connect
def enter_task(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    request = getattr(task, "request", None)
    if request is not None and getattr(request, "is_eager", False):
        return  # runs inside the caller's context already
    carried = accepted(str(getattr(request, TASK_HEADER, "") or ""))
    _task_tokens[task_id] = current.set(carried or f"task-{task_id}")


@signals.task_postrun.connect
def leave_task(task_id: str = "", **kwargs: Any) -> None:
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        current.reset(token)
