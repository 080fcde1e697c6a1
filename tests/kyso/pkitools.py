"""A certificate authority made in the test session (never a real key), the settings that use it, PDFs."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from io import BytesIO
from pathlib import Path

import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from weasyprint import HTML

from kyso import pki

PASSWORD = "mat-khau-thu"


@dataclass
class TestPki:
    ca: pki.Authority
    roots: Path
    p12: Path
    leader_p12: bytes


@pytest.fixture(scope="session")
def test_pki(tmp_path_factory) -> TestPki:
    folder = tmp_path_factory.mktemp("pki")
    ca = pki.make_authority("CA của bộ kiểm thử")
    roots = folder / "roots.pem"
    roots.write_bytes(ca.pem())
    p12 = folder / "org.p12"
    p12.write_bytes(
        pki.issue_p12(
            ca, common_name="Ủy ban nhân dân Phường Thử", organisation="Phường Thử", password=PASSWORD.encode()
        )
    )
    leader = pki.issue_p12(ca, common_name="Nguyễn Văn Lãnh", organisation="Phường Thử", password=PASSWORD.encode())
    return TestPki(ca, roots, p12, leader)


@pytest.fixture
def signing(settings, test_pki) -> TestPki:
    """The organisation signs on the server with the test CA's certificate, which is the one trust root."""
    settings.MOTCUA_SIGNING_P12 = str(test_pki.p12)
    settings.MOTCUA_SIGNING_P12_PASSWORD = PASSWORD
    settings.MOTCUA_SIGNING_NAME = ""
    settings.MOTCUA_TRUST_ROOTS = str(test_pki.roots)
    settings.MOTCUA_TSA_URL = ""
    return test_pki


def other_p12(common_name: str = "Người Lạ", *, expired: bool = False, authority: pki.Authority | None = None) -> bytes:
    """A certificate from another CA (or ``authority``), expired a year ago when asked."""
    start = datetime.now(UTC) - timedelta(days=800) if expired else None
    return pki.issue_p12(
        authority or pki.make_authority("CA không được cấu hình"),
        common_name=common_name,
        organisation="Nơi khác",
        password=PASSWORD.encode(),
        not_before=start,
        days=365,
    )


def a_pdf(text: str = "Văn bản thử") -> bytes:
    """A real PDF laid out by weasyprint."""
    return HTML(string=f"<html lang='vi'><body><h1>{text}</h1><p>Nội dung văn bản.</p></body></html>").write_pdf()


def pdftotext(data: bytes, tmp_path: Path) -> str:
    path = tmp_path / "van-ban.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout


def with_added_content(data: bytes) -> bytes:
    """``data`` with text drawn on its first page by an incremental update (no new signature)."""
    writer = IncrementalPdfFileWriter(BytesIO(data), strict=False)
    stream = writer.add_object(generic.StreamObject(stream_data=b"BT /F1 12 Tf 50 50 Td (Da sua) Tj ET"))
    writer.add_stream_to_page(0, stream)
    output = BytesIO()
    writer.write(output)
    return output.getvalue()


def one_byte_changed(data: bytes, needle: bytes = b"/Contents") -> bytes:
    """``data`` with one byte of its first page's drawing changed (inside the signed range)."""
    changed = bytearray(data)
    position = data.index(b"stream", data.index(needle)) + 20
    changed[position] ^= 0x01
    return bytes(changed)
