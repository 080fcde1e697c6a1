"""The real services: CI must run on PostgreSQL, and a Celery worker must really start on Redis."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import REQUIRE_SERVICES, need


@pytest.mark.django_db
def test_ci_runs_on_postgresql():
    if not REQUIRE_SERVICES:
        pytest.skip("Only CI (MOTCUA_REQUIRE_SERVICES=1) must run on PostgreSQL.")
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SELECT version()")
        assert cursor.fetchone()[0].startswith("PostgreSQL")


@pytest.mark.services
def test_a_real_celery_worker_answers_over_redis():
    broker = settings.CELERY_BROKER_URL
    need(bool(broker), "No Redis broker configured (set REDIS_URL).")
    from motcua import requestid
    from motcua.celery import app, ping

    app.conf.task_always_eager = False
    request_id = f"ping-request-{os.getpid()}"
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "motcua",
            "worker",
            "--pool=solo",
            "--loglevel=INFO",
            "-Q",
            "motcua-test-ping",
            "-n",
            f"ping-{os.getpid()}@%h",
        ],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        token = requestid.current.set(request_id)  # as if sent while serving a request
        try:
            result = ping.apply_async(queue="motcua-test-ping")
        finally:
            requestid.current.reset(token)
        deadline = time.monotonic() + 60
        while not result.ready() and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.2)
        # Another test may have run a worker in this process, which makes Celery refuse a plain get().
        assert result.get(timeout=1, disable_sync_subtasks=False) == "pong"
    finally:
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in output, output
    # The worker logs JSON lines, and the task's line carries the id of the request that sent it.
    lines = [json.loads(line) for line in output.splitlines() if line.startswith("{")]
    assert {"message": "ping", "request_id": request_id, "logger": "motcua.celery"}.items() <= next(
        line for line in lines if line.get("message") == "ping"
    ).items(), output
