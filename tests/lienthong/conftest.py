"""Fixtures of the national link's tests: the link switched on, dossiers in every state with an ID number."""

from __future__ import annotations

import functools

import pytest

from hoso import workflow
from lienthong.simulator import StandIn
from tests.factories import AgencyProcedureFactory, FieldFactory, ProcedureFactory, load_holidays
from tests.hoso.test_workflow import staff  # noqa: F401 — fixtures shared with the workflow's tests
from thutuc.constants import TimeUnit

ID_NUMBER = "001090000123"
FIELD_CODE = "G09-TP03"


@pytest.fixture
def procedure(agency):
    """The workflow tests' procedure, its field with a national code and its result named (what the
    record needs besides the dossier: docs/national-link.md §2)."""
    load_holidays()
    p = ProcedureFactory(
        code="1.000001",
        name="Cấp giấy xác nhận thử nghiệm",
        field=FieldFactory(name="Hộ tịch", code=FIELD_CODE),
        time_limit_value=3,
        time_limit_unit=TimeUnit.WORKING_DAYS,
        result="Giấy xác nhận",
    )
    AgencyProcedureFactory(agency=agency, procedure=p)
    return p


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
