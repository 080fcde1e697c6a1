"""Work a fresh web process would otherwise do on its first requests, done once before it serves.

A new gunicorn worker (at start, or when one is recycled after ``max_requests``) builds the URL
resolver, imports every view, compiles each template it renders and loads the Vietnamese message
catalogue on its first requests: about a second of CPU, paid by the first citizens and clerks it
serves — and on a busy node, by everyone queued behind them. With ``preload_app``
(deploy/gunicorn.conf.py) the master does it once and every worker it forks inherits the result;
without it, each worker does it before it accepts a request.

Nothing here touches the database, the cache or the broker (tests/motcua/test_deployment.py runs it
with database access forbidden): a connection opened in the master would be shared by every forked
worker. A template that fails to compile is logged and left to be compiled on first use: the
warm-up must never keep a web node from starting.
"""

from __future__ import annotations

import gc
import logging
import time
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connections
from django.template import TemplateDoesNotExist, TemplateSyntaxError
from django.template.loader import get_template
from django.urls import get_resolver
from django.utils import translation

logger = logging.getLogger(__name__)


def project_templates() -> list[str]:
    """The names of the portal's own templates (the project's folder and its apps'), sorted."""
    root = Path(settings.BASE_DIR).resolve()
    folders = [Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])]
    folders += [Path(config.path) / "templates" for config in apps.get_app_configs()]
    names: set[str] = set()
    for folder in folders:
        folder = folder.resolve()
        if folder.is_dir() and folder.is_relative_to(root) and ".venv" not in folder.parts:
            names.update(path.relative_to(folder).as_posix() for path in folder.rglob("*.html"))
            names.update(path.relative_to(folder).as_posix() for path in folder.rglob("*.txt"))
    return sorted(names)


def warm() -> dict[str, float]:
    """Build the URL tables, compile the portal's templates, load the translations; returns counts
    and the seconds it took (logged too)."""
    started = time.perf_counter()
    pending, routes = [get_resolver()], 0
    while pending:  # each resolver and its namespaces' (built lazily, on their first reverse())
        resolver = pending.pop()
        routes += len(resolver.reverse_dict)  # imports the views and builds the reverse tables
        pending.extend(sub for _prefix, sub in resolver.namespace_dict.values())
    translation.activate("vi")
    translation.deactivate()
    compiled = 0
    for name in project_templates():
        try:
            get_template(name)  # kept by the cached loader of each engine
        except (TemplateDoesNotExist, TemplateSyntaxError):  # a fragment of another engine: left lazy
            continue
        except Exception:  # never stop a node from starting; the page will show the error itself
            logger.exception("Không chuẩn bị được mẫu trang %s", name)
            continue
        compiled += 1
    connections.close_all()
    seconds = time.perf_counter() - started
    logger.info(
        "Đã chuẩn bị tiến trình web: bảng đường dẫn (%d mục), %d mẫu trang, trong %.2f giây.", routes, compiled, seconds
    )
    return {"routes": routes, "templates": compiled, "seconds": seconds}


def keep_for_life() -> int:
    """Hand every object alive now to the collector's permanent generation (``gc.freeze``); returns
    how many it holds.

    A web process's modules, URL tables and compiled templates live as long as the process, yet
    each full collection walked all of them: ≈ 230,000 objects after the warm-up, 110–160 ms on this
    machine, during which the worker answers no one. Frozen, they are left out of every collection;
    only what requests create is walked. Called once the process has loaded what it keeps: after
    importing the portal (motcua/wsgi.py) and after the warm-up (deploy/gunicorn.conf.py), before
    the master forks its workers, so the children also share those memory pages instead of copying
    them when a collection would touch them. What a process started without the warm-up loads on
    its first requests (≈ 30,000 objects) is still walked: 5–30 ms per full collection.
    """
    gc.freeze()
    return gc.get_freeze_count()
