"""Issue 17.1: finalising renders the official files (no draft mark, the number, the date), keeps
the draft's files downloadable as a draft, leaves the frozen figures alone, and the drill-down of
a compiled report lists the dossiers each cell counted, not today's data."""

from __future__ import annotations

import io
import os
import subprocess
import sys
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from baocao import services
from baocao.models import Report, ReportEntry
from baocao.periods import calendar_half_year
from baocao.queries import drilldown
from hoso import workflow
from hoso.models import Dossier
from hoso.workcalendar import VN_TZ
from motcua.celery import app
from tests.conftest import need
from tests.factories import AgencyProcedureFactory, FieldFactory, ProcedureFactory, load_holidays
from thutuc.constants import Channel, TimeUnit

pytestmark = pytest.mark.django_db
PERIOD = calendar_half_year(2025, 2)  # 01/07/2025 – 31/12/2025


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def pdf_text(content: bytes, tmp_path) -> str:
    path = tmp_path / "r.pdf"
    path.write_bytes(content)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return " ".join(text.split())


def xlsx_text(content: bytes) -> str:
    sheet = load_workbook(io.BytesIO(content)).active
    return " ".join(str(c.value) for r in sheet.iter_rows() for c in r if c.value is not None)


@pytest.fixture
def ward(agency, clerk, officer):
    """July 2025: one dossier resolved early, one still open (due 10/07), one late."""
    load_holidays()
    procedure = ProcedureFactory(
        code="1.001193",
        name="Đăng ký khai sinh",
        field=FieldFactory(name="Hộ tịch"),
        time_limit_value=3,
        time_limit_unit=TimeUnit.WORKING_DAYS,
    )
    AgencyProcedureFactory(agency=agency, procedure=procedure)

    def receive(when, channel=Channel.COUNTER):
        intake = workflow.Intake(procedure=procedure, applicant_name="Lê Thị Hoa", channel=channel)
        return workflow.receive(agency=agency, actor=clerk, intake=intake, now=when)

    early = receive(vn(2025, 7, 7, 9))
    workflow.assign(dossier_id=early.pk, actor=clerk, officer=officer, now=vn(2025, 7, 7, 10))
    workflow.mark_result_ready(dossier_id=early.pk, actor=officer, now=vn(2025, 7, 8, 10))
    receive(vn(2025, 7, 8, 9), Channel.ONLINE)
    late = receive(vn(2025, 7, 9, 9))
    workflow.assign(dossier_id=late.pk, actor=clerk, officer=officer, now=vn(2025, 7, 9, 10))
    workflow.mark_result_ready(dossier_id=late.pk, actor=officer, now=vn(2025, 7, 21, 10))
    return agency


@pytest.fixture
def draft(ward, leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.draft_report(agency=ward, period=PERIOD, user=leader)[0]
        services.update_narrative(report=report, data={"number": "125"}, user=leader)
    report.refresh_from_db()
    return report


def finalize(report, leader, django_capture_on_commit_callbacks, now=None):
    with django_capture_on_commit_callbacks(execute=True):
        services.finalize_report(report=report, user=leader, now=now)
    report.refresh_from_db()
    return report


def test_finalising_renders_an_official_pdf_without_the_draft_mark(
    draft, leader, django_capture_on_commit_callbacks, tmp_path
):
    draft_pdf, draft_xlsx = bytes(draft.pdf), bytes(draft.xlsx)
    figures, digest = draft.figures, draft.figures_hash
    assert "DỰ THẢO" in pdf_text(draft_pdf, tmp_path) and "DỰ THẢO" in xlsx_text(draft_xlsx)

    report = finalize(draft, leader, django_capture_on_commit_callbacks, now=vn(2026, 1, 8, 9))

    official = pdf_text(bytes(report.final_pdf), tmp_path)
    assert "DỰ THẢO" not in official
    assert "Số: 125/BC-UBND" in official and "ngày 08 tháng 01 năm 2026" in official
    assert report.issued_on == date(2026, 1, 8)
    sheet = xlsx_text(bytes(report.final_xlsx))
    assert "DỰ THẢO" not in sheet and "Kèm theo Báo cáo số 125/BC-UBND ngày 08 tháng 01 năm 2026" in sheet
    # The draft's files and the frozen figures are as they were.
    assert (bytes(report.pdf), bytes(report.xlsx)) == (draft_pdf, draft_xlsx)
    assert (report.figures, report.figures_hash) == (figures, digest)


def test_a_final_report_serves_its_official_files_and_still_its_draft(
    draft, leader, client, django_capture_on_commit_callbacks, tmp_path
):
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("baocao:finalize", args=[draft.pk]))
    assert response.status_code == 302
    page = client.get(reverse("baocao:detail", args=[draft.pk])).content.decode()
    assert "Tải bản dự thảo (PDF)" in page and "Tải PDF</a>" in page

    official = client.get(reverse("baocao:file", args=[draft.pk, "pdf"]))
    assert official["Content-Disposition"].endswith('-chinh-thuc.pdf"')
    assert "DỰ THẢO" not in pdf_text(b"".join(official), tmp_path)
    drafted = client.get(reverse("baocao:file", args=[draft.pk, "du-thao-pdf"]))
    assert drafted["Content-Disposition"].endswith('-du-thao.pdf"')
    assert "DỰ THẢO" in pdf_text(b"".join(drafted), tmp_path)
    xlsx = client.get(reverse("baocao:file", args=[draft.pk, "xlsx"]))
    assert xlsx["Content-Disposition"].endswith('-chinh-thuc.xlsx"')
    assert client.get(reverse("baocao:file", args=[draft.pk, "du-thao-xlsx"])).status_code == 200


def test_a_draft_downloads_as_a_draft(draft, leader, client):
    client.force_login(leader)
    response = client.get(reverse("baocao:file", args=[draft.pk, "pdf"]))
    assert response["Content-Disposition"].endswith('-du-thao.pdf"')
    page = client.get(reverse("baocao:detail", args=[draft.pk])).content.decode()
    assert "Tải PDF (dự thảo)" in page


def test_a_report_without_a_number_cannot_be_finalised(ward, leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.draft_report(agency=ward, period=PERIOD, user=leader)[0]
    report.refresh_from_db()
    with pytest.raises(services.ReportError, match="số văn bản"):
        services.finalize_report(report=report, user=leader)
    report.refresh_from_db()
    assert report.finalized_at is None and report.final_pdf is None


def test_rendering_the_official_files_twice_stores_one_result(draft, leader, django_capture_on_commit_callbacks):
    report = finalize(draft, leader, django_capture_on_commit_callbacks)
    stamped, content = report.final_rendered_at, bytes(report.final_pdf)
    assert services.render_final_files(report.pk) == "skipped"
    report.refresh_from_db()
    assert (report.final_rendered_at, bytes(report.final_pdf)) == (stamped, content)
    # A draft has no official files to render.
    other = Report.objects.create(agency=report.agency, period_kind="custom", start=PERIOD.start, end=PERIOD.end)
    assert services.render_final_files(other.pk) == "skipped"


def test_the_page_waits_for_the_official_files_and_offers_to_render_them_again(
    draft, leader, client, django_capture_on_commit_callbacks
):
    services.finalize_report(report=draft, user=leader)  # on_commit not run: no files yet
    client.force_login(leader)
    page = client.get(reverse("baocao:detail", args=[draft.pk])).content.decode()
    assert "Đang tạo tệp PDF, XLSX chính thức" in page and "Tải PDF</a>" not in page
    assert client.get(reverse("baocao:file", args=[draft.pk, "pdf"])).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("baocao:render_final", args=[draft.pk]))
    draft.refresh_from_db()
    assert draft.final_rendered_at is not None
    assert client.get(reverse("baocao:file", args=[draft.pk, "pdf"])).status_code == 200


def test_the_drilldown_lists_the_dossiers_as_they_were_counted(
    draft, leader, officer, clerk, client, django_capture_on_commit_callbacks
):
    report = finalize(draft, leader, django_capture_on_commit_callbacks)
    assert report.counted_at == PERIOD.bounds()[1]
    open_one = Dossier.objects.get(result_ready_at__isnull=True)
    counted = {
        "in_progress_total": {open_one.code},
        "received_total": set(Dossier.objects.values_list("code", flat=True)),
    }
    # Today the open dossier is finished inside the period (a late import, say): the live query moves…
    workflow.assign(dossier_id=open_one.pk, actor=clerk, officer=officer, now=vn(2025, 7, 8, 10))
    workflow.mark_result_ready(dossier_id=open_one.pk, actor=officer, now=vn(2025, 7, 9, 10))
    start, end = PERIOD.bounds()
    assert drilldown(agency_ids=[report.agency_id], start=start, end=end, column="in_progress_total").count() == 0
    # …but the final report's drill-down shows what its frozen number counted.
    client.force_login(leader)
    for column, codes in counted.items():
        response = client.get(reverse("baocao:drilldown", args=[report.pk, column, "tong"]))
        listed = {entry.code for entry in response.context["page"].object_list}
        assert listed == codes and len(listed) == report.figures["total"][column]
        assert "như lúc tổng hợp số liệu" in response.content.decode()
    field_id = report.figures["rows"][0]["field_id"]
    response = client.get(reverse("baocao:drilldown", args=[report.pk, "early", str(field_id)]))
    assert response.context["page"].paginator.count == report.figures["rows"][0]["early"] == 1
    assert "Đã có kết quả" in response.content.decode()
    # The open dossier is listed with its status when counted, not today's.
    response = client.get(reverse("baocao:drilldown", args=[report.pk, "in_progress_total", "tong"]))
    assert [e.status_label for e in response.context["page"].object_list] == ["Đã tiếp nhận"]


def test_every_cell_of_a_compiled_report_has_its_members(draft):
    from baocao.queries import COLUMNS, column_bit

    entries = list(ReportEntry.objects.filter(report=draft))
    for row in [*draft.figures["rows"], draft.figures["total"]]:
        for column in COLUMNS:
            members = [
                e for e in entries if e.columns & column_bit(column) and row.get("field_id") in (None, e.field_id)
            ]
            assert len(members) == row[column], (row["field"], column)


@pytest.mark.django_db(transaction=True)
def test_a_real_worker_renders_the_official_files_after_finalising(ward, leader, client, tmp_path):
    need(bool(settings.CELERY_BROKER_URL), "No Redis broker configured (set REDIS_URL).")
    need(connection.vendor == "postgresql", "The worker shares the test database only on PostgreSQL.")
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    database_url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    queue = f"motcua-test-final-{os.getpid()}"
    app.conf.task_always_eager = False
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "motcua", "worker", "--pool=solo", "--loglevel=WARNING"),
            *("-Q", queue, "-n", f"final-{os.getpid()}@%h"),
        ],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue

    def wait_for(done) -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and worker.poll() is None and not done():
            time.sleep(0.2)

    try:
        report = services.draft_report(agency=ward, period=PERIOD, user=leader)[0]  # autocommit: queued at once
        wait_for(lambda: Report.objects.filter(pk=report.pk, status="done").exists())
        Report.objects.filter(pk=report.pk).update(number="125")
        report.refresh_from_db()
        services.finalize_report(report=report, user=leader)  # the official files are queued on commit
        wait_for(lambda: Report.objects.filter(pk=report.pk, final_rendered_at__isnull=False).exists())
        client.force_login(leader)
        official = client.get(reverse("baocao:file", args=[report.pk, "pdf"]))
        assert official.status_code == 200
        text = pdf_text(b"".join(official), tmp_path)
        assert "DỰ THẢO" not in text and "Số: 125/BC-UBND" in text
        assert "DỰ THẢO" in pdf_text(
            b"".join(client.get(reverse("baocao:file", args=[report.pk, "du-thao-pdf"]))), tmp_path
        )
    finally:
        app.conf.task_default_queue = previous_queue
        app.conf.task_always_eager = True
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in output, output


def test_the_sweeper_sends_the_official_files_a_lost_message_never_rendered(draft, leader, time_machine):
    time_machine.move_to(datetime(2026, 1, 8, 9, 0, tzinfo=VN_TZ))
    services.finalize_report(report=draft, user=leader)  # on_commit not run: the message is "lost"
    assert services.resend_final_renderings() == []  # within the grace period: nothing yet
    time_machine.move_to(datetime(2026, 1, 8, 9, 6, tzinfo=VN_TZ))
    assert services.resend_final_renderings() == [draft.pk]  # eager here: rendered at once
    draft.refresh_from_db()
    assert draft.final_rendered_at is not None and b"%PDF" in bytes(draft.final_pdf)[:8]
    assert services.resend_final_renderings() == []
