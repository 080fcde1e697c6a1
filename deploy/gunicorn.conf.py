"""Gunicorn settings of a web node (deploy/systemd/motcua-web.service loads this file).

Workers are processes (sync), two per core plus one by default; each keeps its own database
connection or pool (DB_POOL, motcua/databases.py). Every value can be set by the environment file.
"""

import multiprocessing
import os

from prometheus_client import multiprocess

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that runs longer is killed (the slowest page, a 6-month tracking book PDF, takes seconds).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 30
# Restart each worker after this many requests (plus jitter) so a slow leak never grows unbounded.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# nginx on the same host or the load balancer sets X-Forwarded-*; only these addresses are believed.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access lines as JSON with nginx's request id, next to the portal's own JSON lines.
accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s}'
)
errorlog = "-"


def child_exit(server, worker):
    """A worker that exits leaves its Prometheus files; mark them so gauges of the dead are dropped."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
