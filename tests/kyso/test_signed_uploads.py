"""A PDF signed on the signer's PC is kept only if it validates; leader then organisation; the leader's page."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from kyso import services
from kyso.models import DocumentKind, SignerRole
from kyso.signing import ROLE_LEADER, SignerIdentity, load_signer, sign_pdf

from .pkitools import PASSWORD, a_pdf, other_p12, pdftotext, with_added_content


def issued(agency, text="Giấy chứng nhận"):
    return services.issue(agency=agency, kind=DocumentKind.RESULT, title=text, pdf=a_pdf(text), sign=False)


def signed_on_pc(data: bytes, p12: bytes, name: str = "Nguyễn Văn Lãnh") -> bytes:
    identity = SignerIdentity(name, "Chủ tịch", "Phường Thử", ROLE_LEADER)
    return sign_pdf(data, signer=load_signer(p12, PASSWORD), identity=identity, at=timezone.localtime())


def refused(document, data: bytes) -> str:
    with pytest.raises(services.UploadRefused) as caught:
        services.accept_signed_upload(document, data)
    return str(caught.value)


def test_the_leader_then_the_organisation_sign_and_both_validate(signing, agency, tmp_path):
    document = issued(agency)
    recorded = services.accept_signed_upload(
        document, signed_on_pc(bytes(document.pdf), signing.leader_p12), position="Chủ tịch", countersign_after=True
    )
    assert [(r.role, r.signer_name, r.valid, r.on_server) for r in recorded] == [
        (SignerRole.LEADER, "Nguyễn Văn Lãnh", True, False),
        (SignerRole.ORGANISATION, "Ủy ban nhân dân Phường Thử", True, True),
    ]
    data = bytes(document.pdf)
    verdict = services.verify_bytes(data)
    assert verdict.check.valid and [s.name for s in verdict.check.signers] == [
        "Nguyễn Văn Lãnh",
        "Ủy ban nhân dân Phường Thử",
    ]
    assert verdict.document == document
    text = pdftotext(data, tmp_path)
    assert "Ký bởi: Nguyễn Văn Lãnh" in text and "Chức vụ: Chủ tịch" in text


def test_a_pdf_changed_before_signing_is_refused(signing, agency):
    document = issued(agency)
    reason = refused(document, signed_on_pc(with_added_content(bytes(document.pdf)), signing.leader_p12))
    assert reason == "Văn bản đã bị thay đổi ngoài chữ ký số; không nhận tệp này."
    assert not document.signatures.exists()


def test_another_document_signed_is_refused(signing, agency):
    document, other = issued(agency), issued(agency, "Văn bản khác")
    reason = refused(document, signed_on_pc(bytes(other.pdf), signing.leader_p12))
    assert reason.startswith(f"Tệp được ký không phải văn bản mã {document.code}")


def test_a_signature_from_an_unconfigured_ca_is_refused(signing, agency):
    document = issued(agency)
    reason = refused(document, signed_on_pc(bytes(document.pdf), other_p12("Người Lạ")))
    assert reason == "Chữ ký của Người Lạ: Chứng thư số không do tổ chức chứng thực được tin cậy cấp."


def test_an_expired_certificate_is_refused(signing, agency):
    document = issued(agency)
    expired = other_p12("Cán Bộ Cũ", expired=True, authority=signing.ca)
    reason = refused(document, signed_on_pc(bytes(document.pdf), expired))
    assert reason == "Chữ ký của Cán Bộ Cũ: Chứng thư số đã hết hạn hoặc chưa có hiệu lực vào thời điểm ký."


def test_an_unsigned_upload_is_refused(signing, agency):
    document = issued(agency)
    assert refused(document, bytes(document.pdf)) == "Tệp tải lên không có chữ ký số mới trên văn bản."
    assert refused(document, b"not a pdf") == "Tệp không phải là PDF đọc được."


def test_the_leader_uploads_on_the_page_and_another_ward_gets_404(signing, agency, leader, clerk, other_agency, client):
    document = issued(agency)
    url = reverse("kyso:upload_signed", args=[document.code])
    data = signed_on_pc(bytes(document.pdf), signing.leader_p12)
    client.force_login(clerk)
    assert client.post(url, {"tep": SimpleUploadedFile("a.pdf", data)}).status_code == 403
    client.force_login(leader)
    response = client.post(url, {"tep": SimpleUploadedFile("a.pdf", data), "co-quan-ky": "on"}, follow=True)
    assert "Đã nhận văn bản đã ký số; chữ ký hợp lệ." in response.text
    assert document.signatures.count() == 2
    response = client.post(url, {"tep": SimpleUploadedFile("b.pdf", b"%PDF-1.7 rubbish")}, follow=True)
    assert "Không nhận tệp đã ký: Tệp không phải là PDF đọc được." in response.text
    outsider = type(leader).objects.create(username="leader_b", agency=other_agency, role=leader.role)
    client.force_login(outsider)
    assert client.get(reverse("kyso:document", args=[document.code])).status_code == 404
