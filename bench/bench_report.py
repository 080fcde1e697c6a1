"""Benchmark: table II.06a (baocao.queries.table_06a) on a province with 1,000,000 dossiers or more.

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_report.py``
(``--dossiers 100000`` for a quick run; ``--dossiers 10000000 --also 1000000`` measures both sizes
in one run). PostgreSQL only.

It never touches an existing database: it creates ``motcua_bench_report`` on the server of
DATABASE_URL (whose own database is only used to issue CREATE / DROP DATABASE), migrates it,
and drops it at the end (``--keep`` keeps it).

Data: the real catalogue (148 procedures in their fields), the official holidays, one ward per
50,000 dossiers, and dossiers received at opening-hour instants over 2023–2025. The first 200,003
are drawn in Python and written with COPY: due times from the real calendar and each procedure's
limit (in working days; at least one), fates by age (old ones mostly resolved, some late, a few
withdrawn, stopped or stuck open; recent ones often open), 8% with a supplement request (some
still waiting). Events: RECEIVE and ASSIGN each, plus REQUEST_SUPPLEMENT / COMPLETE_SUPPLEMENT for
the paused and the closing events (result ready and its return, withdraw, stop) for the
finished. The clock columns, and each event's status and due time in force after it, come from
``hoso.clock.compute_clock`` as in the workflow. Past 200,003 the dossiers are copies made in SQL
(INSERT … SELECT over generate_series, a million at a time): copy i takes the columns and events
of drawn dossier 1 + (i × 7919) mod 200,003, its own id, code and ward, so a ward's copies are
distinct dossiers spread over the three years. Secondary indexes are dropped before a load and
built after it, then VACUUM ANALYZE. With ``--also N`` the table is filled to each size in turn
and measured at each: the rows added for a larger size go to new wards, so the first ward keeps
the very same dossiers and its cost can be compared across sizes (10,000,000 ≈ 13 GB).

Measured in one process: ``table_06a`` for one agency's first half of 2025 and for all agencies,
next to the former statement (hand-written SQL computing the same 06a counts the way the table
used to read them: every row of the ward received before the end; "history") and a plain
``COUNT(*) … FILTER`` by field over the period's own rows ("plain", the baseline the cost should
follow); median of ``--runs`` after a warm-up (``--history-runs`` for the former statement, slow
at 10,000,000). The figures of table_06a and the history SQL must agree. PASS when table_06a
takes at most 3× the plain aggregate, and (with ``--also``) one ward's table at the largest size
at most 1.5× at the smallest. ``--agencies`` (wards at ``--dossiers``; the other sizes scale),
``--keep`` / ``--reuse`` (measure a kept database again, at its size), ``--json`` (the figures at
``--dossiers``, plus ``one_ward_growth`` and ``sizes`` with ``--also``); ``BENCH_REPORT_DB`` names
the database.
Not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time as clock
from collections.abc import Callable, Iterator, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from anywhere

BENCH_DB = os.environ.get("BENCH_REPORT_DB", "motcua_bench_report")  # another name for runs side by side
SEED = 20250701
FIRST_DAY = date(2023, 1, 1)
LAST_DAY = date(2025, 12, 31)
MAX_RATIO = 3.0  # table_06a ≤ 3× the plain aggregate over the period's own rows (issue target)
MAX_GROWTH = 1.5  # one ward's table_06a at the largest size ≤ 1.5× at the smallest (cost follows the ward)
CHUNK = 50_000
TEMPLATES = 200_003  # dossiers drawn in Python (a prime); the rest are copies drawn from them in SQL
STRIDE = 7_919  # copy i takes template 1 + (i × STRIDE) mod TEMPLATES: a ward's copies are distinct
PER_WARD = 50_000  # default dossiers per ward: a ward keeps its size as the table grows
COPY_CHUNK = 1_000_000


# -- the database ---------------------------------------------------------------------------
def prepare_database(fresh: bool = True) -> str:
    """Point the settings at a database of our own, before Django is set up; returns the admin URL.

    `fresh`: drop and create it (else reuse the one a ``--keep`` run left).
    """
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 40)  # DEBUG is off: the settings need a key
    os.environ["CACHE_URL"] = ""
    os.environ["CELERY_BROKER_URL"] = ""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server (postgres://…): this benchmark needs PostgreSQL.")
    if parts.path.strip("/") == BENCH_DB:
        raise SystemExit(f"DATABASE_URL must name another database than {BENCH_DB}: it is dropped at the end.")
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    if fresh:
        _admin(url, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)', f'CREATE DATABASE "{BENCH_DB}"')
    return url


def drop_database(admin_url: str) -> None:
    from django.db import connections

    connections.close_all()
    _admin(admin_url, f'DROP DATABASE IF EXISTS "{BENCH_DB}" WITH (FORCE)')


def _admin(url: str, *statements: str) -> None:
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        for sql in statements:
            conn.execute(sql)  # the only identifier used is the constant BENCH_DB


# -- data -----------------------------------------------------------------------------------
def setup_catalogue(count: int) -> tuple[list[int], list[tuple[int, int, int]], int, Any]:
    """Agencies, procedures (id, field id, limit in working days ≥ 1), a clerk id and the calendar."""
    from hoso.calendar_store import calendar_for
    from motcua.constants import Role
    from motcua.demo import load_holidays, load_procedures
    from motcua.models import Agency, User
    from thutuc.models import Procedure

    load_procedures()
    load_holidays()
    agencies = Agency.objects.bulk_create(
        Agency(code=f"000.{n // 100:02d}.{n % 100:02d}.H26", name=f"Phường Thử Nghiệm {n}") for n in range(count)
    )
    clerk = User.objects.create(username="canbo", role=Role.CLERK, agency=agencies[0])
    procedures = [
        (p.pk, p.field_id, p.time_limit_value if p.time_limit_unit == "working_days" and p.time_limit_value else 1)
        for p in Procedure.objects.order_by("code")
    ]
    return [a.pk for a in agencies], procedures, clerk.pk, calendar_for(agencies[0].pk)


def _defaults(model: Any, given: Sequence[str]) -> tuple[list[str], list[Any]]:
    """Every concrete column of `model`: `given` first, then the others with their field default."""
    fields = {f.column: f for f in model._meta.concrete_fields}
    rest = [c for c in fields if c not in given and not fields[c].primary_key]  # the sequence numbers rows
    values = []
    for column in rest:
        field = fields[column]
        value = field.get_default()
        if value is None and not field.null:
            raise SystemExit(f"{model.__name__}.{column} has no default: teach the benchmark about it.")
        values.append(_json(value) if field.get_internal_type() == "JSONField" else value)
    return [*given, *rest], values


def _json(value: Any) -> str:
    return json.dumps(value)


# Written as given; the clock columns (hoso.clock.CLOCK_COLUMNS) follow, from compute_clock.
DOSSIER_COLUMNS = [
    "id",
    "agency_id",
    "code",
    "lookup_key",
    "procedure_id",
    "field_id",
    "channel",
    "applicant_name",
    "clerk_id",
    "created_at",
    "received_at",
    "paid_online",
    "electronic_result",
    "digitised",
]
EVENT_COLUMNS = ["dossier_id", "action", "from_status", "to_status", "at", "due_at"]


def generate(n: int, agency_ids: list[int], procedures: list[tuple[int, int, int]], clerk_id: int, cal: Any) -> float:
    """COPY `n` dossiers and their events; returns the seconds spent.

    Each dossier's history is drawn first (receipt, assignment, maybe a supplement request, a
    closing event); its clock columns and each event's status and due time then come from
    ``hoso.clock.compute_clock``, as the workflow and the import compute them.
    """
    from django.db import connection

    from hoso import workcalendar as wc
    from hoso.clock import CLOCK_COLUMNS, compute_clock
    from hoso.constants import Action
    from hoso.models import Dossier, DossierEvent

    rng = random.Random(SEED)
    tz = cal.tz
    now = datetime(2026, 1, 5, 8, tzinfo=tz)
    days = [FIRST_DAY + timedelta(days=k) for k in range((LAST_DAY - FIRST_DAY).days + 1)]
    sessions = {d: cal.sessions_on(d) for d in days if cal.is_working_day(d)}
    work_days = list(sessions)
    d_columns, d_rest = _defaults(Dossier, [*DOSSIER_COLUMNS, *CLOCK_COLUMNS])
    e_columns, e_rest = _defaults(DossierEvent, EVENT_COLUMNS)
    started = clock.perf_counter()
    d_rows: list[tuple[Any, ...]] = []
    e_rows: list[tuple[Any, ...]] = []

    def flush(cursor: Any) -> None:
        # One COPY at a time per connection: the chunk's dossiers, then their events.
        with cursor.copy(f"COPY hoso_dossier ({', '.join(d_columns)}) FROM STDIN") as copy:
            for row in d_rows:
                copy.write_row(row)
        with cursor.copy(f"COPY hoso_dossierevent ({', '.join(e_columns)}) FROM STDIN") as copy:
            for row in e_rows:
                copy.write_row(row)
        d_rows.clear()
        e_rows.clear()

    with connection.cursor() as cursor:
        raw = cursor.cursor
        for i in range(1, n + 1):
            day = rng.choice(work_days)
            start, end = rng.choice(sessions[day])
            minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
            received = datetime.combine(day, start, tzinfo=tz) + timedelta(minutes=rng.randrange(minutes))
            agency_id = agency_ids[i % len(agency_ids)]
            procedure_id, field_id, limit = procedures[rng.randrange(len(procedures))]
            base_due = wc.add_working_days(cal, received, limit)
            channel = 2 if rng.random() < 0.45 else (1 if rng.random() < 0.9 else 3)
            old = (now - received).days > 60
            u = rng.random()
            fate = (
                ("resolved" if u < 0.93 else "withdrawn" if u < 0.96 else "stopped" if u < 0.98 else "open")
                if old
                else ("resolved" if u < 0.55 else "withdrawn" if u < 0.57 else "stopped" if u < 0.58 else "open")
            )
            last = received + timedelta(minutes=1)
            history = [(Action.RECEIVE, received), (Action.ASSIGN, last)]
            if rng.random() < 0.08:
                pause = wc.add_working_days(cal, received, 1)
                history.append((Action.REQUEST_SUPPLEMENT, pause))
                last = pause
                if fate != "open" or rng.random() >= 0.5:  # else still waiting for the papers
                    last = wc.add_working_days(cal, pause, rng.randint(1, 3))
                    history.append((Action.COMPLETE_SUPPLEMENT, last))
            if fate == "resolved":
                spent = rng.randint(0, limit) if rng.random() < 0.85 else limit + rng.randint(1, 5)
                ready = max(wc.add_working_days(cal, received, spent), last + timedelta(minutes=30))
                if ready < now:
                    history.append((Action.MARK_RESULT_READY, ready))
                    if ready + timedelta(hours=2) < now:
                        history.append((Action.RETURN_RESULT, ready + timedelta(hours=2)))
            elif fate in ("withdrawn", "stopped"):
                moment = max(wc.add_working_days(cal, received, rng.randint(1, 4)), last + timedelta(minutes=30))
                if moment < now:
                    history.append((Action.WITHDRAW if fate == "withdrawn" else Action.STOP, moment))
            state = compute_clock(
                cal, received_at=received, base_due=base_due, events=[(action, at, {}) for action, at in history]
            )
            statuses = ("", *state.event_status)
            d_rows.append(
                (
                    i,
                    agency_id,
                    f"BENCH-{i:08d}",
                    "BENCHKEY",
                    procedure_id,
                    field_id,
                    channel,
                    "Nguyễn Văn An",
                    clerk_id,
                    received,
                    received,
                    rng.random() < 0.3,
                    rng.random() < 0.4,
                    rng.random() < 0.5,
                    *(getattr(state, column) for column in CLOCK_COLUMNS),
                    *d_rest,
                )
            )
            e_rows.extend(
                (i, action.value, statuses[k], statuses[k + 1], at, state.event_due_at[k], *e_rest)
                for k, (action, at) in enumerate(history)
            )
            if i % CHUNK == 0 or i == n:
                flush(raw)
    return clock.perf_counter() - started


# -- growing the table in SQL ---------------------------------------------------------------
TABLES = ("hoso_dossier", "hoso_dossierevent")


def secondary_indexes(cursor: Any) -> tuple[list[str], list[str]]:
    """(drop, rebuild) statements for the unique constraints and indexes of TABLES, primary keys aside."""
    drop: list[str] = []
    build: list[str] = []
    for table in TABLES:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = %s::regclass AND contype = 'u' ORDER BY conname",
            [table],
        )
        for name, definition in cursor.fetchall():
            drop.append(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            build.append(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        cursor.execute(
            "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
            " WHERE i.indrelid = %s::regclass AND NOT i.indisprimary"
            " AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY c.relname",
            [table],
        )
        for name, definition in cursor.fetchall():
            drop.append(f'DROP INDEX "{name}"')
            build.append(definition)
    return drop, build


def build_indexes(cursor: Any, statements: list[str], dossiers: int) -> float:
    """Rebuild the indexes after a load, then VACUUM ANALYZE (visibility map, statistics); seconds spent."""
    started = clock.perf_counter()
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for sql in statements:
        cursor.execute(sql)
    cursor.execute("SELECT setval(pg_get_serial_sequence('hoso_dossier', 'id'), %s)", [dossiers])
    cursor.execute("RESET maintenance_work_mem")
    for table in TABLES:
        cursor.execute(f"VACUUM (ANALYZE) {table}")
    cursor.execute("ANALYZE")
    return clock.perf_counter() - started


def grow(first: int, last: int, agency_ids: list[int], templates: int) -> float:
    """Dossiers first..last as copies of dossiers 1..templates (with their events), over `agency_ids`.

    Copy i takes every column of template 1 + (i × STRIDE) mod templates but its id, code and
    agency (agency_ids[i mod len], as `generate` spreads its own rows); the template's events come
    along. One INSERT … SELECT per COPY_CHUNK dossiers, with the foreign-key triggers off (every
    copy points at rows that exist) and, by the caller, no secondary index to maintain.
    """
    from django.db import connection

    from hoso.models import Dossier, DossierEvent

    d_cols = [f.column for f in Dossier._meta.concrete_fields if f.column not in ("id", "agency_id", "code")]
    e_cols = [f.column for f in DossierEvent._meta.concrete_fields if f.column not in ("id", "dossier_id")]
    template = f"1 + (g.i * {STRIDE}) %% %(templates)s"
    started = clock.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")
        cursor.execute("SET work_mem = '256MB'")
        for low in range(first, last + 1, COPY_CHUNK):
            params = {"lo": low, "hi": min(low + COPY_CHUNK - 1, last), "agencies": agency_ids, "templates": templates}
            cursor.execute(
                f"INSERT INTO hoso_dossier (id, agency_id, code, {', '.join(d_cols)})"  # noqa: S608 — the model's columns
                " SELECT g.i, (%(agencies)s::bigint[])[1 + g.i %% cardinality(%(agencies)s::bigint[])],"
                f" 'BENCH-' || lpad(g.i::text, 8, '0'), {', '.join('t.' + c for c in d_cols)}"
                " FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g(i)"
                f" JOIN hoso_dossier t ON t.id = {template}",
                params,
            )
            cursor.execute(
                f"INSERT INTO hoso_dossierevent (dossier_id, {', '.join(e_cols)})"  # noqa: S608 — the model's columns
                f" SELECT g.i, {', '.join('e.' + c for c in e_cols)}"
                " FROM generate_series(%(lo)s::bigint, %(hi)s::bigint) g(i)"
                f" JOIN hoso_dossierevent e ON e.dossier_id = {template} ORDER BY g.i, e.id",
                params,
            )
            print(f"  copied dossiers {low:,}–{params['hi']:,} ({clock.perf_counter() - started:.0f} s)", flush=True)
        cursor.execute("SET session_replication_role = DEFAULT")
        cursor.execute("RESET work_mem")
    return clock.perf_counter() - started


def load(sizes: list[int], wards: list[int], agency_ids: list[int], setup: tuple[Any, ...]) -> Iterator[float]:
    """Fill the table up to each of `sizes` in turn (a generator: measure between the steps).

    The first TEMPLATES dossiers (at most) are drawn in Python (`generate`), the rest copied from
    them in SQL (`grow`). Each step's new dossiers go to its new wards (agency_ids[wards[k-1]:
    wards[k]]), so the wards of a smaller step keep their rows; indexes are dropped before a step
    and rebuilt after it. Yields the seconds each step took.
    """
    from django.db import connection

    templates = min(sizes[0], TEMPLATES)
    done = 0
    for k, size in enumerate(sizes):
        started = clock.perf_counter()
        step_wards = agency_ids[wards[k - 1] : wards[k]] if k else []
        step_wards = step_wards or agency_ids[: wards[k]]
        with connection.cursor() as cursor:
            drop, build = secondary_indexes(cursor)
            for sql in drop:
                cursor.execute(sql)
        if not done:
            generate(templates, step_wards, *setup)
            done = templates
        if size > done:
            grow(done + 1, size, step_wards, templates)
        done = size
        with connection.cursor() as cursor:
            index_s = build_indexes(cursor, build, size)
        seconds = clock.perf_counter() - started
        print(f"loaded {size:,} dossiers in {seconds:.0f} s (indexes and VACUUM ANALYZE {index_s:.0f} s)", flush=True)
        yield seconds


# -- the hand-written statement -------------------------------------------------------------
HAND_SQL = """
WITH scoped AS (
    SELECT d.id, d.field_id, d.channel, d.received_at, d.result_ready_at, d.withdrawn_at, d.stopped_at,
           d.timeliness, d.due_at,
           (d.result_ready_at IS NULL OR d.result_ready_at > %(end)s)
           AND (d.withdrawn_at IS NULL OR d.withdrawn_at > %(end)s)
           AND (d.stopped_at IS NULL OR d.stopped_at > %(end)s) AS open_at_end
    FROM hoso_dossier d
    WHERE d.agency_id = ANY(%(agencies)s) AND d.received_at IS NOT NULL AND d.received_at <= %(end)s
      AND (d.result_ready_at IS NULL OR d.result_ready_at >= %(start)s)
      AND (d.withdrawn_at IS NULL OR d.withdrawn_at >= %(start)s)
      AND (d.stopped_at IS NULL OR d.stopped_at >= %(start)s)
), flagged AS (
    SELECT s.*,
           CASE WHEN NOT s.open_at_end THEN false ELSE COALESCE(
               (SELECT CASE WHEN e.to_status = 'waiting_supplement' THEN COALESCE(
                           (SELECT p.at > p.due_at FROM hoso_dossierevent p
                             WHERE p.dossier_id = s.id AND p.action = 'request_supplement' AND p.at <= %(end)s
                             ORDER BY p.at DESC, p.id DESC LIMIT 1), false)
                       ELSE COALESCE(e.due_at < %(end)s, false) END
                  FROM hoso_dossierevent e
                 WHERE e.dossier_id = s.id AND e.at <= %(end)s
                 ORDER BY e.at DESC, e.id DESC LIMIT 1),
               COALESCE(s.due_at < %(end)s, false)) END AS overdue
    FROM scoped s
)
SELECT f.id, f.name,
       COUNT(*) AS received_total,
       COUNT(*) FILTER (WHERE x.received_at >= %(start)s AND x.channel = 2) AS received_online,
       COUNT(*) FILTER (WHERE x.received_at >= %(start)s AND x.channel <> 2) AS received_counter_post,
       COUNT(*) FILTER (WHERE x.received_at < %(start)s) AS carried_over,
       COUNT(*) FILTER (WHERE x.result_ready_at <= %(end)s) AS resolved_total,
       COUNT(*) FILTER (WHERE x.result_ready_at <= %(end)s AND x.timeliness = 'early') AS early,
       COUNT(*) FILTER (WHERE x.result_ready_at <= %(end)s AND x.timeliness = 'on_time') AS on_time,
       COUNT(*) FILTER (WHERE x.result_ready_at <= %(end)s AND x.timeliness NOT IN ('early', 'on_time')) AS late,
       COUNT(*) FILTER (WHERE x.open_at_end) AS in_progress_total,
       COUNT(*) FILTER (WHERE x.open_at_end AND NOT x.overdue) AS within_deadline,
       COUNT(*) FILTER (WHERE x.open_at_end AND x.overdue) AS overdue,
       COUNT(*) FILTER (WHERE (x.result_ready_at IS NULL OR x.result_ready_at > %(end)s)
                          AND (x.withdrawn_at BETWEEN %(start)s AND %(end)s
                               OR x.stopped_at BETWEEN %(start)s AND %(end)s)) AS withdrawn_or_stopped
FROM flagged x JOIN thutuc_field f ON f.id = x.field_id
GROUP BY f.id, f.name
ORDER BY f.name COLLATE "vi-VN-x-icu", f.id
"""


# The baseline: a plain aggregate by field over the period's own rows (received in it), no history.
PLAIN_SQL = """
SELECT d.field_id,
       COUNT(*) AS received,
       COUNT(*) FILTER (WHERE d.channel = 2) AS received_online,
       COUNT(*) FILTER (WHERE d.channel <> 2) AS received_counter_post,
       COUNT(*) FILTER (WHERE d.result_ready_at <= %(end)s) AS resolved,
       COUNT(*) FILTER (WHERE d.result_ready_at <= %(end)s AND d.timeliness = 'early') AS early,
       COUNT(*) FILTER (WHERE d.result_ready_at <= %(end)s AND d.timeliness = 'on_time') AS on_time,
       COUNT(*) FILTER (WHERE d.withdrawn_at <= %(end)s OR d.stopped_at <= %(end)s) AS withdrawn_or_stopped,
       COUNT(*) FILTER (WHERE d.due_at < %(end)s) AS due_before_end
FROM hoso_dossier d
WHERE d.agency_id = ANY(%(agencies)s) AND d.received_at BETWEEN %(start)s AND %(end)s
GROUP BY d.field_id
"""


def plain_count(agency_ids: list[int], start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(PLAIN_SQL, {"agencies": agency_ids, "start": start, "end": end})
        return cursor.fetchall()


def hand_written(agency_ids: list[int], start: datetime, end: datetime) -> list[tuple[Any, ...]]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(HAND_SQL, {"agencies": agency_ids, "start": start, "end": end})
        return cursor.fetchall()


def timed(fn: Callable[[], Any], runs: int) -> tuple[float, Any]:
    """Median seconds of `runs` calls after one warm-up call, and the last result."""
    result = fn()
    times = []
    for _ in range(runs):
        t0 = clock.perf_counter()
        result = fn()
        times.append(clock.perf_counter() - t0)
    return statistics.median(times), result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=1_000_000)
    parser.add_argument(
        "--also",
        type=int,
        action="append",
        default=[],
        metavar="N",
        help="measure at N dossiers too, in the same run: the table is filled to each size in turn (repeatable)",
    )
    parser.add_argument(
        "--agencies",
        type=int,
        default=0,
        help=f"wards at --dossiers (default: one per {PER_WARD:,} dossiers, a ward's size stays); --also sizes scale",
    )
    parser.add_argument("--json", action="store_true", help="print the figures as one JSON object at the end")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--history-runs", type=int, default=0, help="timed runs of the former statement (or --runs)")
    parser.add_argument("--keep", action="store_true", help=f"do not drop {BENCH_DB} at the end")
    parser.add_argument("--reuse", action="store_true", help=f"measure the {BENCH_DB} a --keep run left (kept)")
    args = parser.parse_args(argv)
    args.keep |= args.reuse
    args.history_runs = args.history_runs or args.runs
    admin_url = prepare_database(fresh=not args.reuse)
    import django

    django.setup()
    try:
        return run(args)
    finally:
        if not args.keep:
            drop_database(admin_url)
            print(f"dropped {BENCH_DB}")


def run(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection

    from motcua.models import Agency

    t0 = clock.perf_counter()
    call_command("migrate", verbosity=0)
    print(f"database: postgresql {BENCH_DB}; migrated in {clock.perf_counter() - t0:.1f} s", flush=True)
    per_ward = args.dossiers / (args.agencies or args.dossiers / PER_WARD)
    sizes = [args.dossiers] if args.reuse else sorted({args.dossiers, *args.also})
    wards = [max(1, round(n / per_ward)) for n in sizes]
    if args.reuse:
        agency_ids = list(Agency.objects.order_by("pk").values_list("pk", flat=True))
        steps: Iterator[float] = iter([0.0])
    else:
        agency_ids, *setup = setup_catalogue(wards[-1])
        steps = load(sizes, wards, agency_ids, tuple(setup))
    ok = True
    results: list[dict[str, Any]] = []
    for count, seconds in zip(wards, steps, strict=False):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT (SELECT COUNT(*) FROM hoso_dossier), (SELECT COUNT(*) FROM hoso_dossierevent),"
                " pg_size_pretty(pg_database_size(current_database()))"
            )
            dossiers, events, disk = cursor.fetchone()
        print(
            f"data: {dossiers:,} dossiers, {events:,} events, {count} wards, 2023–2025; loaded in {seconds:.0f} s;"
            f" database {disk}; load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
            flush=True,
        )
        passed, figures = measure(agency_ids[:count], args)
        ok &= passed
        results.append({"dossiers": dossiers, "agencies": count} | figures)
    main_figures = next(r for r in results if r["dossiers"] == args.dossiers) if not args.reuse else results[0]
    out: dict[str, Any] = dict(main_figures)
    if len(results) > 1:
        small, large = results[0], results[-1]
        growth = large["one_ward_ms"] / small["one_ward_ms"]
        held = growth <= MAX_GROWTH
        ok &= held
        print(
            f"{'PASS' if held else 'FAIL'}: one ward {small['one_ward_ms']:.1f} ms at {small['dossiers']:,} dossiers,"
            f" {large['one_ward_ms']:.1f} ms at {large['dossiers']:,}: ×{growth:.2f} (target ≤ {MAX_GROWTH:g}×)"
        )
        out |= {"one_ward_growth": round(growth, 2), "sizes": results}
    if args.json:
        print(json.dumps(out))
    return 0 if ok else 1


def measure(agency_ids: list[int], args: argparse.Namespace) -> tuple[bool, dict[str, Any]]:
    """Time table_06a, the former statement and the plain aggregate for one ward and for `agency_ids`."""
    from baocao.periods import calendar_half_year
    from baocao.queries import COLUMNS, table_06a

    period = calendar_half_year(2025, 1)
    start, end = period.bounds()
    ok = True
    figures: dict[str, Any] = {}
    print(f"period: {period.label}; median of {args.runs} runs after a warm-up ({args.history_runs} for history)")
    print(
        f"{'case':<18}{'in scope':>10}{'in period':>10}{'table_06a ms':>14}{'history SQL ms':>16}{'plain ms':>10}"
        f"{'06a/plain':>11}{'06a/history':>13}  agree  verdict"
    )
    for key, label, ids in (
        ("one_ward", "one agency", agency_ids[:1]),
        ("all_wards", f"all {len(agency_ids)} agencies", agency_ids),
    ):
        django_s, table = timed(lambda ids=ids: table_06a(agency_ids=ids, start=start, end=end), args.runs)
        history_s, rows = timed(lambda ids=ids: hand_written(ids, start, end), args.history_runs)
        plain_s, plain = timed(lambda ids=ids: plain_count(ids, start, end), args.runs)
        ours = [(r["field_id"], *(r[c] for c in COLUMNS)) for r in table["rows"]]
        theirs = [(r[0], *r[2:]) for r in rows]
        agree = ours == theirs
        in_period = sum(r[1] for r in plain)
        passed = agree and django_s <= MAX_RATIO * plain_s
        ok &= passed
        print(
            f"{label:<18}{table['total']['received_total']:>10,}{in_period:>10,}{django_s * 1000:>14.1f}"
            f"{history_s * 1000:>16.1f}{plain_s * 1000:>10.1f}{django_s / plain_s:>11.2f}{django_s / history_s:>13.2f}"
            f"  {'yes' if agree else 'NO '}    {'PASS' if passed else 'FAIL'}",
            flush=True,
        )
        figures |= {
            f"{key}_ms": round(django_s * 1000, 1),
            f"plain_{key}_ms": round(plain_s * 1000, 1),
            f"history_{key}_ms": round(history_s * 1000, 1),
            f"{key}_in_scope": table["total"]["received_total"],
            f"{key}_in_period": in_period,
            f"{key}_agree": agree,
        }
    total = table["total"]
    print("all agencies, total: " + ", ".join(f"{c}={total[c]:,}" for c in COLUMNS))
    print(
        f"{'PASS' if ok else 'FAIL'}: table_06a within {MAX_RATIO:g}× the plain aggregate over the period's rows, "
        "same figures as the history SQL"
    )
    return ok, figures


if __name__ == "__main__":
    raise SystemExit(main())
