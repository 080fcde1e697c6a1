"""python manage.py export_dossiers --agency CODE --from DATE --to DATE [--format csv|xlsx] [-o FILE]

The ward's dossiers received in the inclusive date range (Vietnam days), in the columns that
import_dossiers reads, so an export imports back into an empty database unchanged. Without -o,
CSV goes to standard output. The export is logged in AccessLog under the ward's system user.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hoso.exporting import export_dossiers
from motcua.databases import reading_from_replica
from motcua.models import Agency


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError as exc:
        raise CommandError(f"Ngày “{text}” không đúng dạng YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = "Xuất hồ sơ của một cơ quan tiếp nhận trong khoảng ngày ra CSV/XLSX (cùng cột với tệp nhập)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="Mã định danh cơ quan")
        parser.add_argument("--from", dest="start", required=True, help="Từ ngày tiếp nhận (YYYY-MM-DD)")
        parser.add_argument("--to", dest="end", required=True, help="Đến ngày tiếp nhận (YYYY-MM-DD), tính cả ngày này")
        parser.add_argument("--format", dest="fmt", choices=["csv", "xlsx"], default=None)
        parser.add_argument("-o", "--output", type=Path, default=None, help="Tệp kết quả (mặc định: CSV ra màn hình)")

    def handle(
        self, *args: object, agency: str, start: str, end: str, fmt: str | None, output: Path | None, **options: object
    ) -> None:
        ward = Agency.objects.filter(code=agency.strip()).first()
        if ward is None:
            raise CommandError(f"Không có cơ quan mã “{agency}”.")
        first, last = _day(start), _day(end)
        if last < first:
            raise CommandError("Ngày kết thúc (--to) phải từ ngày bắt đầu (--from) trở đi.")
        if fmt is None:
            fmt = "xlsx" if output is not None and output.suffix.lower() == ".xlsx" else "csv"
        if fmt == "xlsx" and output is None:
            raise CommandError("Định dạng XLSX cần tệp kết quả: thêm -o TỆP.xlsx.")
        with reading_from_replica():  # the replica, when one is configured (motcua/databases.py)
            result = export_dossiers(agency=ward, start=first, end=last, fmt=fmt)
        if output is None:
            self.stdout.write(result.data.decode("utf-8"), ending="")
            return
        try:
            output.write_bytes(result.data)
        except OSError as exc:
            raise CommandError(f"Không ghi được tệp {output}: {exc.strerror}.") from exc
        self.stdout.write(f"Đã xuất {result.count} hồ sơ vào {output}.")
