"""Benchmark: the public status lookup under load, next to a trivial Django view.

Run (PostgreSQL): ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_lookup.py``
Needs ``wrk`` (Debian package ``wrk``) and gunicorn (in requirements.txt).

It builds its own database ``motcua_bench_lookup`` (created, migrated and dropped at the end) with
the demo ward and ``--dossiers`` dossiers (default 100,000; the data builder of bench_desk.py),
gives a sample of them their events (so the public timeline is not empty), then serves the portal
with gunicorn (2 sync workers, DEBUG off, the same settings for every URL) on 127.0.0.1 and loads
it with wrk on loopback for ``--seconds`` per URL: the trivial view ``/healthz`` (one ``SELECT 1``),
the lookup page and the JSON lookup, each rotating over the sampled dossiers' URLs.
Before each lookup's measurement every sampled URL is visited once, one after the other, with
nothing cached: that first visit reads the database (and renders the page), and its p50/p99 are
printed apart. The measurement that follows is of visits whose view is cached (five minutes in production),
whatever the machine's speed — a warm-up bounded by time alone left part of the first visits in
the measured window on a slower machine, and the p99 then measured how many were left.
Prints requests per second and p99 latency of each, and the ratio to the trivial view.
PASS when both lookups reach at least 60% of the trivial view's throughput with a p99 under 30 ms
(issue #18). Not a test.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_desk as desk  # noqa: E402 — the shared data builder, found through the path above

desk.BENCH_DB = "motcua_bench_lookup"
PORT = 8771
SAMPLE = 500
TARGET_SHARE = 0.6
MAX_P99_MS = 30.0
# The two lookups of a dossier's code and key, by the label printed.
LOOKUPS = {"lookup page": "/tra-cuu/{code}/?k={key}", "lookup JSON": "/api/v1/tra-cuu/{code}/?k={key}"}


def sample_dossiers(n: int) -> list[tuple[str, str]]:
    """(code, lookup key) of `n` received dossiers, with a RECEIVE event and an ASSIGN each."""
    from hoso.constants import Action, Status
    from hoso.models import Dossier, DossierEvent

    rows = list(
        Dossier.objects.exclude(code=None)
        .order_by("?")
        .values_list("pk", "code", "lookup_key", "received_at", "due_at")[:n]
    )
    events = []
    for pk, _, _, received, due in rows:
        events.append(
            DossierEvent(dossier_id=pk, action=Action.RECEIVE, to_status=Status.RECEIVED, at=received, due_at=due)
        )
        events.append(
            DossierEvent(
                dossier_id=pk,
                action=Action.ASSIGN,
                from_status=Status.RECEIVED,
                to_status=Status.PROCESSING,
                at=received + timedelta(minutes=30),
                due_at=due,
            )
        )
    DossierEvent.objects.bulk_create(events)
    return [(code, key) for _, code, key, _, _ in rows]


def wrk_script(paths: list[str], folder: Path) -> Path:
    """A wrk Lua script that walks through `paths` round-robin."""
    quoted = ",\n".join(f'  "{p}"' for p in paths)
    script = folder / f"paths-{abs(hash(tuple(paths)))}.lua"
    script.write_text(
        "local paths = {\n" + quoted + "\n}\nlocal i = 0\n"
        "request = function()\n  i = i + 1\n  return wrk.format('GET', paths[(i % #paths) + 1])\nend\n",
        encoding="utf-8",
    )
    return script


def run_wrk(paths: list[str], seconds: int, folder: Path) -> tuple[float, float, int]:
    """(requests per second, p99 latency in ms, non-2xx responses)."""
    script = wrk_script(paths, folder)
    out = subprocess.run(
        ["wrk", "-t2", "-c8", f"-d{seconds}s", "--latency", "-s", str(script), f"http://127.0.0.1:{PORT}"],
        capture_output=True,
        text=True,
        check=True,
        timeout=seconds + 60,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99_value, p99_unit = re.search(r"99%\s+([\d.]+)(us|ms|s)", out).groups()
    p99 = float(p99_value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99_unit]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return rps, p99, int(bad.group(1)) if bad else 0


def first_visits(dossiers: list[tuple[str, str]], paths: list[str]) -> list[float]:
    """Drop the cached views of `dossiers`, then visit each of `paths` once, one after the other:
    the sorted latencies in ms of a first visit to an otherwise idle server."""
    from hoso import lookup as public_lookup

    for code, key in dossiers:
        public_lookup.forget(code, key)

    def visit(path: str) -> float:
        start = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{PORT}{path}", timeout=30) as response:
            response.read()
        return (time.perf_counter() - start) * 1000

    return sorted(visit(path) for path in paths)


def start_gunicorn() -> subprocess.Popen:
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MOTCUA_LOOKUP_RATE_LIMIT": "100000000/1s",  # measure the page, not the limiter's refusals
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "motcua.wsgi",
            "-w",
            "2",
            "-b",
            f"127.0.0.1:{PORT}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{PORT}/healthz", timeout=1).read()
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=100_000)
    parser.add_argument("--seconds", type=int, default=10)
    parser.add_argument("--redis", default="", help="cache URL, e.g. redis://127.0.0.1:6379/9 (default: per-process)")
    parser.add_argument("--redis-db", type=int, default=desk.BENCH_REDIS_DB, help="with REDIS_URL: flushed at the end")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    desk.BENCH_REDIS_DB = args.redis_db
    target = desk.prepare_database()
    # Production serves the lookup with Redis as the cache: use it when it answers (its own db).
    if args.redis:
        os.environ["CACHE_URL"] = args.redis
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    server = None
    try:
        call_command("migrate", verbosity=0)
        ward = desk.setup_ward()
        took = desk.add_dossiers(ward, args.dossiers, timezone.now(), random.Random(desk.SEED))
        print(f"{args.dossiers:,} dossiers in {took:.1f} s ({target.vendor})")
        dossiers = sample_dossiers(SAMPLE)
        from django.db import connections

        connections.close_all()
        server = start_gunicorn()
        folder = Path(tempfile.mkdtemp(prefix="motcua_wrk_"))
        run_wrk(["/healthz"], 2, folder)  # warm up
        results = {"trivial view (/healthz)": run_wrk(["/healthz"], args.seconds, folder)}
        first = {}
        for label, pattern in LOOKUPS.items():
            paths = [pattern.format(code=code, key=key) for code, key in dossiers]
            first[label] = first_visits(dossiers, paths)
            run_wrk(paths, 2, folder)  # warm up
            results[label] = run_wrk(paths, args.seconds, folder)
        for label, times in first.items():
            p50, p99 = times[len(times) // 2], times[int(len(times) * 0.99)]
            print(f"first visit, {label}: p50 {p50:.1f} ms, p99 {p99:.1f} ms ({len(times)} dossiers, nothing cached)")
        base = results["trivial view (/healthz)"][0]
        print(f"{'URL':<26}{'req/s':>10}{'p99 ms':>10}{'share':>9}{'non-2xx':>9}")
        ok = True
        for label, (rps, p99, bad) in results.items():
            share = rps / base
            print(f"{label:<26}{rps:>10.0f}{p99:>10.1f}{share:>8.0%}{bad:>9}")
            if label != "trivial view (/healthz)":
                ok &= share >= TARGET_SHARE and p99 < MAX_P99_MS and bad == 0
        goal = f"each lookup ≥ {TARGET_SHARE:.0%} of the trivial view's throughput, p99 < {MAX_P99_MS:.0f} ms"
        print(("PASS" if ok else "FAIL") + f": {goal}")
        shutil.rmtree(folder, ignore_errors=True)
        return 0 if ok else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        desk.drop_database(target)


if __name__ == "__main__":
    sys.exit(main())
