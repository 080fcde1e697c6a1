"""Dossier export (``export_dossiers``): a ward's dossiers received in a date range as CSV or XLSX.

The columns are the import's (``hoso.interchange``), so an export imports back into an empty
database unchanged; every value is escaped against formulas (``motcua.lib.tabular.escape_text``),
as the import reverses. Each export is logged in ``AccessLog``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db import transaction
from openpyxl import Workbook

from motcua.lib.tabular import escape_text, write_only_row
from motcua.models import Agency, User

from . import workcalendar as wc
from .interchange import CHUNK, COLUMNS, ROW_FIELDS, clock_history, dossier_row, system_user
from .models import AccessLog, Dossier


def export_rows(*, agency: Agency, start: date, end: date) -> Iterator[dict[str, str]]:
    """The rows of the ward's dossiers received from ``start`` to ``end`` inclusive (Vietnam days).

    Ordered by receipt; read in chunks, so a large range does not hold every dossier in memory.
    """
    since = datetime.combine(start, time(0), tzinfo=wc.VN_TZ)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=wc.VN_TZ)
    ids = list(
        Dossier.objects.filter(agency=agency, code__isnull=False, received_at__gte=since, received_at__lt=until)
        .order_by("received_at", "id")
        .values_list("pk", flat=True)
    )
    for i in range(0, len(ids), CHUNK):
        chunk = ids[i : i + CHUNK]
        dossiers = Dossier.objects.filter(pk__in=chunk).order_by("received_at", "id").values(*ROW_FIELDS)
        pauses, extensions = clock_history(chunk)
        for dossier in dossiers:
            yield dossier_row(dossier, pauses.get(dossier["pk"], []), extensions.get(dossier["pk"], []))


def rows_to_csv(rows: Iterable[dict[str, str]]) -> tuple[str, int]:
    """CSV text in the import's columns and the number of rows written; every value escaped
    (``motcua.lib.tabular.escape_text``: no cell starts like a formula), as the import reverses."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([escape_text(row[name]) for name in COLUMNS])
        count += 1
    return buffer.getvalue(), count


def rows_to_xlsx(rows: Iterable[dict[str, str]]) -> tuple[bytes, int]:
    """An XLSX workbook (one sheet, text cells) in the import's columns and the number of rows;
    values escaped as in the CSV, so either file imports back the same."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Hồ sơ")
    sheet.append(write_only_row(sheet, list(COLUMNS)))
    count = 0
    for row in rows:
        sheet.append(write_only_row(sheet, [escape_text(row[name]) for name in COLUMNS]))
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


@dataclass
class Export:
    data: bytes
    count: int


def export_dossiers(*, agency: Agency, start: date, end: date, fmt: str = "csv", user: User | None = None) -> Export:
    """The ward's dossiers received in [start, end] as CSV (UTF-8) or XLSX, logged in AccessLog.

    The log's user is ``user`` or, for commands (no logged-in user), the ward's system user.
    Raises ValueError for an unknown format or ``end`` before ``start``.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"Định dạng “{fmt}” không hỗ trợ (csv hoặc xlsx).")
    if end < start:
        raise ValueError("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
    rows = export_rows(agency=agency, start=start, end=end)
    if fmt == "csv":
        text, count = rows_to_csv(rows)
        data = text.encode("utf-8")
    else:
        data, count = rows_to_xlsx(rows)
    with transaction.atomic():
        actor = user if user is not None else system_user(agency)[0]
        AccessLog.objects.create(
            user=actor,
            agency=agency,
            dossier=None,
            kind=AccessLog.Kind.EXPORT,
            detail=f"Xuất {count} hồ sơ tiếp nhận từ {start:%d/%m/%Y} đến {end:%d/%m/%Y} ({fmt.upper()})",
        )
    return Export(data=data, count=count)
