"""In Chromium: the officer attaches the result file when marking the result ready; the dossier page
lists it, and the citizen downloads it from their account (which records the return)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hoso import intake as intake_rules
from hoso import workflow
from hoso.constants import Delivery, Status
from hoso.models import Dossier
from motcua.demo import load_demo
from motcua.models import User
from thutuc.models import Procedure

from ..tructuyen.samples import PDF
from .citizen import signed_in_cookie
from .test_desk_flow import act, login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
ID_NUMBER = "001190012345"


def electronic_dossier() -> Dossier:
    agency, _ = load_demo()
    clerk, officer = User.objects.get(username="canbo"), User.objects.get(username="congchuc")
    procedure = Procedure.objects.get(code="1.001193")
    papers = [(d.pk, d.name, d.form, 1) for d in procedure.documents.filter(mandatory=True)]
    intake = workflow.Intake(
        procedure=procedure,
        applicant_name="Lê Thị Hoa",
        applicant_id_number=ID_NUMBER,
        applicant_phone="0987654321",
        delivery=Delivery.ELECTRONIC,
        documents=papers,
    )
    now = timezone.now()
    dossier = intake_rules.receive_dossier(
        agency=agency, actor=clerk, intake=intake, now=now - timedelta(minutes=30)
    ).dossier
    workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=now - timedelta(minutes=20))
    return dossier


def test_the_officer_attaches_the_result_and_the_citizen_downloads_it(live_server, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = electronic_dossier()
    base = live_server.url

    context, officer = login(browser, base, "congchuc")
    officer.goto(f"{base}/ho-so/{dossier.pk}/")
    act(officer, "Hoàn thành, có kết quả")  # without the file: refused, said why
    assert "hãy đính kèm tệp kết quả" in officer.locator(".alert").first.inner_text()
    result = tmp_path / "ket-qua-khai-sinh.pdf"
    result.write_bytes(PDF)
    panel = officer.locator("details", has=officer.locator("summary", has_text="Hoàn thành, có kết quả"))
    panel.get_by_label("Tệp kết quả (PDF, JPEG hoặc PNG)").set_input_files(str(result))
    with officer.expect_navigation():
        panel.get_by_role("button", name="Hoàn thành, có kết quả").click()
    assert "Đã có kết quả" in officer.locator("#trang-thai").inner_text()
    link = officer.locator("#tep-dinh-kem a", has_text="Kết quả giải quyết")
    assert link.count() == 1 and "kết quả" in officer.locator("#tep-dinh-kem").inner_text()
    file_url = base + (link.get_attribute("href") or "")
    assert officer.request.get(file_url).body() == PDF  # the desk's access-checked view
    context.close()

    row = Dossier.objects.get(pk=dossier.pk).files.get(kind="result")
    citizen = browser.new_context(locale="vi-VN", accept_downloads=True)
    citizen.add_cookies([signed_in_cookie(base, id_number=ID_NUMBER, full_name="Lê Thị Hoa", subject="s-hoa")])
    answer = citizen.request.get(f"{base}/truc-tuyen/ket-qua/{row.pk}/")
    assert answer.status == 200 and answer.body() == PDF
    citizen.close()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RETURNED
