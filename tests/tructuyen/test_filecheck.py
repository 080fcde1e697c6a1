"""Files are recognised by their content only (PDF, JPEG, PNG), within size limits, hashed while streamed."""

from __future__ import annotations

import base64
import hashlib

import pytest

from tructuyen.constants import FileType
from tructuyen.filecheck import FileRejected, base64_chunks, check

from .samples import EXE, JPEG, PDF, PNG

LIMIT = 1024 * 1024


def chunked(data: bytes, size: int = 7) -> list[bytes]:
    return [data[i : i + size] for i in range(0, len(data), size)]


@pytest.mark.parametrize(("data", "kind"), [(PDF, FileType.PDF), (PNG, FileType.PNG), (JPEG, FileType.JPEG)])
def test_a_pdf_a_png_and_a_jpeg_are_recognised_with_size_and_sha256(data, kind):
    checked = check(chunked(data), name="giay-to.bin", max_bytes=LIMIT)
    assert checked.content_type == kind
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()
    assert checked.content.read() == data
    checked.close()


def test_a_file_named_pdf_holding_a_png_is_a_png():
    assert check([PNG], name="to-khai.pdf", max_bytes=LIMIT).content_type == FileType.PNG


def test_a_program_renamed_pdf_is_refused():
    with pytest.raises(FileRejected, match="không phải PDF, JPEG hay PNG"):
        check([EXE], name="to-khai.pdf", max_bytes=LIMIT)


def test_a_pdf_without_its_end_marker_is_refused():
    with pytest.raises(FileRejected, match="%%EOF"):
        check([PDF.replace(b"%%EOF", b"")], name="cat-do.pdf", max_bytes=LIMIT)


def test_the_end_marker_split_across_two_chunks_is_found():
    at = PDF.index(b"%%EOF") + 2
    assert check([PDF[:at], PDF[at:]], name="a.pdf", max_bytes=LIMIT).content_type == FileType.PDF


def test_a_broken_image_is_refused():
    with pytest.raises(FileRejected, match="bị hỏng"):
        check([PNG[:40]], name="anh.png", max_bytes=LIMIT)


def test_a_png_header_on_jpeg_content_is_refused():
    with pytest.raises(FileRejected):
        check([PNG[:8] + JPEG], name="anh.png", max_bytes=LIMIT)


def test_a_file_over_the_limit_is_refused_while_streaming():
    def endless():
        yield PDF
        while True:
            yield b"\0" * 1000

    with pytest.raises(FileRejected, match=r"lớn hơn 0\.1 MB"):
        check(endless(), name="to.pdf", max_bytes=100 * 1024)


def test_an_empty_file_is_refused():
    with pytest.raises(FileRejected, match="rỗng"):
        check([], name="rong.pdf", max_bytes=LIMIT)


def test_base64_is_decoded_piece_by_piece_whitespace_ignored():
    data = PNG * 100
    text = base64.encodebytes(data).decode()  # with a newline every 76 characters
    assert b"".join(base64_chunks(text, name="a.png")) == data


def test_text_that_is_not_base64_is_refused():
    with pytest.raises(FileRejected, match="base64"):
        list(base64_chunks("không phải base64!", name="a.png"))


def test_padding_in_the_middle_of_the_text_is_refused_even_across_pieces(monkeypatch):
    monkeypatch.setattr("tructuyen.filecheck.CHUNK_CHARS", 4)
    with pytest.raises(FileRejected, match="base64"):
        list(base64_chunks("QQ==QUJD", name="a.png"))


def test_whitespace_first_met_in_a_later_piece_is_dropped_too(monkeypatch):
    monkeypatch.setattr("tructuyen.filecheck.CHUNK_CHARS", 8)
    assert b"".join(base64_chunks("QUJDQUJD\nQUJD QQ==", name="a.png")) == b"ABCABCABCA"


@pytest.mark.parametrize("junk", [10, 300_000])
def test_the_end_marker_is_found_far_from_the_end_too(junk):
    # Looked for in the last bytes first; a PDF with more after its marker is searched whole.
    data = PDF + b"\n" + b"x" * junk
    checked = check(chunked(data, 64 * 1024), name="co-phu-luc.pdf", max_bytes=LIMIT)
    assert checked.content_type == FileType.PDF
    checked.close()
