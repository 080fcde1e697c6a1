"""Gives the development provider's demo citizens a few dossiers at the demo ward, so "Hồ sơ của tôi" has rows.

Reads the JSON list `seed_devidp --write-json` wrote ([{"id_number", "full_name"}, …]). A citizen who
already has a dossier at the demo ward gets nothing more; the events are recorded silently (no
message goes to the fictitious applicants).
"""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from hoso import workflow
from hoso.events import recorded_silently
from hoso.models import Dossier
from motcua.constants import Role
from motcua.demo import DEMO_AGENCY_CODE
from motcua.models import Agency, User
from thutuc.models import Procedure

# (procedure code, days ago, how far it went): one still being handled, one with its result ready.
PLAN = [("1.001193", 1, "received"), ("2.000815", 6, "result_ready")]


class Command(BaseCommand):
    help = "Tạo vài hồ sơ mẫu cho công dân thử nghiệm của nhà cung cấp định danh thử nghiệm."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("citizens_json", help="Tệp JSON do seed_devidp --write-json ghi")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            citizens = json.loads(Path(options["citizens_json"]).read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise CommandError(f"Không đọc được danh sách công dân thử nghiệm: {error}") from error
        agency = Agency.objects.filter(code=DEMO_AGENCY_CODE).first()
        clerk = User.objects.filter(agency=agency, role=Role.CLERK, is_active=True).order_by("id").first()
        officer = User.objects.filter(agency=agency, role=Role.OFFICER, is_active=True).order_by("id").first()
        if agency is None or clerk is None or officer is None:
            raise CommandError("Chưa có cơ quan mẫu: chạy manage.py load_demo trước.")
        made = 0
        for citizen in citizens[:2]:
            if Dossier.objects.filter(agency=agency, applicant_id_number=citizen["id_number"]).exists():
                continue
            with transaction.atomic(), recorded_silently():
                for code, days, reached in PLAN:
                    self._one(agency, clerk, officer, citizen, code, days, reached)
                    made += 1
        self.stdout.write(f"Hồ sơ mẫu của công dân thử nghiệm: tạo {made}.")

    def _one(
        self, agency: Agency, clerk: User, officer: User, citizen: dict[str, str], code: str, days: int, reached: str
    ) -> None:
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None:
            return
        received = timezone.now() - timedelta(days=days)
        intake = workflow.Intake(
            procedure=procedure, applicant_name=citizen["full_name"], applicant_id_number=citizen["id_number"]
        )
        dossier = workflow.receive(agency=agency, actor=clerk, intake=intake, now=received)
        if reached == "result_ready":
            workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=received + timedelta(hours=1))
            workflow.mark_result_ready(dossier_id=dossier.pk, actor=officer, now=received + timedelta(days=1))
