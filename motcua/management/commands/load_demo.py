"""python manage.py load_demo — real procedures, a demo ward and one account per role."""

from django.core.management.base import BaseCommand

from motcua.constants import Role
from motcua.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Nạp dữ liệu mẫu: danh mục thủ tục thật, một phường mẫu và tài khoản mẫu cho mỗi vai trò."

    def handle(self, *args: object, **options: object) -> None:
        agency, summary = load_demo()
        self.stdout.write(f"Danh mục thủ tục: {summary.as_text()}")
        self.stdout.write(f"Cơ quan mẫu: {agency.name} ({agency.code}).")
        self.stdout.write(f"Tài khoản mẫu (mật khẩu chung: {DEMO_PASSWORD}):")
        labels = dict(Role.choices)
        for account in DEMO_ACCOUNTS:
            self.stdout.write(f"  {account.username:<10} {labels[account.role]:<22} {account.full_name}")
