"""Acceptance (issue 10.3): every file the portal exports opens in LibreOffice with no formula cell
from user data, and the dossier export, opened and saved again by LibreOffice, imports back
unchanged.

LibreOffice (Debian's libreoffice-calc-nogui, installed by ``./test`` as root) converts each
export headless to XLSX, the CSV with formula evaluation switched on, as a double click would
open it; openpyxl then reads what LibreOffice made of every cell.
"""

from __future__ import annotations

import io
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from openpyxl import load_workbook

from hoso.models import Dossier, DossierCounter
from tests.conftest import need
from tests.factories import AgencyProcedureFactory, ProcedureFactory, load_holidays
from tests.hoso.test_dossier_import import AGENCY, export_csv
from tests.hoso.test_dossier_import_safety import figures, make_hostile, stored
from thutuc.models import Field, Procedure
from thutuc.services import export_procedures_xlsx

pytestmark = pytest.mark.django_db

# Comma, double quote, UTF-8, from line 1, …, evaluate formulas: what opening the file does.
CSV_FILTER = "CSV:44,34,76,1,,0,false,true,true,false,false,-1,true"


@pytest.fixture
def procedure(agency):
    """A procedure and a field whose names start like formulas, offered by the ward."""
    load_holidays()
    field = Field.objects.create(name="=1+2 lĩnh vực")
    p = ProcedureFactory(code="1.000001", name="@SUM(1;2) thủ tục", field=field, time_limit_value=3)
    AgencyProcedureFactory(agency=agency, procedure=p)
    return p


def soffice_to_xlsx(files: list[Path], out: Path, profile: Path, *, infilter: str | None = None) -> None:
    command = [
        "soffice",
        f"-env:UserInstallation=file://{profile}",  # its own profile: parallel runs do not collide
        "--headless",
        *([f"--infilter={infilter}"] if infilter else []),
        "--convert-to",
        "xlsx",
        "--outdir",
        str(out),
        *map(str, files),
    ]
    subprocess.run(command, check=True, capture_output=True, timeout=180)


def cells(path: Path) -> list:
    return [cell for row in load_workbook(path).active.iter_rows() for cell in row if cell.value is not None]


def test_every_export_opens_in_libreoffice_with_no_formula_and_the_dossiers_import_back(
    agency, clerk, procedure, tmp_path, client
):
    need(shutil.which("soffice") is not None, "LibreOffice (soffice) is not installed")
    original = make_hostile()
    before = figures()
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "ho-so-csv.csv").write_text(csv_text := export_csv(), encoding="utf-8")
    call_command(
        *("export_dossiers", "--agency", AGENCY, "--from", "2025-01-01", "--to", "2025-12-31"),
        *("-o", str(exports / "ho-so-xlsx.xlsx")),
        stdout=io.StringIO(),
    )
    client.force_login(clerk)
    book = client.get(reverse("hoso:tracking_book_xlsx"), {"tu_ngay": "01/03/2025", "den_ngay": "31/03/2025"})
    assert book.status_code == 200
    (exports / "so-theo-doi.xlsx").write_bytes(book.content)
    from baocao.exports import render_xlsx
    from baocao.figures import compile_figures
    from baocao.periods import calendar_half_year

    report = compile_figures(agency_ids=[agency.pk], period=calendar_half_year(2025, 1))
    (exports / "bao-cao.xlsx").write_bytes(render_xlsx(report, agency=agency))
    catalogue = export_procedures_xlsx(Procedure.objects.select_related("field").order_by("code"))
    (exports / "thu-tuc.xlsx").write_bytes(catalogue)

    converted, profile = tmp_path / "converted", tmp_path / "profile"
    soffice_to_xlsx([exports / "ho-so-csv.csv"], converted, profile, infilter=CSV_FILTER)
    soffice_to_xlsx(sorted(exports.glob("*.xlsx")), converted, profile)
    opened = {path.stem: cells(path) for path in converted.glob("*.xlsx")}
    assert set(opened) == {"ho-so-csv", "ho-so-xlsx", "so-theo-doi", "bao-cao", "thu-tuc"}

    for name, found in opened.items():
        assert [c.coordinate for c in found if c.data_type == "f"] == [], name
    texts = {name: {c.value for c in found if isinstance(c.value, str)} for name, found in opened.items()}
    # Documents for people show the text as it is; interchange files show the escape.
    assert {"=1+2", "-", "@home", '=HYPERLINK("http://x.vn","Bấm")'} <= texts["so-theo-doi"]
    assert "=1+2 lĩnh vực" in texts["bao-cao"]
    for name in ("ho-so-csv", "ho-so-xlsx"):
        assert {"'=1+2", "''=1+2", "'-", "'@home", "'''x"} <= texts[name], name
    assert {"'@SUM(1;2) thủ tục", "'=1+2 lĩnh vực"} <= texts["thu-tuc"]

    # The CSV as LibreOffice saved it in XLSX, and the XLSX it saved again, import back unchanged.
    for name in ("ho-so-csv", "ho-so-xlsx"):
        Dossier.objects.all().delete()
        DossierCounter.objects.all().delete()
        call_command("import_dossiers", str(converted / f"{name}.xlsx"), stdout=io.StringIO())
        assert stored() == original, name
        assert export_csv() == csv_text, name
        assert figures() == before, name
