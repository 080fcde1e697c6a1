"""Report objects: compilation (claimed once, idempotent), failure and retry, final freeze,
the periodic drafts, the pages and their permissions, and a real Celery worker."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path

import pytest
from django.conf import settings
from django.core import mail
from django.db import IntegrityError, OperationalError, connection, transaction
from django.urls import reverse

from baocao import services
from baocao.constants import ReportStatus
from baocao.models import Report
from baocao.periods import calendar_half_year
from baocao.queries import drilldown
from hoso import workflow
from hoso.models import AccessLog
from hoso.workcalendar import VN_TZ
from motcua.constants import Role
from tests.conftest import need
from tests.factories import (
    AgencyFactory,
    AgencyProcedureFactory,
    FieldFactory,
    ProcedureFactory,
    UserFactory,
    load_holidays,
)
from tests.printed import FAKE_PDF, html_text
from thutuc.constants import Channel, TimeUnit

PERIOD = calendar_half_year(2025, 2)  # 01/07/2025 – 31/12/2025


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


@pytest.fixture(autouse=True)
def _no_layout(report_html):
    """Compilations in this process keep their HTML and lay no PDF out (tests/printed.py); the real
    worker's test, in its own process, makes and reads back a real one."""
    return report_html


def make_dossiers(agency, clerk, officer) -> None:
    """Three dossiers in July 2025: one resolved early, one online in progress, one late."""
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

    early = receive(vn(2025, 7, 7, 9))  # Monday; due Thursday 10/07 09:00
    workflow.assign(dossier_id=early.pk, actor=clerk, officer=officer, now=vn(2025, 7, 7, 10))
    workflow.mark_result_ready(dossier_id=early.pk, actor=officer, now=vn(2025, 7, 8, 10))
    receive(vn(2025, 7, 8, 9), Channel.ONLINE)
    late = receive(vn(2025, 7, 9, 9))
    workflow.assign(dossier_id=late.pk, actor=clerk, officer=officer, now=vn(2025, 7, 9, 10))
    workflow.mark_result_ready(dossier_id=late.pk, actor=officer, now=vn(2025, 7, 21, 10))


@pytest.fixture
def ward(agency, clerk, officer):
    make_dossiers(agency, clerk, officer)
    return agency


@pytest.fixture
def compiled(ward, leader, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        report = services.draft_report(agency=ward, period=PERIOD, user=leader)[0]
    report.refresh_from_db()
    return report


# -- compilation -------------------------------------------------------------------------------------
@pytest.mark.django_db
def test_creating_a_report_compiles_and_freezes_the_figures(compiled):
    assert compiled.status == ReportStatus.DONE and compiled.progress == 100
    total = compiled.figures["total"]
    assert (total["received_total"], total["received_online"], total["early"], total["late"]) == (3, 1, 1, 1)
    assert compiled.figures_hash == services.figures_digest(compiled.figures)
    assert bytes(compiled.pdf).startswith(b"%PDF") and bytes(compiled.xlsx).startswith(b"PK")
    assert compiled.period_kind == "calendar_half_year" and compiled.started_at <= compiled.finished_at


@pytest.mark.django_db
def test_compiling_twice_does_the_work_once(compiled):
    finished = compiled.finished_at
    assert services.compile_report(compiled.pk) == "skipped"
    compiled.refresh_from_db()
    assert compiled.finished_at == finished and compiled.status == ReportStatus.DONE
    # Recompiling the unchanged data on purpose gives the same hash.
    digest = compiled.figures_hash
    services.retry_report(report=compiled, user=None)
    assert services.compile_report(compiled.pk) == "done"
    compiled.refresh_from_db()
    assert compiled.figures_hash == digest


@pytest.mark.django_db
def test_creating_the_same_period_twice_returns_the_same_report(compiled, leader):
    again, created = services.draft_report(agency=compiled.agency, period=PERIOD, user=leader)
    assert not created and again.pk == compiled.pk
    assert Report.objects.count() == 1


@pytest.mark.django_db
def test_only_the_first_claim_wins(ward, leader):
    report, _ = services.draft_report(agency=ward, period=PERIOD, user=leader)  # on_commit not run: queued
    now = datetime.now(tz=VN_TZ)
    assert services.claim(report.pk, now=now) is not None
    assert services.claim(report.pk, now=now) is None


@pytest.mark.django_db(transaction=True)
def test_two_workers_claiming_at_once_run_it_once(agency, leader):
    need(connection.vendor == "postgresql", "Concurrent claims need PostgreSQL.")
    report = Report.objects.create(
        agency=agency, period_kind="custom", start=date(2025, 1, 1), end=date(2025, 1, 31), label="x"
    )
    barrier, results = threading.Barrier(2), []

    def claim():
        barrier.wait()
        results.append(services.claim(report.pk, now=datetime.now(tz=VN_TZ)) is not None)
        connection.close()

    threads = [threading.Thread(target=claim) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False, True]


@pytest.mark.django_db
def test_a_failure_is_recorded_with_the_reason_and_a_retry_works(
    ward, leader, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(**kwargs):
        raise RuntimeError("bảng tạm bị khóa")

    monkeypatch.setattr("baocao.figures.compile_figures", broken)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.draft_report(agency=ward, period=PERIOD, user=leader)[0]
    report.refresh_from_db()
    assert report.status == ReportStatus.FAILED
    assert report.error.startswith("Không tổng hợp được báo cáo") and "bảng tạm bị khóa" in report.error
    assert report.figures is None and report.pdf is None
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        services.retry_report(report=report, user=leader)
    report.refresh_from_db()
    assert report.status == ReportStatus.DONE and report.error == ""


@pytest.mark.django_db
def test_a_transient_database_error_releases_the_claim_for_a_retry(ward, leader, monkeypatch):
    report, _ = services.draft_report(agency=ward, period=PERIOD, user=leader)

    def flaky(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("baocao.figures.compile_figures", flaky)
    with pytest.raises(OperationalError):
        services.compile_report(report.pk)
    report.refresh_from_db()
    assert report.status == ReportStatus.QUEUED


@pytest.mark.django_db
def test_editing_the_narrative_rerenders_the_pdf_with_the_same_figures(
    compiled, report_html, leader, django_capture_on_commit_callbacks
):
    digest = compiled.figures_hash
    compiled_html = len(report_html)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_narrative(
            report=compiled, data={"direction": "Ban hành Kế hoạch số 12/KH-UBND.", "number": "77"}, user=leader
        )
    compiled.refresh_from_db()
    assert compiled.status == ReportStatus.DONE and compiled.figures_hash == digest
    assert len(report_html) == compiled_html + 1 and bytes(compiled.pdf) == FAKE_PDF  # rendered again
    text = html_text(report_html[-1])  # what the new PDF is laid out from
    assert "Ban hành Kế hoạch số 12/KH-UBND." in text and "Số: 77/BC-UBND" in text


@pytest.mark.django_db
def test_a_final_report_never_changes(compiled, leader, client):
    Report.objects.filter(pk=compiled.pk).update(number="125")
    services.finalize_report(report=compiled, user=leader)
    compiled.refresh_from_db()
    before = (compiled.figures_hash, compiled.direction, bytes(compiled.pdf))
    with pytest.raises(services.ReportError, match="đã hoàn tất"):
        services.update_narrative(report=compiled, data={"direction": "Sửa sau khi ký"}, user=leader)
    with pytest.raises(services.ReportError):
        services.retry_report(report=compiled, user=leader)
    with pytest.raises(services.ReportError):
        services.finalize_report(report=compiled, user=leader)
    # The database itself refuses to put a final report back in the queue…
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.filter(pk=compiled.pk).update(status=ReportStatus.QUEUED)
    # …and the task never claims a final report.
    assert services.compile_report(compiled.pk) == "skipped"
    client.force_login(leader)
    response = client.post(reverse("baocao:edit", args=[compiled.pk]), {"direction": "Sửa qua trang"})
    assert response.status_code == 302
    compiled.refresh_from_db()
    assert (compiled.figures_hash, compiled.direction, bytes(compiled.pdf)) == before


@pytest.mark.django_db
def test_only_a_compiled_report_can_be_final(ward, leader):
    report, _ = services.draft_report(agency=ward, period=PERIOD, user=leader)
    with pytest.raises(services.ReportError, match="tổng hợp xong"):
        services.finalize_report(report=report, user=leader)
    report.refresh_from_db()
    assert report.finalized_at is None


# -- the periodic drafts -------------------------------------------------------------------------------
@pytest.mark.django_db
@pytest.mark.parametrize(
    ("today", "kinds"),
    [
        (datetime(2026, 6, 15, 6, 0, tzinfo=VN_TZ), ["decree_half_year"]),
        (datetime(2026, 12, 15, 6, 0, tzinfo=VN_TZ), ["decree_year"]),
        (datetime(2026, 6, 14, 6, 0, tzinfo=VN_TZ), []),
        (datetime(2026, 6, 16, 6, 0, tzinfo=VN_TZ), []),
        (datetime(2026, 1, 1, 6, 0, tzinfo=VN_TZ), []),
    ],
)
def test_the_periodic_job_drafts_once_per_ward_only_after_a_cut_off(
    time_machine, agency, other_agency, today, kinds, django_capture_on_commit_callbacks, monkeypatch
):
    from baocao.tasks import draft_periodic_reports

    monkeypatch.setattr(services, "queue_compilation", lambda pk: None)  # the drafts themselves are under test
    AgencyFactory(code="000.25.33.H26", name="Phường Đã Sáp Nhập", active=False)
    UserFactory(agency=agency, role=Role.LEADER, username="ld1", email="ld1@phuong.gov.vn")
    UserFactory(agency=agency, role=Role.LEADER, username="ld2", email="")
    UserFactory(agency=agency, role=Role.CLERK, username="cb1", email="cb1@phuong.gov.vn")
    time_machine.move_to(today, tick=False)
    with django_capture_on_commit_callbacks(execute=True):
        created = draft_periodic_reports.delay().get()
    with django_capture_on_commit_callbacks(execute=True):
        assert draft_periodic_reports.delay().get() == []  # a second beat, or a second run
    reports = Report.objects.order_by("agency__code")
    assert len(created) == len(kinds) * 2
    assert [(r.agency_id, r.period_kind) for r in reports] == [(a.pk, k) for a in (agency, other_agency) for k in kinds]
    assert all(r.auto_drafted and r.created_by is None for r in reports)
    if kinds == ["decree_half_year"]:
        assert (reports[0].start, reports[0].end) == (date(2025, 12, 15), date(2026, 6, 14))
        assert [m.to for m in mail.outbox] == [["ld1@phuong.gov.vn"]]
        assert "6 tháng đầu năm 2026" in mail.outbox[0].subject
    else:
        assert len(mail.outbox) == len(kinds)


def test_the_beat_runs_the_job_daily_at_six():
    entry = settings.CELERY_BEAT_SCHEDULE["baocao-draft-periodic-reports"]
    assert entry["task"] == "baocao.tasks.draft_periodic_reports"
    assert entry["schedule"].hour == {6} and entry["schedule"].minute == {0}
    assert settings.CELERY_TIMEZONE == "Asia/Ho_Chi_Minh"


# -- pages and permissions -------------------------------------------------------------------------------
@pytest.mark.django_db
def test_pages_require_a_leader_of_the_same_ward(compiled, client, clerk, other_agency):
    urls = [
        reverse("baocao:list"),
        reverse("baocao:detail", args=[compiled.pk]),
        reverse("baocao:file", args=[compiled.pk, "pdf"]),
        reverse("baocao:drilldown", args=[compiled.pk, "received_total", "tong"]),
    ]
    for url in urls:
        assert client.get(url).status_code == 302 and "dang-nhap" in client.get(url)["Location"]
    client.force_login(clerk)
    for url in urls:
        assert client.get(url).status_code == 403
    client.force_login(UserFactory(agency=other_agency, role=Role.LEADER, username="ld_other"))
    for url in urls[1:]:
        assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_a_ward_admin_reads_but_does_not_write(compiled, client, ward_admin):
    client.force_login(ward_admin)
    assert client.get(reverse("baocao:detail", args=[compiled.pk])).status_code == 200
    assert client.post(reverse("baocao:finalize", args=[compiled.pk])).status_code == 403
    assert client.get(reverse("baocao:create")).status_code == 403


@pytest.mark.django_db
def test_the_leader_creates_a_report_from_the_form(ward, leader, client, django_capture_on_commit_callbacks):
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("baocao:create"), {"kind": "calendar_half_year", "year": "2025", "number": "2"})
    report = Report.objects.get()
    assert response["Location"] == reverse("baocao:detail", args=[report.pk])
    assert report.agency == ward and report.created_by == leader
    page = client.get(response["Location"]).content.decode()
    assert "Đã tổng hợp" in page and "Tải PDF" in page and 'id="bang-06a"' in page
    # The on-screen preview leads back to the report; the PDF itself carries no such link.
    preview = client.get(reverse("baocao:preview", args=[report.pk])).content.decode()
    assert f'href="{response["Location"]}">← Quay lại báo cáo' in preview and "BÁO CÁO" in preview
    # Posting again (a double click) opens the same report.
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("baocao:create"), {"kind": "calendar_half_year", "year": "2025", "number": "2"})
    assert Report.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "decree_half_year", "year": "2025", "number": ""}, "Hãy nhập kỳ số từ 1 đến 2."),
        ({"kind": "decree_quarter", "year": "2025", "number": "5"}, "Hãy nhập kỳ số từ 1 đến 4."),
        ({"kind": "decree_year", "year": "hai nghìn"}, "Năm phải là một số"),
        ({"kind": "custom", "start": "31/02/2025", "end": "01/03/2025"}, "Ngày không hợp lệ"),
        ({"kind": "custom", "start": "10/03/2025", "end": "01/03/2025"}, "không được trước ngày bắt đầu"),
        ({"kind": "custom", "start": "", "end": ""}, "Hãy nhập ngày bắt đầu."),
        ({"kind": "weekly", "year": "2025"}, "Hãy chọn loại kỳ báo cáo"),
        ({"kind": "calendar_year", "year": "2099"}, "Kỳ báo cáo chưa bắt đầu"),
    ],
)
def test_bad_period_input_gives_a_vietnamese_error_and_writes_nothing(agency, leader, client, data, message):
    client.force_login(leader)
    response = client.post(reverse("baocao:create"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Report.objects.exists()


@pytest.mark.django_db
def test_every_number_of_the_table_links_to_its_dossiers(compiled, leader, client):
    client.force_login(leader)
    page = client.get(reverse("baocao:detail", args=[compiled.pk])).content.decode()
    field_id = compiled.figures["rows"][0]["field_id"]
    start, end = PERIOD.bounds()
    for column in ("received_total", "received_online", "early", "late", "in_progress_total"):
        for slug, field in ((str(field_id), field_id), ("tong", None)):
            url = reverse("baocao:drilldown", args=[compiled.pk, column, slug])
            assert f'href="{url}"' in page
            response = client.get(url)
            assert response.status_code == 200
            expected = drilldown(agency_ids=[compiled.agency_id], start=start, end=end, column=column, field_id=field)
            assert response.context["page"].paginator.count == expected.count() == compiled.figures["total"][column]
    assert client.get(reverse("baocao:drilldown", args=[compiled.pk, "DROP TABLE", "tong"])).status_code == 404
    for odd in ("0", "²", "99999999999999999999"):  # no field of the table, whatever str.isdigit() says
        assert client.get(reverse("baocao:drilldown", args=[compiled.pk, "overdue", odd])).status_code == 404
    assert client.get(reverse("baocao:drilldown", args=[compiled.pk, "late", "abc"])).status_code == 404
    assert client.get(reverse("baocao:drilldown", args=[compiled.pk, "late", "999999"])).status_code == 404


@pytest.mark.django_db
def test_downloads_are_logged(compiled, leader, client):
    client.force_login(leader)
    response = client.get(reverse("baocao:file", args=[compiled.pk, "pdf"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"".join(response).startswith(b"%PDF")
    assert client.get(reverse("baocao:file", args=[compiled.pk, "xlsx"])).status_code == 200
    assert client.get(reverse("baocao:file", args=[compiled.pk, "exe"])).status_code == 404
    logs = AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT, dossier=None, user=leader)
    assert logs.count() == 2


@pytest.mark.django_db
def test_the_status_fragment_polls_while_busy_and_refreshes_when_done(ward, leader, client):
    report, _ = services.draft_report(agency=ward, period=PERIOD, user=leader)
    client.force_login(leader)
    url = reverse("baocao:status", args=[report.pk])
    busy = client.get(url, HTTP_HX_REQUEST="true")
    assert 'hx-trigger="every 2s"' in busy.content.decode() and "HX-Refresh" not in busy
    services.compile_report(report.pk)
    done = client.get(url, HTTP_HX_REQUEST="true")
    assert "every 2s" not in done.content.decode() and done["HX-Refresh"] == "true"


@pytest.mark.django_db
def test_a_failed_report_shows_the_reason_and_a_retry_button(ward, leader, client, monkeypatch):
    report, _ = services.draft_report(agency=ward, period=PERIOD, user=leader)
    monkeypatch.setattr("baocao.exports.html_to_pdf", lambda html: (_ for _ in ()).throw(ValueError("hỏng phông")))
    services.compile_report(report.pk)
    client.force_login(leader)
    page = client.get(reverse("baocao:detail", args=[report.pk])).content.decode()
    assert "Không tổng hợp được báo cáo" in page and "Thử lại" in page


# -- a real worker ------------------------------------------------------------------------------------------
def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_compiles_the_report_and_the_view_serves_it(agency, clerk, officer, leader, client, tmp_path):
    need(bool(settings.CELERY_BROKER_URL), "No Redis broker configured (set REDIS_URL).")
    need(connection.vendor == "postgresql", "The worker shares the test database only on PostgreSQL.")
    from motcua.celery import app

    make_dossiers(agency, clerk, officer)
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    database_url = f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    queue = f"motcua-test-reports-{os.getpid()}"
    app.conf.task_always_eager = False
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "motcua",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "-Q",
            queue,
            "-n",
            f"reports-{os.getpid()}@%h",
        ],
        cwd=Path(settings.BASE_DIR),
        env={**os.environ, "DATABASE_URL": database_url},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    previous_queue = app.conf.task_default_queue
    app.conf.task_default_queue = queue  # the task draft_report queues goes to this worker
    try:
        from baocao.tasks import compile_report_task

        started = time.monotonic()
        report = services.draft_report(agency=agency, period=PERIOD, user=leader)[0]  # autocommit: queued at once
        compile_report_task.delay(report.pk)  # a duplicate delivery: loses the claim, does nothing
        deadline = started + 120
        while time.monotonic() < deadline and worker.poll() is None:
            report.refresh_from_db()
            if report.status in (ReportStatus.DONE, ReportStatus.FAILED):
                break
            time.sleep(0.2)
        elapsed = time.monotonic() - started
        peak = _peak_rss_mb(worker.pid)
        assert report.status == ReportStatus.DONE, report.error
        client.force_login(leader)
        response = client.get(reverse("baocao:file", args=[report.pk, "pdf"]))
        pdf = tmp_path / "r.pdf"
        pdf.write_bytes(b"".join(response))
        text = subprocess.run(
            ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
        ).stdout
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text and "6 tháng cuối năm 2025" in text
        print(f"\nworker compile: {elapsed:.2f} s, peak RSS {peak:.0f} MB")
        assert peak < 300, f"worker peak RSS {peak:.0f} MB"
    finally:
        app.conf.task_default_queue = previous_queue
        app.conf.task_always_eager = True
        worker.terminate()
        output = worker.communicate(timeout=30)[0].decode(errors="replace")
    assert "Traceback" not in output, output


@pytest.mark.django_db
def test_the_preview_styles_are_admitted_by_the_pages_csp_nonce_and_nothing_else(compiled, client, leader):
    client.force_login(leader)
    response = client.get(reverse("baocao:preview", args=[compiled.pk]))
    policy = response["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
    html = response.content.decode()
    styles = re.findall(r"<style\b[^>]*>", html)
    assert styles and all(f'nonce="{nonce}"' in tag for tag in styles)
    assert "unsafe-inline" not in policy and " style=" not in html
    # Another request, another nonce.
    again = client.get(reverse("baocao:preview", args=[compiled.pk]))["Content-Security-Policy"]
    assert f"'nonce-{nonce}'" not in again
