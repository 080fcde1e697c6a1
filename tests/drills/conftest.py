"""Fault drills: the real portal (gunicorn), real Celery workers, PostgreSQL and Redis, on loopback.

Each drill starts what it needs as subprocesses sharing the test database (so the tests use
``django_db(transaction=True)`` and PostgreSQL), breaks one thing, and checks what a person at
the desk or a citizen would see. Everything a drill starts or stops is put back when it ends.
Run them alone with ``./test -m drill`` (see docs/operations.md).
"""

from __future__ import annotations

import contextlib
import http.cookiejar
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.db import connection
from django.utils import timezone

from tests.conftest import need
from tests.factories import PASSWORD
from tests.faults import free_port

ROOT = Path(settings.BASE_DIR)
BIRTH = "1.001193"  # Đăng ký khai sinh, in the demo ward's offer


def require_services() -> str:
    """The Redis URL; skips (fails in CI) without PostgreSQL and Redis."""
    need(connection.vendor == "postgresql", "Fault drills share the test database with subprocesses: PostgreSQL.")
    need(bool(settings.REDIS_URL), "Fault drills need Redis (set REDIS_URL).")
    return settings.REDIS_URL


def database_url() -> str:
    """The URL of the test database, for the subprocesses."""
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def service_env(**overrides: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CACHE_URL": settings.CACHE_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "CELERY_RESULT_BACKEND": settings.CELERY_RESULT_BACKEND or "",
        "DEBUG": "0",
        "SECRET_KEY": "drill-secret-key-not-for-production-0123456789abcdef",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MOTCUA_PUBLIC_URL": "http://127.0.0.1:8000",
        "DB_CONN_MAX_AGE": "0",
        "PYTHONUNBUFFERED": "1",
    }
    env.update(overrides)
    return env


# -- processes --------------------------------------------------------------------------------------------
@dataclass
class Server:
    url: str
    process: subprocess.Popen
    log: Path

    def worker_pids(self) -> list[int]:
        """The gunicorn worker processes (children of the master)."""
        return children_of(self.process.pid)


def children_of(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError, ValueError, IndexError):
            # pid (comm) state ppid …: comm may hold spaces, so split after its closing parenthesis.
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.append(int(stat.parent.name))
    return sorted(found)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@contextlib.contextmanager
def gunicorn(tmp_path: Path, *, workers: int = 2, config: str | None = None, **env: str) -> Iterator[Server]:
    """``gunicorn motcua.wsgi`` on a free loopback port, until /healthz answers; stopped afterwards.
    ``config``: a gunicorn config file (deploy/gunicorn.conf.py) under the flags given here."""
    port = free_port()
    log = tmp_path / f"gunicorn-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "motcua.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--timeout",
                "60",
                "--graceful-timeout",
                "5",
                "--no-control-socket",  # several servers may run at once on this machine
                *(["--config", config] if config else []),
            ],
            cwd=ROOT,
            env=service_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 90
        while True:
            assert process.poll() is None, log.read_text(errors="replace")
            try:
                urllib.request.urlopen(server.url + "/healthz", timeout=5).read()  # noqa: S310 — loopback
                break
            except urllib.error.HTTPError:
                break  # answering (503 is still an answer)
            except OSError:
                assert time.monotonic() < deadline, "gunicorn did not start:\n" + log.read_text(errors="replace")
                time.sleep(0.3)
        yield server
    finally:
        _stop(process)


@contextlib.contextmanager
def celery_worker(
    tmp_path: Path, queue: str, name: str, *, pool: str = "solo", **env: str
) -> Iterator[subprocess.Popen]:
    """``celery -A motcua worker`` consuming ``queue`` (solo pool: one process; prefork: one child);
    its log is ``tmp_path/<name>.log``. Stopped afterwards unless the drill killed it."""
    log = tmp_path / f"{name}.log"
    with log.open("ab") as out:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "motcua",
                "worker",
                f"--pool={pool}",
                "--concurrency=1",
                "--loglevel=INFO",
                "--without-heartbeat",
                "--without-mingle",
                "--without-gossip",
                "-Q",
                queue,
                "-n",
                f"{name}-{os.getpid()}@%h",
            ],
            cwd=ROOT,
            env=service_env(**env),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 90
        while "ready." not in log.read_text(errors="replace"):
            assert process.poll() is None, log.read_text(errors="replace")
            assert time.monotonic() < deadline, "the worker did not start:\n" + log.read_text(errors="replace")
            time.sleep(0.3)
        yield process
    finally:
        _stop(process)


@contextlib.contextmanager
def task_queue(name: str) -> Iterator[None]:
    """Tasks sent by this process go to ``name`` through the real broker (not eagerly)."""
    from motcua.celery import app
    from tests.faults import celery_broker

    previous = app.conf.task_default_queue
    app.conf.task_default_queue = name
    try:
        with celery_broker(settings.CELERY_BROKER_URL):
            yield
    finally:
        app.conf.task_default_queue = previous


def wait_for(condition, timeout: float, what: str, interval: float = 0.3):
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(interval)


# -- a browser without a browser ---------------------------------------------------------------------------
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@dataclass
class Reply:
    status: int
    body: str
    headers: dict[str, str]


class Browser:
    """Cookies, CSRF and no redirect following, over urllib (loopback only)."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.cookies), _NoRedirect)

    def request(self, path: str, data: dict[str, str] | None = None, timeout: float = 30) -> Reply:
        body = None
        if data is not None:
            csrf = next((c.value for c in self.cookies if c.name == "csrftoken"), "")
            body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": csrf}).encode()
        request = urllib.request.Request(self.base + path, data=body)  # noqa: S310 — loopback
        if data is not None:
            request.add_header("Referer", self.base + path)
        try:
            with self.opener.open(request, timeout=timeout) as response:
                return Reply(response.status, response.read().decode(errors="replace"), dict(response.headers))
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read().decode(errors="replace"), dict(exc.headers))

    def get(self, path: str) -> Reply:
        return self.request(path)

    def post(self, path: str, data: dict[str, str], timeout: float = 30) -> Reply:
        return self.request(path, data, timeout)

    def sign_in(self, username: str, password: str = PASSWORD) -> None:
        assert self.get("/dang-nhap/").status == 200
        reply = self.post("/dang-nhap/", {"username": username, "password": password})
        assert reply.status == 302, reply.body[:2000]


# -- the ward ------------------------------------------------------------------------------------------
@dataclass
class Ward:
    agency: object
    clerk: object
    officer: object
    returned: object  # a dossier whose result was handed over an hour ago (survey open)


@pytest.fixture
def ward(transactional_db) -> Ward:
    from hoso import workflow
    from motcua.demo import load_demo
    from motcua.models import User
    from thutuc.models import Procedure

    agency, _ = load_demo()
    clerk, officer = User.objects.get(username="canbo"), User.objects.get(username="congchuc")
    # Hashed as the servers check it (the tests' own settings use a fast hasher they don't know).
    hasher = PBKDF2PasswordHasher()
    for user in (clerk, officer):
        user.password = hasher.encode(PASSWORD, hasher.salt())
        user.save(update_fields=["password"])
    now = timezone.now()
    intake = workflow.Intake(procedure=Procedure.objects.get(code=BIRTH), applicant_name="Trần Thị Bình")
    dossier = workflow.receive(agency=agency, actor=clerk, intake=intake, now=now - timedelta(hours=4))
    workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=now - timedelta(hours=3))
    workflow.mark_result_ready(dossier_id=dossier.pk, actor=officer, now=now - timedelta(hours=2))
    dossier = workflow.return_result(
        dossier_id=dossier.pk, actor=clerk, collector="Trần Thị Bình", now=now - timedelta(hours=1)
    )
    return Ward(agency, clerk, officer, dossier)


def intake_form(**overrides: str) -> dict[str, str]:
    from tests.hoso.test_desk_views import form_data
    from thutuc.models import Procedure

    return form_data(Procedure.objects.get(code=BIRTH), **overrides)


def seq(code: str) -> int:
    """The day's sequence number at the end of a dossier code (…-250307-0001 → 1)."""
    return int(re.search(r"(\d+)$", code).group(1))


def kill(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signal.SIGKILL)
