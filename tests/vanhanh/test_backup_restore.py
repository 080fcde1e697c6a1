"""A backup restores: counts, one report's figures hash and the uploaded files come back the same,
checked by the restore drill on a new PostgreSQL database; a damaged or different backup is caught."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.db import connection

from hoso import workflow
from hoso.models import Dossier
from tests.conftest import need
from tests.factories import AgencyProcedureFactory, FieldFactory, ProcedureFactory, UserFactory, load_holidays
from thutuc.constants import TimeUnit
from vanhanh.backup import MANIFEST, restore_drill

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def ward(settings, tmp_path):
    need(connection.vendor == "postgresql", "The restore drill needs PostgreSQL (DATABASE_URL).")
    settings.MEDIA_ROOT = str(tmp_path / "media")
    load_holidays()
    clerk = UserFactory(role="clerk")
    procedure = ProcedureFactory(
        code="1.001193",
        name="Đăng ký khai sinh",
        field=FieldFactory(name="Hộ tịch"),
        time_limit_value=3,
        time_limit_unit=TimeUnit.WORKING_DAYS,
    )
    AgencyProcedureFactory(agency=clerk.agency, procedure=procedure)
    for day, name in ((2, "Lê Thị An"), (3, "Trần Văn Bình"), (4, "Phạm Thị Cúc")):
        intake = workflow.Intake(procedure=procedure, applicant_name=name)
        workflow.receive(agency=clerk.agency, actor=clerk, intake=intake, now=datetime(2026, 11, day, 2, tzinfo=UTC))
    default_storage.save("ho-so/2026/giay-khai-sinh.pdf", ContentFile(b"%PDF-1.7\n" + bytes(range(256)) * 40))
    default_storage.save("ho-so/2026/anh.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"\x00" * 5000))
    return clerk.agency


def backup(tmp_path):
    out = io.StringIO()
    call_command("backup_database", "--to", str(tmp_path / "backups"), stdout=out)
    folders = list((tmp_path / "backups").iterdir())
    assert len(folders) == 1 and "Đã sao lưu" in out.getvalue()
    return folders[0]


def test_a_backup_restores_with_the_same_counts_report_and_files(ward, tmp_path):
    folder = backup(tmp_path)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    assert manifest["fingerprint"]["database"]["hoso_dossier"] == 3
    assert manifest["fingerprint"]["media"]["files"] == 2
    assert manifest["fingerprint"]["report"]["agency"] == ward.code
    # Work goes on after the backup: the drill checks the backup, not today's database.
    Dossier.objects.filter(applicant_name="Lê Thị An").update(applicant_name="Lê Thị Ân")
    out = io.StringIO()
    call_command("restore_drill", str(folder), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["ok"] is True and result["differences"] == []
    assert result["media_files"] == 2
    assert result["figures_hash"] == manifest["fingerprint"]["report"]["figures_hash"]
    # The copy was dropped.
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [result["database"]])
        assert cursor.fetchone()[0] == 0


def test_a_backup_that_does_not_match_its_manifest_is_reported(ward, tmp_path):
    folder = backup(tmp_path)
    manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    manifest["fingerprint"]["database"]["hoso_dossier"] = 4
    manifest["fingerprint"]["media"]["files"] = 3
    (folder / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
    result = restore_drill(folder)
    assert result.ok is False
    assert "Bảng hoso_dossier: bản sao lưu có 4 dòng, bản khôi phục có 3 dòng." in result.differences
    assert any(line.startswith("Tệp đính kèm khác nhau: sao lưu 3 tệp, khôi phục 2 tệp") for line in result.differences)
    with pytest.raises(CommandError, match="không khớp"):
        call_command("restore_drill", str(folder), stdout=io.StringIO())


def test_a_damaged_dump_is_refused_before_anything_is_restored(ward, tmp_path):
    folder = backup(tmp_path)
    with (folder / "database.dump").open("r+b") as dump:
        dump.seek(200)
        dump.write(b"\xff\xff\xff\xff")
    with pytest.raises(CommandError, match=r"database\.dump của bản sao lưu bị thiếu hoặc bị thay đổi"):
        call_command("restore_drill", str(folder), stdout=io.StringIO())
