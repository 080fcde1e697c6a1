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
# Workers started together serve about as many requests each: a wide jitter keeps them from being
# replaced at the same moment, which would leave the node without a worker for that moment.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 2
# The master loads the portal and does its warm-up (motcua/warmup.py) once; a worker, at start or
# when it is replaced, is a fork of it, ready at once. New code therefore needs a restart, not a
# reload (docs/deployment.md). GUNICORN_PRELOAD=0: each worker loads and warms itself.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") != "0"
# nginx on the same host or the load balancer sets X-Forwarded-*; only these addresses are believed.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access lines as JSON with nginx's request id, next to the portal's own JSON lines.
accesslog = "-"
access_log_format = (
    '{"time": "%(t)s", "logger": "gunicorn.access", "request_id": "%({x-request-id}o)s", '
    '"method": "%(m)s", "path": "%(U)s", "status": %(s)s, "bytes": "%(B)s", "ms": %(M)s}'
)
errorlog = "-"


def when_ready(server):
    """Preloaded: the master warms the portal before it forks the workers."""
    if preload_app:
        from motcua.warmup import keep_for_life, warm

        warm()
        keep_for_life()  # before the fork: the workers share what the master loaded


def post_worker_init(worker):
    """Not preloaded: each worker warms itself before it accepts a request."""
    if not preload_app:
        from motcua.warmup import keep_for_life, warm

        warm()
        keep_for_life()


def child_exit(server, worker):
    """A worker that exits leaves its Prometheus files; mark them so gauges of the dead are dropped."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)
