"""``national_portal_simulator``: run the local stand-in of the national portal on 127.0.0.1 (lienthong.simulator)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from lienthong.simulator import StandIn


class Command(BaseCommand):
    help = "Chạy bản giả lập Cổng DVC quốc gia trên 127.0.0.1 (cho thử nghiệm và trình diễn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--fail-rate", type=float, default=0.0, help="tỉ lệ yêu cầu trả lỗi 503 (0–1)")
        parser.add_argument("--latency", type=int, default=0, help="độ trễ mỗi câu trả lời (mili giây)")
        parser.add_argument("--user", default="", help="chỉ nhận tên đăng nhập này (mặc định: nhận mọi tài khoản)")
        parser.add_argument("--password", default="")
        parser.add_argument("--state-file", default=None, help="tệp JSON lưu những gì nhận được")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 <= options["fail_rate"] <= 1:
            raise CommandError("--fail-rate phải trong khoảng 0 đến 1.")
        if options["latency"] < 0:
            raise CommandError("--latency không được âm.")
        stand_in = StandIn(
            options["port"],
            user=options["user"],
            password=options["password"],
            fail_rate=options["fail_rate"],
            latency_ms=options["latency"],
            state_file=options["state_file"],
        )
        try:
            url = stand_in.start()
        except OSError as exc:
            raise CommandError(f"Không mở được cổng {options['port']}: {exc}") from exc
        self.stdout.write(f"Giả lập Cổng DVC quốc gia tại {url} (xem hồ sơ: {url}_inspect/<mã hồ sơ>). Ctrl+C để dừng.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            stand_in.stop()
