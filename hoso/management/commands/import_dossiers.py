"""python manage.py import_dossiers FILE [--dry-run] — dossiers from another system, all or nothing.

The columns are described in hoso/interchange.py, the row checks in hoso/import_checks.py and
what the import writes in hoso/importing.py.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from hoso.import_checks import DossierImportRejected, parse_dossier_file
from hoso.importing import import_dossiers
from motcua.lib.tabular import TabularError, import_limits, read_path


class Command(BaseCommand):
    help = (
        "Nhập hồ sơ từ hệ thống cũ (CSV/XLSX) cùng các sự kiện theo ngày giờ của hồ sơ; "
        "lỗi một dòng thì không ghi gì, nhập lại cùng tệp không thay đổi gì."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")

    def handle(self, *args: object, file: Path, dry_run: bool, **options: object) -> None:
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        try:
            now = timezone.now()  # one clock for the whole import: "not in the future" means before it
            parsed = parse_dossier_file(read_path(file, import_limits("dossiers")), file.name, now=now)
            summary = import_dossiers(parsed=parsed, now=now, dry_run=dry_run)
        except TabularError as exc:
            raise CommandError(str(exc)) from exc
        except DossierImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Không nhập: {len(exc.errors)} dòng không hợp lệ, chưa ghi gì vào cơ sở dữ liệu. "
                f"Tạo mới: 0, không đổi: 0, bị từ chối: {len(exc.errors)}."
            ) from exc
        prefix = "Kiểm tra (không ghi): " if dry_run else ""
        self.stdout.write(prefix + summary.as_text())
