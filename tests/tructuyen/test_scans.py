"""Digitised papers (số hóa): scans attached per paper at the counter, files of an online dossier once received.

The rule (tructuyen/results.py): a dossier is digitised when at least one of its papers has a
digitised file, as the provincial system computes QĐ 766 indicator 4.2 (docs/online-dossiers.md §4).
"""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from hoso import online
from hoso.models import Dossier
from thutuc.models import Procedure
from tructuyen import services
from tructuyen.constants import FileKind
from tructuyen.models import DossierFile

from ..hoso.test_desk_views import BIRTH, form_data
from .conftest import stored_files, vn
from .samples import EXE, JPEG, PDF, PNG

pytestmark = pytest.mark.django_db


def scan(content: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def post(client, data):
    return client.post(reverse("hoso:intake", args=[BIRTH]), data)


@pytest.fixture
def birth(ward):
    procedure = Procedure.objects.get(code=BIRTH)
    return procedure, list(procedure.documents.order_by("id"))


def test_scans_per_paper_are_recorded_and_the_dossier_is_digitised(client, media, ward, desk_clerk, birth):
    procedure, (form, certificate, _) = birth
    client.force_login(desk_clerk)
    data = form_data(procedure)
    data[f"scan_{form.pk}"] = [scan(PDF, "to-khai.pdf"), scan(PNG, "to-khai-trang-2.png")]
    data[f"scan_{certificate.pk}"] = scan(JPEG, "giay-chung-sinh.jpg")
    response = post(client, data)
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.digitised
    scans = list(DossierFile.objects.filter(dossier=dossier).order_by("id"))
    assert [(s.kind, s.required_document_id, s.digitised, s.uploaded_by) for s in scans] == [
        (FileKind.SCAN, form.pk, True, desk_clerk),
        (FileKind.SCAN, form.pk, True, desk_clerk),
        (FileKind.SCAN, certificate.pk, True, desk_clerk),
    ]
    assert [s.content_type for s in scans] == ["application/pdf", "image/png", "image/jpeg"]
    assert len(stored_files(media)) == 3
    page = client.get(reverse("hoso:detail", args=[dossier.pk])).content.decode()
    assert "đã số hóa" in page and reverse("tructuyen:file", args=[scans[0].pk]) in page


def test_one_scanned_paper_is_enough_by_the_provincial_rule(client, media, ward, desk_clerk, birth):
    procedure, (form, _, _) = birth
    client.force_login(desk_clerk)
    data = form_data(procedure)
    data[f"scan_{form.pk}"] = scan(PDF, "to-khai.pdf")
    assert post(client, data).status_code == 302
    assert Dossier.objects.get().digitised


def test_without_scans_the_dossier_is_not_digitised(client, media, ward, desk_clerk, birth):
    procedure, _ = birth
    client.force_login(desk_clerk)
    assert post(client, form_data(procedure)).status_code == 302
    dossier = Dossier.objects.get()
    assert not dossier.digitised and not dossier.files.exists()


def test_a_bad_scan_refuses_the_intake_and_writes_nothing(client, media, ward, desk_clerk, birth):
    procedure, (form, certificate, _) = birth
    client.force_login(desk_clerk)
    data = form_data(procedure)
    data[f"scan_{form.pk}"] = scan(PDF, "to-khai.pdf")
    data[f"scan_{certificate.pk}"] = scan(EXE, "giay-chung-sinh.pdf")
    response = post(client, data)
    assert response.status_code == 400
    assert "không phải PDF, JPEG hay PNG" in response.content.decode()
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()
    assert stored_files(media) == []


def test_a_scan_of_a_paper_not_received_is_refused(client, media, ward, desk_clerk, birth):
    procedure, (_, _, proxy) = birth
    client.force_login(desk_clerk)
    data = form_data(procedure)
    data[f"scan_{proxy.pk}"] = scan(PDF, "uy-quyen.pdf")
    response = post(client, data)
    assert response.status_code == 400 and "chưa được đánh dấu đã nhận" in response.content.decode()
    assert not Dossier.objects.exists() and stored_files(media) == []


def test_the_same_form_sent_twice_keeps_one_set_of_scans(client, media, ward, desk_clerk, birth):
    procedure, (form, _, _) = birth
    client.force_login(desk_clerk)
    data = form_data(procedure)
    data[f"scan_{form.pk}"] = scan(PDF, "to-khai.pdf")
    assert post(client, data).status_code == 302
    data[f"scan_{form.pk}"] = scan(PDF, "to-khai.pdf")
    assert post(client, data).status_code == 302
    assert Dossier.objects.count() == 1 and DossierFile.objects.count() == 1
    assert len(stored_files(media)) == 1


def test_an_online_dossier_received_at_the_desk_counts_as_digitised(media, ward, desk_clerk, online_intake):
    paper = services.Paper(name="Tờ khai đăng ký khai sinh theo mẫu", filename="to-khai.pdf", chunks=[PDF])
    dossier = services.submit(agency=ward, intake=online_intake, papers=[paper], source="web", now=vn(2026, 12, 1, 8))
    assert not Dossier.objects.get(pk=dossier.pk).digitised  # submitted, not received yet
    received = online.receive(dossier_id=dossier.pk, actor=desk_clerk, now=vn(2026, 12, 1, 9))
    assert received.digitised and Dossier.objects.get(pk=dossier.pk).digitised
    assert DossierFile.objects.get(dossier=dossier).digitised


def test_an_online_dossier_refused_is_not_digitised(media, ward, desk_clerk, online_intake):
    paper = services.Paper(name="Tờ khai", filename="to-khai.pdf", chunks=[PDF])
    dossier = services.submit(agency=ward, intake=online_intake, papers=[paper], source="web", now=vn(2026, 12, 1, 8))
    online.refuse(dossier_id=dossier.pk, actor=desk_clerk, reason="Sai thủ tục", now=vn(2026, 12, 1, 9))
    assert not Dossier.objects.get(pk=dossier.pk).digitised
