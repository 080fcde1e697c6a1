"""python manage.py import_holidays FILE [--agency CODE] — official days off and make-up days."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hoso.holiday_import import HolidayImportRejected, import_holidays
from motcua.lib.tabular import TabularError, import_limits, read_path
from motcua.models import Agency


class Command(BaseCommand):
    help = "Nhập lịch nghỉ lễ, Tết và ngày làm bù (cột date, kind, name, source_url)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--agency", help="Mã định danh cơ quan; để trống là lịch toàn quốc.")

    def handle(self, *args: object, file: Path, agency: str | None, **options: object) -> None:
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        target = None
        if agency:
            target = Agency.objects.filter(code=agency).first()
            if target is None:
                raise CommandError(f"Không có cơ quan mã {agency}.")
        try:
            result = import_holidays(data=read_path(file, import_limits("holidays")), filename=file.name, agency=target)
        except TabularError as exc:
            raise CommandError(str(exc)) from exc
        except HolidayImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(error)
            raise CommandError(f"Không nhập: {len(exc.errors)} dòng không hợp lệ, chưa ghi gì.") from exc
        self.stdout.write(result.as_text())
