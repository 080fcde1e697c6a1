"""``national_reconcile``: compare dossiers with the national portal's lookups, list and resend the differences."""

from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong import outbox, reconcile
from lienthong.management.commands.national_sync import _day
from motcua.models import Agency


class Command(BaseCommand):
    help = (
        "Đối chiếu hồ sơ của cơ quan (thay đổi trong khoảng ngày) với Cổng DVC quốc gia (TraCuuHoSo), "
        "liệt kê chỗ khác và xếp gửi lại bản ghi hiện tại."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="mã cơ quan")
        parser.add_argument("--from", dest="start", type=_day, required=True, help="từ ngày YYYY-MM-DD")
        parser.add_argument("--to", dest="end", type=_day, required=True, help="đến ngày YYYY-MM-DD")
        parser.add_argument("--no-resend", action="store_true", help="chỉ liệt kê, không xếp gửi lại")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        if not outbox.link_on():
            raise CommandError("Chưa cấu hình MOTCUA_NATIONAL_PORTAL_URL: liên thông đang tắt.")
        if not Agency.objects.filter(code=options["agency"]).exists():
            raise CommandError(f"Không có cơ quan mã {options['agency']}.")
        if options["start"] > options["end"]:
            raise CommandError("Ngày bắt đầu phải trước hoặc bằng ngày kết thúc.")
        report = reconcile.reconcile(
            options["agency"], options["start"], options["end"], resend=not options["no_resend"]
        )
        if options["json"]:
            self.stdout.write(json.dumps(report.as_dict(), ensure_ascii=False))
        else:
            self.stdout.write("\n".join(report.lines()))
