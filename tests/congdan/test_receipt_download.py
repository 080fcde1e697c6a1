"""Form 01 to the citizen: once the desk receives their online dossier, the receipt is a PDF in "Hồ sơ của tôi"
(their own dossier only) and the acceptance message says where to download it."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.test import Client

from hoso import online, workflow
from hoso.constants import Action
from hoso.models import Dossier, DossierEvent
from hoso.notifications import render_message
from motcua.models import User
from tests.congdan.citizens import as_citizen, make_citizen
from tests.devidp import AN, NGOC
from tests.tructuyen.samples import PDF
from tructuyen import services

pytestmark = pytest.mark.django_db


def submitted(ward, procedure, id_number: str = AN[0], name: str = AN[1]) -> Dossier:
    intake = workflow.Intake(procedure=procedure, applicant_name=name, applicant_id_number=id_number)
    paper = services.Paper(name="Tờ khai", filename="to-khai.pdf", chunks=[PDF])
    return services.submit(agency=ward, intake=intake, papers=[paper], source="web")


def accepted(ward, procedure, id_number: str = AN[0], name: str = AN[1]) -> Dossier:
    dossier = submitted(ward, procedure, id_number, name)
    return online.receive(dossier_id=dossier.pk, actor=User.objects.get(username="canbo"))


def receipt_url(dossier: Dossier) -> str:
    return f"/ho-so-cua-toi/{dossier.pk}/giay-tiep-nhan.pdf"


def test_the_citizen_downloads_the_receipt_of_an_accepted_dossier(client, an, ward, procedure):
    dossier = accepted(ward, procedure)
    page = client.get("/ho-so-cua-toi/").content.decode()
    assert "Tải giấy tiếp nhận (mẫu 01, PDF)" in page and receipt_url(dossier) in page
    answer = client.get(receipt_url(dossier))
    assert answer.status_code == 200 and answer["Content-Type"] == "application/pdf"
    assert answer.content.startswith(b"%PDF")
    assert "no-store" in answer["Cache-Control"] and dossier.code in answer["Content-Disposition"]
    if shutil.which("pdftotext"):
        text = subprocess.run(
            ["pdftotext", "-layout", "-", "-"], input=answer.content, capture_output=True, check=True
        ).stdout.decode()
        assert dossier.code in text and "GIẤY TIẾP NHẬN" in text.upper()


def test_no_receipt_before_acceptance_and_none_of_another_citizen(client, an, ward, procedure):
    waiting = submitted(ward, procedure)
    assert "giay-tiep-nhan.pdf" not in client.get("/ho-so-cua-toi/").content.decode()
    assert client.get(receipt_url(waiting)).status_code == 404
    theirs = accepted(ward, procedure, *NGOC)
    assert client.get(receipt_url(theirs)).status_code == 404
    # Ngọc herself gets hers; nobody signed in is sent to the sign-in.
    ngoc = Client()
    as_citizen(ngoc, make_citizen(*NGOC))
    assert ngoc.get(receipt_url(theirs)).status_code == 200
    assert Client().get(receipt_url(theirs)).status_code == 302


def test_the_acceptance_message_says_where_the_receipt_is(ward, procedure):
    dossier = accepted(ward, procedure)
    event = DossierEvent.objects.get(dossier=dossier, action=Action.RECEIVE)
    _, sms = render_message(event, "sms")
    _, mail = render_message(event, "email")
    for body in (sms, mail):
        assert "Giấy tiếp nhận hồ sơ (mẫu 01, PDF) tải tại mục Hồ sơ của tôi" in body and "/ho-so-cua-toi/" in body


def test_a_counter_receipt_message_does_not_mention_the_account(ward, procedure):
    clerk = User.objects.get(username="canbo")
    intake = workflow.Intake(procedure=procedure, applicant_name=AN[1], applicant_id_number=AN[0])
    dossier = workflow.receive(agency=ward, actor=clerk, intake=intake)
    _, sms = render_message(DossierEvent.objects.get(dossier=dossier, action=Action.RECEIVE), "sms")
    assert "Hồ sơ của tôi" not in sms and not sms.endswith(" ")
