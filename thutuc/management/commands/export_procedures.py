"""python manage.py export_procedures -o FILE.xlsx — the catalogue in the import's columns."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandParser

from thutuc.models import Procedure
from thutuc.services import export_procedures_xlsx


class Command(BaseCommand):
    help = "Xuất danh mục thủ tục hành chính ra tệp XLSX (cùng cột với tệp nhập)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, default=Path("thu-tuc.xlsx"))

    def handle(self, *args: object, output: Path, **options: object) -> None:
        data = export_procedures_xlsx(Procedure.objects.select_related("field").order_by("code"))
        output.write_bytes(data)
        self.stdout.write(f"Đã xuất {Procedure.objects.count()} thủ tục vào {output}.")
