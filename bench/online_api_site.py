"""WSGI entry and URL conf of bench_online_api's gunicorn (settings: online_api_settings).

The URL conf is the portal's plus ``/bench/signed-body/``: the baseline of the benchmark. It runs
the same middleware and the same authentication as ``POST /api/v1/online-dossiers/`` — the client
looked up, the timestamp window, the body read in full while its HMAC-SHA256 is computed and
compared — then answers 200 without parsing or storing anything. So the ratio of the two rates is
what parsing, checking and storing a submission costs over receiving it.

With ``BENCH_PROFILE_DIR`` set, each worker runs both paths under cProfile (CPU time, not wall-clock
time: the machine may be shared; warm-up requests, marked ``X-Bench-Warm-Up``, left out) and dumps
its statistics there every few requests (``<path kind>-<pid>.prof``); bench_online_api prints them.
"""

from __future__ import annotations

import cProfile
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "online_api_settings")
django_application = get_wsgi_application()

from django.http import HttpRequest, JsonResponse  # noqa: E402 — after the application set Django up
from django.urls import include, path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402
from django.views.decorators.http import require_POST  # noqa: E402

from tructuyen.api import Refused, signed_request  # noqa: E402

BASELINE_PATH = "/bench/signed-body/"
SUBMIT_PATH = "/api/v1/online-dossiers/"
PROFILE_DIR = os.environ.get("BENCH_PROFILE_DIR", "")
DUMP_EVERY = 10


@csrf_exempt
@require_POST
def signed_body(request: HttpRequest) -> JsonResponse:
    """The baseline: authenticate and read the signed body as the API does, then answer."""
    try:
        _, body = signed_request(request)
    except Refused as refused:
        return JsonResponse({"error": refused.reason}, status=refused.status)
    return JsonResponse({"bytes": len(body)})


urlpatterns = [path(BASELINE_PATH.strip("/") + "/", signed_body), path("", include("motcua.urls"))]

_profiles: dict[str, tuple[cProfile.Profile, list[int]]] = {}


def application(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
    where = environ.get("PATH_INFO", "")
    if not PROFILE_DIR or where not in (BASELINE_PATH, SUBMIT_PATH) or environ.get("HTTP_X_BENCH_WARM_UP"):
        return django_application(environ, start_response)
    kind = "baseline" if where == BASELINE_PATH else "submit"
    profile, count = _profiles.setdefault(kind, (cProfile.Profile(time.process_time), [0]))
    profile.enable()
    try:
        return list(django_application(environ, start_response))
    finally:
        profile.disable()
        count[0] += 1
        if count[0] % DUMP_EVERY == 0:
            profile.dump_stats(os.path.join(PROFILE_DIR, f"{kind}-{os.getpid()}.prof"))
