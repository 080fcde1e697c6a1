"""motcua.lib.tabular: the formula escape and its reversal, the limits every import obeys, broken CSV."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from motcua.lib.tabular import (
    FORMULA_TRIGGERS,
    Limits,
    TabularError,
    append_row,
    escape_text,
    looks_like_formula,
    read_rows,
    unescape_text,
    write_only_row,
)

LIMITS = Limits(label="thử nghiệm", max_bytes=1024 * 1024, max_uncompressed_bytes=10 * 1024 * 1024, max_rows=100)
# (XML turns a lone carriage return into a line feed, so "\r=1" is left to the CSV tests.)
HOSTILE = ["=1+2", "+84 912 345 678", "-", "-2+3", "@home", "\t=1", "\n=1", "  =1+2", "'", "'=1+2", "''x", "#N/A"]


# -- the escape ------------------------------------------------------------------------------------
@given(st.text())
def test_the_escape_is_reversed_exactly_and_never_starts_like_a_formula(text):
    escaped = escape_text(text)
    assert unescape_text(escaped) == text
    assert not looks_like_formula(escaped)


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("=1+2", "'=1+2"),
        ("-", "'-"),
        ("+84", "'+84"),
        ("@home", "'@home"),
        ("\t=1", "'\t=1"),
        (" =1", "' =1"),
        ("'x", "''x"),
        ("Nguyễn Văn An", "Nguyễn Văn An"),
        ("H'Hen", "H'Hen"),
        ("2025-03-03T09:00:00+07:00", "2025-03-03T09:00:00+07:00"),
        ("", ""),
    ],
)
def test_only_text_that_starts_like_a_formula_or_with_an_apostrophe_gets_one(text, escaped):
    assert escape_text(text) == escaped


def test_every_trigger_the_issue_names_is_covered():
    assert set("=+-@\t\r") <= set(FORMULA_TRIGGERS)


def test_xlsx_text_cells_are_never_formulas_or_error_values(tmp_path):
    workbook = Workbook()
    append_row(workbook.active, [*HOSTILE, 7, "bell\x07"])
    streamed = Workbook(write_only=True)
    sheet = streamed.create_sheet("x")
    sheet.append(write_only_row(sheet, [*HOSTILE, 7, "bell\x07"]))
    for book, name in ((workbook, "a.xlsx"), (streamed, "b.xlsx")):
        book.save(tmp_path / name)
        cells = next(load_workbook(tmp_path / name).active.iter_rows())
        assert [c.value for c in cells[: len(HOSTILE)]] == HOSTILE
        assert {c.data_type for c in cells[: len(HOSTILE)]} == {"s"}
        assert cells[0].quotePrefix  # Excel keeps an edited "=1+2" as text too
        assert (cells[-2].value, cells[-2].data_type) == (7, "n")  # numbers stay numbers
        assert cells[-1].value == "bell\ufffd"  # a control character XLSX cannot hold does not break the export


def test_reading_removes_one_leading_apostrophe_from_every_cell_of_csv_and_xlsx():
    csv_data = b"code,name\n'=1+2,'''x\n"
    assert read_rows(csv_data, "a.csv", required=("code",), limits=LIMITS)[1][0].values == {
        "code": "=1+2",
        "name": "''x",
    }
    workbook = Workbook()
    workbook.active.append(["code", "name"])
    append_row(workbook.active, ["'=1+2", "'''x"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert read_rows(buffer.getvalue(), "a.xlsx", required=("code",), limits=LIMITS)[1][0].values == {
        "code": "=1+2",
        "name": "''x",
    }


# -- broken CSV ------------------------------------------------------------------------------------
def test_an_unterminated_quote_is_refused_naming_the_line_where_it_opens():
    data = 'code,name\nHS-1,An\nHS-2,"Bình\nHS-3,Cường\n'.encode()
    with pytest.raises(TabularError) as caught:
        read_rows(data, "a.csv", required=("code",), limits=LIMITS)
    assert str(caught.value).startswith('Tệp CSV hỏng ở dòng 3: dấu ngoặc kép (") mở ở dòng này không được đóng')


def test_a_stray_character_after_a_closing_quote_is_refused_with_its_line():
    data = 'code,name\nHS-1,An\nHS-2,"Bình"x\n'.encode()
    with pytest.raises(TabularError, match="Tệp CSV hỏng ở dòng 3: sau dấu ngoặc kép đóng"):
        read_rows(data, "a.csv", required=("code",), limits=LIMITS)


def test_a_quoted_cell_over_several_lines_keeps_the_line_numbers_of_the_file():
    data = 'code,name\nHS-1,"An\nBình"\nHS-2,Cường\n'.encode()
    rows = read_rows(data, "a.csv", required=("code",), limits=LIMITS)[1]
    assert [(r.line, r.values["code"]) for r in rows] == [(2, "HS-1"), (4, "HS-2")]


def test_a_cell_longer_than_the_limit_is_refused_with_its_line():
    limits = Limits(label="thử nghiệm", max_bytes=10**6, max_uncompressed_bytes=10**7, max_rows=100, max_cell_chars=50)
    data = ("code,name\nHS-1,An\nHS-2," + "x" * 51 + "\n").encode()
    with pytest.raises(TabularError, match=r"^Dòng 3: có ô dài quá 50 ký tự"):
        read_rows(data, "a.csv", required=("code",), limits=limits)
    workbook = Workbook()
    for values in (["code", "name"], ["HS-1", "An"], ["HS-2", "x" * 51]):
        workbook.active.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(TabularError, match=r"^Dòng 3: có ô dài quá 50 ký tự"):
        read_rows(buffer.getvalue(), "a.xlsx", required=("code",), limits=limits)


# -- limits ----------------------------------------------------------------------------------------
def test_a_file_over_the_size_limit_is_refused_before_reading():
    data = b"code\n" + b"HS-1\n" * 300_000  # 1.5 MB
    with pytest.raises(TabularError) as caught:
        read_rows(data, "a.csv", required=("code",), limits=LIMITS)
    assert str(caught.value) == (
        "Tệp lớn 1,4 MB, vượt giới hạn 1 MB cho tệp thử nghiệm: hãy chia thành nhiều tệp nhỏ hơn."
    )


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_reading_stops_past_the_row_limit(suffix):
    rows = [["code"], *([f"HS-{i}"] for i in range(101))]
    if suffix == "csv":
        data = "\n".join(r[0] for r in rows).encode()
    else:
        workbook = Workbook()
        for r in rows:
            workbook.active.append(r)
        buffer = io.BytesIO()
        workbook.save(buffer)
        data = buffer.getvalue()
    with pytest.raises(TabularError) as caught:
        read_rows(data, f"a.{suffix}", required=("code",), limits=LIMITS)
    assert str(caught.value) == (
        "Tệp có hơn 100 dòng dữ liệu, vượt giới hạn cho tệp thử nghiệm; không dòng nào được nhập. "
        "Hãy chia thành nhiều tệp nhỏ hơn."
    )


def zip_bomb(path: Path, *, inflated_mb: int) -> Path:
    """A valid XLSX whose sheet repeats one row for ``inflated_mb`` MB: large inflated, tiny on disk.

    The sheet XML is streamed into the zip from one repeated chunk, so building it is quick and
    the file holds a few hundred kilobytes.
    """
    base = Workbook()
    base.active.append(["code", "name"])
    buffer = io.BytesIO()
    base.save(buffer)
    row = '<row><c t="inlineStr"><is><t>=1+2</t></is></c><c t="inlineStr"><is><t>x</t></is></c></row>'
    chunk = (row * (1024 * 1024 // len(row))).encode()
    with (
        zipfile.ZipFile(buffer) as source,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out,
    ):
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename != "xl/worksheets/sheet1.xml":
                out.writestr(item, data)
                continue
            head, _, rest = data.decode().partition("<sheetData>")
            tail = rest.rpartition("</sheetData>")[2]
            with out.open(item.filename, "w", force_zip64=True) as sheet:
                sheet.write((head + "<sheetData>").encode())
                for _ in range(inflated_mb):
                    sheet.write(chunk)
                sheet.write(("</sheetData>" + tail).encode())
    return path


@pytest.fixture(scope="session")
def bomb(tmp_path_factory) -> Path:
    """110 MB of sheet XML (over the procedure import's 100 MB) in well under a megabyte."""
    path = zip_bomb(tmp_path_factory.mktemp("bomb") / "thu-tuc.xlsx", inflated_mb=110)
    assert path.stat().st_size < 1024 * 1024
    return path


def test_a_zip_bomb_is_refused_from_its_declared_sizes_before_openpyxl_inflates_it(bomb):
    limits = Limits(label="thử nghiệm", max_bytes=10 * 1024**2, max_uncompressed_bytes=100 * 1024**2, max_rows=5000)
    with pytest.raises(TabularError) as caught:
        read_rows(bomb.read_bytes(), bomb.name, required=("code",), limits=limits)
    assert str(caught.value).startswith(
        "Tệp XLSX khi giải nén lớn 110 MB, vượt giới hạn 100 MB cho tệp thử nghiệm; không dòng nào được nhập."
    )


def test_a_sheet_whose_rows_jump_far_down_stops_at_the_row_limit():
    """openpyxl fills a gap of rows with empty ones: a row numbered 1,000,000 would make a
    million of them; the reader stops at the limit instead."""
    workbook = Workbook()
    workbook.active.append(["code"])
    workbook.active.cell(1_000_000, 1, "HS-1")
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(TabularError, match="hơn 100 dòng"):
        read_rows(buffer.getvalue(), "a.xlsx", required=("code",), limits=LIMITS)


def test_a_file_that_is_not_a_zip_is_refused_as_xlsx():
    with pytest.raises(TabularError, match="Không mở được tệp XLSX"):
        read_rows(b"code\nHS-1\n", "a.xlsx", required=("code",), limits=LIMITS)


def test_an_xlsx_whose_sheet_nests_entities_is_refused_not_expanded():
    """A "billion laughs" sheet (10 GB of text from nested entities): expat's amplification limit
    (expat ≥ 2.4, Debian 12 ships 2.5) stops the parse, and the reader says the file is broken."""
    base = Workbook()
    base.active.append(["code", "name"])
    base.active.append(["HS-1", "LAUGH"])
    buffer, out = io.BytesIO(), io.BytesIO()
    base.save(buffer)
    entities = f'<!DOCTYPE r [<!ENTITY a0 "{"x" * 100}">'
    entities += "".join(f'<!ENTITY a{i} "{f"&a{i - 1};" * 10}">' for i in range(1, 9)) + "]>"
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            data = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = (entities + data.decode().replace("LAUGH", "&a8;")).encode()
            target.writestr(item, data)
    with pytest.raises(TabularError, match="Không đọc được tệp XLSX"):
        read_rows(out.getvalue(), "a.xlsx", required=("code",), limits=LIMITS)
