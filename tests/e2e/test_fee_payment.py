"""A citizen pays a dossier's fee on the payment stand-in's page and sees "Đã thanh toán" (docs/payments.md §4)."""

from __future__ import annotations

import pytest

from hoso import workflow
from hoso.models import Dossier
from tests.e2e.citizen import signed_in_cookie
from tests.e2e.test_accessibility import violations
from tests.factories import AgencyProcedureFactory, ProcedureFactory, load_holidays
from thanhtoan.models import FeeRequest, FeeRule, PaymentTransaction, Receipt, Timing, TxState
from thanhtoan.simulator import PaymentStandIn
from thutuc.constants import TimeUnit

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ID_NUMBER = "001085012345"
SECRET = "khoa-bi-mat-e2e"


def test_a_citizen_pays_on_the_stand_ins_page(live_server, browser, settings, agency, clerk):
    gateway = PaymentStandIn(partner="MOTCUA", secret=SECRET)
    settings.MOTCUA_PAYMENT_URL = gateway.start()
    settings.MOTCUA_PAYMENT_PARTNER, settings.MOTCUA_PAYMENT_SECRET = "MOTCUA", SECRET
    settings.MOTCUA_PUBLIC_URL = base = live_server.url
    load_holidays()
    procedure = ProcedureFactory(
        code="1.000009", name="Cấp bản sao trích lục", time_limit_value=3, time_limit_unit=TimeUnit.WORKING_DAYS
    )
    procedure.fee_counter = 40_000
    procedure.save(update_fields=["fee_counter"])
    AgencyProcedureFactory(agency=agency, procedure=procedure)
    FeeRule.objects.create(agency=agency, procedure=procedure, timing=Timing.AFTER)
    intake = workflow.Intake(procedure=procedure, applicant_name="Nguyễn Văn An", applicant_id_number=ID_NUMBER)
    dossier = workflow.receive(agency=agency, actor=clerk, intake=intake)
    try:
        context = browser.new_context(locale="vi-VN")
        context.add_cookies([signed_in_cookie(base, id_number=ID_NUMBER, full_name="Nguyễn Văn An", subject="s-an")])
        page = context.new_page()
        page.goto(f"{base}/ho-so-cua-toi/")
        assert "Chưa thanh toán" in page.locator("#ho-so-cua-toi").inner_text()
        assert violations(page) == []
        page.get_by_role("button", name="Thanh toán trực tuyến 40.000 đồng").click()
        page.wait_for_url(f"{gateway.url}pay/**")
        assert page.locator("#so-tien").inner_text() == "40.000 đồng"
        page.get_by_role("button", name="Thanh toán", exact=True).click()
        page.wait_for_url(f"{base}/thanh-toan/ket-qua/**")
        assert "Đã thanh toán 40.000 đồng" in page.locator("#ket-qua-thanh-toan").inner_text()
        assert violations(page) == []
        page.get_by_role("link", name="Về Hồ sơ của tôi").click()
        page.wait_for_url(f"{base}/ho-so-cua-toi/")
        assert "Đã thanh toán" in page.locator("#ho-so-cua-toi .phi-le-phi").inner_text()
        context.close()
    finally:
        gateway.stop()
    tx = PaymentTransaction.objects.get(request=FeeRequest.objects.get(dossier=dossier))
    assert (tx.state, tx.settled_by, tx.hash_verified) == (TxState.SUCCEEDED, "callback", True)
    assert Receipt.objects.filter(transaction=tx).count() == 1
    assert Dossier.objects.get(pk=dossier.pk).paid_online is True
