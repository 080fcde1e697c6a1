"""Shared fixtures: a ward, staff of every role, another ward's clerk, service checks, report HTML."""

from __future__ import annotations

import os

import pytest
from django.core.cache import cache
from hypothesis import settings as hypothesis_settings

from motcua.constants import Role

from .devidp import devidp_server  # noqa: F401 - the development identity provider, shared by every test
from .factories import PASSWORD, AgencyFactory, UserFactory
from .objectstore import s3, s3_server  # noqa: F401 - an S3-compatible bucket (moto's server on loopback)
from .printed import FAKE_PDF

REQUIRE_SERVICES = os.environ.get("MOTCUA_REQUIRE_SERVICES") == "1"

# Property tests: random on a laptop, where a new failing example is a find; in CI the examples are
# derived from the test itself, so a red run reproduces exactly (and prints the blob to replay).
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.load_profile("ci" if os.environ.get("CI") else "default")


def need(condition: bool, reason: str) -> None:
    """Skip when a real service is missing on a laptop; fail in CI, where it must be there."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (MOTCUA_REQUIRE_SERVICES=1)")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness buys nothing in tests and costs a third of a second a user.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _eager_celery(settings):
    """Unit tests run tasks in-process; the worker tests switch this off on purpose."""
    from motcua.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


@pytest.fixture
def agency(db):
    return AgencyFactory(code="000.25.31.H26", name="Phường Hoàn Kiếm")


@pytest.fixture
def other_agency(db):
    return AgencyFactory(code="000.25.32.H26", name="Phường Cửa Nam")


def _staff(agency, role, username):
    return UserFactory(agency=agency, role=role, username=username, is_staff=role == Role.ADMIN)


@pytest.fixture
def clerk(agency):
    return _staff(agency, Role.CLERK, "clerk_a")


@pytest.fixture
def officer(agency):
    return _staff(agency, Role.OFFICER, "officer_a")


@pytest.fixture
def leader(agency):
    return _staff(agency, Role.LEADER, "leader_a")


@pytest.fixture
def ward_admin(agency):
    return _staff(agency, Role.ADMIN, "admin_a")


@pytest.fixture
def other_clerk(other_agency):
    return _staff(other_agency, Role.CLERK, "clerk_b")


@pytest.fixture
def password():
    return PASSWORD


@pytest.fixture
def real_catalogue(db, settings):
    """The 148 real procedures of data/procedures_cap_xa.csv."""
    from motcua.demo import load_procedures

    return load_procedures()


@pytest.fixture
def report_html(monkeypatch) -> list[str]:
    """Report compilations keep the HTML of their PDF and store FAKE_PDF instead of laying it out
    (tests/printed.py); the list of HTML rendered, in order."""
    rendered: list[str] = []

    def keep(document: str, **kwargs: object) -> bytes:
        rendered.append(document)
        return FAKE_PDF

    monkeypatch.setattr("baocao.exports.html_to_pdf", keep)
    return rendered
