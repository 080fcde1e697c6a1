"""Benchmark: importing 100,000 dossiers from another system (hoso.importing).

Run: ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_import.py``

It never touches an existing database: it creates ``motcua_bench_import`` on the server of
DATABASE_URL (whose own database is only used to issue CREATE / DROP DATABASE), migrates it,
loads the real catalogue and the official holidays, and drops it at the end (``--keep`` keeps it).

Data (fixed seed): ``--rows`` rows (default 100,000) for one ward, received at working-hour
instants over 2024–2025, spread over a few real procedures of data/procedures_cap_xa.csv (same-day
civil status with a 15:00 cut-off, same-day certification, 3 and 30 working days, one without a
computable limit that carries its own ``due_at``), with codes in the ward's pattern and a realistic
mix: mostly returned, some only result-ready, open, waiting for a supplement (open pause),
withdrawn or stopped; about one in six paused once or twice; a few with more supplement requests
than timed pauses; a few finished late.

Measured, in one run, on the same CSV file:

* baseline: reading and validating the file (``parse_dossier_file``), writing nothing;
* import: what ``manage.py import_dossiers`` does (parse, resolve, compute the clock, bulk-create
  dossiers and events, raise the day counters) in one transaction;
* re-import of the same file (every row "unchanged"), for information.

PASS when the import runs at ≥ 2,000 rows per second. Not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
import tempfile
import time as clock
from collections import defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from anywhere

BENCH_DB = "motcua_bench_import"
TARGET_ROWS_PER_SECOND = 2_000
SEED = 20250303
AGENCY_CODE = "000.25.31.H26"
# Real procedures with their share of a ward's dossiers.
PROCEDURES = {
    "2.000815": 40,  # chứng thực bản sao: same day
    "2.000884": 20,  # chứng thực chữ ký: same day
    "1.001193": 15,  # khai sinh: same day, 15:00 cut-off
    "1.000656": 5,  # khai tử: same day, 15:00 cut-off
    "1.001612": 10,  # hộ kinh doanh: 3 working days
    "1.012812": 5,  # hòa giải đất đai: 30 working days
}
MANUAL_SHARE = 5  # a procedure without a computable limit: the row carries its due_at

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quang", "Ngọc", "Thu", "Xuân", "Hồng", "Anh"]
GIVEN = ["An", "Bình", "Châu", "Dũng", "Đạt", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Huy", "Khánh", "Lan", "Linh"]
STREETS = ["Tràng Tiền", "Hàng Bài", "Lý Thường Kiệt", "Hai Bà Trưng", "Phan Chu Trinh", "Bà Triệu", "Hàng Bông"]


def prepare_database() -> str:
    """Point the settings at a fresh database of our own, before Django is set up; returns the admin URL."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "motcua.settings"
    os.environ.setdefault("SECRET_KEY", "bench-only-" + "k" * 40)  # DEBUG is off: the settings need a key
    os.environ["CACHE_URL"] = ""  # the per-process cache and eager tasks, whatever the shell has set
    os.environ["CELERY_BROKER_URL"] = ""
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if not parts.scheme.startswith("postgres"):
        raise SystemExit("Set DATABASE_URL to a PostgreSQL server, e.g. postgres://postgres@127.0.0.1:5432/postgres.")
    if parts.path.strip("/") == BENCH_DB:
        raise SystemExit(f"DATABASE_URL must name another database than {BENCH_DB}: it is dropped at the end.")
    os.environ["DATABASE_URL"] = urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    _admin(url, f'DROP DATABASE IF EXISTS "{BENCH_DB}"', f'CREATE DATABASE "{BENCH_DB}"')
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


def setup_ward() -> tuple[Any, str]:
    """Migrate, load the real catalogue and holidays, create the ward offering the benchmark's procedures."""
    from django.core.management import call_command

    from motcua.demo import load_holidays, load_procedures
    from motcua.services import create_agency
    from thutuc.models import Procedure
    from thutuc.services import offer_procedures

    call_command("migrate", verbosity=0)
    load_procedures()
    load_holidays()
    agency = create_agency(code=AGENCY_CODE, name="Phường Thử Nghiệm", parent_name="Thành phố Hà Nội")
    codes = list(PROCEDURES)
    manual = Procedure.objects.filter(time_limit_unit="").order_by("code").first()
    if manual is None:
        raise SystemExit("The catalogue has no procedure without a computable limit.")
    offer_procedures(agency=agency, procedures=Procedure.objects.filter(code__in=[*codes, manual.code]))
    return agency, manual.code


def generate(path: Path, rows: int, agency: Any, manual_code: str) -> dict[str, int]:
    """Write `rows` rows to `path`; returns how many of each kind."""
    from hoso import workcalendar as wc
    from hoso.calendar_store import calendar_for
    from hoso.interchange import COLUMNS, iso
    from hoso.limits import procedure_limit
    from motcua.lib.codepattern import pattern_for
    from thutuc.models import Procedure

    rng = random.Random(SEED)
    cal = calendar_for(agency.pk)
    procedures = {p.code: p for p in Procedure.objects.filter(code__in=[*PROCEDURES, manual_code])}
    limits = {code: procedure_limit(p, agency) for code, p in procedures.items()}
    weights = {**PROCEDURES, manual_code: MANUAL_SHARE}
    days = [
        date(2024, 1, 1) + timedelta(days=k)
        for k in range(731)
        if cal.is_working_day(date(2024, 1, 1) + timedelta(days=k))
    ]
    instants: list[datetime] = []
    for _ in range(rows):
        day = rng.choice(days)
        start, end = rng.choice(cal.sessions_on(day))
        minutes = (end.hour * 60 + end.minute) - (start.hour * 60 + start.minute)
        instants.append(datetime.combine(day, start, tzinfo=wc.VN_TZ) + timedelta(minutes=rng.randrange(minutes)))
    instants.sort()

    counters: dict[date, int] = defaultdict(int)
    kinds: dict[str, int] = defaultdict(int)
    codes, code_weights = list(weights), list(weights.values())

    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        for received in instants:
            day = received.date()
            counters[day] += 1
            code = pattern_for(agency.dossier_code_pattern).render(agency.code, day, counters[day])
            procedure_code = rng.choices(codes, code_weights)[0]
            limit = limits[procedure_code]
            due = (
                wc.compute_due(cal, received, limit)
                if limit is not None
                else wc.add_working_days(cal, received, rng.choice([10, 15, 20]))
            )
            row = {
                "code": code,
                "agency": agency.code,
                "procedure_code": procedure_code,
                "channel": str(rng.choices([1, 2, 3], [45, 50, 5])[0]),
                "applicant_name": f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
                "applicant_id": f"001{rng.randrange(10**9):09d}",
                "applicant_phone": f"09{rng.randrange(10**8):08d}",
                "applicant_address": f"Số {rng.randrange(1, 200)} phố {rng.choice(STREETS)}",
                "received_at": received.isoformat(timespec="minutes"),
                "due_at": iso(due) if limit is None else "",
            }
            kind = rng.choices(
                ["returned", "result_ready", "open", "waiting", "withdrawn", "stopped"], [84, 4, 4, 2.5, 3, 2.5]
            )[0]
            kinds[kind] += 1
            span = max(due - received, timedelta(hours=1))
            # Pauses: one in six dossiers waited for a supplement, a few twice.
            pauses: list[tuple[datetime, datetime | None]] = []
            cursor = received
            for _ in range(rng.choices([0, 1, 2], [83, 14, 3])[0] + (1 if kind == "waiting" else 0)):
                start = cursor + timedelta(minutes=rng.randrange(30, 600))
                end = start + timedelta(hours=rng.randrange(1, 48))
                pauses.append((start, end))
                cursor = end
            if kind == "waiting":
                pauses[-1] = (pauses[-1][0], None)
            waited = sum(((e - s) for s, e in pauses if e is not None), timedelta())
            late = rng.random() < 0.03
            ready = cursor + waited + span * (rng.uniform(1.05, 1.6) if late else rng.uniform(0.1, 0.95))
            ready = max(ready, cursor)
            if kind in ("returned", "result_ready"):
                row["result_ready_at"] = ready.isoformat(timespec="minutes")
                if kind == "returned":
                    row["returned_at"] = (ready + timedelta(hours=rng.randrange(1, 72))).isoformat(timespec="minutes")
            elif kind == "withdrawn":
                row["withdrawn_at"] = (cursor + timedelta(hours=rng.randrange(1, 48))).isoformat(timespec="minutes")
            elif kind == "stopped":
                row["stopped_at"] = (cursor + timedelta(hours=rng.randrange(1, 48))).isoformat(timespec="minutes")
            row["pauses"] = ";".join(
                f"{s.isoformat(timespec='minutes')}/{'' if e is None else e.isoformat(timespec='minutes')}"
                for s, e in pauses
            )
            extra = 1 if rng.random() < 0.01 else 0  # the old system kept a count without times
            row["supplement_requests"] = str(len(pauses) + extra) if pauses or extra else ""
            kinds["pauses"] += len(pauses)
            kinds["count_only_requests"] += extra
            writer.writerow(row)
    return dict(kinds)


def main() -> int:
    """Run the benchmark; 0 on PASS, 1 on FAIL."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true", help=f"keep the {BENCH_DB} database")
    args = parser.parse_args()

    admin_url = prepare_database()
    import django

    django.setup()
    folder = Path(tempfile.mkdtemp(prefix="motcua_bench_import_"))
    path = folder / "ho-so.csv"
    try:
        from django.db import connection
        from django.utils import timezone

        from hoso.import_checks import parse_dossier_file
        from hoso.importing import import_dossiers
        from hoso.models import Dossier, DossierCounter, DossierEvent

        agency, manual_code = setup_ward()
        now = timezone.now()
        started = clock.perf_counter()
        kinds = generate(path, args.rows, agency, manual_code)
        size = path.stat().st_size / 1e6
        print(f"Generated {args.rows:,} rows ({size:.1f} MB) in {clock.perf_counter() - started:.1f} s")
        print("  mix: " + ", ".join(f"{k} {v:,}" for k, v in sorted(kinds.items())))
        data = path.read_bytes()

        # Baseline: read and validate the same file, write nothing.
        started = clock.perf_counter()
        parsed = parse_dossier_file(data, path.name, now=now)
        baseline = clock.perf_counter() - started
        if parsed.errors:
            raise SystemExit("Generated file has bad rows:\n" + "\n".join(str(e) for e in parsed.errors[:10]))
        del parsed

        # The import, as the command runs it: read the file, validate, compute, write.
        load_before = os.getloadavg()[0]
        started, cpu = clock.perf_counter(), clock.process_time()
        summary = import_dossiers(parsed=parse_dossier_file(data, path.name, now=now), now=now)
        elapsed, cpu = clock.perf_counter() - started, clock.process_time() - cpu
        assert summary.created == args.rows == Dossier.objects.count()
        events = DossierEvent.objects.count()
        assert events == summary.events

        # Re-import: every row unchanged, nothing written.
        started = clock.perf_counter()
        again = import_dossiers(parsed=parse_dossier_file(data, path.name, now=now), now=now)
        reimport = clock.perf_counter() - started
        assert again.created == 0 and again.unchanged == args.rows and DossierEvent.objects.count() == events

        rate = args.rows / elapsed
        print(f"Database: PostgreSQL {connection.pg_version // 10000} ({BENCH_DB}), {os.cpu_count()} CPUs")
        print(f"Baseline (read + validate, no writes): {baseline:6.2f} s  {args.rows / baseline:9,.0f} rows/s")
        print(
            f"Import (dossiers + {events:,} events):   {elapsed:6.2f} s  {rate:9,.0f} rows/s  "
            f"({events / elapsed:,.0f} events/s)"
        )
        print(f"Re-import (all unchanged):             {reimport:6.2f} s  {args.rows / reimport:9,.0f} rows/s")
        print(f"Ratio import / baseline: {elapsed / baseline:.1f}×")
        print(
            f"Import CPU time of this process: {cpu:.2f} s ({args.rows / cpu:,.0f} rows per CPU-second; the rest is "
            f"PostgreSQL and waiting); load average at start {load_before:.1f} on {os.cpu_count()} CPUs"
        )
        print(f"Day counters raised: {summary.counters_raised:,} ({DossierCounter.objects.count():,} rows)")
        verdict = "PASS" if rate >= TARGET_ROWS_PER_SECOND else "FAIL"
        print(f"{verdict}: {rate:,.0f} rows/s (target ≥ {TARGET_ROWS_PER_SECOND:,} rows/s)")
        return 0 if verdict == "PASS" else 1
    finally:
        path.unlink(missing_ok=True)
        folder.rmdir()
        if not args.keep:
            drop_database(admin_url)


if __name__ == "__main__":
    raise SystemExit(main())
