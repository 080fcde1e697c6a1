"""Reconciliation against the stand-in's lookups: differences listed and resent, waiting and blocked
dossiers reported, the weekly job keeps its result and writes to the ward's administrators."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from hoso.constants import Status
from lienthong import drain, tasks
from lienthong.models import OutboxEntry, Reconciliation, State
from motcua.constants import Role
from tests.hoso.test_workflow import bring_to

pytestmark = pytest.mark.django_db

WINDOW = ["--from", "2025-03-01", "--to", "2025-03-31"]


def reconcile(agency, *extra, capsys):
    call_command("national_reconcile", "--agency", agency.code, *WINDOW, "--json", *extra)
    return json.loads(capsys.readouterr().out)


def test_differences_are_listed_resent_and_then_gone(stand_in, with_id_number, agency, staff, procedure, capsys):
    lost, changed, same = (bring_to(Status.PROCESSING, agency, staff, procedure) for _ in range(3))
    drain.drain_once()
    del stand_in.records[lost.code]  # the portal lost one record…
    stand_in.records[changed.code]["TrangThaiHoSo"] = 9  # …and shows another as finished
    report = reconcile(agency, "--no-resend", capsys=capsys)
    assert report["checked"] == 3 and report["same"] == 1 and report["resent"] == 0
    assert sorted(report["differences"]) == sorted(
        [
            f"{lost.code}: Cổng DVC quốc gia không có hồ sơ này.",
            f"{changed.code}: TrangThaiHoSo ở ta 4, trên Cổng 9.",
        ]
    )
    assert not OutboxEntry.objects.exclude(state=State.ACKNOWLEDGED).exists()  # listing only
    assert reconcile(agency, capsys=capsys)["resent"] == 2
    assert OutboxEntry.objects.filter(state=State.PENDING).count() == 2
    assert reconcile(agency, capsys=capsys)["waiting"] == 2  # not compared before the drain is done
    drain.drain_once()
    assert stand_in.inspect(lost.code)["record"]["TrangThaiHoSo"] == 4
    assert stand_in.inspect(changed.code)["record"]["TrangThaiHoSo"] == 4
    assert reconcile(agency, capsys=capsys) | {"checked": 3} == {
        "checked": 3,
        "same": 3,
        "waiting": 0,
        "resent": 0,
        "differences": [],
        "blocked": [],
        "errors": [],
    }
    assert same.code in stand_in.records


def test_blocked_dossiers_are_reported_with_their_reason(stand_in, agency, staff, procedure, capsys):
    d = bring_to(Status.RECEIVED, agency, staff, procedure)  # no ID number
    report = reconcile(agency, capsys=capsys)
    assert report["blocked"] == [f"{d.code}: Không đồng bộ được: chủ hồ sơ chưa có số giấy tờ tùy thân / mã số thuế."]
    call_command("national_reconcile", "--agency", agency.code, *WINDOW)
    assert "1 không đồng bộ được" in capsys.readouterr().out


def test_a_dossier_outside_the_window_is_not_compared(stand_in, with_id_number, agency, staff, procedure, capsys):
    bring_to(Status.PROCESSING, agency, staff, procedure)
    call_command("national_reconcile", "--agency", agency.code, "--from", "2025-04-01", "--to", "2025-04-30", "--json")
    assert json.loads(capsys.readouterr().out)["checked"] == 0


def test_bad_arguments_are_refused(stand_in, agency):
    with pytest.raises(CommandError, match="Không có cơ quan"):
        call_command("national_reconcile", "--agency", "000.00.00.X00", *WINDOW)
    with pytest.raises(CommandError, match="Ngày bắt đầu"):
        call_command("national_reconcile", "--agency", agency.code, "--from", "2025-04-01", "--to", "2025-03-01")


def test_the_weekly_job_keeps_its_result_and_writes_to_the_ward_admins(
    stand_in, with_id_number, agency, staff, procedure
):
    assert settings.CELERY_BEAT_SCHEDULE["lienthong-reconcile-week"]["task"] == "lienthong.tasks.reconcile_week"
    admin = staff[Role.ADMIN]
    admin.email = "quantri@phuong.gov.vn"
    admin.save()
    d = bring_to(Status.PROCESSING, agency, staff, procedure)  # Mon 03/03/2025
    drain.drain_once()
    del stand_in.records[d.code]
    assert tasks.reconcile_week(today="2025-03-08") == {agency.code: 1}
    run = Reconciliation.objects.get()
    assert (run.checked, run.differences, run.resent, run.blocked) == (1, 1, 1, 0)
    assert f"{d.code}: Cổng DVC quốc gia không có hồ sơ này." in run.report
    (message,) = mail.outbox
    assert message.to == ["quantri@phuong.gov.vn"] and "01/03/2025 đến 07/03/2025" in message.subject
    drain.drain_once()
    assert stand_in.inspect(d.code)["record"]["TrangThaiHoSo"] == 4
