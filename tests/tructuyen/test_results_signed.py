"""An electronic result (PDF) is signed by the organisation before it is stored; the citizen's copy verifies."""

# ruff: noqa: F811 - the fixtures imported below are redefined as parameters
from __future__ import annotations

from kyso import services as kyso_services
from kyso.models import DocumentKind, SignedDocument
from tructuyen.constants import FileKind
from tructuyen.models import DossierFile

from ..kyso.pkitools import a_pdf, pdftotext, signing, test_pki  # noqa: F401 - fixtures
from .test_results import officer, processing, ready, upload  # noqa: F401 - fixtures


def test_a_pdf_result_is_stored_signed_and_verifies(signing, media, ward, online_intake, desk_clerk, officer, tmp_path):
    dossier = ready(processing(ward, online_intake, desk_clerk, officer), officer, upload(a_pdf("Giấy khai sinh")))
    stored = DossierFile.objects.get(dossier=dossier, kind=FileKind.RESULT)
    data = stored.file.read()
    document = SignedDocument.objects.get(dossier=dossier, kind=DocumentKind.RESULT)
    assert stored.sha256 == kyso_services.sha256(data) == document.current_sha256
    verdict = kyso_services.verify_bytes(data)
    assert verdict.check.valid and verdict.document == document
    text = pdftotext(data, tmp_path)
    assert "Giấy khai sinh" in text and f"Cơ quan: {ward.name}" in text
