"""Benchmark: the desk's worklists on a ward with 100,000 dossiers.

Run (PostgreSQL): ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_desk.py``
Run (SQLite):     ``.venv/bin/python bench/bench_desk.py``

It never touches an existing database: with DATABASE_URL it creates ``motcua_bench`` on the same
server (the URL's database is only used to issue CREATE / DROP DATABASE), migrates it, and drops
it at the end (``--keep`` keeps it); without DATABASE_URL it uses a temporary SQLite file.

Data: the demo ward (real catalogue of 148 procedures, official holidays, one account per role)
plus 7 more officers, then ``--dossiers`` dossiers (default 100,000) bulk-created with realistic
columns: received at working-hour instants over the past year, due dates from the real calendar
and each procedure's limit, a status mix that depends on age (recent ones mostly open, old ones
mostly returned, a few stuck open and overdue), officers, pauses, results and timeliness. Each
dossier's clock columns come from ``hoso.clock.compute_clock`` over a short history leading to its
status, as in the workflow; the event rows themselves are not written (the worklists read only
the clock columns).

Measured with Django's test client (force_login), in-process, so the time is server time:
``--requests`` GETs (default 30) of each page, median and per-request query count, against a
trivial view defined here (``HttpResponse("ok")``) for the framework's own cost, and the same view
reading the signed-in user (the floor of any staff page: session and user). The query count
is taken twice, with a small ward (``--small`` dossiers) and with the full one. The intake is
POSTed as a browser sends the form (urlencoded), 3 × ``--requests`` times, each POST paired with a
GET of the signed-in trivial view by the same clerk (the ratio compares medians taken in the same
loop; the timed GET follows another GET, not a POST). With a broker, as in production, the request
does not publish its notification (beat's relay plans it from the committed event, and no beat
runs here; see ``prepare_database``).

PASS when every worklist page runs at most 12 queries, with the small ward and with the full one,
and the intake at most 15; the intake's time against 3× the signed-in trivial view (issue #18: both
read the session and the user) is printed as its own PASS / FAIL line.
Not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time as clock
import types
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from anywhere

BENCH_DB = "motcua_bench"
BENCH_REDIS_DB = 15
MAX_QUERIES = 12
MAX_INTAKE_QUERIES = 15
MAX_INTAKE_RATIO = 3  # issue #18: against the trivial view that reads the signed-in user
BATCH = 5_000
SEED = 20250716

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quang", "Ngọc", "Thu", "Xuân", "Hồng", "Anh"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Đạt", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Huy", "Khánh", "Lan", "Lân"]
GIVEN += ["Linh", "Long", "Mai", "Minh", "Nam", "Ngân", "Phúc", "Phương", "Quân", "Sơn", "Tâm", "Thảo", "Trang"]
OFFICER_NAMES = [
    "Trần Văn Minh",  # the demo officer "congchuc" already has this name
    "Lê Thị Hồng",
    "Phạm Quốc Bảo",
    "Đỗ Thu Trang",
    "Vũ Đức Thắng",
    "Ngô Thanh Tâm",
    "Bùi Ngọc Ánh",
    "Hồ Văn Phúc",
]


# -- the database ---------------------------------------------------------------------------
@dataclass
class Target:
    vendor: str  # "postgresql" or "sqlite"
    admin_url: str = ""  # where CREATE / DROP DATABASE is issued
    sqlite_path: str = ""


def prepare_database() -> Target:
    """Point the settings at a fresh database of our own, before Django is set up."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 40)  # DEBUG is off: the settings need a key
    # A broker, as in production: tasks are queued, not run in the request, and notifications are
    # left to beat's relay (hoso.notifications). With
    # REDIS_URL the cache (hence sessions) and the broker are that Redis server, on database 15
    # (purged at the end, so no worker of another database ever picks the bench's tasks up);
    # without it a per-process cache and Celery's in-memory transport.
    redis_url = os.environ.get("REDIS_URL", "")
    if redis_url:
        bench_redis = urlunsplit(urlsplit(redis_url)._replace(path=f"/{BENCH_REDIS_DB}"))
        os.environ["CACHE_URL"] = os.environ["CELERY_BROKER_URL"] = bench_redis
        os.environ["CACHE_KEY_PREFIX"] = BENCH_DB
    else:
        os.environ["CACHE_URL"] = ""
        os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["CELERY_RESULT_BACKEND"] = "cache+memory://"
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        folder = tempfile.mkdtemp(prefix="motcua_bench_")
        os.environ["SQLITE_PATH"] = str(Path(folder) / f"{BENCH_DB}.sqlite3")
        return Target("sqlite", sqlite_path=os.environ["SQLITE_PATH"])
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit(f"Only PostgreSQL or SQLite are supported, not {parts.scheme}.")
    if parts.path.strip("/") == BENCH_DB:
        raise SystemExit(f"DATABASE_URL must name another database than {BENCH_DB}: it is dropped at the end.")
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    target = Target("postgresql", admin_url=url)
    _admin(target, f'DROP DATABASE IF EXISTS "{BENCH_DB}"', f'CREATE DATABASE "{BENCH_DB}"')
    return target


def drop_database(target: Target) -> None:
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    if settings.CELERY_BROKER_URL.startswith("redis"):
        import redis

        redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()  # the bench's own database 15
    if target.vendor == "postgresql":
        _admin(target, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')
    else:
        path = Path(target.sqlite_path)
        for extra in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{extra}").unlink(missing_ok=True)
        path.parent.rmdir()


def _admin(target: Target, *statements: str) -> None:
    import psycopg

    with psycopg.connect(target.admin_url, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # the only identifiers used are the constant BENCH_DB


# -- data -----------------------------------------------------------------------------------
@dataclass
class Ward:
    agency: Any
    clerk: Any
    leader: Any
    officers: list[Any]
    procedures: list[Any]
    limits: dict[int, Any]  # procedure id → workcalendar.Limit (None: manual appointment)
    calendar: Any
    counters: dict[date, int]


def setup_ward() -> Ward:
    from hoso.calendar_store import calendar_for
    from hoso.limits import procedure_limit
    from motcua.constants import Role
    from motcua.demo import DEMO_PASSWORD, load_demo
    from motcua.models import User
    from motcua.services import create_staff
    from thutuc.models import Procedure

    agency, _ = load_demo()
    officers = [User.objects.get(username="congchuc")]
    for i, name in enumerate(OFFICER_NAMES[1:], start=2):
        officers.append(
            create_staff(
                agency=agency,
                username=f"congchuc{i}",
                role=Role.OFFICER,
                password=DEMO_PASSWORD,
                full_name=name,
                check_password=False,
            )
        )
    procedures = list(Procedure.objects.filter(offers__agency=agency).select_related("field").order_by("code"))
    return Ward(
        agency=agency,
        clerk=User.objects.get(username="canbo"),
        leader=User.objects.get(username="lanhdao"),
        officers=officers,
        procedures=procedures,
        limits={p.pk: procedure_limit(p, agency) for p in procedures},
        calendar=calendar_for(agency.pk),
        counters=defaultdict(int),
    )


def working_instants(ward: Ward, n: int, now: datetime, rng: random.Random) -> list[datetime]:
    """`n` receipt instants during opening hours over the year before `now`, oldest first."""
    cal = ward.calendar
    today = now.astimezone(cal.tz).date()
    days = [today - timedelta(days=k) for k in range(365) if cal.is_working_day(today - timedelta(days=k))]
    out: list[datetime] = []
    while len(out) < n:
        day = rng.choice(days)
        start, end = rng.choice(cal.sessions_on(day))
        minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        at = datetime.combine(day, start, tzinfo=cal.tz) + timedelta(minutes=rng.randrange(minutes))
        if at < now:
            out.append(at)
    return sorted(out)


NOT_YET_DUE = [  # (status, weight) of dossiers whose due date is still ahead: mostly being worked on
    ("processing", 55),
    ("received", 15),
    ("waiting_supplement", 5),
    ("pending_approval", 8),
    ("transferred", 1),
    ("result_ready", 12),
    ("returned", 4),
]
PAST_DUE_RECENT = [  # … due in the last three weeks: mostly done, some still open (overdue)
    ("returned", 80),
    ("result_ready", 8),
    ("processing", 4),
    ("pending_approval", 1.5),
    ("waiting_supplement", 1.5),
    ("received", 1),
    ("withdrawn", 2),
    ("stopped", 2),
]
PAST_DUE_OLD = [  # … due before that: nearly all returned, a few stuck open
    ("returned", 94),
    ("result_ready", 1),
    ("processing", 1),
    ("waiting_supplement", 0.3),
    ("pending_approval", 0.2),
    ("withdrawn", 2),
    ("stopped", 1.5),
]
NOT_RECEIVED = 0.02  # guided (form 02) or refused (form 03) at the counter: no code, no clock


def pick(rng: random.Random, table: list[tuple[str, float]]) -> str:
    return rng.choices([s for s, _ in table], [w for _, w in table])[0]


def _history(status: str, received: datetime, due: datetime, now: datetime, rng: random.Random) -> list[Any]:
    """(action, instant) events that lead to `status`, in time order and before `now`."""
    from hoso.constants import Action, Status

    assigned = min(received + timedelta(minutes=1), now)
    later = min(received + timedelta(days=1), now)
    events: list[Any] = [(Action.RECEIVE, received)]
    if status == Status.WITHDRAWN:
        return [*events, (Action.WITHDRAW, min(received + timedelta(days=2), now))]
    if status != Status.RECEIVED:
        events.append((Action.ASSIGN, assigned))
    if status == Status.WAITING_SUPPLEMENT:
        events.append((Action.REQUEST_SUPPLEMENT, later))
    elif status == Status.PENDING_APPROVAL:
        events.append((Action.SUBMIT_FOR_APPROVAL, later))
    elif status == Status.TRANSFERRED:
        events.append((Action.TRANSFER, later))
    elif status == Status.STOPPED:
        events.append((Action.STOP, min(received + timedelta(days=2), now)))
    elif status in (Status.RESULT_READY, Status.RETURNED):
        span = max((due - received).total_seconds(), 3600.0)
        late = rng.random() < 0.03
        ready = received + timedelta(seconds=span * (rng.uniform(1.0, 1.5) if late else rng.uniform(0.2, 1.0)))
        ready = max(min(ready, now), assigned)
        events.append((Action.MARK_RESULT_READY, ready))
        if status == Status.RETURNED:
            events.append((Action.RETURN_RESULT, min(ready + timedelta(days=1), now)))
    return events


def build_dossiers(ward: Ward, instants: Sequence[datetime], now: datetime, rng: random.Random) -> Iterator[list[Any]]:
    """Dossier objects for the instants, in batches, with gapless per-day codes."""
    from hoso import workcalendar as wc
    from hoso.clock import compute_clock
    from hoso.constants import Status
    from hoso.creation import LOOKUP_ALPHABET
    from hoso.models import Dossier
    from motcua.lib.codepattern import pattern_for

    cal, agency = ward.calendar, ward.agency
    snapshots = {
        p.pk: {
            "code": p.code,
            "name": p.display_name,
            "field": p.field.name,
            "time_limit_text": p.time_limit_text,
            "limit": None
            if ward.limits[p.pk] is None
            else {"value": ward.limits[p.pk].value, "unit": ward.limits[p.pk].unit.value, "cutoff": None},
            "documents": [],
        }
        for p in ward.procedures
    }
    # A ward's work is concentrated on a few procedures (chứng thực, hộ tịch…).
    weights = [8 if p.field.name in ("Chứng thực", "Hộ tịch") else 1 for p in ward.procedures]
    recent_since = now - timedelta(days=21)
    batch: list[Any] = []
    for received in instants:
        procedure = rng.choices(ward.procedures, weights)[0]
        limit = ward.limits[procedure.pk]
        due = (
            wc.compute_due(cal, received, limit)
            if limit is not None
            else datetime.combine(received.date() + timedelta(days=10), time(17), tzinfo=cal.tz)
        )
        if rng.random() < NOT_RECEIVED:
            status = rng.choice([Status.GUIDED, Status.GUIDED, Status.GUIDED, Status.REFUSED])
        elif due > now:
            status = pick(rng, NOT_YET_DUE)
        else:
            status = pick(rng, PAST_DUE_RECENT if due >= recent_since else PAST_DUE_OLD)
        d = Dossier(
            agency=agency,
            status=status,
            lookup_key="".join(rng.choice(LOOKUP_ALPHABET) for _ in range(8)),
            procedure=procedure,
            field_id=procedure.field_id,
            procedure_snapshot=snapshots[procedure.pk],
            channel=rng.choices([1, 2, 3], [45, 50, 5])[0],
            applicant_name=f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
            applicant_id_number=f"001{rng.randrange(10**9):09d}",
            applicant_phone=f"09{rng.randrange(10**8):08d}",
            clerk=ward.clerk,
            sets=1,
        )
        if status in (Status.GUIDED, Status.REFUSED):
            d.note = "Thiếu giấy tờ bắt buộc." if status == Status.GUIDED else "Không thuộc thẩm quyền."
            batch.append(d)
        else:
            day = received.astimezone(cal.tz).date()
            ward.counters[day] += 1
            d.code = pattern_for(agency.dossier_code_pattern).render(agency.code, day, ward.counters[day])
            d.received_at = received
            d.manual_due_at = None if limit is not None else due
            if status != Status.RECEIVED:
                d.officer = rng.choice(ward.officers)
            history = _history(status, received, due, now, rng)
            state = compute_clock(cal, received_at=received, base_due=due, events=[(a, at, {}) for a, at in history])
            assert state.status == status, (status, history)
            for column, value in state.columns().items():
                setattr(d, column, value)
            batch.append(d)
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def add_dossiers(ward: Ward, n: int, now: datetime, rng: random.Random) -> float:
    """Bulk-create `n` dossiers and keep the day counters in step (intake must not reuse a code)."""
    from django.db import transaction

    from hoso.models import Dossier, DossierCounter

    started = clock.perf_counter()
    instants = working_instants(ward, n, now, rng)
    with transaction.atomic():
        for batch in build_dossiers(ward, instants, now, rng):
            Dossier.objects.bulk_create(batch, batch_size=1_000)
        DossierCounter.objects.bulk_create(
            [DossierCounter(agency=ward.agency, day=day, last=last) for day, last in ward.counters.items()],
            update_conflicts=True,
            unique_fields=["agency", "day"],
            update_fields=["last"],
        )
    analyse()
    return clock.perf_counter() - started


def analyse() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# -- measuring ------------------------------------------------------------------------------
@dataclass
class Measure:
    label: str
    median_ms: float
    queries: int
    status: int


def trivial(request: Any) -> Any:
    from django.http import HttpResponse

    return HttpResponse("ok")


def trivial_signed_in(request: Any) -> Any:
    """The least a staff page does: read the session and the signed-in user (two reads)."""
    from django.http import HttpResponse

    return HttpResponse(f"ok {request.user.pk}")


def install_urls() -> None:
    """A URLconf with the trivial view in front of the project's own URLs."""
    from django.conf import settings
    from django.urls import include, path

    module = types.ModuleType("bench_desk_urls")
    module.urlpatterns = [  # type: ignore[attr-defined]
        path("bench/ok/", trivial, name="bench_ok"),
        path("bench/ok-signed-in/", trivial_signed_in, name="bench_ok_signed_in"),
        path("", include("motcua.urls")),
    ]
    module.handler403 = "motcua.views.permission_denied"  # type: ignore[attr-defined]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__


def measure(client: Any, label: str, url: str, requests: int, data: dict[str, Any] | None = None) -> Measure:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm up: templates, the calendar, the connection
        client.get(url, data)
    times: list[float] = []
    counts: set[int] = set()
    status = 0
    for _ in range(requests):
        with CaptureQueriesContext(connection) as captured:
            started = clock.perf_counter()
            response = client.get(url, data)
            times.append(clock.perf_counter() - started)
        counts.add(len(captured))
        status = response.status_code
    return Measure(label, statistics.median(times) * 1000, max(counts), status)


def worklist_pages(ward: Ward) -> list[tuple[str, Any, str, dict[str, Any]]]:
    from django.urls import reverse

    return [
        ("officer worklist", ward.officers[0], reverse("hoso:worklist_officer"), {}),
        ("clerk's day", ward.clerk, reverse("hoso:worklist_clerk"), {}),
        ("leader's board", ward.leader, reverse("hoso:worklist_leader"), {}),
        ("ward queue (leader)", ward.leader, reverse("hoso:worklist_officer"), {}),
        ("search: name", ward.clerk, reverse("hoso:search"), {"q": "nguyen van an"}),
        ("search: whole phone", ward.clerk, reverse("hoso:search"), {"q": "0912 345 678"}),
        ("search: phone part", ward.clerk, reverse("hoso:search"), {"q": "0912"}),
        ("search: open, 1 month", ward.clerk, reverse("hoso:search"), {"trang_thai": "open", "tu_ngay": "-30"}),
    ]


def measure_pages(ward: Ward, requests: int, now: datetime) -> list[Measure]:
    from django.test import Client

    results = []
    for label, user, url, params in worklist_pages(ward):
        if params.get("tu_ngay") == "-30":
            params = {**params, "tu_ngay": (now - timedelta(days=30)).astimezone(ward.calendar.tz).strftime("%d/%m/%Y")}
        client = Client(SERVER_NAME="localhost")
        client.force_login(user)
        results.append(measure(client, label, url, requests, params))
    return results


# -- intake (the counter's write path) ------------------------------------------------------
def sent(logged: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statements that reach the server: Django logs BEGIN and COMMIT for every atomic block,
    but psycopg sends neither for a block that ran no statement (the receipt's after-event callbacks)."""
    out: list[dict[str, Any]] = []
    for query in logged:
        if query["sql"] == "COMMIT" and out and out[-1]["sql"] == "BEGIN":
            out.pop()
            continue
        out.append(query)
    return out


def bench_intake(client: Any, ward: Ward, *, requests: int, profile: bool = False) -> tuple[Measure, Measure] | None:
    """Median time and queries of receiving one complete dossier through the intake page, and of
    the signed-in trivial view measured in the same loop.

    Fills the real IntakeForm (its own initial values, a fresh token per dossier) and POSTs it;
    counts only when the dossier really was created (a redirect and one more row). Each POST is
    paired with a GET of the signed-in trivial view by the same clerk, one after the other, so
    both medians see the same machine (a shared machine's speed drifts over a run). The timed GET
    follows an untimed one, not the previous POST: a GET right after a POST was measured about a
    quarter slower (the POST leaves work behind), which would flatter the ratio. The timed
    requests run without query capture (Django's debug cursor costs time per statement); the
    statements are counted on one more POST. After each POST the clerk's browser would follow the
    redirect and the dossier page would show, hence consume, the success message: the bench drops
    the message cookie instead, so messages do not pile up in it.
    Returns None if the intake page is not there. ``profile``: prints the statements of the counted
    POST, then POSTs one more dossier under cProfile (not measured).
    """
    import cProfile
    import pstats

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse
    from django.utils import timezone

    from hoso.forms import IntakeForm
    from hoso.models import Dossier

    procedure = next((p for p in ward.procedures if p.code == "1.001193"), ward.procedures[0])
    try:
        url = reverse("hoso:intake", args=[procedure.code])
    except NoReverseMatch:
        return None

    def form_body(i: int) -> str:
        form = IntakeForm(procedure=procedure, today=timezone.localdate())
        data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, "")}
        data.update(
            action="receive",
            applicant_name=f"Nguyễn Văn Thử {i}",
            applicant_id_number=f"0010900{i:05d}",  # a different citizen each time
            applicant_phone="0912345678",
        )
        data.update({f"doc_{doc.pk}": "on" for doc in form.required_documents})
        return urlencode(data)  # what a browser sends for a form without files

    def post(body: str) -> float:
        started = clock.perf_counter()
        response = client.post(url, body, content_type="application/x-www-form-urlencoded")
        elapsed = clock.perf_counter() - started
        client.cookies.pop("messages", None)
        if response.status_code != 302:
            raise RuntimeError(f"intake did not redirect (status {response.status_code}): the form has changed?")
        return elapsed

    def trivial_get() -> float:
        started = clock.perf_counter()
        client.get("/bench/ok-signed-in/")
        return clock.perf_counter() - started

    before = Dossier.objects.count()
    warm_up = 5
    intake_times: list[float] = []
    trivial_times: list[float] = []
    for i in range(warm_up + requests):
        body = form_body(i)
        trivial_get()  # untimed: the GET right after a POST pays some of the POST's cost (measured ≈ +25 %)
        trivial_time, intake_time = trivial_get(), post(body)
        if i >= warm_up:
            trivial_times.append(trivial_time)
            intake_times.append(intake_time)
    posts = warm_up + requests
    body = form_body(posts)
    with CaptureQueriesContext(connection) as captured:
        post(body)
    statements = sent(captured.captured_queries)  # now: the next request clears Django's query log
    posts += 1
    if profile:
        for number, query in enumerate(statements, 1):
            print(f"  {number:>2}. {query['time']:>6} s  {query['sql'][:150]}")
        body = form_body(posts)
        profiler = cProfile.Profile()
        profiler.enable()
        post(body)
        profiler.disable()
        posts += 1
        pstats.Stats(profiler, stream=sys.stdout).sort_stats("cumulative").print_stats(45)
    created = Dossier.objects.count() - before
    if created != posts:
        raise RuntimeError(f"intake created {created} dossiers for {posts} POSTs")
    with CaptureQueriesContext(connection) as trivial_captured:
        client.get("/bench/ok-signed-in/")
    trivial_statements = len(trivial_captured.captured_queries)
    return (
        Measure("intake (POST, receive)", statistics.median(intake_times) * 1000, len(statements), 302),
        Measure("trivial, signed in, paired", statistics.median(trivial_times) * 1000, trivial_statements, 200),
    )


# -- main -----------------------------------------------------------------------------------
def set_redis_db(number: int) -> None:
    """The Redis database the bench uses (with REDIS_URL) and flushes at the end."""
    global BENCH_REDIS_DB
    BENCH_REDIS_DB = number


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=2_000, help="dossiers in the first, small measurement")
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--profile", action="store_true", help="print the intake's statements and a cProfile")
    parser.add_argument("--keep", action="store_true", help=f"do not drop {BENCH_DB} at the end")
    parser.add_argument("--redis-db", type=int, default=BENCH_REDIS_DB, help="with REDIS_URL: flushed at the end")
    args = parser.parse_args(argv)
    if not 0 < args.small < args.dossiers:
        parser.error("--small must be between 0 and --dossiers")

    set_redis_db(args.redis_db)
    target = prepare_database()
    import django

    django.setup()
    try:
        return run(args, target)
    finally:
        if not args.keep:
            drop_database(target)
            print(f"dropped {BENCH_DB}")


def run(args: argparse.Namespace, target: Target) -> int:
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from hoso.constants import OPEN_STATUSES
    from hoso.models import Dossier

    t0 = clock.perf_counter()
    call_command("migrate", verbosity=0)
    from django.conf import settings

    print(f"database: {target.vendor} {BENCH_DB}; migrated in {clock.perf_counter() - t0:.1f} s")
    print(f"cache: {settings.CACHES['default']['BACKEND']}; sessions: {settings.SESSION_ENGINE}")
    print(f"tasks: published to {settings.CELERY_BROKER_URL} (not run in the request)")
    ward = setup_ward()
    install_urls()
    now = timezone.now()  # one instant for the data; the pages read their own
    rng = random.Random(SEED)

    created = add_dossiers(ward, args.small, now, rng)
    print(f"small ward: {args.small:,} dossiers in {created:.1f} s")
    small = measure_pages(ward, max(args.requests // 3, 5), now)

    created = add_dossiers(ward, args.dossiers - args.small, now, rng)
    total = Dossier.objects.filter(agency=ward.agency).count()
    open_mine = Dossier.objects.filter(officer=ward.officers[0], status__in=OPEN_STATUSES).count()
    print(f"full ward: {total:,} dossiers (bulk-created in {created:.1f} s); the officer has {open_mine:,} open")

    client = Client(SERVER_NAME="localhost")
    client.force_login(ward.officers[0])
    baseline = measure(client, "trivial view", "/bench/ok/", args.requests)
    signed_in = measure(client, "trivial view, signed in", "/bench/ok-signed-in/", args.requests)
    full = measure_pages(ward, args.requests, now)
    intake_client = Client(SERVER_NAME="localhost")
    intake_client.force_login(ward.clerk)
    measured = bench_intake(intake_client, ward, requests=args.requests * 3, profile=args.profile)
    intake, paired = measured if measured is not None else (None, None)

    print()
    print(f"{'page':<26}{'median ms':>10}{'× trivial':>11}{'queries':>9}{'queries (small)':>17}")
    print(f"{baseline.label:<26}{baseline.median_ms:>10.2f}{1:>11.1f}{baseline.queries:>9}{'':>17}")
    ratio = signed_in.median_ms / baseline.median_ms
    print(f"{signed_in.label:<26}{signed_in.median_ms:>10.2f}{ratio:>11.1f}{signed_in.queries:>9}{'':>17}")
    ok = True
    for big, little in zip(full, small, strict=True):
        ratio = big.median_ms / baseline.median_ms
        print(f"{big.label:<26}{big.median_ms:>10.2f}{ratio:>11.1f}{big.queries:>9}{little.queries:>17}")
        # Fewer queries on the small ward are fine (an empty page skips its row query); more are not.
        ok &= big.status == 200 and max(big.queries, little.queries) <= MAX_QUERIES
    if intake is not None and paired is not None:
        for row in (paired, intake):
            ratio = row.median_ms / baseline.median_ms
            print(f"{row.label:<26}{row.median_ms:>10.2f}{ratio:>11.1f}{row.queries:>9}{'':>17}")
    worklist = full[0]
    print()
    print(
        f"officer worklist: {worklist.median_ms:.2f} ms median vs trivial view {baseline.median_ms:.2f} ms "
        f"(ratio {worklist.median_ms / baseline.median_ms:.1f}x); {worklist.queries} queries per request "
        f"with {total:,} dossiers, {small[0].queries} with {args.small:,}"
    )
    print(f"{'PASS' if ok else 'FAIL'}: every worklist page <= {MAX_QUERIES} queries, whatever the rows")
    if intake is not None and paired is not None:
        queries_ok = intake.queries <= MAX_INTAKE_QUERIES
        time_ok = intake.median_ms <= MAX_INTAKE_RATIO * paired.median_ms
        print(
            f"intake: {intake.median_ms:.2f} ms median = {intake.median_ms / paired.median_ms:.2f}x the "
            f"signed-in trivial view measured in the same loop ({paired.median_ms:.2f} ms); "
            f"{intake.queries} queries"
        )
        print(f"{'PASS' if queries_ok else 'FAIL'}: intake <= {MAX_INTAKE_QUERIES} queries")
        print(f"{'PASS' if time_ok else 'FAIL'}: intake <= {MAX_INTAKE_RATIO}x the signed-in trivial view")
        ok &= queries_ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
