"""Benchmark: online submissions pushed through POST /api/v1/online-dossiers/ with three 2 MB files each.

Full run (PostgreSQL and Redis; the figures are in docs/online-dossiers.md §5):
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0``
``.venv/bin/python bench/bench_online_api.py``. Quick run: the same with ``--count 100``.
SQLite and a per-process cache: leave DATABASE_URL and REDIS_URL unset.

It builds its own database (bench_desk.prepare_database: created, migrated, dropped at the end;
with REDIS_URL the cache and broker are that server's database ``--redis-db``, 15 by default,
flushed at the end) with the demo ward and an API client, and serves the portal with gunicorn
(``--workers`` sync workers, default 2, DEBUG off) on 127.0.0.1 with a temporary MEDIA_ROOT. The
URL conf is the portal's plus one baseline path (bench/online_api_site.py): the same
authentication as the API — client, timestamp window, the whole body read and its HMAC checked —
and nothing else. With ``--s3`` the files go to an S3-compatible bucket instead (moto's server,
on 127.0.0.1 for the run, set through MOTCUA_S3_*).

The same ``--count`` bodies (default 1,000; three ``--file-mb`` MB PDFs in base64, random bytes)
are sent from ``--clients`` threads (default 4) first to the baseline, then to the API. The client
runs on the same cores as the server, so it is kept cheap: the body is built once with
``external_id`` as its last key and sent as two pieces (the shared part, then the id and the
closing brace) without joining them; the HMAC state over ``timestamp + "\\n" + shared part`` is
computed once per timestamp (renewed every 60 s, well within the ±300 s window) and copied for
each request, which then only hashes its few last bytes. Every signature is still real.

Prints, for each phase: rate, wall time, CPU per request of the gunicorn workers (from /proc) and of
this client; the ratio of the two rates; each worker's peak resident memory (VmHWM); the load
average (the machine is shared). PASS when at least 20 submissions/s went through, every answer was
201 (200 on the baseline), and no worker's peak reached 300 MB. ``--profile`` runs the workers
under cProfile and prints where a request's time goes. Not a test.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import pstats
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import bench_desk as desk  # noqa: E402 — the shared database builder, found through the path above

desk.BENCH_DB = "motcua_bench_online"
PORT = 8772
S3_PORT = 8773
TARGET_RATE = 20.0
MAX_WORKER_MB = 300
BASELINE_PATH = "/bench/signed-body/"
SUBMIT_PATH = "/api/v1/online-dossiers/"
RESIGN_SECONDS = 60
TICKS = os.sysconf("SC_CLK_TCK")


def pdf_base64(megabytes: float, seed: int) -> str:
    """A PDF-shaped file of the given size (random body: no compression helps), in base64."""
    size = int(megabytes * 1024 * 1024)
    body = hashlib.shake_256(str(seed).encode()).digest(size - 32)
    return base64.b64encode(b"%PDF-1.4\n" + body + b"\n%%EOF\n").decode()


def wait_for(url: str, process: subprocess.Popen, what: str) -> None:
    for _ in range(150):
        try:
            urllib.request.urlopen(url, timeout=1).read()  # noqa: S310 — our own http://127.0.0.1 URLs
            return
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit(f"{what} did not start")


def start_object_store() -> tuple[subprocess.Popen, dict[str, str]]:
    """moto's S3 server on loopback with an empty bucket; the MOTCUA_S3_* variables that point at it."""
    command = [str(Path(sys.executable).with_name("moto_server")), "-H", "127.0.0.1", "-p", str(S3_PORT)]
    store = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    endpoint = f"http://127.0.0.1:{S3_PORT}"
    wait_for(f"{endpoint}/moto-api/", store, "moto_server")
    env = {
        "MOTCUA_S3_BUCKET": "motcua-bench",
        "MOTCUA_S3_ENDPOINT_URL": endpoint,
        "MOTCUA_S3_REGION": "us-east-1",
        "MOTCUA_S3_ACCESS_KEY_ID": "bench",
        "MOTCUA_S3_SECRET_ACCESS_KEY": "bench-secret",
    }
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=env["MOTCUA_S3_REGION"],
        aws_access_key_id=env["MOTCUA_S3_ACCESS_KEY_ID"],
        aws_secret_access_key=env["MOTCUA_S3_SECRET_ACCESS_KEY"],
    ).create_bucket(Bucket=env["MOTCUA_S3_BUCKET"])
    return store, env


def start_gunicorn(media: Path, extra_env: dict[str, str], workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        **extra_env,
        "DJANGO_SETTINGS_MODULE": "online_api_settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": str(media),
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "gunicorn", "online_api_site:application", "--pythonpath", str(ROOT / "bench")]
    command += ["-w", str(workers), "-b", f"127.0.0.1:{PORT}", "--log-level", "warning", "--timeout", "120"]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    wait_for(f"http://127.0.0.1:{PORT}/healthz", server, "gunicorn")
    return server


def workers_of(master: int) -> list[int]:
    return [int(pid) for pid in Path(f"/proc/{master}/task/{master}/children").read_text().split()]


def worker_peaks_mb(master: int) -> list[float]:
    """VmHWM of the master's children (the workers), in MB."""
    peaks = []
    for pid in workers_of(master):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def workers_cpu(master: int) -> float:
    """User + system CPU seconds used so far by the master's workers."""
    total = 0
    for pid in workers_of(master):
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
    return total / TICKS


class Signer:
    """Signs ``timestamp + "\\n" + shared + tail`` for many tails: the shared part is hashed once per timestamp."""

    def __init__(self, secret: str, shared: bytes) -> None:
        self.secret, self.shared = secret.encode(), shared
        self.lock = threading.Lock()
        self.timestamp, self.state = "", hmac.new(b"", digestmod=hashlib.sha256)
        self.at = 0.0

    def sign(self, tail: bytes) -> tuple[str, str]:
        with self.lock:
            if time.monotonic() - self.at > RESIGN_SECONDS:
                self.timestamp = str(int(time.time()))
                self.state = hmac.new(self.secret, self.timestamp.encode() + b"\n", hashlib.sha256)
                self.state.update(self.shared)
                self.at = time.monotonic()
            timestamp, state = self.timestamp, self.state.copy()
        state.update(tail)
        return timestamp, state.hexdigest()


@dataclass
class Phase:
    name: str
    sent: int
    ok: int
    took: float
    server_cpu: float
    client_cpu: float

    @property
    def rate(self) -> float:
        return self.sent / self.took

    def line(self) -> str:
        per = 1000 / max(self.sent, 1)
        return (
            f"{self.name:<11} {self.sent} in {self.took:6.1f} s: {self.rate:5.1f}/s; CPU per request:"
            f" workers {self.server_cpu * per:5.1f} ms, client {self.client_cpu * per:4.1f} ms; answers ok {self.ok}"
        )


def send(client_id: str, signer: Signer, where: str, shared: bytes, tail: bytes, *, warm_up: bool = False) -> int:
    """One signed POST, the body sent as its two pieces; the answer's status."""
    timestamp, signature = signer.sign(tail)
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    try:
        connection.putrequest("POST", where, skip_accept_encoding=True)
        for name, value in (
            ("Content-Type", "application/json"),
            ("Content-Length", str(len(shared) + len(tail))),
            ("X-Client-Id", client_id),
            ("X-Timestamp", timestamp),
            ("X-Signature", signature),
            *([("X-Bench-Warm-Up", "1")] if warm_up else []),
        ):
            connection.putheader(name, value)
        connection.endheaders()
        connection.send(shared)
        connection.send(tail)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def run_phase(name: str, count: int, clients: int, master: int, post: Callable[[int], int], ok: int) -> Phase:
    statuses: list[int] = []
    lock, counter = threading.Lock(), iter(range(count))

    def work() -> None:
        while True:
            with lock:
                n = next(counter, None)
            if n is None:
                return
            status = post(n)
            with lock:
                statuses.append(status)

    server_before, client_before = workers_cpu(master), time.process_time()
    started = time.perf_counter()
    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    took = time.perf_counter() - started
    return Phase(
        name,
        len(statuses),
        sum(s == ok for s in statuses),
        took,
        workers_cpu(master) - server_before,
        time.process_time() - client_before,
    )


def print_profile(folder: Path, kind: str, view: str, top: int = 18) -> None:
    files = sorted(folder.glob(f"{kind}-*.prof"))
    if not files:
        return
    stats = pstats.Stats(*map(str, files))
    requests = sum(calls for (_, _, func), (calls, *_) in stats.stats.items() if func == view)  # type: ignore[attr-defined]
    rows = sorted(stats.stats.items(), key=lambda item: -item[1][2])[:top]  # type: ignore[attr-defined]
    print(f"profile of {kind} ({requests} requests profiled), own time per request:")
    per = 1000 / max(requests, 1)
    for (filename, line, func), (_, _, own, cumulative, _) in rows:
        where = f"{Path(filename).name}:{line}({func})" if line else func
        print(f"  {own * per:6.2f} ms own, {cumulative * per:6.2f} cum  {where}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", "--submissions", dest="count", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--file-mb", type=float, default=2.0)
    parser.add_argument("--redis-db", type=int, default=desk.BENCH_REDIS_DB, help="flushed at the end")
    parser.add_argument("--s3", action="store_true", help="store the files in moto's S3 server on loopback")
    parser.add_argument("--profile", action="store_true", help="run the workers under cProfile and print it")
    args = parser.parse_args()
    desk.BENCH_REDIS_DB = args.redis_db
    target = desk.prepare_database()
    import django

    django.setup()
    from django.core.management import call_command

    from motcua.demo import load_demo
    from thutuc.models import Procedure
    from tructuyen.services import create_api_client

    server = store = None
    media = Path(tempfile.mkdtemp(prefix="motcua_media_"))
    profile_dir = Path(tempfile.mkdtemp(prefix="motcua_profile_"))
    try:
        call_command("migrate", verbosity=0)
        ward, _ = load_demo()
        procedure = Procedure.objects.get(code="1.001193")
        Procedure.objects.filter(pk=procedure.pk).update(accepts_online=True)
        client, secret = create_api_client(agency=ward, name="Bench")
        files = [pdf_base64(args.file_mb, seed) for seed in range(3)]
        papers = [{"name": f"Giấy tờ {i}", "filename": f"{i}.pdf", "content_base64": f} for i, f in enumerate(files)]
        applicant = {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678"}
        data = {"procedure_code": procedure.code, "applicant": applicant, "papers": papers, "result_delivery": "desk"}
        # Built once: everything but the external id, which comes last (its piece is the only one per request).
        shared = json.dumps(data).encode()[:-1] + b', "external_id": "'
        signer = Signer(secret, shared)

        def post(where: str, prefix: str) -> Callable[[int], int]:
            warm_up = prefix == "WARM"
            return lambda n: send(client.client_id, signer, where, shared, f'{prefix}-{n}"}}'.encode(), warm_up=warm_up)

        from django.db import connections

        connections.close_all()
        store, store_env = start_object_store() if args.s3 else (None, {})
        if args.profile:
            store_env = {**store_env, "BENCH_PROFILE_DIR": str(profile_dir)}
        server = start_gunicorn(media, store_env, args.workers)
        for n in range(2 * args.workers):  # warm up every worker on both paths
            post(BASELINE_PATH, "WARM")(n)
            post(SUBMIT_PATH, "WARM")(n)
        load_before = os.getloadavg()
        baseline = run_phase("baseline", args.count, args.clients, server.pid, post(BASELINE_PATH, "BASE"), 200)
        submit = run_phase("submissions", args.count, args.clients, server.pid, post(SUBMIT_PATH, "BENCH"), 201)
        load_after = os.getloadavg()
        peaks = worker_peaks_mb(server.pid)
        where = "S3 (moto)" if args.s3 else "file system"
        print(
            f"{args.count} × 3 × {args.file_mb:g} MB base64 PDFs, {args.clients} client threads,"
            f" {args.workers} gunicorn sync workers, {target.vendor}, {where}; {os.cpu_count()} cores; load average"
            f" {load_before[0]:.1f} before, {load_after[0]:.1f} after"
        )
        print(baseline.line())
        print(submit.line())
        print(f"ratio submissions / baseline: {submit.rate / baseline.rate:.2f}")
        print("worker peak memory (VmHWM): " + ", ".join(f"{p:.0f} MB" for p in peaks))
        if args.profile:
            print_profile(profile_dir, "baseline", "signed_body")
            print_profile(profile_dir, "submit", "online_dossiers")
        rate_ok, memory_ok = submit.rate >= TARGET_RATE, max(peaks, default=0) < MAX_WORKER_MB
        answers_ok = submit.ok == submit.sent and baseline.ok == baseline.sent
        print(f"≥ {TARGET_RATE:g} submissions/s: {'met' if rate_ok else 'NOT met'} ({submit.rate:.1f}/s)")
        print(f"each worker < {MAX_WORKER_MB} MB: {'met' if memory_ok else 'NOT met'} ({max(peaks, default=0):.0f} MB)")
        ok = rate_ok and memory_ok and answers_ok
        print(("PASS" if ok else "FAIL") + ("" if answers_ok else ": some answers were not 201 / 200"))
        return 0 if ok else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if store is not None:
            os.killpg(store.pid, signal.SIGTERM)
            store.wait(timeout=30)
        shutil.rmtree(media, ignore_errors=True)
        shutil.rmtree(profile_dir, ignore_errors=True)
        desk.drop_database(target)


if __name__ == "__main__":
    sys.exit(main())
