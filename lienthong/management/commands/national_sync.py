"""``national_sync``: drain the national link's outbox from the command line, or queue current records again."""

from __future__ import annotations

import json
import time
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong import drain, outbox
from motcua.models import Agency


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CommandError(f"Ngày không hợp lệ: {text!r} (dạng YYYY-MM-DD).") from exc


class Command(BaseCommand):
    help = "Gửi các bản tin đang chờ lên Cổng DVC quốc gia; --resend xếp lại bản ghi hiện tại của các hồ sơ."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="gửi một lượt những gì đến hạn rồi dừng")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")
        parser.add_argument("--interval", type=float, default=10.0, help="giây nghỉ giữa hai lượt (khi chạy liên tục)")
        parser.add_argument("--resend", action="store_true", help="xếp hàng bản ghi hiện tại của hồ sơ một cơ quan")
        parser.add_argument("--agency", help="mã cơ quan (với --resend)")
        parser.add_argument("--from", dest="start", type=_day, help="từ ngày YYYY-MM-DD (với --resend)")
        parser.add_argument("--to", dest="end", type=_day, help="đến ngày YYYY-MM-DD (với --resend)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not outbox.link_on():
            raise CommandError("Chưa cấu hình MOTCUA_NATIONAL_PORTAL_URL: liên thông đang tắt.")
        if options["resend"]:
            self._resend(options)
            return
        while True:
            result = drain.drain_once()
            self._report(result, options["json"])
            if options["once"]:
                return
            time.sleep(options["interval"])

    def _resend(self, options: dict[str, Any]) -> None:
        code = options["agency"]
        if not code:
            raise CommandError("--resend cần --agency MÃ_CƠ_QUAN.")
        if not Agency.objects.filter(code=code).exists():
            raise CommandError(f"Không có cơ quan mã {code}.")
        queued, blocked = outbox.queue_current(code, options["start"], options["end"])
        if options["json"]:
            self.stdout.write(json.dumps({"queued": queued, "blocked": blocked}))
        else:
            self.stdout.write(f"Đã xếp hàng {queued} hồ sơ; {blocked} hồ sơ không đồng bộ được (thiếu dữ liệu).")

    def _report(self, result: drain.DrainResult, as_json: bool) -> None:
        if as_json:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(
            f"Đã gửi {result.sent}, được xác nhận {result.acknowledged}, không được {result.failed} "
            f"(bị từ chối {result.refused}, không đồng bộ được vì thiếu dữ liệu {result.blocked})."
        )
        for error in result.errors:
            self.stdout.write(f"  {error}")
