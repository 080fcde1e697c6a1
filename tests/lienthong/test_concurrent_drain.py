"""Workers draining at the same time on PostgreSQL: every step reaches the stand-in once, in order."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connection, connections

from hoso import workflow
from hoso.constants import Status
from lienthong import drain, tasks
from lienthong.models import OutboxEntry, State
from motcua.constants import Role
from tests.conftest import need
from tests.hoso.test_workflow import bring_to, vn

pytestmark = pytest.mark.django_db(transaction=True)


def test_four_workers_share_the_rows_without_sending_one_twice(
    stand_in, with_id_number, agency, staff, procedure, monkeypatch
):
    need(connection.vendor == "postgresql", "Row locks need PostgreSQL (set DATABASE_URL).")
    monkeypatch.setattr(tasks, "kick_drain", lambda: None)  # the workers below do the sending
    clerk, officer = staff[Role.CLERK], staff[Role.OFFICER]
    dossiers = [bring_to(Status.RECEIVED, agency, staff, procedure) for _ in range(12)]
    for i, d in enumerate(dossiers):
        at = vn(2025, 3, 3, 10, i)
        workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=at)
        workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="Giấy tờ", now=at + timedelta(hours=1))
        workflow.complete_supplement(dossier_id=d.pk, actor=officer, now=at + timedelta(hours=2))
        workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=at + timedelta(hours=3))
    results: list[drain.DrainResult] = []

    def worker() -> None:
        try:
            results.append(drain.drain_once())
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sum(r.acknowledged for r in results) == 60 and sum(r.sent for r in results) == 60
    assert set(OutboxEntry.objects.values_list("state", flat=True)) == {State.ACKNOWLEDGED}
    for d in dossiers:
        steps = stand_in.inspect(d.code)["progress"]
        assert [s["TrangThai"] for s in steps] == [2, 4, 5, 4, 9]
        assert stand_in.inspect(d.code)["record"]["TrangThaiHoSo"] == 9
