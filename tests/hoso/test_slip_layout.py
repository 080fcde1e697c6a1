# ruff: noqa: F811 (the fixtures of test_documents are imported by name)
"""How the slips lay out with long names, notes and addresses: read back per page with poppler."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from hoso import workflow
from hoso.documents import render_document
from tests.hoso.test_documents import (  # noqa: F401 (fixtures)
    APPLICANT,
    certification,
    flat,
    intake,
    minh,
    received,
    vn,
    ward,
)

pytestmark = pytest.mark.django_db

# 174 characters: an organisation's full registered name, as typed from its papers.
LONG_NAME = (
    "Công ty Trách nhiệm hữu hạn Thương mại Dịch vụ Xây dựng và Đầu tư Phát triển Hạ tầng Kỹ thuật "
    "Đô thị Minh Đức Xanh Chi nhánh Thành phố Hà Nội tại phường Hoàn Kiếm số 2101 mới"
)
LONG_ADDRESS = (
    "Tầng 12, Tòa nhà Văn phòng Hỗn hợp số 181 đường Nguyễn Lương Bằng, phường Đống Đa, "
    "Thành phố Hà Nội (cửa phía sau, hỏi bảo vệ tòa nhà)"
)


def page_text(path: Path, page: int) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", "-f", str(page), "-l", str(page), str(path), "-"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout


def pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in out.splitlines() if line.startswith("Pages:")))


def snapshot(path: Path) -> None:
    """PNGs of every page beside the PDF, to look at (MOTCUA_SLIP_PNG=folder keeps them)."""
    folder = os.environ.get("MOTCUA_SLIP_PNG")
    if folder:
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                os.environ.get("MOTCUA_SLIP_DPI", "60"),
                str(path),
                str(Path(folder) / path.stem),
            ],
            check=True,
        )


def test_a_174_character_name_keeps_the_receipts_signature_block_on_its_first_page(
    ward, clerk, certification, tmp_path
):
    assert len(LONG_NAME) == 174
    dossier = workflow.receive(
        agency=ward,
        actor=clerk,
        intake=intake(
            certification,
            applicant_kind="organisation",
            applicant_name=LONG_NAME,
            applicant_id_kind="tax_code",
            applicant_id_number="0101234567",
            applicant_address=LONG_ADDRESS,
        ),
        now=vn(2025, 1, 24, 9, 0),
    )
    path = tmp_path / "tiep-nhan-ten-dai.pdf"
    path.write_bytes(render_document(dossier, "tiep-nhan"))
    snapshot(path)
    assert pages(path) == 2  # two copies, one page each
    for number in (1, 2):
        text = flat(page_text(path, number))
        assert "NGƯỜI NỘP HỒ SƠ" in text and "NGƯỜI TIẾP NHẬN HỒ SƠ" in text, number
        assert "Nguyễn Văn An" in text, number  # the clerk signs on the same page
        assert "Đô thị Minh Đức Xanh" in text.split("NGƯỜI TIẾP NHẬN HỒ SƠ")[1], number  # the applicant's name too


NOTE = "Bản sao giấy đăng ký kết hôn của cha mẹ chưa chứng thực, đã hướng dẫn công dân bổ sung"


def test_the_control_slips_note_column_is_wide_enough_for_a_few_words_a_line(received, clerk, minh, tmp_path):
    workflow.assign(dossier_id=received.pk, actor=clerk, officer=minh, note=NOTE, now=vn(2025, 2, 3, 8, 0))
    path = tmp_path / "kiem-soat-ghi-chu.pdf"
    path.write_bytes(render_document(received, "kiem-soat"))
    snapshot(path)
    # Read as laid out: the note's first line holds its first four words, not one or two.
    lines = page_text(path, 1).splitlines()
    assert any("Bản sao giấy đăng" in line for line in lines), [line for line in lines if "Bản" in line]
