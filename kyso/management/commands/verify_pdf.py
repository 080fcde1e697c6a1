"""``manage.py verify_pdf FILE [--json]``: are the PDF's signatures valid, and did the portal issue it?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kyso.services import verify_bytes
from kyso.verify import NotAPdf, as_json


class Command(BaseCommand):
    help = "Kiểm tra chữ ký số của một tệp PDF (toàn vẹn, tin cậy, còn hiệu lực khi ký, có do cổng phát hành)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="tệp PDF")
        parser.add_argument("--json", action="store_true", help="in kết quả dạng JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = Path(options["file"]).read_bytes()
        except OSError as exc:
            raise CommandError(f"Không đọc được tệp: {exc.strerror}") from exc
        try:
            verdict = verify_bytes(data)
        except NotAPdf as exc:
            raise CommandError(str(exc)) from exc
        answer = as_json(verdict.check, issued_by_portal=verdict.issued_by_portal)
        if options["json"]:
            self.stdout.write(json.dumps(answer, ensure_ascii=False))
            return
        self.stdout.write("Hợp lệ" if answer["valid"] else "KHÔNG hợp lệ" if answer["signed"] else "Không có chữ ký số")
        for signer in verdict.check.signers:
            state = "hợp lệ" if signer.ok else "; ".join(signer.problems)
            self.stdout.write(f"- {signer.name} (số hiệu {signer.serial}), ký lúc {signer.signed_at}: {state}")
        if verdict.document is not None:
            self.stdout.write(f"Do {verdict.document.agency.name} phát hành, mã xác thực {verdict.document.code}.")
        else:
            self.stdout.write("Không do cổng Một cửa phát hành.")
