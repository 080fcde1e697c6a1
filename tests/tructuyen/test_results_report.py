"""QĐ 766 indicators 4.1 (electronic results), 4.2 (digitised) and 3.3 (online share) of
`compile_report --format json` follow the real rows the workflow writes with their files."""

from __future__ import annotations

import io
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from hoso import intake as intake_rules
from hoso import online, workflow
from thutuc.models import Procedure
from tructuyen import results, services

from .conftest import vn
from .samples import PDF, PNG

pytestmark = pytest.mark.django_db


def pdf(name: str = "ket-qua.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def online_dossier(ward, intake, clerk, officer, hour: int, *, result_file: bool):
    paper = services.Paper(name="Tờ khai đăng ký khai sinh theo mẫu", filename="to-khai.png", chunks=[PNG])
    dossier = services.submit(agency=ward, intake=intake, papers=[paper], source="web", now=vn(2026, 12, 1, hour))
    online.receive(dossier_id=dossier.pk, actor=clerk, now=vn(2026, 12, 1, hour, 10))
    workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=vn(2026, 12, 1, hour, 20))
    results.result_ready(
        dossier_id=dossier.pk, actor=officer, upload=pdf() if result_file else None, now=vn(2026, 12, 2, hour)
    )
    return dossier


def counter_dossier(ward, clerk, hour: int, *, scanned: bool, name: str):
    procedure = Procedure.objects.get(code="1.001193")
    papers = [(d.pk, d.name, d.form, 1) for d in procedure.documents.filter(mandatory=True)]
    intake = workflow.Intake(procedure=procedure, applicant_name=name, applicant_phone="0912345678", documents=papers)
    scans = [results.Scan(papers[0][0], papers[0][1], pdf("to-khai.pdf"))] if scanned else []
    received = results.receive_with_scans(
        receive=lambda: intake_rules.receive_dossier(
            agency=ward, actor=clerk, intake=intake, now=vn(2026, 12, 3, hour)
        ),
        scans=scans,
        agency_id=ward.pk,
        actor=clerk,
        now=vn(2026, 12, 3, hour),
    )
    return received.dossier


def test_the_indicators_come_from_the_files_attached(media, ward, desk_clerk, online_intake, django_user_model):
    officer = django_user_model.objects.get(username="congchuc")
    online_dossier(ward, online_intake, desk_clerk, officer, 8, result_file=True)
    online_dossier(ward, online_intake, desk_clerk, officer, 9, result_file=False)
    counter_dossier(ward, desk_clerk, 8, scanned=True, name="Trần Thị Bình")
    counter_dossier(ward, desk_clerk, 9, scanned=False, name="Lê Văn Cường")
    out = io.StringIO()
    call_command(
        "compile_report", "--agency", ward.code, "--from", "2026-12-01", "--to", "2026-12-05", "--format", "json",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    indicators = json.loads(out.getvalue())["indicators"]
    # 4.1: of the two resolved, the one whose result file was attached.
    assert indicators["electronic_result_share"] == 50.0
    # 4.2: the two online dossiers (received with their files) and the counter one with a scan, of four.
    assert indicators["digitised_share"] == 75.0 and not indicators["digitised_full_marks"]
    assert indicators["online_share"] == 50.0
    assert indicators["counts"]["electronic_result"] == 1 and indicators["counts"]["digitised"] == 3
