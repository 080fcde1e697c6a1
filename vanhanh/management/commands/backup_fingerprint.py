"""``python manage.py backup_fingerprint [--as-of ISO] [--agency CODE]``: the JSON fingerprint of
this database and its files (vanhanh.fingerprint) — what the restore drill runs on a restored copy."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from vanhanh.fingerprint import busiest_agency, file_digest, fingerprint, stored_files


class Command(BaseCommand):
    help = "In dấu vân tay (số dòng, mã băm số liệu báo cáo, tệp đính kèm) của cơ sở dữ liệu này."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--as-of", help="Thời điểm tính số liệu báo cáo (ISO 8601); mặc định: bây giờ.")
        parser.add_argument("--agency", help="Mã cơ quan của báo cáo; mặc định: cơ quan nhiều hồ sơ nhất.")

    def handle(self, *args: object, **options: Any) -> None:
        try:
            as_of = datetime.fromisoformat(options["as_of"]) if options["as_of"] else timezone.now()
        except ValueError as exc:
            raise CommandError("--as-of phải là thời điểm ISO 8601, ví dụ 2026-12-06T08:30:00+07:00.") from exc
        if timezone.is_naive(as_of):
            raise CommandError("--as-of phải có múi giờ, ví dụ 2026-12-06T08:30:00+07:00.")
        media = [(name, *file_digest(default_storage, name)) for name in stored_files(default_storage)]
        print_ = fingerprint(as_of=as_of, agency_code=options["agency"] or busiest_agency(), media=media)
        self.stdout.write(json.dumps(print_, ensure_ascii=False, sort_keys=True))
