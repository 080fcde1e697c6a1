"""Hồ sơ của tôi for online dossiers: status, national code, what to do next, and the supplement upload."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from hoso import online, workflow
from hoso.constants import Status
from motcua.models import User
from tests.congdan.citizens import as_citizen, make_citizen
from tests.devidp import AN, NGOC
from tests.tructuyen.samples import EXE, JPEG, PDF
from tructuyen import results, services
from tructuyen.constants import FileKind, FileType
from tructuyen.models import DossierFile

pytestmark = pytest.mark.django_db


def received(ward, procedure, id_number: str, name: str):
    clerk = User.objects.get(username="canbo")
    intake = workflow.Intake(procedure=procedure, applicant_name=name, applicant_id_number=id_number)
    return workflow.receive(agency=ward, actor=clerk, intake=intake, now=timezone.now() - timedelta(days=1))


def waiting(ward, procedure, id_number: str = AN[0], name: str = AN[1]):
    dossier = received(ward, procedure, id_number, name)
    clerk, officer = User.objects.get(username="canbo"), User.objects.get(username="congchuc")
    workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer)
    workflow.request_supplement(dossier_id=dossier.pk, actor=officer, missing="Bản sao giấy chứng nhận kết hôn")
    return dossier


def files(*pairs: tuple[str, bytes]) -> dict[str, list[SimpleUploadedFile]]:
    return {"tep": [SimpleUploadedFile(name, content) for name, content in pairs]}


def test_a_dossier_waiting_for_papers_says_which_and_takes_them(client, an, ward, procedure):
    dossier = waiting(ward, procedure)
    page = client.get("/ho-so-cua-toi/").content.decode()
    assert "Cần bổ sung giấy tờ: Bản sao giấy chứng nhận kết hôn" in page
    assert "Mã trạng thái quốc gia: 5 – Yêu cầu bổ sung giấy tờ" in page
    assert f"/ho-so-cua-toi/{dossier.pk}/bo-sung/" in page
    response = client.post(f"/ho-so-cua-toi/{dossier.pk}/bo-sung/", files(("ket-hon.pdf", PDF), ("anh.jpg", JPEG)))
    assert response.status_code == 302
    rows = list(DossierFile.objects.filter(dossier=dossier).order_by("id"))
    assert [(r.kind, r.content_type) for r in rows] == [
        (FileKind.SUPPLEMENT, FileType.PDF),
        (FileKind.SUPPLEMENT, FileType.JPEG),
    ]
    assert rows[0].uploaded_by is None and len(rows[0].sha256) == 64
    dossier.refresh_from_db()
    assert dossier.status == Status.WAITING_SUPPLEMENT  # the desk records the supplement as complete
    assert "Đã gửi bổ sung: ket-hon.pdf, anh.jpg" in client.get("/ho-so-cua-toi/").content.decode()


def test_a_supplement_that_is_not_a_document_writes_nothing(client, an, ward, procedure):
    dossier = waiting(ward, procedure)
    page = client.post(f"/ho-so-cua-toi/{dossier.pk}/bo-sung/", files(("a.pdf", PDF), ("don.pdf", EXE)), follow=True)
    assert "không phải PDF, JPEG hay PNG" in page.content.decode()
    assert not DossierFile.objects.exists()
    assert not [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]


def test_only_a_dossier_waiting_for_papers_takes_a_supplement(client, an, ward, procedure):
    dossier = received(ward, procedure, *AN)
    page = client.post(f"/ho-so-cua-toi/{dossier.pk}/bo-sung/", files(("a.pdf", PDF)), follow=True)
    assert "không ở trạng thái chờ bổ sung" in page.content.decode()
    assert not DossierFile.objects.exists()


def test_nobody_uploads_to_a_dossier_not_theirs(client, an, ward, procedure):
    theirs = waiting(ward, procedure, *NGOC)
    assert client.post(f"/ho-so-cua-toi/{theirs.pk}/bo-sung/", files(("a.pdf", PDF))).status_code == 404
    assert theirs.code not in client.get("/ho-so-cua-toi/").content.decode()
    as_citizen(client, make_citizen(*NGOC))
    assert theirs.code in client.get("/ho-so-cua-toi/").content.decode()
    assert not DossierFile.objects.exists()


def test_a_ready_result_says_where_to_collect_it(client, an, ward, procedure):
    dossier = received(ward, procedure, *AN)
    clerk, officer = User.objects.get(username="canbo"), User.objects.get(username="congchuc")
    workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer)
    workflow.mark_result_ready(dossier_id=dossier.pk, actor=officer)
    page = client.get("/ho-so-cua-toi/").content.decode()
    assert f"Kết quả đã có: nhận tại {ward.desk_name} – {ward.name}" in page
    assert "Mã trạng thái quốc gia: 9 – Đã xử lý xong" in page


def test_an_anonymous_visitor_cannot_upload(client, ward, procedure):
    dossier = waiting(ward, procedure)
    response = client.post(f"/ho-so-cua-toi/{dossier.pk}/bo-sung/", files(("a.pdf", PDF)))
    assert response.status_code == 302 and "/cong-dan/dang-nhap/" in response["Location"]
    assert not DossierFile.objects.exists()


def test_an_online_dossier_refused_at_intake_shows_the_reason(client, an, ward, procedure):
    procedure.accepts_online = True
    procedure.save(update_fields=["accepts_online"])
    intake = workflow.Intake(procedure=procedure, applicant_name=AN[1], applicant_id_number=AN[0], channel=2)
    dossier = services.submit(agency=ward, intake=intake, papers=[], source="test")
    online.refuse(dossier_id=dossier.pk, actor=User.objects.get(username="canbo"), reason="Ảnh tờ khai bị mờ")
    page = client.get("/ho-so-cua-toi/").content.decode()
    assert dossier.code in page and "Hồ sơ không được tiếp nhận. Lý do: Ảnh tờ khai bị mờ" in page
    assert "Mã trạng thái quốc gia: 3 – Không được tiếp nhận" in page


def test_a_ready_electronic_result_is_offered_for_download(client, an, ward, procedure, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    dossier = received(ward, procedure, *AN)
    clerk, officer = User.objects.get(username="canbo"), User.objects.get(username="congchuc")
    workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer)
    upload = SimpleUploadedFile("giay-khai-sinh.pdf", PDF, content_type="application/pdf")
    results.result_ready(dossier_id=dossier.pk, actor=officer, upload=upload)
    result = DossierFile.objects.get(dossier=dossier, kind=FileKind.RESULT)
    page = client.get("/ho-so-cua-toi/").content.decode()
    assert f"/truc-tuyen/ket-qua/{result.pk}/" in page and "Tải về giay-khai-sinh.pdf" in page
    assert client.get(f"/truc-tuyen/ket-qua/{result.pk}/").status_code == 200
