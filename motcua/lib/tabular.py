"""Reading and writing CSV and XLSX files: rows with the line numbers a person sees, the limits
every import obeys, and the one rule that keeps user text from becoming a spreadsheet formula.

Formulas (issue 10.3). A spreadsheet reads a cell that starts with ``=``, ``+``, ``-``, ``@``, a
tab, a carriage return or a line feed as a formula (LibreOffice does so even when opening a CSV).
Every writer goes through this module:

* ``escape_text`` — the interchange files that import back (dossier and procedure exports, CSV and
  XLSX alike) put an apostrophe before any text that starts with one of those characters (after
  leading spaces, too) or with an apostrophe; ``unescape_text``, applied by ``read_rows`` to every
  cell of every imported file, removes one leading apostrophe. The pair is exact for every string
  (``unescape_text(escape_text(s)) == s``), so ``=1+2`` travels as ``'=1+2`` and a real ``'x`` as
  ``''x``; the same rule in both formats keeps a CSV opened and saved as XLSX by LibreOffice
  (which keeps the apostrophe as text) importable unchanged.
* ``text_cell`` / ``protect_sheet`` — every string in every XLSX is an explicit text cell (openpyxl
  would turn a str starting with ``=`` into a formula and ``#N/A`` into an error cell) and, when
  it starts like a formula, carries Excel's "quote prefix" style so that editing the cell keeps it
  text. Documents for people (tracking book, report) show user text as it is, as text cells;
  numbers and dates we computed stay numbers and dates.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.worksheet.worksheet import Worksheet

from .numbers import group_thousands

#: First characters a spreadsheet reads as the start of a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
ESCAPE = "'"
#: Characters XML 1.0 (hence XLSX) cannot hold: C0 controls other than tab, line feed, carriage return.
_XML_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: An XLSX is a zip: more entries than this is not a workbook a person made.
MAX_XLSX_ENTRIES = 1_000
#: Header columns read from an XLSX (a sheet may declare 16,384 columns).
MAX_COLUMNS = 200


class TabularError(ValueError):
    """The file as a whole cannot be read (wrong format, missing columns, over a limit)."""


# -- the formula rule ------------------------------------------------------------------------------
def looks_like_formula(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (leading spaces do not help)."""
    return text[:1] in FORMULA_TRIGGERS or text.lstrip(" ")[:1] in FORMULA_TRIGGERS


def escape_text(text: str) -> str:
    """``text`` as an interchange file writes it: an apostrophe before a formula-like value or one
    that starts with an apostrophe; anything else unchanged. Reversed by ``unescape_text``."""
    if text.startswith(ESCAPE) or looks_like_formula(text):
        return ESCAPE + text
    return text


def unescape_text(text: str) -> str:
    """A cell's text as read from an imported file: one leading apostrophe removed."""
    return text[1:] if text.startswith(ESCAPE) else text


def xlsx_safe_string(value: Any) -> Any:
    """A str without the control characters XLSX cannot store (openpyxl would raise), each shown
    as U+FFFD; other values unchanged. Imports refuse such characters, so stored data does not
    hold them, but a document must not fail on one."""
    return _XML_ILLEGAL.sub("\ufffd", value) if isinstance(value, str) else value


def text_cell(cell: Any) -> Any:
    """Make an openpyxl cell holding a str an explicit text cell (never a formula or an error
    value), with the quote-prefix style when it starts like a formula. Other values untouched.
    (openpyxl refuses to hold a str with XML-illegal characters: callers set ``xlsx_safe_string``
    values, so a cell's str is already safe here.)"""
    value = cell.value
    if isinstance(value, str):
        cell.data_type = "s"
        if looks_like_formula(value):
            cell.quotePrefix = True
    return cell


def protect_sheet(sheet: Any) -> None:
    """``text_cell`` on every cell of a (not write-only) worksheet, after it is filled."""
    for row in sheet.iter_rows():
        for cell in row:
            text_cell(cell)


def append_row(sheet: Any, values: list[Any]) -> None:
    """``sheet.append`` on a normal worksheet with every string as a text cell (``text_cell``)."""
    sheet.append([xlsx_safe_string(v) if isinstance(v, str) else v for v in values])
    for cell in sheet[sheet.max_row]:
        text_cell(cell)


def write_only_row(sheet: Any, values: list[Any]) -> list[Any]:
    """Cells for ``sheet.append`` on a write-only sheet: strings as text cells, the rest as is."""
    cells: list[Any] = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(sheet, value=xlsx_safe_string(value))
            cells.append(text_cell(cell))
        else:
            cells.append(value)
    return cells


# -- documents for print ---------------------------------------------------------------------------
#: The font of every printed document (the PDF stylesheet declares the same).
PRINT_FONT = "Times New Roman"
PAPER_A4 = Worksheet.PAPERSIZE_A4


def print_on_a4_landscape(sheet: Any, *, title_rows: tuple[int, int], side_margin: float) -> None:
    """The print setup of a table a ward prints (tracking book, report 06a), normal or write-only sheet:
    A4 landscape, fitted to one page wide and as many tall as needed, centred across the page,
    left and right margins of ``side_margin`` inches, rows ``title_rows`` (first, last) repeated
    at the top of every page."""
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = PAPER_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0  # as many pages tall as needed
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    sheet.print_options.horizontalCentered = True
    sheet.page_margins.left = sheet.page_margins.right = side_margin
    sheet.print_title_rows = f"{title_rows[0]}:{title_rows[1]}"


# -- limits ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Limits:
    """What an import accepts (issue 10.8); see settings.MOTCUA_IMPORT_LIMITS."""

    label: str  # what the file holds, in Vietnamese ("danh mục thủ tục")
    max_bytes: int  # the file as stored (CSV, or the zipped XLSX)
    max_uncompressed_bytes: int  # an XLSX's parts once inflated, as its zip directory declares
    max_rows: int  # data rows after the header, blank ones included
    max_cell_chars: int = 10_000  # one cell (CSV field or XLSX cell)


_LABELS = {"dossiers": "hồ sơ", "procedures": "danh mục thủ tục", "holidays": "lịch nghỉ lễ, ngày làm bù"}


def import_limits(kind: str) -> Limits:
    """The limits of one kind of import (``dossiers``, ``procedures``, ``holidays``), read from
    the settings at call time."""
    values = settings.MOTCUA_IMPORT_LIMITS[kind]
    return Limits(
        label=_LABELS[kind],
        max_bytes=values["max_bytes"],
        max_uncompressed_bytes=values["max_uncompressed_bytes"],
        max_rows=values["max_rows"],
        max_cell_chars=settings.MOTCUA_IMPORT_MAX_CELL_CHARS,
    )


def _mb(size: int) -> str:
    value = size / (1024 * 1024)
    text = f"{value:.0f}" if value >= 10 or value.is_integer() else f"{value:.1f}"
    return text.replace(".", ",") + " MB"


def check_size(size: int, limits: Limits) -> None:
    """Refuse a file larger than the limit, before anything reads it."""
    if size > limits.max_bytes:
        raise TabularError(
            f"Tệp lớn {_mb(size)}, vượt giới hạn {_mb(limits.max_bytes)} cho tệp {limits.label}: "
            "hãy chia thành nhiều tệp nhỏ hơn."
        )


def read_path(path: Path, limits: Limits) -> bytes:
    """The bytes of a file given to a command, its size checked first."""
    check_size(path.stat().st_size, limits)
    return path.read_bytes()


def read_upload(upload: Any, limits: Limits) -> bytes:
    """The bytes of an uploaded file (Django's UploadedFile), its size checked first."""
    check_size(upload.size, limits)
    return upload.read(limits.max_bytes + 1)


# -- reading ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    line: int  # 1-based line (CSV) or row (XLSX) number, the header being line 1
    values: dict[str, str]
    # Columns whose XLSX cell held a number, not text: a number has lost any leading zero
    # ("0912345678" typed into a number cell is 912345678), which a column of codes must refuse.
    numeric: frozenset[str] = frozenset()


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # A date cell without a time reads as midnight: give the bare date, which a column of
        # instants refuses, rather than invent a receipt at 00:00.
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return unescape_text(str(value).strip())


def read_rows(data: bytes, filename: str, *, required: tuple[str, ...], limits: Limits) -> tuple[list[str], list[Row]]:
    """Return the header and the non-empty rows of a CSV (UTF-8) or XLSX file, every cell
    unescaped (``unescape_text``).

    Raises TabularError with a Vietnamese message when the file cannot be read, lacks a required
    column or exceeds ``limits`` (checked before parsing, and reading stops at the row limit).
    """
    check_size(len(data), limits)
    suffix = Path(filename).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        header, rows = _read_xlsx(data, limits)
    elif suffix in {".csv", ".txt", ""}:
        header, rows = _read_csv(data, limits)
    else:
        raise TabularError(f"Không đọc được tệp “{filename}”: chỉ nhận CSV hoặc XLSX.")
    if not any(header):
        raise TabularError("Tệp rỗng, hoặc dòng đầu tiên không có tên cột.")
    missing = [name for name in required if name not in header]
    if missing:
        read = ", ".join(f"“{name[:40]}”" for name in header if name) or "không có"
        raise TabularError(
            "Tệp thiếu cột: " + ", ".join(missing) + f". Dòng đầu tiên đọc được các cột: {read}. "
            "Tên cột phải viết đúng như mẫu (chữ thường, không dấu)."
        )
    return header, rows


def _too_many_rows(limits: Limits) -> TabularError:
    return TabularError(
        f"Tệp có hơn {group_thousands(limits.max_rows)} dòng dữ liệu, vượt giới hạn cho tệp {limits.label}; "
        "không dòng nào được nhập. Hãy chia thành nhiều tệp nhỏ hơn."
    )


def _too_long(line: int, limits: Limits) -> TabularError:
    longest = group_thousands(limits.max_cell_chars)
    return TabularError(f"Dòng {line}: có ô dài quá {longest} ký tự; không dòng nào được nhập.")


def _csv_error(exc: csv.Error, line: int, limits: Limits) -> TabularError:
    message = str(exc)
    if "unexpected end of data" in message:
        return TabularError(
            f'Tệp CSV hỏng ở dòng {line}: dấu ngoặc kép (") mở ở dòng này không được đóng đến hết tệp; '
            "không dòng nào được nhập."
        )
    if "expected after" in message:
        return TabularError(
            f"Tệp CSV hỏng ở dòng {line}: sau dấu ngoặc kép đóng phải là dấu phân cách hoặc hết dòng "
            '(một dấu ngoặc kép trong ô viết thành ""); không dòng nào được nhập.'
        )
    if "field larger than field limit" in message:
        return _too_long(line, limits)
    return TabularError(f"Tệp CSV hỏng ở dòng {line}: {message}; không dòng nào được nhập.")


def _read_csv(data: bytes, limits: Limits) -> tuple[list[str], list[Row]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TabularError("Tệp CSV phải được lưu với mã hóa UTF-8.") from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise TabularError(f"Tệp có ký tự rỗng (NUL) ở dòng {line}: đây không phải tệp CSV văn bản, hãy lưu lại tệp.")
    # Process-wide, but this module is the only reader of CSV in the portal.
    csv.field_size_limit(limits.max_cell_chars)
    # strict: an unterminated quote is an error, not a cell swallowing the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text), strict=True)
    try:
        header = [unescape_text(name.strip()) for name in next(reader)]
    except StopIteration as exc:
        raise TabularError("Tệp rỗng.") from exc
    except csv.Error as exc:
        raise _csv_error(exc, 1, limits) from exc
    rows = []
    start = reader.line_num + 1  # the line a record begins on (a quoted cell may span lines)
    try:
        for count, record in enumerate(reader, start=1):
            if count > limits.max_rows:
                raise _too_many_rows(limits)
            if any(cell.strip() for cell in record):
                values = {
                    name: (unescape_text(record[i].strip()) if i < len(record) else "") for i, name in enumerate(header)
                }
                rows.append(Row(line=start, values=values))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _csv_error(exc, start, limits) from exc
    return header, rows


def _delimiter(text: str) -> str:
    """The separator of the header line: a comma, or the semicolon (or tab) that Excel writes on
    a computer set to Vietnamese, where the comma is the decimal mark."""
    first = text.split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def _check_archive(data: bytes, limits: Limits) -> None:
    """Refuse a zip bomb before openpyxl inflates anything: the entry count and the sizes the zip
    directory declares (Python's zipfile never inflates an entry past its declared size)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise TabularError("Không mở được tệp XLSX (tệp hỏng hoặc không phải XLSX).") from exc
    if len(entries) > MAX_XLSX_ENTRIES:
        raise TabularError(
            f"Tệp XLSX có {group_thousands(len(entries))} phần nén, quá giới hạn {group_thousands(MAX_XLSX_ENTRIES)}: "
            "đây không phải bảng tính thông thường."
        )
    inflated = sum(entry.file_size for entry in entries)
    if inflated > limits.max_uncompressed_bytes:
        raise TabularError(
            f"Tệp XLSX khi giải nén lớn {_mb(inflated)}, vượt giới hạn {_mb(limits.max_uncompressed_bytes)} "
            f"cho tệp {limits.label}; không dòng nào được nhập. Hãy lưu lại tệp hoặc chia thành nhiều tệp."
        )


def _read_xlsx(data: bytes, limits: Limits) -> tuple[list[str], list[Row]]:
    _check_archive(data, limits)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        first = next(sheet.iter_rows(min_row=1, max_row=1, max_col=MAX_COLUMNS, values_only=True), None)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise TabularError("Không mở được tệp XLSX.") from exc
    header = [_cell_text(cell) for cell in first or ()]
    while header and not header[-1]:
        header.pop()
    if not header:
        workbook.close()
        raise TabularError("Tệp rỗng." if first is None else "Tệp rỗng, hoặc dòng đầu tiên không có tên cột.")
    rows = []
    # max_col: a sheet may declare 16,384 columns; only the header's are read.
    iterator: Iterator[tuple[object, ...]] = sheet.iter_rows(min_row=2, max_col=len(header), values_only=True)
    try:
        for number, record in enumerate(iterator, start=2):
            if number - 1 > limits.max_rows:
                raise _too_many_rows(limits)
            cells = [_cell_text(cell) for cell in record]
            if not any(cells):
                continue
            if any(len(cell) > limits.max_cell_chars for cell in cells):
                raise _too_long(number, limits)
            numeric = frozenset(
                name
                for name, cell in zip(header, record, strict=False)
                if name and isinstance(cell, int | float) and not isinstance(cell, bool)
            )
            rows.append(
                Row(
                    line=number,
                    values={name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name},
                    numeric=numeric,
                )
            )
    except TabularError:
        raise
    except Exception as exc:  # a part that does not parse (bad XML, CRC error past a lying size)
        raise TabularError("Không đọc được tệp XLSX (nội dung hỏng).") from exc
    finally:
        workbook.close()
    return header, rows
