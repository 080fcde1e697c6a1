"""Benchmark: working-day due dates against plain calendar-day arithmetic.

Run: ``.venv/bin/python bench/bench_due_dates.py [--n 200000] [--seed 20250124]``

Generates random receipts (fixed seed) spread uniformly over 2019–2026, at any hour, half of
them in Asia/Ho_Chi_Minh and half in UTC (as they come back from the database), each with a
limit of 0–60 working days. It times

* the baseline: ``received + timedelta(days=n)`` over the same inputs, and
* ``compute_due`` with the real calendar (data/holidays_vn.csv),

prints computations per second for both and their ratio, and exits 1 unless
``compute_due`` does at least 50,000 a second AND is within 20× of the baseline. Before timing,
it checks a sample of results against a slow day-by-day walk written here from the rules,
so a fast wrong answer cannot pass. Not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import csv
import random
import sys
import time as clock
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run as a plain script from anywhere

from hoso.workcalendar import VN_TZ, Limit, Unit, WorkCalendar, compute_due, due_at  # noqa: E402

MIN_RATE = 50_000  # due dates per second, one core
MAX_RATIO = 20.0  # compute_due time / baseline time
REPEATS = 5  # best of, to shrug off a noisy neighbour
CHECK_SAMPLE = 3_000

Pair = tuple[datetime, Limit]


def load_calendar() -> WorkCalendar:
    with (ROOT / "data" / "holidays_vn.csv").open(encoding="utf-8", newline="") as f:
        return WorkCalendar.from_rows((r["date"], r["kind"], r["name"]) for r in csv.DictReader(f))


def make_inputs(n: int, seed: int) -> list[Pair]:
    rng = random.Random(seed)
    lo = datetime(2019, 1, 1, tzinfo=VN_TZ).timestamp()
    hi = datetime(2027, 1, 1, tzinfo=VN_TZ).timestamp()
    zones = (VN_TZ, UTC)
    return [
        (
            datetime.fromtimestamp(rng.uniform(lo, hi), zones[i % 2]).replace(microsecond=0),
            Limit(rng.randint(0, 60), Unit.WORKING_DAYS),
        )
        for i in range(n)
    ]


def reference_due(cal: WorkCalendar, received: datetime, n: int) -> datetime:
    """docs/due-dates.md §3 walked one day at a time, without the module's index."""

    def first_session_from(d: date) -> datetime:
        while not cal.is_working_day(d):
            d += timedelta(days=1)
        return datetime.combine(d, cal.sessions_on(d)[0][0], tzinfo=VN_TZ)

    def at_or_after(d: date, t: time) -> datetime:
        for s, e in cal.sessions_on(d):
            if t < e:
                return datetime.combine(d, max(s, t), tzinfo=VN_TZ)
        return first_session_from(d + timedelta(days=1))

    local = received.astimezone(VN_TZ)
    start = (
        at_or_after(local.date(), local.time())
        if cal.is_working_day(local.date())
        else (first_session_from(local.date()))
    )
    d = start.date()
    for _ in range(n):
        d += timedelta(days=1)
        while not cal.is_working_day(d):
            d += timedelta(days=1)
    return at_or_after(d, start.time())


def best_time(run: Callable[[], object]) -> float:
    best = float("inf")
    for _ in range(REPEATS):
        t0 = clock.perf_counter()
        run()
        best = min(best, clock.perf_counter() - t0)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=20250124)
    args = parser.parse_args(argv)

    t0 = clock.perf_counter()
    cal = load_calendar()
    build_ms = (clock.perf_counter() - t0) * 1000
    pairs = make_inputs(args.n, args.seed)

    wrong = [
        (r, lim.value)
        for r, lim in pairs[:CHECK_SAMPLE]
        if compute_due(cal, r, lim) != reference_due(cal, r, lim.value)
    ]
    if wrong:
        print(f"FAIL: {len(wrong)} of {CHECK_SAMPLE} due dates differ from the day-by-day walk, e.g. {wrong[0]}")
        return 1

    def baseline() -> list[datetime]:
        return [r + timedelta(days=lim.value) for r, lim in pairs]

    def fast() -> list[datetime]:
        return [compute_due(cal, r, lim) for r, lim in pairs]

    explained = pairs[: max(1, args.n // 10)]

    def explain() -> list[object]:
        return [due_at(cal, r, lim) for r, lim in explained]

    t_base, t_fast = best_time(baseline), best_time(fast)
    t_explain = best_time(explain)
    base_rate, fast_rate = args.n / t_base, args.n / t_fast
    ratio = t_fast / t_base

    print(f"calendar built in {build_ms:.1f} ms; {args.n:,} receipts 2019–2026, limits 0–60 working days")
    print(f"checked {CHECK_SAMPLE:,} results against a day-by-day walk: all equal")
    print(f"baseline (timedelta add):      {base_rate:>12,.0f} /s")
    print(f"compute_due:                   {fast_rate:>12,.0f} /s")
    print(f"due_at with explanation:       {len(explained) / t_explain:>12,.0f} /s (information only)")
    print(f"ratio compute_due / baseline:  {ratio:>12.2f} x  (target <= {MAX_RATIO:g})")
    ok = fast_rate >= MIN_RATE and ratio <= MAX_RATIO
    print(f"{'PASS' if ok else 'FAIL'}: target >= {MIN_RATE:,}/s and <= {MAX_RATIO:g}x baseline")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
