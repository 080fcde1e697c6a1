"""Issuing, signing and verifying documents against the database (docs/signatures.md).

* ``issue``: a PDF becomes a ``SignedDocument`` under a fresh code; its bytes are first given an
  empty signature form (one incremental update), which is the version "as issued" whose hash is
  kept; the organisation then signs it on the server when a key is configured.
* ``accept_signed_upload``: a PDF signed on the signer's PC for a given document is kept only if
  it starts with the version we hold, only signatures were added after it, and every signature
  is intact, chains to a configured trust root and was made within the certificate's validity.
* ``verify_bytes`` / ``find_code``: what the public page and ``verify_pdf`` say.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import signers

from hoso.models import Dossier
from motcua.models import Agency

from .models import DocumentKind, Signature, SignedDocument, SignerRole, SigningKey
from .signing import SignerIdentity, SigningError, certificate_name, load_signer, sign_pdf
from .verify import NotAPdf, PdfCheck, SignerCheck, changes_since, check_pdf, open_pdf, read_roots

CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CLOCK_SKEW = timedelta(minutes=5)


class UploadRefused(Exception):
    """A signed upload that is not kept (the message is Vietnamese)."""


@dataclass
class OrganisationKey:
    signer: signers.SimpleSigner
    identity: SignerIdentity


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(12))


@cache
def _roots_from(path: str, mtime: float) -> tuple[asn1_x509.Certificate, ...]:
    return tuple(read_roots(Path(path).read_bytes()))


def trust_roots() -> list[asn1_x509.Certificate]:
    """The configured trust roots (MOTCUA_TRUST_ROOTS); none when unset or unreadable."""
    path = settings.MOTCUA_TRUST_ROOTS
    if not path or not Path(path).is_file():
        return []
    return list(_roots_from(path, Path(path).stat().st_mtime))


def signing_configured(agency: Agency) -> bool:
    """Whether the organisation signs on the server: its own key or MOTCUA_SIGNING_P12."""
    return bool(settings.MOTCUA_SIGNING_P12) or SigningKey.objects.filter(agency=agency).exists()


def organisation_key(agency: Agency) -> OrganisationKey | None:
    """The key the organisation signs with: the ward's own, else MOTCUA_SIGNING_P12; None if neither."""
    own = SigningKey.objects.filter(agency=agency).first()
    if own is not None:
        signer = load_signer(bytes(own.p12), own.password)
        return OrganisationKey(signer, SignerIdentity(own.signer_name, own.position, agency.name))
    path = settings.MOTCUA_SIGNING_P12
    if not path:
        return None
    try:
        p12 = Path(path).read_bytes()
    except OSError as exc:
        raise SigningError("Không đọc được tệp khóa ký số của cơ quan (MOTCUA_SIGNING_P12).") from exc
    signer = load_signer(p12, settings.MOTCUA_SIGNING_P12_PASSWORD)
    name = settings.MOTCUA_SIGNING_NAME or f"{agency.parent_name} – {agency.name}".strip(" –")
    return OrganisationKey(signer, SignerIdentity(name, "", agency.name or certificate_name(signer.signing_cert)))


def prepare(pdf: bytes) -> bytes:
    """``pdf`` with an empty signature form added (the version recorded as issued)."""
    writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
    if "/AcroForm" not in writer.root:
        writer.root["/AcroForm"] = generic.DictionaryObject(
            {
                generic.NameObject("/Fields"): generic.ArrayObject(),
                generic.NameObject("/SigFlags"): generic.NumberObject(3),
            }
        )
        writer.update_root()
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def _record(document: SignedDocument, found: SignerCheck, *, role: str, position: str, on_server: bool) -> Signature:
    return Signature.objects.create(
        document=document,
        role=role,
        signer_name=found.name,
        position=position,
        serial=found.serial,
        issuer=found.issuer[:500],
        signed_at=found.signed_at,
        document_sha256=document.current_sha256,
        on_server=on_server,
        valid=found.ok,
        problems="\n".join(found.problems),
        validated_at=timezone.now(),
    )


def issue(
    *,
    agency: Agency,
    kind: DocumentKind,
    title: str,
    pdf: bytes,
    dossier: Dossier | None = None,
    sign: bool = True,
    note: str = "",
    now: datetime | None = None,
) -> SignedDocument:
    """Record ``pdf`` as issued and, when ``sign`` and a key is configured, sign it as the organisation.

    Call it inside the transaction that stores the document's bytes elsewhere (the row and the
    signature are written together). SigningError when the key or the PDF cannot be used.
    """
    now = now or timezone.now()
    issued = prepare(pdf)
    document = SignedDocument(
        code=new_code(),
        agency=agency,
        kind=kind,
        title=title[:300],
        dossier=dossier,
        issued_at=now,
        issued_sha256=sha256(issued),
        issued_revisions=open_pdf(issued).xrefs.total_revisions,
        pdf=issued,
        current_sha256=sha256(issued),
    )
    key = organisation_key(agency) if sign else None
    with transaction.atomic():
        document.save()
        if key is not None:
            countersign(document, key, now=now, note=note)
    return document


def countersign(
    document: SignedDocument, key: OrganisationKey, *, now: datetime | None = None, note: str = ""
) -> Signature:
    """Sign the document's current version as the organisation and record the signature."""
    now = now or timezone.now()
    signed = sign_pdf(
        bytes(document.pdf),
        signer=key.signer,
        identity=key.identity,
        at=timezone.localtime(now),
        code=document.code,
        tsa_url=settings.MOTCUA_TSA_URL,
        note=note,
    )
    found = check_pdf(signed, trust_roots()).signers[-1]
    document.pdf, document.current_sha256 = signed, sha256(signed)
    document.save(update_fields=["pdf", "current_sha256"])
    return _record(document, found, role=SignerRole.ORGANISATION, position=key.identity.position, on_server=True)


def check_upload(document: SignedDocument, data: bytes, *, now: datetime | None = None) -> PdfCheck:
    """The checks of a PDF signed on the signer's PC for ``document``; UploadRefused with the reason."""
    now = now or timezone.now()
    try:
        found = check_pdf(data, trust_roots())
    except NotAPdf as exc:
        raise UploadRefused(str(exc)) from exc
    held = open_pdf(bytes(document.pdf)).xrefs.total_revisions
    if document.current_sha256 not in found.prefix_hashes:
        raise UploadRefused(
            f"Tệp được ký không phải văn bản mã {document.code} như cổng đã phát hành (nội dung khác hoặc đã bị sửa)."
        )
    new = [signer for signer in found.signers if signer.revision >= held]
    if not new:
        raise UploadRefused("Tệp tải lên không có chữ ký số mới trên văn bản.")
    if changes_since(data, held - 1):
        raise UploadRefused("Văn bản đã bị thay đổi ngoài chữ ký số; không nhận tệp này.")
    for signer in found.signers:
        if signer.problems:
            raise UploadRefused(f"Chữ ký của {signer.name}: {' '.join(signer.problems)}")
        signed_at = signer.signed_at
        if (
            signer.revision >= held
            and signed_at
            and not (document.issued_at - CLOCK_SKEW <= signed_at <= now + CLOCK_SKEW)
        ):
            raise UploadRefused(f"Thời điểm ký của {signer.name} nằm ngoài thời gian văn bản được phát hành.")
    return found


def accept_signed_upload(
    document: SignedDocument, data: bytes, *, position: str = "", countersign_after: bool = False
) -> list[Signature]:
    """Keep a PDF signed by the leader on their PC (check_upload first), then the organisation's signature."""
    max_bytes = settings.MOTCUA_VERIFY_MAX_BYTES
    if len(data) > max_bytes:
        raise UploadRefused(f"Tệp quá lớn (tối đa {max_bytes // (1024 * 1024)} MB).")
    with transaction.atomic():
        locked = SignedDocument.objects.select_for_update().get(pk=document.pk)
        found = check_upload(locked, data)
        held = open_pdf(bytes(locked.pdf)).xrefs.total_revisions
        locked.pdf, locked.current_sha256 = data, sha256(data)
        locked.save(update_fields=["pdf", "current_sha256"])
        recorded = [
            _record(locked, signer, role=SignerRole.LEADER, position=position, on_server=False)
            for signer in found.signers
            if signer.revision >= held
        ]
        if countersign_after:
            key = organisation_key(locked.agency)
            if key is None:
                raise UploadRefused("Chưa cấu hình khóa ký số của cơ quan.")
            recorded.append(countersign(locked, key))
    document.refresh_from_db()
    return recorded


@dataclass
class Verdict:
    """What the portal says about a PDF shown to it."""

    check: PdfCheck
    document: SignedDocument | None

    @property
    def issued_by_portal(self) -> bool:
        return self.document is not None


def verify_bytes(data: bytes) -> Verdict:
    """Check a PDF's signatures and find the document the portal issued it as (NotAPdf if unreadable)."""
    found = check_pdf(data, trust_roots())
    hashes = set(found.prefix_hashes)
    document = (
        SignedDocument.objects.filter(issued_sha256__in=hashes).select_related("agency").first() if hashes else None
    )
    return Verdict(found, document)


def find_code(code: str) -> SignedDocument | None:
    """The document with this verification code (spaces and case ignored)."""
    cleaned = "".join(code.split()).upper()
    if not cleaned or len(cleaned) > 16:
        return None
    return SignedDocument.objects.filter(code=cleaned).select_related("agency").first()
