"""Validation of the signatures of a PDF (pyHanko, pyhanko-certvalidator), without the database.

For each embedded signature: the covered bytes are unchanged and the CMS signature checks out
(``intact``), the certificate chains to one of the configured trust roots and was within its
validity at the signing time (``trusted``), and nothing but signatures was added after it (the
difference analysis of every later revision). A document is ``valid`` when it is signed and every
signature passes all three. ``prefix_hashes`` gives the SHA-256 of every revision's bytes, with
which the services recognise a document the portal issued (docs/signatures.md).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO

from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY, ModificationLevel, SuspiciousModification
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext

from .signing import certificate_name

EOF_MARK = re.compile(rb"%%EOF(\r\n|\r|\n)?")
ALLOWED_AFTER_SIGNING = ModificationLevel.FORM_FILLING


class NotAPdf(Exception):
    """The bytes are not a readable PDF."""


@dataclass
class SignerCheck:
    """One signature as found and checked."""

    name: str
    serial: str
    issuer: str
    signed_at: datetime | None
    intact: bool
    trusted: bool
    in_validity: bool
    unaltered_after: bool
    revision: int
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


@dataclass
class PdfCheck:
    """The whole document: its signatures and the hash of each revision's bytes."""

    signers: list[SignerCheck]
    prefix_hashes: list[str]
    revisions: int

    @property
    def signed(self) -> bool:
        return bool(self.signers)

    @property
    def valid(self) -> bool:
        return self.signed and all(signer.ok for signer in self.signers)

    @property
    def problems(self) -> list[str]:
        if not self.signed:
            return ["Tệp không có chữ ký số."]
        return [problem for signer in self.signers for problem in signer.problems]


def read_roots(pem_bytes: bytes) -> list[asn1_x509.Certificate]:
    """The certificates of a PEM file (a DER file holds one)."""
    if not pem.detect(pem_bytes):
        return [asn1_x509.Certificate.load(pem_bytes)]
    return [asn1_x509.Certificate.load(der) for _, _, der in pem.unarmor(pem_bytes, multiple=True)]


def prefix_hashes(data: bytes) -> list[str]:
    """SHA-256 of the bytes up to each end-of-file mark (each revision of an incremental file)."""
    hashes = []
    for match in EOF_MARK.finditer(data):
        hashes.append(hashlib.sha256(data[: match.start() + 5]).hexdigest())
        if match.group(1):
            hashes.append(hashlib.sha256(data[: match.end()]).hexdigest())
    return hashes


def open_pdf(data: bytes) -> PdfFileReader:
    try:
        reader = PdfFileReader(BytesIO(data), strict=False)
        reader.root  # noqa: B018 - reading the catalogue proves the file parses
    except Exception as exc:  # pyHanko's parser raises many kinds of errors on garbage
        raise NotAPdf("Tệp không phải là PDF đọc được.") from exc
    return reader


def _serial(certificate: asn1_x509.Certificate) -> str:
    return format(certificate.serial_number, "X")


def check_pdf(data: bytes, roots: list[asn1_x509.Certificate]) -> PdfCheck:
    """Every signature of ``data`` checked against ``roots`` (NotAPdf when unreadable)."""
    reader = open_pdf(data)
    checks = []
    try:
        embedded = list(reader.embedded_signatures)
    except Exception as exc:
        raise NotAPdf("Không đọc được các chữ ký trong tệp PDF.") from exc
    for signature in embedded:
        checks.append(_check_one(signature, roots))
    return PdfCheck(signers=checks, prefix_hashes=prefix_hashes(data), revisions=reader.xrefs.total_revisions)


def _check_one(signature, roots: list[asn1_x509.Certificate]) -> SignerCheck:  # type: ignore[no-untyped-def]
    certificate = signature.signer_cert
    signed_at = signature.self_reported_timestamp
    context = ValidationContext(trust_roots=roots, moment=signed_at, allow_fetching=False, revocation_mode="soft-fail")
    in_validity = signed_at is None or (certificate.not_valid_before <= signed_at <= certificate.not_valid_after)
    try:
        status = validate_pdf_signature(signature, signer_validation_context=context)
        intact, trusted = bool(status.intact and status.valid), bool(status.trusted)
        level = status.modification_level
        unaltered = level is None or (level <= ALLOWED_AFTER_SIGNING and status.docmdp_ok is not False)
        if status.timestamp_validity is not None and status.timestamp_validity.timestamp:
            signed_at = status.timestamp_validity.timestamp
    except Exception:  # a malformed signature container counts as broken
        intact = trusted = unaltered = False
    problems = []
    if not intact:
        problems.append("Nội dung được ký đã bị thay đổi hoặc chữ ký không đúng.")
    if not in_validity:
        problems.append("Chứng thư số đã hết hạn hoặc chưa có hiệu lực vào thời điểm ký.")
    elif intact and not trusted:
        problems.append("Chứng thư số không do tổ chức chứng thực được tin cậy cấp.")
    if intact and not unaltered:
        problems.append("Tệp đã bị sửa đổi sau khi ký.")
    return SignerCheck(
        name=certificate_name(certificate),
        serial=_serial(certificate),
        issuer=certificate.issuer.human_friendly,
        signed_at=signed_at,
        intact=intact,
        trusted=trusted,
        in_validity=in_validity,
        unaltered_after=unaltered,
        revision=signature.signed_revision,
        problems=problems,
    )


def changes_since(data: bytes, base_revision: int) -> bool:
    """Whether anything but signatures was added to ``data`` after revision ``base_revision``."""
    reader = open_pdf(data)
    if base_revision >= reader.xrefs.total_revisions - 1:
        return False
    try:
        result = DEFAULT_DIFF_POLICY.review_file(reader, base_revision)
    except Exception:
        return True
    if isinstance(result, SuspiciousModification):
        return True
    return result.modification_level > ALLOWED_AFTER_SIGNING


def as_json(check: PdfCheck, *, issued_by_portal: bool) -> dict[str, object]:
    """The answer of ``verify_pdf --json``."""
    return {
        "signed": check.signed,
        "valid": check.valid,
        "signers": [
            {
                "name": signer.name,
                "serial": signer.serial,
                "signed_at": signer.signed_at.isoformat() if signer.signed_at else None,
                "intact": signer.intact,
            }
            for signer in check.signers
        ],
        "issued_by_portal": issued_by_portal,
    }
