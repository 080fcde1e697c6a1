"""python manage.py import_petitions FILE — petitions from an old system (CSV/XLSX), all or nothing
(docs/petitions.md §6; the row checks in phananh/importing.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from motcua.lib.tabular import TabularError, read_path
from phananh.importing import PetitionImportRejected, import_petitions, limits, parse_file


class Command(BaseCommand):
    help = "Nhập phản ánh, kiến nghị từ hệ thống cũ (CSV/XLSX); lỗi một dòng thì không ghi gì."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)

    def handle(self, *args: object, file: Path, **options: object) -> None:
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        now = timezone.now()
        try:
            records = parse_file(read_path(file, limits()), file.name, now=now)
            created = import_petitions(records, now=now)
        except TabularError as exc:
            raise CommandError(str(exc)) from exc
        except PetitionImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Không nhập: {len(exc.errors)} dòng không hợp lệ, chưa ghi gì vào cơ sở dữ liệu."
            ) from exc
        self.stdout.write(f"Đã nhập {created} phản ánh, kiến nghị.")
