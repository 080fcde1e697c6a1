"""python manage.py load_demo [--no-dossiers | --dossiers N]

Real procedures, a demo ward, one account per role and, unless told not to, the ward's recent
history: a few hundred dossiers over the last months handled through the real services
(``motcua.demo_history``). Running it again adds nothing.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand, CommandParser

from motcua.constants import Role
from motcua.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo
from motcua.demo_history import DEFAULT_COUNT, HISTORY_DAYS, load_history


class Command(BaseCommand):
    help = (
        "Nạp dữ liệu mẫu: danh mục thủ tục thật, một phường mẫu, tài khoản mẫu cho mỗi vai trò "
        "và lịch sử hồ sơ của vài tháng gần đây."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--no-dossiers", action="store_true", help="Không tạo hồ sơ mẫu")
        parser.add_argument(
            "--dossiers", type=int, default=DEFAULT_COUNT, help=f"Số hồ sơ mẫu (mặc định {DEFAULT_COUNT})"
        )

    def handle(self, *args: object, no_dossiers: bool, dossiers: int, **options: object) -> None:
        agency, summary = load_demo()
        self.stdout.write(f"Danh mục thủ tục: {summary.as_text()}")
        self.stdout.write(f"Cơ quan mẫu: {agency.name} ({agency.code}).")
        if not no_dossiers and dossiers > 0:
            self._history(agency, dossiers)
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        labels = dict(Role.choices)
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<10} {labels[account.role]:<22} {account.full_name}")

    def _history(self, agency: object, count: int) -> None:
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            if done == 0:
                self.stdout.write(f"Hồ sơ mẫu: tạo {total} hồ sơ của {HISTORY_DAYS} ngày qua…")
            else:
                self.stdout.write(f"  … {done}/{total} hồ sơ")
            self.stdout.flush()

        history = load_history(agency, count=count, progress=progress)
        if history.skipped:
            self.stdout.write("Hồ sơ mẫu: cơ quan mẫu đã có hồ sơ, không tạo thêm.")
            return
        self.stdout.write(
            f"Hồ sơ mẫu: {history.dossiers} hồ sơ, {history.ratings} lượt đánh giá, "
            f"{history.follow_ups} ý kiến không hài lòng cần xử lý ({time.monotonic() - started:.0f} giây)."
        )
