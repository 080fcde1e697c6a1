"""python manage.py import_procedures FILE — upsert the catalogue from CSV or XLSX, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.lib.tabular import TabularError, import_limits, read_path
from thutuc.importing import parse_procedure_file
from thutuc.services import ImportRejected, import_procedures


class Command(BaseCommand):
    help = "Nhập danh mục thủ tục hành chính từ tệp CSV/XLSX (cập nhật theo mã; lỗi một dòng thì không ghi gì)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--dry-run", action="store_true", help="Chỉ kiểm tra, không ghi.")

    def handle(self, *args: object, file: Path, dry_run: bool, **options: object) -> None:
        if not file.is_file():
            raise CommandError(f"Không tìm thấy tệp {file}.")
        try:
            parsed = parse_procedure_file(read_path(file, import_limits("procedures")), file.name)
            summary = import_procedures(parsed=parsed, dry_run=dry_run)
        except TabularError as exc:
            raise CommandError(str(exc)) from exc
        except ImportRejected as exc:
            for error in exc.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Không nhập: {len(exc.errors)} dòng không hợp lệ, chưa ghi gì vào cơ sở dữ liệu. "
                f"Tạo mới: 0, cập nhật: 0, không đổi: 0, bị từ chối: {len(exc.errors)}."
            ) from exc
        prefix = "Kiểm tra (không ghi): " if dry_run else ""
        self.stdout.write(prefix + summary.as_text())
