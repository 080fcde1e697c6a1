"""``python manage.py restore_drill BACKUP_FOLDER [--keep] [--json]``: restore into a new database,
check counts, one report's hash and the files against the backup's manifest, drop the copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanhanh.backup import BackupError, restore_drill


class Command(BaseCommand):
    help = "Diễn tập khôi phục: khôi phục bản sao lưu vào một cơ sở dữ liệu mới và đối chiếu với bản kê."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("backup", type=Path, help="Thư mục motcua-… do backup_database tạo.")
        parser.add_argument("--keep", action="store_true", help="Giữ lại cơ sở dữ liệu đã khôi phục.")
        parser.add_argument("--json", action="store_true", help="In kết quả dạng JSON.")

    def handle(self, *args: object, backup: Path, keep: bool, **options: Any) -> None:
        try:
            result = restore_drill(backup, keep=keep)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        if options["json"]:
            self.stdout.write(json.dumps(result.as_json(), ensure_ascii=False))
        else:
            summary = result.as_json()
            if result.ok:
                self.stdout.write(
                    f"Khôi phục đúng: {summary['rows']} dòng, {summary['media_files']} tệp, "
                    f"số liệu báo cáo trùng khớp ({summary['figures_hash']})."
                )
            for line in result.differences:
                self.stdout.write(line)
            if keep:
                self.stdout.write(f"Cơ sở dữ liệu khôi phục được giữ lại: {result.database}")
        if not result.ok:
            raise CommandError("Bản khôi phục không khớp với bản sao lưu.")
