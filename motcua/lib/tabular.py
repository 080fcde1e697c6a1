"""Reading CSV and XLSX files row by row, with the line numbers a person sees in the file."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path


class TabularError(ValueError):
    """The file as a whole cannot be read (wrong format, missing columns)."""


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
    return str(value).strip()


def read_rows(data: bytes, filename: str, *, required: tuple[str, ...]) -> tuple[list[str], list[Row]]:
    """Return the header and the non-empty rows of a CSV (UTF-8) or XLSX file.

    Raises TabularError with a Vietnamese message when the file cannot be read or lacks a
    required column.
    """
    suffix = Path(filename).suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        header, rows = _read_xlsx(data)
    elif suffix in {".csv", ".txt", ""}:
        header, rows = _read_csv(data)
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


def _read_csv(data: bytes) -> tuple[list[str], list[Row]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TabularError("Tệp CSV phải được lưu với mã hóa UTF-8.") from exc
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise TabularError(f"Tệp có ký tự rỗng (NUL) ở dòng {line}: đây không phải tệp CSV văn bản, hãy lưu lại tệp.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        header = [name.strip() for name in next(reader)]
    except StopIteration as exc:
        raise TabularError("Tệp rỗng.") from exc
    except csv.Error as exc:
        raise TabularError(f"Tệp CSV hỏng: {exc}.") from exc
    rows = []
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            values = {name: (record[i].strip() if i < len(record) else "") for i, name in enumerate(header)}
            # reader.line_num counts physical lines, so quoted multi-line cells keep true numbers.
            rows.append(Row(line=reader.line_num, values=values))
    except csv.Error as exc:
        raise TabularError(f"Tệp CSV hỏng ở dòng {reader.line_num}: {exc}.") from exc
    return header, rows


def _delimiter(text: str) -> str:
    """The separator of the header line: a comma, or the semicolon (or tab) that Excel writes on
    a computer set to Vietnamese, where the comma is the decimal mark."""
    first = text.split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def _read_xlsx(data: bytes) -> tuple[list[str], list[Row]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises several unrelated types for a bad file
        raise TabularError("Không mở được tệp XLSX.") from exc
    sheet = workbook.worksheets[0]
    iterator: Iterator[tuple[object, ...]] = sheet.iter_rows(values_only=True)
    try:
        header = [_cell_text(cell) for cell in next(iterator)]
    except StopIteration as exc:
        raise TabularError("Tệp rỗng.") from exc
    rows = []
    for number, record in enumerate(iterator, start=2):
        cells = [_cell_text(cell) for cell in record]
        if not any(cells):
            continue
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
    workbook.close()
    return header, rows
