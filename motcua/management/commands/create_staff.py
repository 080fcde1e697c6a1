"""python manage.py create_staff --agency <code> --username <u> --role clerk|officer|leader|admin

The password comes from MOTCUA_STAFF_PASSWORD or, interactively, from a prompt.
"""

import getpass
import os
import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.constants import Role
from motcua.models import Agency
from motcua.services import create_staff


class Command(BaseCommand):
    help = "Tạo tài khoản cán bộ của một cơ quan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="Mã định danh cơ quan")
        parser.add_argument("--username", required=True)
        parser.add_argument("--role", required=True, choices=[r.value for r in Role])
        parser.add_argument("--full-name", default="")
        parser.add_argument("--email", default="")

    def handle(self, *args: object, **o: str) -> None:
        agency = Agency.objects.filter(code=o["agency"]).first()
        if agency is None:
            raise CommandError(f"Không có cơ quan mã {o['agency']}.")
        password = os.environ.get("MOTCUA_STAFF_PASSWORD", "")
        if not password:
            if not sys.stdin.isatty():
                raise CommandError("Đặt mật khẩu qua biến môi trường MOTCUA_STAFF_PASSWORD.")
            password = getpass.getpass("Mật khẩu: ")
            if password != getpass.getpass("Nhập lại mật khẩu: "):
                raise CommandError("Hai lần nhập mật khẩu không khớp.")
        try:
            user = create_staff(
                agency=agency,
                username=o["username"],
                role=o["role"],
                password=password,
                full_name=o["full_name"],
                email=o["email"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Đã tạo {user.username} ({user.get_role_display()}) cho {agency.name}.")
