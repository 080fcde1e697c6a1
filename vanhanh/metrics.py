"""Prometheus metrics: answered requests, Celery task run times, and what waits in the queues.

Exposed at ``/metrics`` only when ``MOTCUA_METRICS_TOKEN`` is set, to a scraper that sends it as
``Authorization: Bearer <token>`` (anything else: 404 when off, 403 with a wrong token). Names:

* ``motcua_http_requests_total{view, method, status}`` and ``motcua_http_request_seconds{view}`` —
  ``view`` is the URL's name (``hoso:intake``), never the path, so a dossier code or a lookup key
  never becomes a label;
* ``motcua_task_seconds{task, state}`` — each Celery task's run time (``state``: SUCCESS, FAILURE,
  RETRY…);
* ``motcua_backlog{queue}`` — rows waiting, read from the database at each scrape:
  ``national_outbox`` (pending rows of the national link), ``notifications`` (messages not sent
  yet), ``reports`` (queued or being compiled), ``payments`` (started or pending, no answer yet).

Several processes (gunicorn workers, Celery's pool) share one view through
``PROMETHEUS_MULTIPROC_DIR`` (prometheus-client's multiprocess mode; deploy/gunicorn.conf.py marks
dead workers). A worker host serves its own metrics on ``MOTCUA_WORKER_METRICS_PORT`` (loopback
unless ``MOTCUA_WORKER_METRICS_HOST`` says otherwise). docs/deployment.md, "Metrics".
"""

from __future__ import annotations

import hmac
import os
import time
from collections.abc import Callable, Iterator
from typing import Any

from celery import signals
from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.views.decorators.cache import never_cache
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
    multiprocess,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST
from prometheus_client.registry import Collector

from baocao.constants import ReportStatus
from baocao.models import Report
from hoso.constants import NotificationStatus
from hoso.models import Notification
from lienthong.models import OutboxEntry, State
from thanhtoan.models import PaymentTransaction, TxState

METHODS = frozenset({"GET", "POST", "HEAD", "PUT", "PATCH", "DELETE", "OPTIONS"})
BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)

REQUESTS = Counter("motcua_http_requests", "Requests answered", ["view", "method", "status"])
REQUEST_SECONDS = Histogram("motcua_http_request_seconds", "Time to answer a request", ["view"], buckets=BUCKETS)
TASK_SECONDS = Histogram("motcua_task_seconds", "Run time of a Celery task", ["task", "state"], buckets=BUCKETS)

_task_started: dict[str, float] = {}


def metrics_middleware(get_response: Callable[[HttpRequest], HttpResponse]) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        started = time.perf_counter()
        response = get_response(request)
        match = getattr(request, "resolver_match", None)
        view = (match.view_name if match else "") or "unmatched"
        method = request.method if request.method in METHODS else "other"
        REQUESTS.labels(view, method, f"{response.status_code // 100}xx").inc()
        REQUEST_SECONDS.labels(view).observe(time.perf_counter() - started)
        return response

    return middleware


@signals.task_prerun.connect
def _task_starts(task_id: str = "", **kwargs: Any) -> None:
    _task_started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_ends(task_id: str = "", task: Any = None, state: str | None = None, **kwargs: Any) -> None:
    started = _task_started.pop(task_id, None)
    if started is not None and task is not None:
        TASK_SECONDS.labels(task.name, state or "UNKNOWN").observe(time.perf_counter() - started)


class BacklogCollector(Collector):
    """What waits in each queue, counted when scraped (one cheap indexed count per queue)."""

    def collect(self) -> Iterator[GaugeMetricFamily]:
        gauge = GaugeMetricFamily("motcua_backlog", "Rows waiting in a queue", labels=["queue"])
        gauge.add_metric(["national_outbox"], OutboxEntry.objects.filter(state=State.PENDING).count())
        gauge.add_metric(["notifications"], Notification.objects.filter(status=NotificationStatus.PENDING).count())
        gauge.add_metric(
            ["reports"], Report.objects.filter(status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]).count()
        )
        gauge.add_metric(
            ["payments"], PaymentTransaction.objects.filter(state__in=[TxState.STARTED, TxState.PENDING]).count()
        )
        yield gauge


def exposition() -> bytes:
    """Every process's counters (multiprocess mode) or this process's, then the backlogs."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        counters = generate_latest(registry)
    else:
        counters = generate_latest(REGISTRY)
    backlog = CollectorRegistry()
    backlog.register(BacklogCollector())
    return counters + generate_latest(backlog)


@never_cache
def metrics_view(request: HttpRequest) -> HttpResponse:
    token = getattr(settings, "MOTCUA_METRICS_TOKEN", "")
    if not token:
        raise Http404
    sent = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    if not hmac.compare_digest(sent.encode(), token.encode()):
        return HttpResponseForbidden("Sai mã truy cập số liệu giám sát.")
    return HttpResponse(exposition(), content_type=CONTENT_TYPE_LATEST)


@signals.worker_init.connect
def _serve_worker_metrics(**kwargs: Any) -> None:
    """A worker host's own /metrics (its pool's task times), when MOTCUA_WORKER_METRICS_PORT is set."""
    port = os.environ.get("MOTCUA_WORKER_METRICS_PORT", "").strip()
    if not port:
        return
    registry: CollectorRegistry = REGISTRY
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
    start_http_server(int(port), addr=os.environ.get("MOTCUA_WORKER_METRICS_HOST", "127.0.0.1"), registry=registry)
