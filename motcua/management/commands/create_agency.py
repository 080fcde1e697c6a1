"""python manage.py create_agency --code <mã định danh> --name "<tên>" […]"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.services import create_agency
from thutuc.services import offer_procedures


class Command(BaseCommand):
    help = "Tạo một cơ quan (phường/xã) mới."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--code", required=True, help="Mã định danh QCVN 102:2016, ví dụ 000.25.31.H49")
        parser.add_argument("--name", required=True, help="Ví dụ: Phường Hoàn Kiếm")
        parser.add_argument("--province", default="", help="Tỉnh/thành phố")
        parser.add_argument("--place", default="", help="Địa danh ở dòng ngày tháng")
        parser.add_argument("--address", default="")
        parser.add_argument("--phone", default="")
        parser.add_argument("--leader", default="", help="Họ tên lãnh đạo ký văn bản")
        parser.add_argument("--leader-title", default="Chủ tịch")
        parser.add_argument("--offer-all", action="store_true", help="Nhận mọi thủ tục đang có trong danh mục")

    def handle(self, *args: object, **o: str) -> None:
        try:
            agency = create_agency(
                code=o["code"],
                name=o["name"],
                parent_name=o["province"],
                place_name=o["place"],
                address=o["address"],
                phone=o["phone"],
                leader_name=o["leader"],
                leader_title=o["leader_title"],
            )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"Đã tạo {agency.name} ({agency.code}).")
        if o["offer_all"]:
            self.stdout.write(f"Nhận {offer_procedures(agency=agency)} thủ tục.")
