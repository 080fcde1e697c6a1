"""python manage.py create_api_client --agency CODE --name NAME [--json] — a client of the online-dossier API."""

import json

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.models import Agency
from tructuyen.services import create_api_client


class Command(BaseCommand):
    help = "Tạo khóa cho một hệ thống khác gửi hồ sơ trực tuyến (in mã khách và khóa bí mật một lần duy nhất)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", required=True, help="Mã định danh cơ quan nhận hồ sơ.")
        parser.add_argument("--name", required=True, help="Tên hệ thống gửi, ví dụ “Cổng DVC quốc gia”.")
        parser.add_argument("--json", action="store_true", dest="as_json", help='In {"client_id", "secret"}.')

    def handle(self, *args: object, agency: str, name: str, as_json: bool, **options: object) -> None:
        target = Agency.objects.filter(code=agency).first()
        if target is None:
            raise CommandError(f"Không có cơ quan mã {agency}.")
        try:
            client, secret = create_api_client(agency=target, name=name)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        if as_json:
            self.stdout.write(json.dumps({"client_id": client.client_id, "secret": secret}))
            return
        self.stdout.write(f"Hệ thống: {client.name} – cơ quan {target.code}")
        self.stdout.write(f"X-Client-Id: {client.client_id}")
        self.stdout.write(f"Khóa bí mật: {secret}")
        self.stdout.write("Khóa bí mật chỉ hiện một lần: hãy chuyển ngay cho bên kết nối qua kênh an toàn.")
