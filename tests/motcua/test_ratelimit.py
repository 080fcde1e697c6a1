"""The sliding-window limit of the public pages: exact in any window, shared through Redis, and
still enforced (per process) when Redis is away."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import RequestFactory

from motcua.lib import cache as resilient
from motcua.lib import ratelimit
from motcua.lib.ratelimit import Rate, check
from tests.conftest import need
from tests.faults import CLOSED_PORT

# 10:00:00 UTC is a multiple of 600 s: a fixed 10-minute window would end at 10:09:59.999.
WINDOW_START = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


@pytest.fixture(params=["local", "redis", "redis-away"])
def backend(request, settings):
    """Where the log lives: the process (no Redis), Redis, or the fallback while Redis is away."""
    if request.param == "redis":
        need(bool(settings.REDIS_URL), "No Redis configured (set REDIS_URL).")
        settings.CACHES = {
            "default": {"BACKEND": "motcua.lib.cache.ResilientRedisCache", "LOCATION": settings.REDIS_URL}
        }
    elif request.param == "redis-away":
        url = f"redis://127.0.0.1:{CLOSED_PORT}/4"
        resilient._breakers.pop(url, None)
        settings.CACHES = {"default": {"BACKEND": "motcua.lib.cache.ResilientRedisCache", "LOCATION": url}}
    else:
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()
    ratelimit.reset_fallback()
    yield request.param
    cache.clear()
    ratelimit.reset_fallback()


def hit(address: str = "203.0.113.5", rate: str = "60/10m", scope: str = "lookup"):
    return check(RequestFactory().get("/", REMOTE_ADDR=address), scope, Rate.parse(rate))


def test_a_burst_at_the_window_boundary_cannot_exceed_the_limit(backend):
    # 60 requests in the last second of a clock window, 60 more in the first second of the next:
    # the fixed window let all 120 through; a sliding window lets 60 in any 10 minutes.
    with time_machine.travel(WINDOW_START + timedelta(minutes=9, seconds=59), tick=False):
        first = [hit().allowed for _ in range(60)]
    with time_machine.travel(WINDOW_START + timedelta(minutes=10, seconds=0.5), tick=False):
        second = [hit().allowed for _ in range(60)]
    assert first == [True] * 60
    assert second == [False] * 60


def test_the_wait_is_until_the_oldest_request_leaves_the_window(backend):
    with time_machine.travel(WINDOW_START, tick=False):
        assert hit(rate="3/10m").allowed
    with time_machine.travel(WINDOW_START + timedelta(minutes=4), tick=False):
        assert hit(rate="3/10m").allowed and hit(rate="3/10m").allowed
        refused = hit(rate="3/10m")
    assert not refused.allowed and refused.retry_after == 6 * 60
    with time_machine.travel(WINDOW_START + timedelta(minutes=10, seconds=1), tick=False):
        # The first request left the window: one more gets in, the next waits for the two of 10:04.
        assert hit(rate="3/10m").allowed
        again = hit(rate="3/10m")
    assert not again.allowed and again.retry_after == 4 * 60 - 1


def test_refused_requests_do_not_count_so_a_knocking_client_gets_in_again(backend):
    with time_machine.travel(WINDOW_START, tick=False):
        assert [hit(rate="2/1m").allowed for _ in range(10)] == [True, True] + [False] * 8
    with time_machine.travel(WINDOW_START + timedelta(seconds=61), tick=False):
        assert hit(rate="2/1m").allowed


def test_each_client_and_scope_has_its_own_window(backend):
    with time_machine.travel(WINDOW_START, tick=False):
        assert hit(rate="1/1h").allowed and not hit(rate="1/1h").allowed
        assert hit(address="203.0.113.6", rate="1/1h").allowed
        assert hit(scope="survey", rate="1/1h").allowed


def test_concurrent_requests_through_redis_let_exactly_the_limit_through(settings):
    need(bool(settings.REDIS_URL), "No Redis configured (set REDIS_URL).")
    settings.CACHES = {"default": {"BACKEND": "motcua.lib.cache.ResilientRedisCache", "LOCATION": settings.REDIS_URL}}
    from django.core.cache import cache

    cache.clear()
    results: list[bool] = []
    lock = threading.Lock()

    def client() -> None:
        for _ in range(10):
            allowed = hit(address="198.51.100.1", rate="25/1h").allowed
            with lock:
                results.append(allowed)

    threads = [threading.Thread(target=client) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    cache.clear()
    assert len(results) == 80 and results.count(True) == 25


def test_redis_away_falls_back_to_a_limit_per_process_not_to_no_limit(settings):
    url = f"redis://127.0.0.1:{CLOSED_PORT}/4"
    resilient._breakers.pop(url, None)
    settings.CACHES = {"default": {"BACKEND": "motcua.lib.cache.ResilientRedisCache", "LOCATION": url}}
    ratelimit.reset_fallback()
    with time_machine.travel(WINDOW_START, tick=False):
        outcomes = [hit(rate="5/10m") for _ in range(7)]
    ratelimit.reset_fallback()
    assert [d.allowed for d in outcomes] == [True] * 5 + [False] * 2
    assert outcomes[-1].retry_after == 600


def test_check_and_read_gives_the_cached_entry_only_to_a_request_let_through(backend):
    from django.core.cache import cache

    cache.set("lookup:test-entry", {"page": "ok"}, 60)
    request = RequestFactory().get("/", REMOTE_ADDR="203.0.113.9")
    rate = Rate.parse("2/10m")
    first = ratelimit.check_and_read(request, "lookup", rate, "lookup:test-entry")
    missing = ratelimit.check_and_read(request, "lookup", rate, "lookup:no-such-entry")
    refused = ratelimit.check_and_read(request, "lookup", rate, "lookup:test-entry")
    # Redis away: the limit still holds (per process) and the entry is simply not there.
    expected = None if backend == "redis-away" else {"page": "ok"}
    assert [first[0].allowed, missing[0].allowed, refused[0].allowed] == [True, True, False]
    assert (first[1], missing[1], refused[1]) == (expected, None, None)
    assert refused[0].retry_after > 0
