"""The province drill: a province's traffic on two web nodes and two workers, one of each killed mid-run.

Run (PostgreSQL, Redis and nginx needed — ``apt-get install nginx-light``):
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python bench/province_drill.py [--quick] [--json] [--wards 120] [--users 240] [--minutes 10]

What it starts, all on loopback, against a new database ``motcua_drill`` (the URL's database is
only used to create and drop it) and Redis database 13 (emptied first):

- two web nodes: gunicorn with deploy/gunicorn.conf.py, two workers each, on their own ports;
- nginx in front of both, as deploy/nginx/motcua.conf does (``proxy_next_upstream``, the request id);
- two Celery workers (prefork, one process each) and one beat; the national portal's stand-in, so
  every action also goes through the national link's outbox;
- the load: Locust, headless (bench/drill_locust.py): clerks of every ward receiving dossiers and
  opening their counter lists, citizens looking dossiers up (page and JSON), leaders opening their
  boards and asking each for the month's report.

Half-way through it kills (SIGKILL) one web node — master and workers — and one Celery worker.
After the load it lets the system drain (the sweepers that beat runs every few minutes are sent at
once) and checks, from the database: every intake a clerk saw succeed is there (``lost_intakes``),
no applicant's form made two dossiers (``duplicate_codes``), every day counter has one dossier per
number handed out (``missing_codes``), every report asked for exists once and was compiled
(``reports_completed_once``), and the outbox and the notification queue are empty.

Prints a table, or with ``--json`` ``{"lost_intakes", "duplicate_codes", "missing_codes",
"reports_completed_once", "lookup_p99_ms", "intake_p99_ms", "errors", …}``. ``--quick`` is the
two-minute version for a CI-sized machine (30 wards, 60 users). The ratio the house style asks for
is printed too: each kind's p50 against the p50 of ``/healthz`` measured in the same run.
Not a test: tests/drills/test_province_drill.py runs ``--quick`` and checks the correctness figures.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import csv
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DRILL_DB = "motcua_drill"
DRILL_REDIS_DB = 13
PASSWORD = "dien-tap-tinh-2026"  # noqa: S105 — drill accounts in a throw-away database
LOOKUPS_PER_WARD = 4
TARGET_LOOKUP_P99_MS = 250
TARGET_INTAKE_P99_MS = 1000
# The real peak the load is a multiple of: every ward at the top of a ward's range (50–400 dossiers
# a working day), a fifth of the day's dossiers in its busiest hour, each dossier looked up three
# times by its applicant (page or JSON, from the QR code), each leader's board opened every 20 s.
DOSSIERS_PER_WARD_DAY = 400
BUSIEST_HOUR_SHARE = 0.2
LOOKUPS_PER_DOSSIER = 3
LEADER_BOARD_EVERY_S = 20
# bench/drill_locust.py's user classes and their weights (DRILL_<KIND>_WEIGHT overrides them there too)
WEIGHTS = {
    kind: int(os.environ.get(f"DRILL_{kind}_WEIGHT", default))
    for kind, default in (("CLERK", 6), ("CITIZEN", 8), ("LEADER", 1))
}
CLERK_INTAKE_SHARE = 5 / 7  # a clerk's tasks: intake 5, counter list 2


def real_peak(wards: int) -> float:
    """Intakes a second in the busiest hour of a province of ``wards`` busy wards."""
    return wards * DOSSIERS_PER_WARD_DAY * BUSIEST_HOUR_SHARE / 3600


def paces(wards: int, users: int, multiple: float) -> dict[str, str]:
    """Each kind of user's pace (task cycles a second) for ``multiple`` × the real peak."""
    total = sum(WEIGHTS.values())
    clerks, citizens = users * WEIGHTS["CLERK"] / total, users * WEIGHTS["CITIZEN"] / total
    intakes = multiple * real_peak(wards)
    return {
        "DRILL_CLERK_RATE": f"{intakes / (clerks * CLERK_INTAKE_SHARE):.4f}",
        "DRILL_CITIZEN_RATE": f"{intakes * LOOKUPS_PER_DOSSIER / citizens:.4f}",
        "DRILL_LEADER_RATE": f"{1 / LEADER_BOARD_EVERY_S:.4f}",
    }


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def with_redis_db(url: str, db: int) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{db}"))


# -- the database -----------------------------------------------------------------------------
def recreate_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DRILL_DB}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{DRILL_DB}"')


def drop_database(admin_url: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DRILL_DB}" WITH (FORCE)')


def prepare(wards: int, out: Path) -> dict[str, Any]:
    """Migrate, load the real catalogue and calendar, make the wards with a clerk and a leader each,
    and a few dossiers per ward for citizens to look up. Returns the data the load reads."""
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.utils import timezone

    from hoso import workflow
    from motcua.constants import Role
    from motcua.demo import load_demo
    from motcua.models import Agency, User
    from motcua.services import create_agency
    from thutuc.models import AgencyProcedure, Procedure

    call_command("migrate", verbosity=0)
    load_demo()
    everyday = ["1.001193", "1.000656", "1.000894", "2.000815", "2.000884", "1.004873"]
    procedures = list(Procedure.objects.filter(code__in=everyday, active=True))
    password = make_password(PASSWORD)
    data: dict[str, Any] = {"password": PASSWORD, "procedures": [p.code for p in procedures], "wards": []}
    made = []
    for i in range(wards):
        code = f"000.{i // 100:02d}.{i % 100:02d}.H99"
        agency = Agency.objects.filter(code=code).first() or create_agency(
            code=code, name=f"Phường Diễn Tập {i + 1}", parent_name="Tỉnh Diễn Tập", leader_name="Lãnh Đạo Thử"
        )
        AgencyProcedure.objects.bulk_create(
            [AgencyProcedure(agency=agency, procedure=p) for p in procedures], ignore_conflicts=True
        )
        users = {}
        for role, prefix in ((Role.CLERK, "tn"), (Role.LEADER, "ld")):
            username = f"{prefix}{i + 1:03d}"
            user = User(
                username=username, agency=agency, role=role, password=password, last_name="Cán Bộ", first_name="Thử"
            )
            user.set_staff_flag()
            user.save()
            users[role] = user
        data["wards"].append({"code": code, "clerk": f"tn{i + 1:03d}", "leader": f"ld{i + 1:03d}"})
        made.append((agency, users[Role.CLERK]))
    lookups = []
    now = timezone.now()
    for agency, clerk in made:
        for n in range(LOOKUPS_PER_WARD):
            procedure = procedures[n % len(procedures)]
            intake = workflow.Intake(procedure=procedure, applicant_name=f"Công Dân Tra Cứu {n}")
            dossier = workflow.receive(agency=agency, actor=clerk, intake=intake, now=now)
            lookups.append({"code": dossier.code, "key": dossier.lookup_key})
    data["lookups"] = lookups
    today = timezone.localdate()
    month, year = (today.month - 1, today.year) if today.month > 1 else (12, today.year - 1)
    data["report_period"] = {"kind": "calendar_month", "year": str(year), "number": str(month)}
    out.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return data


# -- processes --------------------------------------------------------------------------------
@dataclass
class Fleet:
    tmp: Path
    env: dict[str, str]
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, command: list[str], **extra_env: str) -> subprocess.Popen[bytes]:
        log = (self.tmp / f"{name}.log").open("wb")
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def kill(self, name: str) -> None:
        """SIGKILL the process and everything it started (its session's process group)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.processes[name].pid, signal.SIGKILL)
        self.processes[name].wait(timeout=30)

    def stop_all(self) -> None:
        for process in self.processes.values():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 20
        for process in self.processes.values():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)

    def log(self, name: str, tail: int = 3000) -> str:
        text = (self.tmp / f"{name}.log").read_text(errors="replace")
        return text[-tail:] if tail else text


def wait_http(url: str, fleet: Fleet, name: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(url, timeout=5).read()  # noqa: S310 — loopback
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            if fleet.processes[name].poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"{name} did not start:\n{fleet.log(name)}") from None
            time.sleep(0.3)


def wait_log(fleet: Fleet, name: str, text: str, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while text not in fleet.log(name, tail=0):
        if fleet.processes[name].poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"{name} did not start:\n{fleet.log(name)}")
        time.sleep(0.3)


NGINX_CONF = """worker_processes 1;
pid {tmp}/nginx.pid;
error_log {tmp}/nginx-error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    client_body_temp_path {tmp}/nginx-body;
    proxy_temp_path {tmp}/nginx-proxy;
    fastcgi_temp_path {tmp}/nginx-fastcgi;
    uwsgi_temp_path {tmp}/nginx-uwsgi;
    scgi_temp_path {tmp}/nginx-scgi;
    upstream motcua_web {{
        server 127.0.0.1:{web1} max_fails=1 fail_timeout=10s;
        server 127.0.0.1:{web2} max_fails=1 fail_timeout=10s;
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{port};
        client_max_body_size 40m;
        location / {{
            proxy_pass http://motcua_web;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $host;
            proxy_set_header X-Forwarded-For $remote_addr;
            proxy_set_header X-Request-ID $request_id;
            proxy_next_upstream error timeout http_502 http_503;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            proxy_read_timeout 60s;
        }}
    }}
}}
"""


def nginx_binary() -> str:
    for candidate in ("/usr/sbin/nginx", "/usr/bin/nginx"):
        if Path(candidate).exists():
            return candidate
    raise SystemExit("The drill needs nginx as its load balancer: apt-get install nginx-light")


# -- results ----------------------------------------------------------------------------------
def locust_stats(prefix: Path) -> dict[str, dict[str, float]]:
    stats = {}
    with (prefix.parent / f"{prefix.name}_stats.csv").open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            stats[row["Name"]] = {
                "requests": float(row["Request Count"]),
                "failures": float(row["Failure Count"]),
                "rps": float(row["Requests/s"]),
                "p50": float(row["50%"] or 0),
                "p95": float(row["95%"] or 0),
                "p99": float(row["99%"] or 0),
            }
    return stats


def steady_window(samples: list[list[Any]], started: float) -> float:
    """When the last user's sign-in was answered: from then on every simulated user is at work.

    Before it, the run is a cold start — fresh processes, empty caches, and every clerk and leader
    of the province signing in within seconds (each sign-in hashes a password: about half a second
    of CPU) — which a real morning spreads over many minutes. Its figures stay in ``whole_run``.
    """
    signed_in = [when for when, name, _ms in samples if name == "sign-in"]
    return max(signed_in, default=started)


def percentiles(samples: list[list[Any]], *, since: float) -> dict[str, dict[str, float]]:
    """p50 / p95 / p99 (nearest rank, ms) per kind of the requests sent at or after ``since`` (a
    sample holds when its answer came and how long it took)."""
    by_kind: dict[str, list[float]] = collections.defaultdict(list)
    for when, name, ms in samples:
        if when - ms / 1000 >= since:
            by_kind[name].append(ms)
    found = {}
    for name, times in by_kind.items():
        times.sort()
        rank = {q: times[min(len(times) - 1, max(0, -(-len(times) * q // 100) - 1))] for q in (50, 95, 99)}
        found[name] = {"requests": len(times), **{f"p{q}": round(rank[q], 1) for q in (50, 95, 99)}}
    return found


def lookup_p99(kinds: dict[str, dict[str, float]]) -> float:
    return max(kinds.get("lookup page", {}).get("p99", 0), kinds.get("lookup json", {}).get("p99", 0))


def check_database(outcome: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
    from django.db import connection
    from django.db.models import Count

    from baocao.constants import ReportStatus
    from baocao.models import Report
    from hoso.constants import NotificationStatus
    from hoso.models import Dossier, Notification
    from lienthong.models import OutboxEntry, State

    acknowledged = outcome["intakes"]
    present = set(Dossier.objects.filter(pk__in=[i["pk"] for i in acknowledged]).values_list("pk", flat=True))
    lost = [i for i in acknowledged if i["pk"] not in present]
    drill = Dossier.objects.filter(applicant_name__startswith="Người Thử Diễn Tập ")
    twice = drill.values("applicant_name").annotate(n=Count("id")).filter(n__gt=1).count()
    codes_twice = Dossier.objects.values("code").annotate(n=Count("id")).filter(n__gt=1).count()
    missing = 0
    with connection.cursor() as cursor:
        # Each counter hands out 1..last; every number must belong to a dossier of that ward and day.
        cursor.execute(
            "SELECT c.agency_id, c.day, c.last, count(d.id) FROM hoso_dossiercounter c "
            "LEFT JOIN hoso_dossier d ON d.agency_id = c.agency_id "
            "AND (d.received_at AT TIME ZONE 'Asia/Ho_Chi_Minh')::date = c.day "
            "GROUP BY c.agency_id, c.day, c.last"
        )
        for _agency, _day, last, count in cursor.fetchall():
            missing += max(0, last - count)
    asked = {r["ward"] for r in outcome["reports"]}
    period = data["report_period"]
    reports = list(
        Report.objects.filter(agency__code__in=asked, period_kind=period["kind"]).values("agency__code", "status")
    )
    by_ward: dict[str, list[str]] = {}
    for report in reports:
        by_ward.setdefault(report["agency__code"], []).append(report["status"])
    once = sum(1 for ward in asked if by_ward.get(ward) == [ReportStatus.DONE])
    unacknowledged_made = drill.exclude(pk__in=present).count()
    return {
        "intakes_acknowledged": len(acknowledged),
        "intakes_refused": len(outcome["failed_intakes"]),
        "refusal_reasons": dict(
            collections.Counter(
                f"{i['status']} {i.get('reason', '')}".strip() for i in outcome["failed_intakes"]
            ).most_common(5)
        ),
        "intakes_resent": sum(1 for i in acknowledged if i["tries"] > 1),
        "made_without_answer": unacknowledged_made,
        "lost_intakes": len(lost),
        "duplicate_codes": twice + codes_twice,
        "missing_codes": missing,
        "reports_asked": len(asked),
        "reports_done_once": once,
        "reports_completed_once": once == len(asked),
        "outbox_backlog": OutboxEntry.objects.filter(state=State.PENDING).count(),
        "notification_backlog": Notification.objects.filter(status=NotificationStatus.PENDING).count(),
    }


def backlog() -> tuple[int, int, int]:
    from django.utils import timezone

    from baocao.constants import ReportStatus
    from baocao.models import Report
    from hoso import notifications
    from hoso.constants import NotificationStatus
    from hoso.models import Notification
    from lienthong.models import OutboxEntry, State

    # Notifications waiting: the rows not sent yet, and the events beat's relay has not planned yet.
    now = timezone.now()
    unplanned = notifications.unplanned_events(since=now - notifications.RELAY_WINDOW, until=now)
    return (
        OutboxEntry.objects.filter(state=State.PENDING).count(),
        Notification.objects.filter(status=NotificationStatus.PENDING).count() + len(unplanned),
        Report.objects.exclude(status__in=[ReportStatus.DONE, ReportStatus.FAILED]).count(),
    )


def drain(seconds: float) -> float:
    """Send the sweepers (what beat sends every few minutes) until nothing waits; seconds taken."""
    from motcua.celery import app

    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if backlog() == (0, 0, 0):
            break
        for name in (
            "baocao.tasks.sweep_reports",
            "hoso.tasks.relay_notifications",
            "hoso.tasks.sweep_notifications",
            "lienthong.tasks.drain_outbox",
        ):
            with contextlib.suppress(Exception):
                app.send_task(name)
        time.sleep(3)
    return time.monotonic() - started


# -- the run ----------------------------------------------------------------------------------
def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true", help="two minutes, 30 wards, 60 users")
    parser.add_argument("--wards", type=int, default=120)
    parser.add_argument("--users", type=int, default=240, help="simultaneous clerks, citizens and leaders")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument(
        "--peak-multiple",
        type=float,
        default=5,
        help="the load as a multiple of the province's real peak (0: as fast as each user's think time allows)",
    )
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the database motcua_drill")
    args = parser.parse_args(argv)
    if args.quick:
        args.wards, args.users, args.minutes = min(args.wards, 30), min(args.users, 60), 2
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    admin_url, redis_url = os.environ.get("DATABASE_URL", ""), os.environ.get("REDIS_URL", "")
    if not admin_url.startswith("postgres") or not redis_url:
        raise SystemExit("The drill needs PostgreSQL and Redis: set DATABASE_URL and REDIS_URL.")
    nginx = nginx_binary()
    drill_url, drill_redis = with_database(admin_url, DRILL_DB), with_redis_db(redis_url, DRILL_REDIS_DB)
    recreate_database(admin_url)
    import redis

    redis.Redis.from_url(drill_redis).flushdb()
    os.environ.update(
        DATABASE_URL=drill_url,
        REDIS_URL=drill_redis,
        SECRET_KEY=os.environ.get("SECRET_KEY") or secrets.token_urlsafe(40),
        DJANGO_SETTINGS_MODULE="motcua.settings",
    )
    say = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    tmp = Path(tempfile.mkdtemp(prefix="motcua-drill-"))
    portal_port = free_port()
    env = {
        **os.environ,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MOTCUA_PUBLIC_URL": "http://127.0.0.1",
        "MOTCUA_LOOKUP_RATE_LIMIT": "1000000/m",  # every citizen comes from 127.0.0.1 here
        "MOTCUA_NATIONAL_PORTAL_URL": f"http://127.0.0.1:{portal_port}/",
        "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        "CELERY_VISIBILITY_TIMEOUT": "30",  # a killed worker's message comes back within the drill
        "MOTCUA_REPORT_LEASE_SECONDS": "40",
        "LOG_LEVEL": "WARNING",
        "LOG_FORMAT": "json",
        "DB_CONN_MAX_AGE": "60",
        "PYTHONUNBUFFERED": "1",
    }
    os.environ.update({k: v for k, v in env.items() if k.startswith(("MOTCUA_", "CELERY_"))})
    say(f"==> preparing {args.wards} wards in {DRILL_DB}")
    data = prepare(args.wards, tmp / "data.json")
    fleet = Fleet(tmp, env)
    py = sys.executable
    try:
        fleet.start("portal", [py, "manage.py", "national_portal_simulator", "--port", str(portal_port)])
        web_ports = [free_port(), free_port()]
        for n, port in enumerate(web_ports, start=1):
            fleet.start(
                f"web{n}",
                [
                    py,
                    "-m",
                    "gunicorn",
                    "motcua.wsgi:application",
                    "--config",
                    "deploy/gunicorn.conf.py",
                    "--no-control-socket",
                ],
                GUNICORN_BIND=f"127.0.0.1:{port}",
                GUNICORN_WORKERS="2",
            )
        lb_port = free_port()
        (tmp / "nginx.conf").write_text(
            NGINX_CONF.format(tmp=tmp, web1=web_ports[0], web2=web_ports[1], port=lb_port), encoding="utf-8"
        )
        fleet.start(
            "nginx",
            [
                nginx,
                "-p",
                str(tmp),
                "-c",
                str(tmp / "nginx.conf"),
                "-e",
                str(tmp / "nginx-error.log"),
                "-g",
                "daemon off;",
            ],
        )
        for n in (1, 2):
            fleet.start(
                f"worker{n}",
                [
                    py,
                    "-m",
                    "celery",
                    "-A",
                    "motcua",
                    "worker",
                    "--pool=prefork",
                    "--concurrency=1",
                    "--loglevel=INFO",
                    "--without-mingle",
                    "--without-gossip",
                    "-n",
                    f"drill{n}-{os.getpid()}@%h",
                ],
                LOG_LEVEL="INFO",
            )
        fleet.start("beat", [py, "-m", "celery", "-A", "motcua", "beat", "-s", str(tmp / "beat-schedule")])
        base = f"http://127.0.0.1:{lb_port}"
        for n, port in enumerate(web_ports, start=1):
            wait_http(f"http://127.0.0.1:{port}/healthz", fleet, f"web{n}")
        wait_http(f"{base}/healthz", fleet, "nginx")
        wait_log(fleet, "worker1", "ready.")
        wait_log(fleet, "worker2", "ready.")
        seconds = int(args.minutes * 60)
        say(
            f"==> load: {args.users} users for {seconds} s through nginx at {base}; "
            f"web1 and worker1 killed at {seconds // 2} s"
        )
        locust = fleet.start(
            "locust",
            [
                str(Path(py).parent / "locust"),
                "-f",
                "bench/drill_locust.py",
                "--headless",
                "--host",
                base,
                "-u",
                str(args.users),
                "-r",
                str(max(1, args.users // 10)),
                "--run-time",
                f"{seconds}s",
                "--csv",
                str(tmp / "locust"),
                "--only-summary",
                "--csv-full-history",
                "--stop-timeout",
                "10",
            ],
            DRILL_DATA=str(tmp / "data.json"),
            DRILL_OUT=str(tmp / "outcome.json"),
            **(paces(args.wards, args.users, args.peak_multiple) if args.peak_multiple > 0 else {}),
        )
        healthz = fleet.start("healthz-baseline", [py, "-c", HEALTHZ_PROBE, base, str(seconds)])
        load_started = time.time()
        time.sleep(seconds / 2)
        killed_at = time.time()
        fleet.kill("web1")
        fleet.kill("worker1")
        say("==> killed web1 (master and workers) and worker1")
        locust.wait(timeout=seconds + 120)
        healthz.wait(timeout=60)
        say("==> load over; draining")
        drained_in = drain(240 if not args.quick else 150)
        outcome = json.loads((tmp / "outcome.json").read_text(encoding="utf-8"))
        checks = check_database(outcome, data)
        stats = locust_stats(tmp / "locust")
        baseline = json.loads((tmp / "healthz-baseline.log").read_text().strip().splitlines()[-1])
    finally:
        fleet.stop_all()
    total = stats.get("Aggregated", {})
    window = steady_window(outcome["samples"], load_started)
    steady = percentiles(outcome["samples"], since=window)
    after_kill = percentiles(outcome["samples"], since=killed_at)
    result = {
        "wards": args.wards,
        "users": args.users,
        "seconds": seconds,
        "requests_per_s": round(total.get("rps", 0), 1),
        "real_peak_intakes_per_s": round(real_peak(args.wards), 2),
        "peak_multiple": round(len(outcome["intakes"]) / seconds / real_peak(args.wards), 1),
        "errors": int(total.get("failures", 0)),
        **checks,
        "drained_in_s": round(drained_in, 1),
        # Requests sent from the moment every user is signed in to the end, the kill included (steady_window).
        "measured_from_s": round(window - load_started, 1),
        "killed_at_s": round(killed_at - load_started, 1),
        "lookup_p99_ms": lookup_p99(steady),
        "intake_p99_ms": steady.get("intake", {}).get("p99", 0),
        "after_kill": {
            "lookup_p99_ms": lookup_p99(after_kill),
            "intake_p99_ms": after_kill.get("intake", {}).get("p99", 0),
        },
        "whole_run": {"lookup_p99_ms": lookup_p99(stats), "intake_p99_ms": stats.get("intake", {}).get("p99", 0)},
        "healthz_p50_ms": baseline["p50"],
        "kinds": {
            name: {
                **{k: stats[name][k] for k in ("requests", "failures")},
                **{k: steady.get(name, {}).get(k, 0) for k in ("p50", "p95", "p99")},
                "whole_run_p99": stats[name]["p99"],
            }
            for name in stats
            if name != "Aggregated"
        },
    }
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
    else:
        report(result)
    if not args.keep:
        drop_database(admin_url)
    ok = result["lost_intakes"] == 0 and result["duplicate_codes"] == 0 and result["missing_codes"] == 0
    return 0 if ok and result["reports_completed_once"] else 1


HEALTHZ_PROBE = """
import json, statistics, sys, time, urllib.request
base, seconds = sys.argv[1], float(sys.argv[2])
times, end = [], time.monotonic() + seconds
while time.monotonic() < end:
    t = time.perf_counter()
    try:
        urllib.request.urlopen(base + "/healthz", timeout=10).read()
        times.append((time.perf_counter() - t) * 1000)
    except OSError:
        pass
    time.sleep(0.5)
print(json.dumps({"p50": round(statistics.median(times), 1) if times else None, "n": len(times)}))
"""


def report(result: dict[str, Any]) -> None:
    out = print
    out(
        f"\nProvince drill: {result['wards']} wards, {result['users']} users, {result['seconds']} s, "
        f"one web node and one worker killed half-way"
    )
    out(
        f"load: {result['peak_multiple']} × the real peak ({result['real_peak_intakes_per_s']} intakes/s: "
        f"{DOSSIERS_PER_WARD_DAY} dossiers a ward a day, {BUSIEST_HOUR_SHARE:.0%} of them in the busiest hour; "
        f"{LOOKUPS_PER_DOSSIER} lookups a dossier)"
    )
    out(
        f"percentiles of the requests sent from {result['measured_from_s']} s (every user signed in) to the end; "
        f"the kill at {result['killed_at_s']} s; requests, failures and the last column: the whole run"
    )
    out(
        f"{'kind':<18}{'requests':>10}{'failures':>10}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'p50/healthz':>13}"
        f"{'p99 whole':>11}"
    )
    base = result["healthz_p50_ms"] or 1
    for name, row in sorted(result["kinds"].items()):
        out(
            f"{name:<18}{row['requests']:>10.0f}{row['failures']:>10.0f}{row['p50']:>9.0f}{row['p95']:>9.0f}"
            f"{row['p99']:>9.0f}{row['p50'] / base:>13.1f}{row['whole_run_p99']:>11.0f}"
        )
    out(
        f"after the kill: lookup p99 {result['after_kill']['lookup_p99_ms']:.0f} ms, "
        f"intake p99 {result['after_kill']['intake_p99_ms']:.0f} ms"
    )
    out(
        f"requests/s {result['requests_per_s']}, errors {result['errors']} (answers lost while a node died, "
        f"then resent: {result['intakes_resent']} intakes)"
    )
    for reason, count in result["refusal_reasons"].items():
        out(f"  refused {count}x: {reason}")
    for key in (
        "intakes_acknowledged",
        "intakes_refused",
        "lost_intakes",
        "duplicate_codes",
        "missing_codes",
        "made_without_answer",
        "reports_asked",
        "reports_done_once",
        "outbox_backlog",
        "notification_backlog",
        "drained_in_s",
    ):
        out(f"  {key:<24}{result[key]}")
    marks = [
        ("0 intakes lost", result["lost_intakes"] == 0),
        ("0 duplicate codes", result["duplicate_codes"] == 0),
        ("0 missing codes", result["missing_codes"] == 0),
        ("every report compiled once", result["reports_completed_once"]),
        (f"lookup p99 < {TARGET_LOOKUP_P99_MS} ms", 0 < result["lookup_p99_ms"] < TARGET_LOOKUP_P99_MS),
        (f"intake p99 < {TARGET_INTAKE_P99_MS} ms", 0 < result["intake_p99_ms"] < TARGET_INTAKE_P99_MS),
        ("outbox and notifications drained", result["outbox_backlog"] == 0 and result["notification_backlog"] == 0),
    ]
    for label, ok in marks:
        out(f"{'PASS' if ok else 'FAIL'}: {label}")


if __name__ == "__main__":
    sys.exit(main())
