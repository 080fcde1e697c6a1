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


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
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
    missing = [name for name in required if name not in header]
    if missing:
        raise TabularError("Tệp thiếu cột: " + ", ".join(missing) + ".")
    return header, rows


def _read_csv(data: bytes) -> tuple[list[str], list[Row]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise TabularError("Tệp CSV phải được lưu với mã hóa UTF-8.") from exc
    reader = csv.reader(io.StringIO(text, newline=""))
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
        rows.append(
            Row(
                line=number,
                values={name: (cells[i] if i < len(cells) else "") for i, name in enumerate(header) if name},
            )
        )
    workbook.close()
    return header, rows
