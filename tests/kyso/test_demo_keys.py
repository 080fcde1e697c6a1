"""The demo's development CA: marked as not valid for real use, kept across runs, and it signs for real."""

from __future__ import annotations

from io import StringIO

from cryptography.hazmat.primitives.serialization import pkcs12
from django.core.management import call_command

from kyso import services
from kyso.models import DocumentKind
from kyso.pki import NOT_FOR_REAL_USE
from motcua.demo import load_demo

from .pkitools import a_pdf, pdftotext


def test_the_demo_ward_signs_with_its_development_key(settings, tmp_path, db):
    agency, _ = load_demo()
    out = StringIO()
    call_command("demo_signing_keys", "--dir", str(tmp_path / "kyso"), stdout=out)
    values = dict(line.split("=", 1) for line in out.getvalue().splitlines())
    assert set(values) == {"MOTCUA_SIGNING_P12", "MOTCUA_SIGNING_P12_PASSWORD", "MOTCUA_TRUST_ROOTS"}
    again = StringIO()
    call_command("demo_signing_keys", "--dir", str(tmp_path / "kyso"), stdout=again)
    assert again.getvalue() == out.getvalue()  # the same CA and key after a restart
    p12 = (tmp_path / "kyso" / "ward.p12").read_bytes()
    _, certificate, _ = pkcs12.load_key_and_certificates(p12, values["MOTCUA_SIGNING_P12_PASSWORD"].encode())
    assert NOT_FOR_REAL_USE in certificate.subject.rfc4514_string()
    assert oct((tmp_path / "kyso" / "ward.p12").stat().st_mode & 0o777) == "0o600"
    for name, value in values.items():
        setattr(settings, name, value)
    document = services.issue(agency=agency, kind=DocumentKind.REPORT, title="Báo cáo thử", pdf=a_pdf())
    data = bytes(document.pdf)
    assert services.verify_bytes(data).check.valid
    assert f"Cơ quan: {agency.name}" in pdftotext(data, tmp_path)
