"""Certified electronic copies: register line, organisation's signature, the citizen's download, refusals."""

# ruff: noqa: F811 - the fixtures imported below are redefined as parameters
from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kyso import services as kyso_services
from kyso.models import CertificationEntry, SignedDocument
from tructuyen.certified_copies import CopyRefused, CopyRequest, certify_copy
from tructuyen.models import DossierFile

from ..kyso.pkitools import a_pdf, pdftotext, signing, test_pki  # noqa: F401 - fixtures
from .samples import PNG
from .test_results import AN_ID, download, officer, processing, ready, sign_in  # noqa: F401 - fixtures


def scan(content: bytes, name: str = "ban-chinh.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def test_a_certified_copy_is_registered_signed_and_downloaded(
    signing, client, media, ward, online_intake, desk_clerk, officer, tmp_path
):
    dossier = processing(ward, online_intake, desk_clerk, officer)
    request = CopyRequest("Bằng tốt nghiệp trung học phổ thông", "01/2026-SCT/BS", 12, fee=2000)
    entry = certify_copy(dossier_id=dossier.pk, actor=desk_clerk, scan=scan(a_pdf("Bằng tốt nghiệp")), request=request)
    assert (entry.book_number, entry.entry_number, entry.fee, entry.electronic) == ("01/2026-SCT/BS", 12, 2000, True)
    document = SignedDocument.objects.get(pk=entry.document_id)
    stored = DossierFile.objects.get(dossier=dossier, sha256=document.current_sha256)
    data = stored.file.read()
    verdict = kyso_services.verify_bytes(data)
    assert verdict.check.valid and verdict.document == document
    text = pdftotext(data, tmp_path)
    assert "Bằng tốt nghiệp" in text and "Chứng thực bản sao đúng với bản chính" in text
    assert "Số chứng thực: 12, quyển số: 01/2026-SCT/BS" in text
    ready(dossier, officer)
    sign_in(client, AN_ID)
    response = download(client, stored)
    assert response.status_code == 200 and b"".join(response.streaming_content) == data
    sign_in(client, "001090099999")
    assert download(client, stored).status_code == 404


def test_an_image_scan_becomes_a_signed_pdf(signing, media, ward, online_intake, desk_clerk, officer):
    dossier = processing(ward, online_intake, desk_clerk, officer)
    entry = certify_copy(
        dossier_id=dossier.pk,
        actor=desk_clerk,
        scan=scan(PNG, "scan.png"),
        request=CopyRequest("Giấy khai sinh", "02", 1),
    )
    assert kyso_services.verify_bytes(bytes(entry.document.pdf)).check.valid


def test_refusals_write_nothing(signing, settings, media, ward, online_intake, desk_clerk, officer):
    dossier = processing(ward, online_intake, desk_clerk, officer)
    files = DossierFile.objects.count()
    certify_copy(dossier_id=dossier.pk, actor=desk_clerk, scan=scan(a_pdf()), request=CopyRequest("Giấy A", "03", 5))
    cases = [
        (CopyRequest("Giấy B", "03", 5), a_pdf(), "Số chứng thực 5 đã có trong quyển 03."),
        (CopyRequest("", "03", 6), a_pdf(), "Hãy nhập tên giấy tờ được chứng thực."),
        (CopyRequest("Giấy C", "03", 7), b"MZ\x90\x00 not a scan", None),
    ]
    for request, content, message in cases:
        with pytest.raises(CopyRefused) as caught:
            certify_copy(dossier_id=dossier.pk, actor=desk_clerk, scan=scan(content), request=request)
        if message:
            assert str(caught.value) == message
        else:
            assert str(caught.value).startswith("Bản quét:")
    settings.MOTCUA_SIGNING_P12 = ""
    with pytest.raises(CopyRefused, match="Chưa cấu hình khóa ký số"):
        certify_copy(
            dossier_id=dossier.pk, actor=desk_clerk, scan=scan(a_pdf()), request=CopyRequest("Giấy D", "03", 8)
        )
    assert CertificationEntry.objects.count() == 1 and DossierFile.objects.count() == files + 1


def test_the_clerk_certifies_on_the_page(signing, client, media, ward, online_intake, desk_clerk, officer):
    dossier = processing(ward, online_intake, desk_clerk, officer)
    client.force_login(desk_clerk)
    url = reverse("tructuyen:certify_copy", args=[dossier.pk])
    assert client.get(url).status_code == 200
    form = {"title": "Sổ hộ khẩu", "book_number": "04", "entry_number": "9", "fee": "2000", "certified_on": ""}
    response = client.post(url, {**form, "scan": scan(a_pdf())}, follow=True)
    assert "Đã chứng thực bản sao điện tử, số 9 quyển 04" in response.text
    response = client.post(url, {**form, "scan": scan(a_pdf())})
    assert response.status_code == 400 and "Số chứng thực 9 đã có trong quyển 04." in response.text
