"""The share of certified electronic copies among the period's certifications, from the register."""

from __future__ import annotations

import json
import subprocess
from datetime import date
from io import StringIO

from django.core.management import call_command

from kyso.models import CertificationEntry


def register(agency, count: int, electronic: int, day: date, book: str) -> None:
    CertificationEntry.objects.bulk_create(
        CertificationEntry(
            agency=agency,
            book_number=book,
            entry_number=n + 1,
            certified_on=day,
            electronic=n < electronic,
            title="Bản sao",
        )
        for n in range(count)
    )


def test_compile_report_gives_the_share_in_json_and_in_the_pdf(agency, other_agency, tmp_path):
    register(agency, 396, 310, date(2023, 5, 4), "01/2023")
    register(agency, 7, 7, date(2024, 1, 2), "01/2024")  # another period
    register(other_agency, 5, 0, date(2023, 5, 4), "01/2023")  # another ward
    out = StringIO()
    call_command("compile_report", "--agency", agency.code, "--from", "2023-01-01", "--to", "2023-12-31", stdout=out)
    figures = json.loads(out.getvalue())
    assert figures["certified_copies"] == {"total": 396, "electronic": 310, "electronic_share": 78.28}
    pdf = tmp_path / "bao-cao.pdf"
    call_command(
        "compile_report", "--agency", agency.code, "--from", "2023-01-01", "--to", "2023-12-31", "--format", "pdf",
        "-o", str(pdf),
    )  # fmt: skip
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "Chứng thực bản sao điện tử từ bản chính: 310/396 bản sao được chứng thực" in " ".join(text.split())
    assert "78,28%" in text


def test_a_period_without_certifications_says_nothing(agency):
    out = StringIO()
    call_command("compile_report", "--agency", agency.code, "--from", "2024-01-01", "--to", "2024-03-31", stdout=out)
    assert json.loads(out.getvalue())["certified_copies"] == {"total": 0, "electronic": 0, "electronic_share": None}
