"""PAdES signatures made on the server with a PKCS#12 key (pyHanko), with a visible block.

``sign_pdf`` appends one signature to a PDF as an incremental update: the bytes it was given stay
the prefix of the result, so the document as issued can always be found in the signed file
(verify.py). The visible block holds the signer, the position, the organisation, the time and the
document's verification code; a leader's block sits on the right of the last page, the
organisation's on the left (docs/signatures.md). An RFC 3161 timestamp is added when a
time-stamping service is given.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.pdf_utils.text import TextBoxStyle
from pyhanko.sign import fields, signers
from pyhanko.sign.timestamps.aiohttp_client import HTTPTimeStamper
from pyhanko.stamp import TextStampStyle

FONT_FILE = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
ROLE_LEADER = "leader"
ROLE_ORGANISATION = "organisation"
# (x1, y1, x2, y2) in points from the lower left corner of the last page.
BOXES = {ROLE_LEADER: (320, 18, 575, 92), ROLE_ORGANISATION: (20, 18, 275, 92)}


class SigningError(Exception):
    """The key cannot be read or the PDF cannot be signed (the message is Vietnamese)."""


@dataclass(frozen=True)
class SignerIdentity:
    """Who signs, as printed in the visible block."""

    name: str
    position: str
    organisation: str
    role: str = ROLE_ORGANISATION


def load_signer(p12: bytes, password: str) -> signers.SimpleSigner:
    """A pyHanko signer from PKCS#12 bytes; SigningError when the file or the password is wrong."""
    try:
        signer = signers.SimpleSigner.load_pkcs12_data(p12, other_certs=(), passphrase=password.encode() or None)
    except Exception as exc:  # pyHanko raises several types for a bad file or password
        raise SigningError("Không đọc được tệp khóa ký số (PKCS#12) hoặc mật khẩu không đúng.") from exc
    if signer is None:
        raise SigningError("Không đọc được tệp khóa ký số (PKCS#12) hoặc mật khẩu không đúng.")
    return signer


def certificate_name(certificate: asn1_x509.Certificate) -> str:
    """The subject's common name (the whole subject when it has none)."""
    subject = certificate.subject.native
    return str(subject.get("common_name") or certificate.subject.human_friendly)


def stamp_lines(identity: SignerIdentity, *, at: datetime, code: str, note: str = "") -> list[str]:
    lines = [
        note,
        f"Ký bởi: {identity.name}",
        f"Chức vụ: {identity.position}" if identity.position else "",
        f"Cơ quan: {identity.organisation}",
        f"Thời gian ký: {at:%H:%M:%S} ngày {at:%d/%m/%Y}",
        f"Mã xác thực: {code}" if code else "",
    ]
    return [line for line in lines if line]


def _field_name(pdf: bytes, role: str) -> str:
    taken = {name for name, _, _ in fields.enumerate_sig_fields(PdfFileReader(BytesIO(pdf)))}
    base = "ChuKyLanhDao" if role == ROLE_LEADER else "ChuKyCoQuan"
    number = 1
    while f"{base}{number}" in taken:
        number += 1
    return f"{base}{number}"


def sign_pdf(
    pdf: bytes,
    *,
    signer: signers.SimpleSigner,
    identity: SignerIdentity,
    at: datetime,
    code: str = "",
    tsa_url: str = "",
    note: str = "",
) -> bytes:
    """``pdf`` with one more PAdES signature and its visible block (``at``: local time printed; ``note``:
    a first line, such as a copy's certification)."""
    try:
        field = _field_name(pdf, identity.role)
        text = "\n".join(stamp_lines(identity, at=at, code=code, note=note)).replace("%", "%%")
        style = TextStampStyle(
            stamp_text=text,
            text_box_style=TextBoxStyle(font=GlyphAccumulatorFactory(str(FONT_FILE), font_size=7)),
            border_width=1,
            background=None,
        )
        metadata = signers.PdfSignatureMetadata(
            field_name=field,
            subfilter=fields.SigSeedSubFilter.PADES,
            md_algorithm="sha256",
            name=identity.name,
            location=identity.organisation,
            reason="Ký ban hành văn bản điện tử",
        )
        pdf_signer = signers.PdfSigner(
            metadata,
            signer=signer,
            timestamper=HTTPTimeStamper(tsa_url) if tsa_url else None,
            stamp_style=style,
            new_field_spec=fields.SigFieldSpec(field, on_page=-1, box=BOXES[identity.role]),
        )
        writer = IncrementalPdfFileWriter(BytesIO(pdf), strict=False)
        output = pdf_signer.sign_pdf(writer)
    except SigningError:
        raise
    except Exception as exc:  # a broken PDF, an unreachable time-stamping service
        raise SigningError(f"Không ký số được văn bản: {exc}") from exc
    return output.getvalue()
