"""Fixtures of the fees tests: a procedure with a fee, the payment stand-in, a dossier owing its fee."""

from __future__ import annotations

import pytest

from tests.hoso.test_workflow import procedure, staff  # noqa: F401 — fixtures shared with the workflow's tests
from thanhtoan.simulator import PaymentStandIn

SECRET = "khoa-bi-mat-thu-nghiem"
PARTNER = "MOTCUA"


@pytest.fixture
def fee_procedure(procedure):  # noqa: F811 — the workflow tests' fixture, given a fee
    procedure.fee_counter = procedure.fee_online = procedure.fee_post = 50_000
    procedure.save(update_fields=["fee_counter", "fee_online", "fee_post"])
    return procedure


@pytest.fixture
def gateway(settings):
    """The stand-in on a free loopback port, the portal pointed at it."""
    stand_in = PaymentStandIn(partner=PARTNER, secret=SECRET)
    settings.MOTCUA_PAYMENT_URL = stand_in.start()
    settings.MOTCUA_PAYMENT_PARTNER = PARTNER
    settings.MOTCUA_PAYMENT_SECRET = SECRET
    settings.MOTCUA_PAYMENT_TIMEOUT = 5
    yield stand_in
    stand_in.stop()
