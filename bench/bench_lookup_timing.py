"""Benchmark: a wrong lookup key and an unknown dossier code take the same time.

Run: ``.venv/bin/python bench/bench_lookup_timing.py`` (SQLite in a temporary folder), or with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres`` for PostgreSQL (it creates and drops
its own database ``motcua_bench_lookup_timing``). Not a test.

It builds the demo ward with ``--dossiers`` dossiers (the data builder of bench_desk.py), then
calls ``hoso.lookup.lookup`` — what the page and the JSON API call — ``--rounds`` times for each of
the two refusals, interleaved (a real code with a wrong key; an unknown code of the same shape
with a key), each time for a different dossier, with the per-process cache. It prints both
medians and their ratio; PASS when the ratio is within ±``--tolerance`` (default 5%) of 1.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_desk as desk  # noqa: E402 — the shared data builder, found through the path above

desk.BENCH_DB = "motcua_bench_lookup_timing"
SEED = 20261205


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dossiers", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=20_000)
    parser.add_argument("--tolerance", type=float, default=0.05)
    parser.add_argument("--keep", action="store_true", help=f"do not drop {desk.BENCH_DB} at the end")
    args = parser.parse_args(argv)

    target = desk.prepare_database()
    import django

    django.setup()
    try:
        return run(args)
    finally:
        if not args.keep:
            desk.drop_database(target)
            print(f"dropped {desk.BENCH_DB}")


def run(args: argparse.Namespace) -> int:
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from hoso import lookup
    from hoso.creation import LOOKUP_ALPHABET
    from hoso.models import Dossier

    call_command("migrate", verbosity=0)
    ward = desk.setup_ward()
    rng = random.Random(SEED)
    desk.add_dossiers(ward, args.dossiers, timezone.now() - timedelta(days=1), rng)
    rows = list(Dossier.objects.exclude(code=None).values_list("code", "lookup_key"))
    codes = {code for code, _ in rows}

    def wrong_key(key: str) -> str:
        while True:
            other = "".join(rng.choice(LOOKUP_ALPHABET) for _ in key)
            if other != key:
                return other

    def unknown_code(code: str) -> str:
        # Same shape and length as a real code, a sequence number no dossier has.
        head, _, seq = code.rpartition("-")
        while True:
            candidate = f"{head}-{rng.randrange(10 ** (len(seq) - 1), 10 ** len(seq)):0{len(seq)}d}"
            if candidate not in codes:
                return candidate

    cases = []
    for code, key in rng.sample(rows, min(args.rounds, len(rows))) * (args.rounds // len(rows) + 1):
        cases.append(((code, wrong_key(key)), (unknown_code(code), wrong_key(key))))
    cases = cases[: args.rounds]

    def timed(code: str, key: str) -> int:
        started = time.perf_counter_ns()
        result = lookup.lookup(code, key)
        elapsed = time.perf_counter_ns() - started
        assert result is None
        return elapsed

    # Warm up the connection, the query compiler and the cache.
    for (code, key), (other, key2) in cases[:500]:
        timed(code, key)
        timed(other, key2)
    cache.clear()
    wrong, unknown = [], []
    for i, ((code, key), (other, key2)) in enumerate(cases):
        if i % 2:  # alternate which path goes first
            wrong.append(timed(code, key))
            unknown.append(timed(other, key2))
        else:
            unknown.append(timed(other, key2))
            wrong.append(timed(code, key))

    wrong_median = statistics.median(wrong) / 1000
    unknown_median = statistics.median(unknown) / 1000
    ratio = wrong_median / unknown_median
    print(f"database: {connection.vendor}, {len(rows)} dossiers, {len(cases)} rounds of each refusal")
    print(f"wrong key:    median {wrong_median:8.1f} µs")
    print(f"unknown code: median {unknown_median:8.1f} µs")
    print(f"ratio wrong key / unknown code: {ratio:.3f} (difference {wrong_median - unknown_median:+.1f} µs)")
    ok = abs(ratio - 1) <= args.tolerance
    print("PASS" if ok else f"FAIL: the two refusals differ by more than {args.tolerance:.0%}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
