"""Dossier export and import under hostile input: formula-like text, absurd instants, full-width
characters, broken CSV, oversized files and zip bombs (issue 10.3, 10.8, 10.9)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from hoso.models import AccessLog, Dossier, DossierCounter, DossierEvent
from motcua.lib.tabular import looks_like_formula
from tests.factories import AgencyProcedureFactory, ProcedureFactory, load_holidays
from tests.hoso.test_dossier_import import AGENCY, csv_bytes, export_csv, import_rows, rejection, row
from tests.motcua.test_tabular import zip_bomb

pytestmark = pytest.mark.django_db


@pytest.fixture
def procedure(agency):
    """As in test_dossier_import: 3 working days, offered by the ward, official holidays loaded."""
    load_holidays()
    p = ProcedureFactory(code="1.000001", name="Cấp giấy xác nhận thử nghiệm", time_limit_value=3)
    AgencyProcedureFactory(agency=agency, procedure=p)
    return p


# Text a user (or an old system) could have stored, each starting like a formula or an escape.
HOSTILE_NAMES = ["=1+2", "'=1+2", "@home", "+84 912", "-", "''x", '=HYPERLINK("http://x.vn","Bấm")', "-2+3", "'"]
HOSTILE_CODES = ["=HS+1", "'HS-2", "@HS-3", "+HS-4", "-HS-5", "''HS-6", "=cmd|'/C.calc'!A0", "-2+3", "'-"]
TEXT_COLUMNS = ("code", "applicant_name", "applicant_id_number", "applicant_phone", "applicant_address")


def hostile_rows() -> list[dict[str, str]]:
    """One dossier per hostile value, in every state the reports count (open, paused, late, returned)."""
    states = [
        {},
        {"pauses": "2025-03-03T10:00/2025-03-04T10:00", "result_ready_at": "2025-03-07T08:45"},
        {"result_ready_at": "2025-03-05T10:00", "returned_at": "2025-03-06T10:00"},
        {"pauses": "2025-03-04T10:00/"},
        {"withdrawn_at": "2025-03-04T09:00"},
        {"extensions": "2025-03-05T09:00/2025-03-12T17:00", "result_ready_at": "2025-03-10T09:00"},
        {"supplement_requests": "2", "result_ready_at": "2025-03-11T09:00"},
        {"stopped_at": "2025-03-04T15:00"},
        {"result_ready_at": "2025-03-06T08:00", "delivery": "post"},
    ]
    return [row(code=f"HS-{i}", **state) for i, state in enumerate(states, start=1)]


def make_hostile() -> list[tuple]:
    """Import plain dossiers, then store hostile text in every text column, as the database may hold."""
    import_rows(*hostile_rows())
    for number, (name, code) in enumerate(zip(HOSTILE_NAMES, HOSTILE_CODES, strict=True), start=1):
        Dossier.objects.filter(code=f"HS-{number}").update(
            code=code,
            applicant_name=name,
            applicant_id_number=name[:20],
            applicant_phone=name[:15],
            applicant_address=f"{name} phố Huế",
        )
    return stored()


def stored() -> list[tuple]:
    return list(Dossier.objects.order_by("received_at", "code").values_list(*TEXT_COLUMNS))


def empty_the_database() -> None:
    Dossier.objects.all().delete()
    DossierCounter.objects.all().delete()
    assert DossierEvent.objects.count() == 0


def figures():
    from baocao.figures import compile_figures
    from baocao.periods import calendar_half_year

    result = compile_figures(
        agency_ids=[Dossier.objects.values_list("agency_id", flat=True)[0]], period=calendar_half_year(2025, 1)
    )
    return result["rows"], result["total"], result["indicators"]


def export_xlsx(path: Path) -> Path:
    call_command(
        "export_dossiers",
        "--agency",
        AGENCY,
        "--from",
        "2025-01-01",
        "--to",
        "2025-12-31",
        "-o",
        str(path),
        stdout=io.StringIO(),
    )
    return path


def test_formula_like_text_round_trips_exactly_through_csv_and_xlsx_with_the_same_report(agency, procedure, tmp_path):
    original = make_hostile()
    before_figures = figures()
    csv_text = export_csv()
    xlsx_path = export_xlsx(tmp_path / "ho-so.xlsx")

    # Neither file holds a cell a spreadsheet could read as a formula.
    cells = [cell for record in csv.reader(io.StringIO(csv_text)) for cell in record]
    assert "'=1+2" in cells and "''=1+2" in cells and "'-" in cells and "''-" in cells
    assert not any(looks_like_formula(cell) for cell in cells)
    sheet = load_workbook(xlsx_path).active
    xlsx_cells = [cell for r in sheet.iter_rows() for cell in r if cell.value is not None]
    assert {cell.data_type for cell in xlsx_cells} == {"s"}
    assert not any(looks_like_formula(cell.value) for cell in xlsx_cells)

    csv_path = tmp_path / "ho-so.csv"
    csv_path.write_text(csv_text, encoding="utf-8")
    for path in (csv_path, xlsx_path):
        empty_the_database()
        call_command("import_dossiers", str(path), stdout=io.StringIO())
        assert stored() == original, path.name
        assert export_csv() == csv_text, path.name
        assert figures() == before_figures, path.name
        # And once more: every row is recognised as unchanged.
        out = io.StringIO()
        call_command("import_dossiers", str(path), stdout=out)
        assert "Tạo mới: 0 hồ sơ (0 sự kiện), không đổi: 9" in out.getvalue()


# -- rows refused with their number ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"received_at": "0001-01-01T00:00"}, "received_at “0001-01-01T00:00” trước năm 2000, không hợp lý"),
        ({"received_at": "0001-01-01T00:00+07:00"}, "received_at “0001-01-01T00:00+07:00” năm 1 ngoài khoảng"),
        ({"received_at": "9999-12-31T23:59"}, "received_at 23:59 31/12/9999 ở tương lai"),
        ({"received_at": "9999-12-31T23:59-05:00"}, "received_at “9999-12-31T23:59-05:00” năm 9999 ngoài khoảng"),
        ({"due_at": "9999-12-31T23:59"}, "due_at “9999-12-31T23:59” quá 5 năm sau hôm nay (sau 04/01/2031)"),
        ({"due_at": "9999-12-31T23:59-05:00"}, "due_at “9999-12-31T23:59-05:00” năm 9999 ngoài khoảng"),
        ({"due_at": "2031-01-06T09:00"}, "due_at “2031-01-06T09:00” quá 5 năm sau hôm nay"),
        ({"result_ready_at": "1999-12-31T23:59"}, "result_ready_at “1999-12-31T23:59” trước năm 2000"),
        (
            {"extensions": "2025-03-04T09:00/9999-12-31T17:00"},
            "lần gia hạn thứ 1: ngày hẹn mới (17:00 31/12/9999) quá 5 năm sau hôm nay",
        ),
        ({"pauses": "0001-01-01T00:00+07:00/"}, "lần tạm dừng thứ 1 “0001-01-01T00:00+07:00/” không đúng dạng"),
        (
            {"pauses": "1999-03-03T10:00/2025-03-04T10:00"},
            "lần tạm dừng thứ 1 “1999-03-03T10:00/2025-03-04T10:00” trước năm 2000",
        ),
        (
            {"received_at": "２０２５-03-03T09:00"},
            "cột received_at “２０２５-03-03T09:00” có chữ số hoặc ký tự toàn khổ",
        ),
        ({"code": "HS-２"}, "cột code “HS-２” có chữ số hoặc ký tự toàn khổ"),
        ({"channel": "１"}, "cột channel “１” có chữ số hoặc ký tự toàn khổ"),
        ({"applicant_id": "００１０９００１２３４５"}, "cột applicant_id “００１０９００１２３４５” có chữ số"),
        ({"applicant_phone": "０９１２３４５６７８"}, "cột applicant_phone “０９１２３４５６７８” có chữ số"),
        ({"supplement_requests": "１"}, "cột supplement_requests “１” có chữ số"),
        ({"pauses": "2025-03-03T10:00/2025-03-0４T10:00"}, "cột pauses “2025-03-03T10:00/2025-03-0４T10:00” có chữ số"),
        ({"code": "HS-\u202e1"}, "mã hồ sơ “HS-\u202e1” không hợp lệ"),
        ({"code": "HS-\x071"}, "mã hồ sơ “HS-\x071” không hợp lệ"),
        ({"applicant_name": "Nguyễn\x07 Văn An"}, "họ tên người nộp (applicant_name) có ký tự điều khiển"),
        ({"applicant_address": "Số 1\x1b"}, "địa chỉ (applicant_address) có ký tự điều khiển"),
    ],
)
def test_absurd_instants_full_width_characters_and_controls_are_refused_with_the_row(agency, procedure, values, reason):
    text = rejection(row(code="HS-1"), row(**{"code": "HS-2", **values}))
    assert text.startswith("Dòng 3: ") and reason in text, text
    assert Dossier.objects.count() == 0


def test_the_command_refuses_an_unterminated_quote_with_its_line_and_writes_nothing(agency, procedure, tmp_path):
    lines = csv_bytes(row(code="HS-1"), row(code="HS-2"), row(code="HS-3")).decode().splitlines()
    lines[2] = lines[2].replace(",Nguyễn Văn An,", ',"Nguyễn Văn An,')  # the quote never closes
    path = tmp_path / "ho-so.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        call_command("import_dossiers", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert str(caught.value).startswith('Tệp CSV hỏng ở dòng 3: dấu ngoặc kép (") mở ở dòng này không được đóng')
    assert Dossier.objects.count() == 0


# -- bounded files ---------------------------------------------------------------------------------
def limit_dossiers(settings, **values: int) -> None:
    settings.MOTCUA_IMPORT_LIMITS = {
        **settings.MOTCUA_IMPORT_LIMITS,
        "dossiers": {**settings.MOTCUA_IMPORT_LIMITS["dossiers"], **values},
    }


def test_a_file_over_the_size_limit_is_refused_by_the_command_before_reading(agency, procedure, tmp_path, settings):
    limit_dossiers(settings, max_bytes=1024 * 1024)
    path = tmp_path / "ho-so.csv"
    path.write_bytes(csv_bytes(*(row(code=f"HS-{i}") for i in range(12000))))
    with pytest.raises(CommandError) as caught:
        call_command("import_dossiers", str(path), stdout=io.StringIO())
    assert path.stat().st_size > 1024 * 1024
    assert re.fullmatch(
        r"Tệp lớn 1,\d MB, vượt giới hạn 1 MB cho tệp hồ sơ: hãy chia thành nhiều tệp nhỏ hơn\.", str(caught.value)
    )
    assert Dossier.objects.count() == 0


def test_rows_past_the_limit_are_refused_by_the_command_naming_the_limit(agency, procedure, tmp_path, settings):
    limit_dossiers(settings, max_rows=3)
    path = tmp_path / "ho-so.csv"
    path.write_bytes(csv_bytes(*(row(code=f"HS-{i}") for i in range(4))))
    with pytest.raises(CommandError, match=r"^Tệp có hơn 3 dòng dữ liệu, vượt giới hạn cho tệp hồ sơ; không dòng nào"):
        call_command("import_dossiers", str(path), stdout=io.StringIO())
    assert Dossier.objects.count() == 0


def test_a_zip_bomb_is_refused_by_the_command_and_nothing_is_written(agency, procedure, tmp_path, settings):
    limit_dossiers(settings, max_uncompressed_bytes=20 * 1024 * 1024)
    path = zip_bomb(tmp_path / "ho-so.xlsx", inflated_mb=21)
    with pytest.raises(CommandError) as caught:
        call_command("import_dossiers", str(path), stdout=io.StringIO())
    assert str(caught.value).startswith("Tệp XLSX khi giải nén lớn 21 MB, vượt giới hạn 20 MB cho tệp hồ sơ")
    assert Dossier.objects.count() == AccessLog.objects.count() == 0
