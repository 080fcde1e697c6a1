"""Fixtures of the national link's tests: the link switched on, dossiers in every state with an ID number."""

from __future__ import annotations

import functools

import pytest

from hoso import workflow
from lienthong.simulator import StandIn
from tests.hoso.test_workflow import procedure, staff  # noqa: F401 — fixtures shared with the workflow's tests

ID_NUMBER = "001090000123"


@pytest.fixture
def link_on(settings):
    settings.MOTCUA_NATIONAL_PORTAL_URL = "http://127.0.0.1:9/"  # replaced by the stand-in's address where used
    settings.MOTCUA_NATIONAL_PORTAL_USER = "motcua"
    settings.MOTCUA_NATIONAL_PORTAL_PASSWORD = "bi-mat"
    return settings


@pytest.fixture
def with_id_number(monkeypatch):
    """Every intake of the workflow's helpers carries the applicant's ID number."""
    monkeypatch.setattr(workflow, "Intake", functools.partial(workflow.Intake, applicant_id_number=ID_NUMBER))


@pytest.fixture
def stand_in(link_on):
    """The stand-in on a free loopback port, the link pointed at it."""
    portal = StandIn(user="motcua", password="bi-mat")
    link_on.MOTCUA_NATIONAL_PORTAL_URL = portal.start()
    link_on.MOTCUA_NATIONAL_PORTAL_TIMEOUT = 2
    yield portal
    portal.stop()
