"""Benchmark: online submissions pushed through POST /api/v1/online-dossiers/ with three 2 MB files each.

Run (PostgreSQL):
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/bench_online_api.py``
Run (SQLite):     ``.venv/bin/python bench/bench_online_api.py --submissions 200``

It builds its own database (bench_desk.prepare_database: created, migrated, dropped at the end)
with the demo ward and an API client, serves the portal with gunicorn (2 sync workers, DEBUG off)
on 127.0.0.1 with a temporary MEDIA_ROOT, and sends ``--submissions`` signed requests (default
1,000) from ``--clients`` threads (default 4), each with three ``--file-mb`` MB PDFs (default 2)
in base64. With ``--s3`` the files go to an S3-compatible bucket instead (moto's server, started on
127.0.0.1 for the run, set through MOTCUA_S3_*). Prints submissions per second, and the peak resident
memory (VmHWM) of each gunicorn worker read from /proc at the end. PASS when at least 20 submissions/s
went through, every answer was 201, and no worker's peak went over 300 MB. Not a test.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import http.client
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
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


def pdf_base64(megabytes: float, seed: int) -> str:
    """A PDF-shaped file of the given size (random body: no compression helps), in base64."""
    size = int(megabytes * 1024 * 1024)
    body = hashlib.shake_256(str(seed).encode()).digest(size - 32)
    return base64.b64encode(b"%PDF-1.4\n" + body + b"\n%%EOF\n").decode()


def wait_for(url: str, process: subprocess.Popen, what: str) -> None:
    for _ in range(100):
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


def start_gunicorn(media: Path, extra_env: dict[str, str]) -> subprocess.Popen:
    env = {
        **os.environ,
        **extra_env,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "k" * 50,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "MEDIA_ROOT": str(media),
        "LOG_LEVEL": "WARNING",
    }
    command = [sys.executable, "-m", "gunicorn", "motcua.wsgi", "-w", "2", "-b", f"127.0.0.1:{PORT}"]
    server = subprocess.Popen(
        [*command, "--log-level", "warning", "--timeout", "120"], cwd=ROOT, env=env, start_new_session=True
    )
    wait_for(f"http://127.0.0.1:{PORT}/healthz", server, "gunicorn")
    return server


def worker_peaks_mb(master: int) -> list[float]:
    """VmHWM of the master's children (the workers), in MB."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    peaks = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peaks.append(int(line.split()[1]) / 1024)
    return peaks


def send(client_id: str, secret: str, body: bytes) -> int:
    timestamp = str(int(time.time()))
    signature = hmac.new(secret.encode(), timestamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
    headers = {
        "Content-Type": "application/json",
        "X-Client-Id": client_id,
        "X-Timestamp": timestamp,
        "X-Signature": signature,
    }
    connection = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    try:
        connection.request("POST", "/api/v1/online-dossiers/", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=1000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--file-mb", type=float, default=2.0)
    parser.add_argument("--s3", action="store_true", help="store the files in moto's S3 server on loopback")
    args = parser.parse_args()
    target = desk.prepare_database()
    import django

    django.setup()
    from django.core.management import call_command

    from motcua.demo import load_demo
    from thutuc.models import Procedure
    from tructuyen.services import create_api_client

    server = store = None
    media = Path(tempfile.mkdtemp(prefix="motcua_media_"))
    try:
        call_command("migrate", verbosity=0)
        ward, _ = load_demo()
        procedure = Procedure.objects.get(code="1.001193")
        Procedure.objects.filter(pk=procedure.pk).update(accepts_online=True)
        client, secret = create_api_client(agency=ward, name="Bench")
        files = [pdf_base64(args.file_mb, seed) for seed in range(3)]
        papers = [{"name": f"Giấy tờ {i}", "filename": f"{i}.pdf", "content_base64": f} for i, f in enumerate(files)]
        applicant = {"name": "Nguyễn Văn An", "id_number": "001090012345", "phone": "0912345678"}

        data = {"external_id": "BENCH-@", "procedure_code": procedure.code, "applicant": applicant}
        template = json.dumps({**data, "papers": papers, "result_delivery": "desk"}).encode()

        def body(n: int) -> bytes:  # built once, the id put in by a byte copy: the client stays cheap
            return template.replace(b"BENCH-@", f"BENCH-{n}".encode(), 1)

        from django.db import connections

        connections.close_all()
        store, store_env = start_object_store() if args.s3 else (None, {})
        server = start_gunicorn(media, store_env)
        send(client.client_id, secret, body(-1))  # warm up
        statuses: list[int] = []
        lock, counter = threading.Lock(), iter(range(args.submissions))

        def work() -> None:
            while True:
                with lock:
                    n = next(counter, None)
                if n is None:
                    return
                status = send(client.client_id, secret, body(n))
                with lock:
                    statuses.append(status)

        started = time.perf_counter()
        threads = [threading.Thread(target=work) for _ in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        took = time.perf_counter() - started
        rate = len(statuses) / took
        peaks = worker_peaks_mb(server.pid)
        created = sum(s == 201 for s in statuses)
        where = "S3 (moto)" if args.s3 else "file system"
        print(
            f"{len(statuses)} submissions × 3 × {args.file_mb:g} MB in {took:.1f} s: {rate:.1f}/s"
            f" ({target.vendor}, {where})"
        )
        print(f"answers 201: {created}; other: {len(statuses) - created}")
        print("worker peak memory (VmHWM): " + ", ".join(f"{p:.0f} MB" for p in peaks))
        ok = rate >= TARGET_RATE and created == len(statuses) and max(peaks, default=0) < MAX_WORKER_MB
        print(("PASS" if ok else "FAIL") + f": ≥ {TARGET_RATE:g}/s, all 201, each worker < {MAX_WORKER_MB} MB")
        return 0 if ok else 1
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        if store is not None:
            os.killpg(store.pid, signal.SIGTERM)
            store.wait(timeout=30)
        shutil.rmtree(media, ignore_errors=True)
        desk.drop_database(target)


if __name__ == "__main__":
    sys.exit(main())
