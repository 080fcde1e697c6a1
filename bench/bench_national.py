"""Benchmark: the national link — draining queued events to the stand-in, and the outbox's cost to intake.

Run (PostgreSQL): ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_national.py``
Run (SQLite):     ``.venv/bin/python bench/bench_national.py --events 5000``

Uses its own database (see bench_desk.prepare_database), dropped at the end. The demo ward receives
``--intakes`` dossiers through the workflow, alternately with the link off and on (same run, same
database): median time and query count of one intake each way. The stand-in is started as its own
process (``national_portal_simulator``) on a free loopback port. Then ``--rounds`` times, the two
depths alternated: the outbox is brought to ``--baseline-events`` (10,000), then ``--events``
(100,000) rows waiting (copies of the intakes' rows spread over those dossiers in later sequence
positions are added, or the last ones queued dropped), the claim's query is timed (median of 30)
and ``lienthong.drain.drain_once`` drains for ``--slice`` seconds: the median events per second at
each depth and their ratio (alternating short slices lets a shared machine's load weigh on both
depths alike). Then the rest is drained (unless ``--skip-full-drain``): every row must be
acknowledged.

PASS when the outbox adds no query to an intake (a receipt's row is written in its one statement:
``lienthong.outbox.row_with_receipt``), the drain rate with the full
queue is at least 80 % of the rate with the baseline queue, and (full drain) every row is
acknowledged with the stand-in holding one progress step per row.
Not a test: nothing here runs under pytest.
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_desk as desk  # noqa: E402 — the shared database builder, found through the path above

desk.BENCH_DB = "motcua_bench_national"
STEADY = 0.8  # the full queue's drain rate must stay within 20 % of the baseline's


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--baseline-events", type=int, default=10_000)
    parser.add_argument("--slice", type=float, default=20.0, help="seconds of draining timed at each depth")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of the two depths, alternated")
    parser.add_argument("--skip-full-drain", action="store_true", help="time the two slices only")
    parser.add_argument("--database", default=desk.BENCH_DB, help="the bench's own database (dropped at the end)")
    parser.add_argument("--intakes", type=int, default=400)
    args = parser.parse_args()
    desk.BENCH_DB = args.database
    target = desk.prepare_database()
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection, connections
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from hoso import workflow
    from lienthong import drain
    from lienthong.models import OutboxEntry, State
    from thutuc.models import Field

    stand_in = None
    try:
        call_command("migrate", verbosity=0)
        ward = desk.setup_ward()
        procedures = [p for p in ward.procedures if ward.limits[p.pk] is not None][:20]
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        timings: dict[bool, list[float]] = {False: [], True: []}
        queries: dict[bool, list[int]] = {False: [], True: []}
        for i in range(args.intakes):
            link = i % 2 == 1
            settings.MOTCUA_NATIONAL_PORTAL_URL = url if link else ""
            intake = workflow.Intake(
                procedure=procedures[i % len(procedures)],
                applicant_name="Nguyễn Văn An",
                applicant_id_number=f"0010900{i:05d}",
            )
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                workflow.receive(agency=ward.agency, actor=ward.clerk, intake=intake)
                timings[link].append(time.perf_counter() - started)
            queries[link].append(len(captured.captured_queries))
        for link in (False, True):
            label = "with the outbox   " if link else "without the outbox"
            print(
                f"intake {label}: median {statistics.median(timings[link]) * 1000:.1f} ms, "
                f"queries {statistics.median(queries[link]):g}"
            )
        extra_queries = statistics.median(queries[True]) - statistics.median(queries[False])

        Field.objects.update(code="BENCH-LV")  # the record needs the field's national code (MaLinhVuc)
        heads = list(OutboxEntry.objects.order_by("id"))
        next_sequence = max(row.sequence for row in heads) + 1

        def fill(count: int) -> None:
            """Queue `count` more rows, spread over the intakes' dossiers after their earlier rows."""
            nonlocal next_sequence
            rows = [
                OutboxEntry(
                    dossier_id=heads[n % len(heads)].dossier_id,
                    payload=heads[n % len(heads)].payload,
                    sequence=next_sequence + n,
                )
                for n in range(count)
            ]
            OutboxEntry.objects.bulk_create(rows, batch_size=2000)
            next_sequence += count

        command = [sys.executable, "manage.py", "national_portal_simulator", "--port", str(port)]
        stand_in = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL)
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{url}_inspect/x", timeout=1)  # noqa: S310 — loopback
            except urllib.error.HTTPError:
                break
            except OSError:
                time.sleep(0.1)
        settings.MOTCUA_NATIONAL_PORTAL_URL = url

        def claim_query_ms() -> float:
            """Median time of the claim's query (the due dossier heads), the queue as it stands."""
            now = timezone.now()
            samples = []
            for _ in range(30):
                started = time.perf_counter()
                drain._due_heads(now, drain.BATCH, 0)
                samples.append(time.perf_counter() - started)
            return statistics.median(samples) * 1000

        def set_depth(depth: int) -> int:
            """Make `depth` rows wait: add rows after the last ones, or drop the last ones queued."""
            waiting = OutboxEntry.objects.exclude(state=State.ACKNOWLEDGED).count()
            if waiting < depth:
                fill(depth - waiting)
            elif waiting > depth:
                last = OutboxEntry.objects.filter(state=State.PENDING).order_by("-sequence", "-id")
                OutboxEntry.objects.filter(pk__in=list(last.values_list("pk", flat=True)[: waiting - depth])).delete()
            return OutboxEntry.objects.exclude(state=State.ACKNOWLEDGED).count()

        rates: dict[str, list[float]] = {"baseline": [], "full": []}
        claims: dict[str, list[float]] = {"baseline": [], "full": []}
        for round_number in range(1, args.rounds + 1):
            for label, depth in (("baseline", args.baseline_events), ("full", args.events)):
                waiting = set_depth(depth)
                claims[label].append(claim_query_ms())
                connections.close_all()
                started = time.perf_counter()
                result = drain.drain_once(max_seconds=args.slice)
                took = time.perf_counter() - started
                rates[label].append(result.acknowledged / took)
                print(
                    f"round {round_number} {label:8}: {waiting} queued: the claim's query median "
                    f"{claims[label][-1]:.1f} ms; drained {result.acknowledged} in {took:.1f} s: "
                    f"{rates[label][-1]:.0f} events/s ({target.vendor})"
                )
        rate = {label: statistics.median(values) for label, values in rates.items()}
        claim = {label: statistics.median(values) for label, values in claims.items()}
        ratio = rate["full"] / rate["baseline"]
        print(
            f"median drain rate: {rate['baseline']:.0f} events/s with {args.baseline_events} queued, "
            f"{rate['full']:.0f} with {args.events}: ratio {ratio:.2f} (steady ≈ 1)"
        )
        print(
            f"median claim query: {claim['baseline']:.1f} ms with {args.baseline_events} queued, "
            f"{claim['full']:.1f} ms with {args.events}: ratio {claim['full'] / claim['baseline']:.2f} (flat ≈ 1)"
        )
        steady = ratio >= STEADY
        if args.skip_full_drain:
            print(("PASS" if steady and extra_queries == 0 else "FAIL") + ": no query added; steady drain rate")
            return 0 if steady and extra_queries == 0 else 1
        waiting = OutboxEntry.objects.exclude(state=State.ACKNOWLEDGED).count()
        started = time.perf_counter()
        result = drain.drain_once()
        took = time.perf_counter() - started
        print(
            f"the rest: drained {result.acknowledged} of {waiting} queued events in {took:.1f} s: "
            f"{result.acknowledged / took:.0f} events/s; failed {result.failed}"
        )
        total = OutboxEntry.objects.count()
        acknowledged = OutboxEntry.objects.filter(state=State.ACKNOWLEDGED).count()
        sample = heads[0].payload["record"]["MaHoSo"]
        with urllib.request.urlopen(f"{url}_inspect/{sample}", timeout=5) as answer:  # noqa: S310 — loopback
            held = json.load(answer)
        expected = OutboxEntry.objects.filter(dossier_id=heads[0].dossier_id).count()
        ok = extra_queries == 0 and acknowledged == total and len(held["progress"]) == expected and steady
        print(
            ("PASS" if ok else "FAIL") + ": the outbox adds no query to an intake; every event acknowledged once; "
            f"the drain rate at {args.events} queued is at least {STEADY:.0%} of the rate at {args.baseline_events}"
        )
        return 0 if ok else 1
    finally:
        if stand_in is not None:
            stand_in.terminate()
            stand_in.wait(timeout=10)
        desk.drop_database(target)


if __name__ == "__main__":
    sys.exit(main())
