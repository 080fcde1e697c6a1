"""The outbox: one row per workflow event in the action's transaction, nothing for rolled-back,
silent or imported history, blocked rows for missing data, and one INSERT per action."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from hoso import events, workflow
from hoso.constants import Status
from lienthong import tasks
from lienthong.models import OutboxEntry, State
from lienthong.state import sync_state
from motcua.constants import Role
from tests.hoso.test_workflow import bring_to, vn

pytestmark = pytest.mark.django_db


def test_every_action_queues_one_row_in_order(link_on, with_id_number, agency, staff, procedure):
    d = bring_to(Status.RETURNED, agency, staff, procedure)
    rows = list(OutboxEntry.objects.filter(dossier=d).order_by("sequence"))
    assert [r.payload["record"]["TrangThaiHoSo"] for r in rows] == [2, 4, 9, 10]
    assert [r.payload["steps"][0]["TrangThai"] for r in rows] == [2, 4, 9, 10]
    assert all(r.state == State.PENDING for r in rows)
    assert rows[-1].payload["record"]["NgayTra"] == "20250303090300"  # returned at 09:03, Hanoi time


def test_a_rolled_back_action_queues_nothing(link_on, with_id_number, agency, staff, procedure):
    d = bring_to(Status.RECEIVED, agency, staff, procedure)
    before = OutboxEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        workflow.assign(dossier_id=d.pk, actor=staff[Role.CLERK], officer=staff[Role.OFFICER], now=vn(2025, 3, 3, 10))
        assert OutboxEntry.objects.count() == before + 1  # written with the event…
        raise RuntimeError("the action fails after the event")
    assert OutboxEntry.objects.count() == before  # …and gone with it


def test_history_recorded_silently_is_not_queued(link_on, with_id_number, agency, staff, procedure):
    with events.recorded_silently():
        bring_to(Status.RESULT_READY, agency, staff, procedure)
    assert not OutboxEntry.objects.exists()


def test_nothing_is_queued_while_the_link_is_off(settings, with_id_number, agency, staff, procedure):
    settings.MOTCUA_NATIONAL_PORTAL_URL = ""
    bring_to(Status.PROCESSING, agency, staff, procedure)
    assert not OutboxEntry.objects.exists()


def test_missing_id_number_blocks_the_row_with_the_reason_never_a_made_up_value(link_on, agency, staff, procedure):
    d = bring_to(Status.RECEIVED, agency, staff, procedure)
    row = OutboxEntry.objects.get(dossier=d)
    assert row.state == State.BLOCKED
    assert row.last_error.startswith("Không đồng bộ được:") and "số giấy tờ" in row.last_error
    assert row.payload["record"]["MaDoiTuong"] == ""


@pytest.mark.parametrize("status", [Status.GUIDED, Status.REFUSED])
def test_a_dossier_never_received_at_the_counter_queues_nothing(
    link_on, with_id_number, agency, staff, procedure, status
):
    d = bring_to(status, agency, staff, procedure)
    assert d.code is None and not OutboxEntry.objects.exists()
    assert sync_state(d.pk, coded=False).text.startswith("Không đồng bộ được: hồ sơ chưa có mã")


def _count_assign(dossier, staff, minute):
    with CaptureQueriesContext(connection) as ctx:
        workflow.assign(
            dossier_id=dossier.pk,
            actor=staff[Role.CLERK],
            officer=staff[Role.OFFICER],
            now=vn(2025, 3, 3, 9) + timedelta(minutes=minute),
        )
    return [q["sql"] for q in ctx.captured_queries]


def test_the_hook_adds_exactly_one_insert_to_an_action(link_on, with_id_number, agency, staff, procedure, monkeypatch):
    first = bring_to(Status.RECEIVED, agency, staff, procedure)
    second = bring_to(Status.RECEIVED, agency, staff, procedure)
    _count_assign(first, staff, 1)  # warm the caches (calendar) once
    with_hook = _count_assign(second, staff, 2)
    third = bring_to(Status.RECEIVED, agency, staff, procedure)
    monkeypatch.setattr(events, "_callbacks", [c for c in events._callbacks if c is not tasks.queue_after_event])
    without_hook = _count_assign(third, staff, 2)
    assert len(with_hook) == len(without_hook) + 1
    extra = [q for q in with_hook if "lienthong_outboxentry" in q]
    assert len(extra) == 1 and extra[0].startswith("INSERT")
