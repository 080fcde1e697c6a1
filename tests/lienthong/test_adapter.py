"""The adapter against the stand-in: login, send, "already exists" → update, session expiry, lookup, inspect."""

from __future__ import annotations

import pytest
import requests

from lienthong.adapter import NationalPortal, PortalError

RECORD = {"MaHoSo": "000.25.31.H26-250303-0001", "TrangThaiHoSo": 2}
UNIT = "000.25.31.H26"


def portal_for(stand_in, **extra):
    return NationalPortal(url=stand_in.url, user="motcua", password="bi-mat", unit=UNIT, timeout=2, **extra)


def test_send_lookup_and_inspect(stand_in):
    portal = portal_for(stand_in)
    assert portal.send_record(RECORD, updating=False) is False
    portal.send_progress([{"MaHoSo": RECORD["MaHoSo"], "TrangThai": 2}])
    assert portal.lookup(RECORD["MaHoSo"])["TrangThaiHoSo"] == 2
    assert portal.lookup("000.25.31.H26-250303-9999") is None
    held = requests.get(f"{stand_in.url}_inspect/{RECORD['MaHoSo']}", timeout=2).json()
    assert held == {
        "record": RECORD,
        "progress": [{"MaHoSo": RECORD["MaHoSo"], "TrangThai": 2}],
        "ratings": [],
        "fees": [],
    }
    assert requests.get(f"{stand_in.url}_inspect/nothing", timeout=2).status_code == 404


def test_already_exists_is_sent_again_as_an_update(stand_in):
    portal = portal_for(stand_in)
    portal.send_record(RECORD, updating=False)
    assert portal.send_record({**RECORD, "TrangThaiHoSo": 4}, updating=False) is True  # code 3 → update
    stand_in.fail_next("exists")
    assert portal.send_record({**RECORD, "TrangThaiHoSo": 9}, updating=False) is True  # code -3 → update
    assert stand_in.records[RECORD["MaHoSo"]]["TrangThaiHoSo"] == 9


def test_an_expired_session_logs_in_again_once(stand_in):
    portal = portal_for(stand_in)
    portal.send_record(RECORD, updating=False)
    stand_in.fail_next("expire")
    portal.send_record(RECORD, updating=True)
    assert portal.logins == 2 and stand_in.logins == 2


def test_wrong_credentials_5xx_and_a_dead_portal_are_errors(stand_in):
    with pytest.raises(PortalError, match="Đăng nhập"):
        NationalPortal(url=stand_in.url, user="x", password="y", unit=UNIT).login()
    portal = portal_for(stand_in)
    stand_in.fail_next("5xx")
    with pytest.raises(PortalError) as caught:
        portal.send_record(RECORD, updating=False)
    assert caught.value.transient
    stand_in.stop()
    with pytest.raises(PortalError) as caught:
        portal.send_record(RECORD, updating=True)
    assert caught.value.transient


def test_a_code_not_starting_with_the_unit_is_refused_for_good(stand_in):
    with pytest.raises(PortalError) as caught:
        portal_for(stand_in).send_record({**RECORD, "MaHoSo": "X-1"}, updating=False)
    assert not caught.value.transient and caught.value.code == 5


def test_a_slow_portal_is_a_timeout(stand_in):
    stand_in.latency_ms = 1500
    portal = NationalPortal(url=stand_in.url, user="motcua", password="bi-mat", unit=UNIT, timeout=0.5)
    with pytest.raises(PortalError, match="không trả lời kịp") as caught:
        portal.login()
    assert caught.value.transient
