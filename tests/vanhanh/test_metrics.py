"""/metrics: off without a token, refused with a wrong one; counts requests by URL name, times
tasks, reads the queues' backlogs; several gunicorn workers add up in multiprocess mode."""

from __future__ import annotations

import re
import urllib.request
from datetime import date

import pytest

from baocao.constants import ReportStatus
from baocao.models import Report
from motcua.celery import ping
from tests.drills.conftest import gunicorn
from tests.factories import AgencyFactory

pytestmark = pytest.mark.django_db
TOKEN = "metrics-token-for-the-tests-0123456789"


def scrape(client) -> str:
    answer = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/plain")
    return answer.content.decode()


def value(text: str, name: str, **labels: str) -> float:
    """The sum over every series of ``name`` carrying these labels (other labels, e.g. the status
    class, may split one view's count over several lines)."""
    return sum(
        float(line.rsplit(" ", 1)[1])
        for line in text.splitlines()
        if line.startswith(name + "{") and all(f'{k}="{v}"' in line for k, v in labels.items())
    )


def test_metrics_are_off_without_a_token_and_refused_with_a_wrong_one(client, settings):
    settings.MOTCUA_METRICS_TOKEN = ""
    assert client.get("/metrics").status_code == 404
    settings.MOTCUA_METRICS_TOKEN = TOKEN
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403


def test_requests_are_counted_by_url_name_never_by_path(client, settings):
    settings.MOTCUA_METRICS_TOKEN = TOKEN
    before = value(scrape(client), "motcua_http_requests_total", view="lookup", method="GET")
    for _ in range(3):
        client.get("/tra-cuu/000.00.01.H26-261206-0001/?k=SECRETKEY1")
    text = scrape(client)
    assert value(text, "motcua_http_requests_total", view="lookup", method="GET") == before + 3
    assert value(text, "motcua_http_requests_total", view="lookup", method="GET", status="4xx") >= 3
    assert "SECRETKEY1" not in text and "261206-0001" not in text
    assert value(text, "motcua_http_request_seconds_count", view="lookup") >= 3


def test_task_run_times_and_backlogs(client, settings):
    settings.MOTCUA_METRICS_TOKEN = TOKEN
    before = value(scrape(client), "motcua_task_seconds_count", task="motcua.ping", state="SUCCESS")
    ping.apply()
    text = scrape(client)
    assert value(text, "motcua_task_seconds_count", task="motcua.ping", state="SUCCESS") == before + 1
    assert value(text, "motcua_backlog", queue="reports") == 0
    ward = AgencyFactory()
    for month, status in ((9, ReportStatus.QUEUED), (10, ReportStatus.RUNNING), (11, ReportStatus.DONE)):
        Report.objects.create(
            agency=ward,
            period_kind="calendar_month",
            start=date(2026, month, 1),
            end=date(2026, month, 28),
            label=f"Tháng {month}/2026",
            status=status,
        )
    text = scrape(client)
    assert value(text, "motcua_backlog", queue="reports") == 2
    assert {"national_outbox", "notifications", "payments"} <= set(re.findall(r'motcua_backlog\{queue="(\w+)"', text))


@pytest.mark.django_db(transaction=True)
def test_two_gunicorn_workers_add_up_in_multiprocess_mode(tmp_path):
    (tmp_path / "prom").mkdir()
    multiproc = {"MOTCUA_METRICS_TOKEN": TOKEN, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path / "prom")}
    with gunicorn(tmp_path, workers=2, config="deploy/gunicorn.conf.py", **multiproc) as server:
        for _ in range(40):  # new connections: both workers take some
            with urllib.request.urlopen(server.url + "/healthz", timeout=10) as answer:  # noqa: S310 — loopback
                answer.read()
        request = urllib.request.Request(  # noqa: S310 — loopback
            server.url + "/metrics", headers={"Authorization": f"Bearer {TOKEN}"}
        )
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 — loopback
            text = answer.read().decode()
    # Each worker process writes its own file; the scrape, answered by one of them, adds them all up.
    assert value(text, "motcua_http_requests_total", view="healthz", method="GET") >= 41
