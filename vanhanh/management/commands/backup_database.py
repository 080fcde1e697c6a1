"""``python manage.py backup_database --to DIR``: one backup folder (database, files, manifest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from vanhanh.backup import BackupError, read_manifest, take_backup


class Command(BaseCommand):
    help = "Sao lưu cơ sở dữ liệu và tệp đính kèm vào một thư mục, kèm bản kê để kiểm tra khi khôi phục."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--to", required=True, type=Path, help="Thư mục chứa các bản sao lưu.")

    def handle(self, *args: object, to: Path, **options: Any) -> None:
        try:
            folder = take_backup(to)
            manifest = read_manifest(folder)
        except (BackupError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        rows = sum(manifest["fingerprint"]["database"].values())
        files = manifest["fingerprint"]["media"]["files"]
        self.stdout.write(f"Đã sao lưu {rows} dòng dữ liệu và {files} tệp vào {folder}.")
