"""The final report's official PDF is issued and signed by the organisation (kyso), and verifies."""

# ruff: noqa: F811 - the fixtures imported below are redefined as parameters
from __future__ import annotations

from kyso import services as kyso_services
from kyso.models import DocumentKind, SignedDocument

from ..kyso.pkitools import one_byte_changed, pdftotext, signing, test_pki  # noqa: F401 - fixtures
from .test_final_report import draft, finalize, ward  # noqa: F401 - fixtures


def test_the_final_report_pdf_is_signed_and_verifies(
    signing,
    draft,
    leader,
    django_capture_on_commit_callbacks,
    tmp_path,
):
    report = finalize(draft, leader, django_capture_on_commit_callbacks)
    data = bytes(report.final_pdf)
    document = SignedDocument.objects.get(kind=DocumentKind.REPORT, agency=report.agency)
    assert document.title == "Báo cáo số 125/BC-UBND" and bytes(document.pdf) == data
    verdict = kyso_services.verify_bytes(data)
    assert verdict.check.valid and verdict.document == document
    assert f"Mã xác thực: {document.code}" in pdftotext(data, tmp_path)
    assert not kyso_services.verify_bytes(one_byte_changed(data)).check.valid
