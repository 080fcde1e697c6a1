"""Verification for anyone: /xac-thuc/ (upload or code) and ``manage.py verify_pdf``."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from kyso import services
from kyso.models import DocumentKind

from .pkitools import a_pdf, one_byte_changed, with_added_content


@pytest.fixture
def signed(signing, agency):
    return services.issue(agency=agency, kind=DocumentKind.RESULT, title="Kết quả giải quyết hồ sơ HS-1", pdf=a_pdf())


def run(path, *flags) -> str:
    out = StringIO()
    call_command("verify_pdf", str(path), *flags, stdout=out)
    return out.getvalue()


def test_verify_pdf_json_says_signed_intact_and_issued(signed, tmp_path):
    path = tmp_path / "ket-qua.pdf"
    path.write_bytes(bytes(signed.pdf))
    answer = json.loads(run(path, "--json"))
    assert answer["signed"] is True and answer["valid"] is True and answer["issued_by_portal"] is True
    [signer] = answer["signers"]
    assert signer["name"] == "Ủy ban nhân dân Phường Thử" and signer["intact"] is True
    assert signer["serial"] == signed.signatures.get().serial and signer["signed_at"]
    path.write_bytes(one_byte_changed(bytes(signed.pdf)))
    answer = json.loads(run(path, "--json"))
    assert answer["valid"] is False and answer["signers"][0]["intact"] is False
    assert "Hợp lệ" not in run(path)


def test_verify_pdf_refuses_what_is_not_a_pdf(tmp_path, db):
    path = tmp_path / "x.pdf"
    path.write_bytes(b"hello")
    with pytest.raises(CommandError, match=r"Tệp không phải là PDF đọc được\."):
        run(path)


def test_the_public_page_checks_an_upload(signed, client):
    url = reverse("verify_document")
    response = client.post(url, {"tep": SimpleUploadedFile("a.pdf", bytes(signed.pdf))})
    assert response.status_code == 200
    assert "Văn bản có chữ ký số hợp lệ và không bị thay đổi sau khi ký." in response.text
    assert f"Văn bản do <strong>{signed.agency.name}</strong> phát hành" in response.text
    response = client.post(url, {"tep": SimpleUploadedFile("a.pdf", with_added_content(bytes(signed.pdf)))})
    assert "Tệp đã bị sửa đổi sau khi ký." in response.text
    response = client.post(url, {"tep": SimpleUploadedFile("b.pdf", a_pdf())})
    assert "Tệp không có chữ ký số." in response.text
    assert "Không tìm thấy văn bản này trong số văn bản do cổng Một cửa phát hành." in response.text


def test_the_public_page_finds_a_code_and_shows_nothing_personal(signed, client):
    response = client.get(reverse("verify_document"), {"ma": signed.code.lower()})
    assert response.status_code == 200
    assert "Ủy ban nhân dân Phường Thử" in response.text and "Cơ quan" in response.text
    assert "Kết quả giải quyết hồ sơ HS-1" in response.text
    assert client.get(reverse("verify_document"), {"ma": "KHONGCO"}).status_code == 404


def test_the_public_page_refuses_a_large_or_foreign_file(signed, client, settings):
    settings.MOTCUA_VERIFY_MAX_BYTES = 1024
    response = client.post(reverse("verify_document"), {"tep": SimpleUploadedFile("a.pdf", bytes(signed.pdf))})
    assert response.status_code == 400 and "Tệp quá lớn (tối đa 0 MB)." in response.text
    settings.MOTCUA_VERIFY_MAX_BYTES = 20 * 1024 * 1024
    response = client.post(reverse("verify_document"), {"tep": SimpleUploadedFile("a.pdf", b"GIF89a")})
    assert response.status_code == 400 and "Tệp không phải là PDF." in response.text
    response = client.post(reverse("verify_document"), {})
    assert response.status_code == 200 and "Hãy chọn tệp PDF hoặc nhập mã xác thực in trên văn bản." in response.text
