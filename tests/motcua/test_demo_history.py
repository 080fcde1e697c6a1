"""The demo ward's recent history: made by the real services, spread like a ward's months, silent."""

from __future__ import annotations

import io
from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.urls import reverse

from baocao.figures import compile_figures
from baocao.periods import custom, decree_half_year
from baocao.queries import COLUMNS, table_06a
from hoso.constants import Status
from hoso.models import Dossier, DossierEvent, FollowUp, Notification, SatisfactionRating
from hoso.notifications import sweep
from hoso.workcalendar import VN_TZ
from motcua.demo import load_demo
from motcua.demo_history import load_history
from motcua.models import User

pytestmark = pytest.mark.django_db

# A Saturday after the first half-year of Nghị định 09 (15/12/2025 – 14/06/2026) closed.
NOW = datetime(2026, 6, 20, 10, 0, tzinfo=VN_TZ)
COUNT = 150


@pytest.fixture
def history(time_machine, django_capture_on_commit_callbacks):
    time_machine.move_to(NOW, tick=False)
    agency, _ = load_demo()
    # The after-commit hooks run, as in production: a historical event must still send nothing.
    with django_capture_on_commit_callbacks(execute=True):
        written = load_history(agency, count=COUNT, now=NOW)
    return agency, written


def test_the_history_spreads_over_every_outcome_a_ward_sees(history):
    agency, written = history
    assert written.dossiers == Dossier.objects.filter(agency=agency).count() == COUNT
    timeliness = Counter(Dossier.objects.exclude(result_ready_at=None).values_list("timeliness", flat=True))
    assert timeliness["early"] > 0 and timeliness["on_time"] > timeliness["late"] > 0
    statuses = Counter(Dossier.objects.values_list("status", flat=True))
    assert statuses[Status.RETURNED] > COUNT / 2
    assert statuses[Status.WITHDRAWN] > 0 and statuses[Status.STOPPED] > 0
    assert Dossier.objects.filter(extensions__gt=0).exists()
    assert Dossier.objects.filter(supplement_requests__gt=0).exclude(status=Status.STOPPED).exists()
    channels = Counter(Dossier.objects.values_list("channel", flat=True))
    assert channels[1] > channels[2] > 0
    fields = Counter(Dossier.objects.values_list("field__name", flat=True)).most_common(2)
    assert {name for name, _ in fields} == {"Chứng thực", "Hộ tịch"}
    # Still open now: some within the deadline, some overdue, on the leader's board.
    table = table_06a(agency_ids=[agency.pk], start=datetime(2026, 1, 1, tzinfo=VN_TZ), end=NOW)["total"]
    assert table["within_deadline"] > 0 and table["overdue"] > 0
    levels = Counter(SatisfactionRating.objects.values_list("level", flat=True))
    assert levels["very_satisfied"] + levels["satisfied"] > 5 * levels["dissatisfied"] > 0
    assert FollowUp.objects.filter(agency=agency, rating__level="dissatisfied").count() == levels["dissatisfied"]
    # Every instant lies in the past.
    assert not DossierEvent.objects.filter(at__gte=NOW).exists()
    # About five months back.
    assert Dossier.objects.filter(received_at__lt=NOW - timedelta(days=130)).exists()
    assert not Dossier.objects.filter(received_at__lt=NOW - timedelta(days=151)).exists()


def test_the_history_needs_no_correction_and_its_reports_add_up(history):
    agency, _ = history
    out = io.StringIO()
    call_command("recompute_dossiers", stdout=out)
    assert f"Đã kiểm tra {COUNT} hồ sơ; 0 hồ sơ cần sửa." in out.getvalue()

    # The whole history in one custom period: every dossier received counts once.
    start, _ = custom(datetime(2026, 1, 1).date(), NOW.date()).bounds()
    table = table_06a(agency_ids=[agency.pk], start=start, end=NOW)
    total = table["total"]
    assert total["received_total"] == COUNT and total["carried_over"] == 0
    for row in [*table["rows"], total]:
        assert row["received_total"] == row["resolved_total"] + row["in_progress_total"] + row["withdrawn_or_stopped"]
        assert row["resolved_total"] == row["early"] + row["on_time"] + row["late"]
        assert row["in_progress_total"] == row["within_deadline"] + row["overdue"]
    assert all(total[c] == sum(r[c] for r in table["rows"]) for c in COLUMNS)

    # The half-year report of Nghị định 09 compiled at once shows figures, carried over into the next.
    figures = compile_figures(agency_ids=[agency.pk], period=decree_half_year(2026, 1))
    first = figures["total"]
    assert first["resolved_total"] > 0 and first["late"] > 0
    assert (
        first["received_total"] == first["resolved_total"] + first["in_progress_total"] + first["withdrawn_or_stopped"]
    )
    assert figures["indicators"]
    second = table_06a(agency_ids=[agency.pk], start=decree_half_year(2026, 2).bounds()[0], end=NOW)["total"]
    assert second["carried_over"] == first["in_progress_total"]


def test_the_history_tells_nobody_and_loads_once(history):
    agency, _ = history
    assert Notification.objects.count() == 0
    assert all(data.get("silent") for data in DossierEvent.objects.values_list("data", flat=True))
    swept = sweep(NOW)
    assert swept.events == [] and swept.requeued == []
    again = load_history(agency, count=COUNT, now=NOW)
    assert again.skipped and again.dossiers == 0
    assert Dossier.objects.count() == COUNT


def test_the_desk_pages_show_the_history(history, client):
    client.force_login(User.objects.get(username="lanhdao"))
    board = client.get(reverse("hoso:worklist_leader"))
    assert board.status_code == 200
    overdue = Dossier.objects.filter(status=Status.PROCESSING, due_at__lt=NOW).first()
    assert overdue is not None and overdue.code in board.content.decode()
    follow_ups = client.get(reverse("hoso:follow_ups"))
    assert follow_ups.status_code == 200 and "Không hài lòng" in follow_ups.content.decode()
    book = client.get(reverse("hoso:tracking_book"), {"start": "2026-01-01", "end": "2026-06-20"})
    assert book.status_code == 200
    assert Dossier.objects.order_by("received_at").last().code in book.content.decode()


def test_load_demo_loads_the_history_unless_told_not_to(time_machine):
    time_machine.move_to(NOW, tick=False)
    call_command("load_demo", "--no-dossiers", stdout=io.StringIO())
    assert not Dossier.objects.exists()
    out = io.StringIO()
    call_command("load_demo", "--dossiers", "60", stdout=out)
    assert "Hồ sơ mẫu: tạo 60 hồ sơ" in out.getvalue() and "… 60/60 hồ sơ" in out.getvalue()
    assert Dossier.objects.count() == 60
    again = io.StringIO()
    call_command("load_demo", stdout=again)
    assert "đã có hồ sơ, không tạo thêm" in again.getvalue()
    assert Dossier.objects.count() == 60


def test_the_same_seed_and_instant_write_the_same_history(time_machine):
    time_machine.move_to(NOW, tick=False)
    agency, _ = load_demo()

    def written() -> list[tuple]:
        return list(
            Dossier.objects.order_by("code").values_list(
                "code", "procedure__code", "channel", "applicant_name", "received_at", "status", "timeliness"
            )
        )

    with transaction.atomic():
        load_history(agency, count=40, now=NOW)
        first = written()
        transaction.set_rollback(True)
    assert not Dossier.objects.exists()
    load_history(agency, count=40, now=NOW)
    assert written() == first and len(first) == 40
