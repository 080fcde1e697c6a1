"""Signing on the server and verifying: intact, one byte changed, content added, untrusted, records."""

from __future__ import annotations

from django.utils import timezone

from kyso import services
from kyso.models import DocumentKind, SignerRole
from kyso.signing import SignerIdentity, load_signer, sign_pdf

from .pkitools import PASSWORD, a_pdf, one_byte_changed, other_p12, pdftotext, with_added_content


def issue(agency, **kwargs):
    return services.issue(agency=agency, kind=DocumentKind.RESULT, title="Giấy khai sinh", pdf=a_pdf(), **kwargs)


def test_a_document_signed_on_the_server_verifies_and_shows_its_block(signing, agency, tmp_path):
    document = issue(agency)
    data = bytes(document.pdf)
    verdict = services.verify_bytes(data)
    assert verdict.check.signed and verdict.check.valid and verdict.issued_by_portal
    assert verdict.document == document
    [signer] = verdict.check.signers
    assert signer.name == "Ủy ban nhân dân Phường Thử" and signer.intact and signer.trusted
    text = pdftotext(data, tmp_path)
    assert "Ký bởi:" in text and agency.name in text
    assert f"Cơ quan: {agency.name}" in text
    assert "Thời gian ký:" in text and f"ngày {timezone.localdate():%d/%m/%Y}" in text
    assert f"Mã xác thực: {document.code}" in text
    [record] = document.signatures.all()
    assert record.role == SignerRole.ORGANISATION and record.valid and record.on_server
    assert record.serial == signer.serial and "CA của bộ kiểm thử" in record.issuer
    assert record.document_sha256 == services.sha256(data) == document.current_sha256
    assert record.signed_at is not None and record.validated_at is not None


def test_one_changed_byte_makes_it_invalid(signing, agency):
    data = bytes(issue(agency).pdf)
    verdict = services.verify_bytes(one_byte_changed(data))
    assert verdict.check.signed and not verdict.check.valid
    assert not verdict.check.signers[0].intact
    assert "Nội dung được ký đã bị thay đổi hoặc chữ ký không đúng." in verdict.check.problems


def test_content_added_after_signing_is_altered(signing, agency):
    data = bytes(issue(agency).pdf)
    verdict = services.verify_bytes(with_added_content(data))
    assert verdict.check.signers[0].intact and not verdict.check.valid
    assert verdict.check.problems == ["Tệp đã bị sửa đổi sau khi ký."]
    assert verdict.issued_by_portal  # it starts with what the portal issued, but was changed since


def test_a_signature_from_an_unconfigured_root_is_not_trusted(signing, agency):
    stranger = load_signer(other_p12(), PASSWORD)
    data = sign_pdf(a_pdf(), signer=stranger, identity=SignerIdentity("Người Lạ", "", "Nơi khác"), at=timezone.now())
    verdict = services.verify_bytes(data)
    assert verdict.check.signed and not verdict.check.valid and not verdict.issued_by_portal
    assert verdict.check.problems == ["Chứng thư số không do tổ chức chứng thực được tin cậy cấp."]


def test_an_unsigned_pdf_is_not_valid(signing, db):
    verdict = services.verify_bytes(a_pdf())
    assert not verdict.check.signed and not verdict.check.valid


def test_without_a_key_the_document_is_issued_unsigned(settings, agency):
    settings.MOTCUA_SIGNING_P12 = ""
    document = issue(agency)
    assert not document.signatures.exists()
    assert services.verify_bytes(bytes(document.pdf)).issued_by_portal
