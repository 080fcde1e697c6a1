"""The Redis cache keeps the portal serving when Redis is away (motcua.lib.cache, /healthz)."""

from __future__ import annotations

import logging
import uuid
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from hoso import surveys, workflow
from hoso.calendar_store import calendar_for, invalidate_calendars
from hoso.models import CalendarDay, Dossier
from motcua.demo import load_demo
from motcua.lib import cache as resilient
from motcua.lib.cache import ResilientRedisCache
from motcua.models import User
from tests.conftest import need
from tests.factories import PASSWORD
from tests.faults import CLOSED_PORT, hanging_server, proxy_to, with_port
from tests.hoso.test_desk_views import form_data
from thutuc.models import Procedure


def redis_url() -> str:
    url = settings.REDIS_URL
    need(bool(url), "No Redis configured (set REDIS_URL).")
    return url


def fresh(url: str, **options) -> ResilientRedisCache:
    """A cache on its own breaker (a unique key prefix does not share state; the URL does)."""
    resilient._breakers.pop(url, None)
    return ResilientRedisCache(url, {"KEY_PREFIX": f"t-{uuid.uuid4().hex[:8]}", "OPTIONS": options})


def test_on_a_closed_port_reads_miss_and_writes_are_dropped_without_an_error():
    cache = fresh(f"redis://127.0.0.1:{CLOSED_PORT}/4")
    assert cache.get("k", "absent") == "absent"
    cache.set("k", 1)
    assert cache.add("k", 1) is False
    assert cache.get_many(["a", "b"]) == {}
    assert cache.has_key("k") is False
    assert cache.delete("k") is False
    assert cache.set_many({"a": 1}) == []
    cache.delete_many(["a"])
    assert cache.get_or_set("k", lambda: 7) == 7
    with pytest.raises(ValueError, match="not found"):
        cache.incr("counter")
    assert cache.breaker.down


def test_once_open_the_breaker_spares_later_requests_the_wait_and_logs_the_outage_once(caplog):
    with hanging_server() as server:
        cache = fresh(f"redis://127.0.0.1:{server.port}/4", socket_timeout=0.2, CIRCUIT_SECONDS=60)
        with caplog.at_level(logging.WARNING, logger="motcua.lib.cache"):
            for _ in range(50):
                assert cache.get("k") is None
                cache.set("k", 1)
        # One connection timed out; the 99 operations after it never touched the network.
        assert server.accepted == 1
    warnings = [r for r in caplog.records if r.name == "motcua.lib.cache"]
    assert len(warnings) == 1 and "unreachable" in warnings[0].getMessage()


def test_a_key_deleted_during_the_outage_is_deleted_in_redis_when_it_answers_again(caplog):
    url = redis_url()
    with proxy_to(url) as proxy:
        cache = fresh(with_port(url, proxy.port), CIRCUIT_SECONDS=0)
        cache.set("lookup-view", "old page")
        proxy.down()
        cache.delete("lookup-view")  # an invalidation Redis never heard of
        assert cache.breaker.down
        proxy.up()
        with caplog.at_level(logging.INFO, logger="motcua.lib.cache"):
            # The very first read after the outage cannot see the stale value.
            assert cache.get("lookup-view") is None
        assert not cache.breaker.down
    assert any("answers again" in r.getMessage() for r in caplog.records)


def test_a_version_token_set_during_the_outage_is_dropped_so_every_process_rebuilds():
    url = redis_url()
    with proxy_to(url) as proxy:
        cache = fresh(with_port(url, proxy.port), CIRCUIT_SECONDS=0)
        cache.set("version", "v1", timeout=None)
        proxy.down()
        cache.set("version", "v2", timeout=None)  # dropped
        proxy.up()
        assert cache.get("version") is None  # not "v1": the old token would keep stale calendars


# -- the portal with Redis away ----------------------------------------------------------------------------
@pytest.fixture
def redis_away(settings):
    """The default cache and the broker on a closed port, as with Redis stopped."""
    url = f"redis://127.0.0.1:{CLOSED_PORT}/4"
    resilient._breakers.pop(url, None)
    settings.CACHES = {"default": {"BACKEND": "motcua.lib.cache.ResilientRedisCache", "LOCATION": url}}
    settings.CELERY_BROKER_URL = url
    settings.CELERY_TASK_ALWAYS_EAGER = False
    from motcua.lib import ratelimit

    ratelimit.reset_fallback()
    yield url
    ratelimit.reset_fallback()


@pytest.mark.django_db
def test_healthz_answers_200_and_names_redis_and_the_broker_as_down(redis_away):
    response = Client().get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "degraded"
    assert body["components"]["database"]["status"] == "ok"
    assert body["components"]["cache"]["status"] == "down" and body["components"]["cache"]["down_since"]
    assert body["components"]["broker"]["status"] == "down"
    assert response["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_healthz_says_ok_when_every_component_answers():
    body = Client().get("/healthz").json()
    assert body["status"] == "ok" and body["components"]["database"]["status"] == "ok"
    assert body["components"]["cache"]["status"] in ("ok", "local")
    assert body["components"]["broker"]["status"] in ("ok", "eager")


@pytest.mark.django_db
def test_with_redis_away_a_calendar_edit_is_seen_by_the_next_due_date(redis_away, agency):
    before = calendar_for(agency.pk)
    CalendarDay.objects.create(agency=agency, date=date(2026, 12, 24), kind="holiday", name="Nghỉ bù")
    invalidate_calendars()  # dropped: Redis is away
    after = calendar_for(agency.pk)
    assert after is not before
    assert before.is_working_day(date(2026, 12, 24))  # a Thursday
    assert not after.is_working_day(date(2026, 12, 24))


@pytest.mark.django_db
def test_with_redis_away_the_desk_the_lookup_and_the_survey_keep_working(redis_away, client):
    agency, _ = load_demo()
    clerk, officer = User.objects.get(username="canbo"), User.objects.get(username="congchuc")
    clerk.set_password(PASSWORD)
    clerk.save(update_fields=["password"])
    now = timezone.now()
    intake = workflow.Intake(
        procedure=Procedure.objects.get(code="1.001193"), applicant_name="Trần Thị Bình", applicant_phone="0912345678"
    )
    done = workflow.receive(agency=agency, actor=clerk, intake=intake, now=now - timedelta(hours=3))
    workflow.assign(dossier_id=done.pk, actor=clerk, officer=officer, now=now - timedelta(hours=2))
    workflow.mark_result_ready(dossier_id=done.pk, actor=officer, now=now - timedelta(hours=1))
    done = workflow.return_result(dossier_id=done.pk, actor=clerk, collector="Trần Thị Bình", now=now)

    # Sign in: the session is kept in the database.
    response = client.post(reverse("login"), {"username": "canbo", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("hoso:worklist_clerk")).status_code == 200
    assert client.get(reverse("hoso:intake", args=["1.001193"])).status_code == 200
    before = Dossier.objects.count()
    response = client.post(reverse("hoso:intake", args=["1.001193"]), form_data(Procedure.objects.get(code="1.001193")))
    assert response.status_code == 302 and Dossier.objects.count() == before + 1  # the broker is away too
    assert client.get(reverse("lookup", args=[done.code]), {"k": done.lookup_key}).status_code == 200
    survey = surveys.survey_link_for(done).removeprefix(settings.MOTCUA_PUBLIC_URL)
    assert Client().get(survey).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("hoso:worklist_clerk")).status_code == 302  # signed out for good


# -- version tokens held for one request ---------------------------------------------------------------------
def test_a_request_reads_every_version_token_once_and_sees_its_own_edits(monkeypatch):
    reads: list[list[str]] = []
    real = resilient._read_tokens
    monkeypatch.setattr(resilient, "_read_tokens", lambda keys: reads.append(keys) or real(keys))
    with resilient.versions_held():
        catalogue = resilient.version_token("thutuc:catalogue-version")
        calendars = resilient.version_token("workcalendar:version")
        assert len(reads) == 1 and {"thutuc:catalogue-version", "workcalendar:version"} <= set(reads[0])
        # Another process's edit during the request: seen from the next request on.
        from django.core.cache import cache

        cache.set("workcalendar:version", "edited-elsewhere", timeout=None)
        assert resilient.version_token("workcalendar:version") == calendars
        resilient.bump_version("thutuc:catalogue-version")  # this request's own edit: seen at once
        assert resilient.version_token("thutuc:catalogue-version") not in (catalogue, None)
        assert len(reads) == 1
    assert resilient.version_token("workcalendar:version") == "edited-elsewhere"


@pytest.mark.django_db
def test_the_intake_page_asks_the_shared_cache_for_versions_once(client, monkeypatch):
    load_demo()
    reads: list[list[str]] = []
    real = resilient._read_tokens
    monkeypatch.setattr(resilient, "_read_tokens", lambda keys: reads.append(keys) or real(keys))
    client.force_login(User.objects.get(username="canbo"))
    page = client.get(reverse("hoso:intake", args=["1.001193"]))
    assert page.status_code == 200
    assert len(reads) == 1  # the offer and the calendar (preview of the due date) both need one
