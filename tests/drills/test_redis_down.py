"""Drill (a): Redis stopped — the cache, the sessions' old home, the rate limiter and the broker all
point at a closed port. The desk, the lookup and the survey answer; /healthz says what is down."""

from __future__ import annotations

import json
import time

import pytest

from hoso.models import Dossier
from hoso.surveys import survey_link_for
from tests.faults import CLOSED_PORT, closed_url

from .conftest import BIRTH, Browser, gunicorn, intake_form, require_services

pytestmark = [pytest.mark.drill, pytest.mark.services, pytest.mark.django_db(transaction=True)]


def test_with_redis_on_a_closed_port_the_desk_the_lookup_and_the_survey_answer(ward, tmp_path):
    redis = require_services()
    dead = closed_url(redis)
    assert f":{CLOSED_PORT}/" in dead
    everything_on_redis = dict.fromkeys(("REDIS_URL", "CACHE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"), dead)
    with gunicorn(tmp_path, **everything_on_redis, MOTCUA_LOOKUP_RATE_LIMIT="5/10m") as server:
        health = Browser(server.url).get("/healthz")
        body = json.loads(health.body)
        assert health.status == 200 and body["status"] == "degraded", health.body
        assert body["components"]["database"]["status"] == "ok"
        assert body["components"]["cache"]["status"] == "down"
        assert body["components"]["broker"]["status"] == "down"

        desk = Browser(server.url)
        desk.sign_in("canbo")  # the session is written to the database
        assert desk.get("/ho-so/quay/").status == 200
        assert desk.get(f"/ho-so/tiep-nhan/{BIRTH}/").status == 200
        started = time.monotonic()
        reply = desk.post(f"/ho-so/tiep-nhan/{BIRTH}/", intake_form())
        took = time.monotonic() - started
        assert reply.status == 302, reply.body[:3000]
        dossier = Dossier.objects.exclude(pk=ward.returned.pk).get()
        assert dossier.events.filter(action="receive").count() == 1
        assert took < 2, f"intake took {took:.1f} s with the broker away"
        assert desk.get(reply.headers["Location"]).status == 200

        citizen = Browser(server.url)
        returned = ward.returned
        assert citizen.get(f"/tra-cuu/{returned.code}/?k={returned.lookup_key}").status == 200
        survey = survey_link_for(returned).removeprefix("http://127.0.0.1:8000")
        assert citizen.get(survey).status == 200

        # The lookup limit still holds, per web process (2 here): never unlimited.
        statuses = [citizen.get(f"/tra-cuu/{returned.code}/?k={returned.lookup_key}").status for _ in range(12)]
        assert 429 in statuses and statuses.count(200) <= 2 * 5

        # Signing out is final even though Redis never heard of it.
        assert desk.post("/dang-xuat/", {}).status == 302
        assert desk.get("/ho-so/quay/").status == 302
    assert "Traceback" not in server.log.read_text(errors="replace")
