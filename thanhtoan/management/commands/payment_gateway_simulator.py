"""``payment_gateway_simulator``: run the local stand-in of the national payment platform on 127.0.0.1."""

from __future__ import annotations

import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from thanhtoan.simulator import PaymentStandIn


class Command(BaseCommand):
    help = "Chạy bản giả lập cổng thanh toán trên 127.0.0.1 (cho thử nghiệm và trình diễn)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--partner", default=None, help="mã đối tác (mặc định MOTCUA_PAYMENT_PARTNER)")
        parser.add_argument("--secret", default=None, help="khóa bí mật (mặc định MOTCUA_PAYMENT_SECRET)")

    def handle(self, *args: Any, **options: Any) -> None:
        secret = options["secret"] if options["secret"] is not None else settings.MOTCUA_PAYMENT_SECRET
        if not secret:
            raise CommandError("Cần khóa bí mật: --secret hoặc biến MOTCUA_PAYMENT_SECRET.")
        partner = options["partner"] or settings.MOTCUA_PAYMENT_PARTNER
        stand_in = PaymentStandIn(options["port"], partner=partner, secret=secret)
        try:
            url = stand_in.start()
        except OSError as exc:
            raise CommandError(f"Không mở được cổng {options['port']}: {exc}") from exc
        self.stdout.write(f"Giả lập cổng thanh toán tại {url} (đặt MOTCUA_PAYMENT_URL={url}). Ctrl+C để dừng.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            stand_in.stop()
