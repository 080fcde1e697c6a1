"""Issue 13's acceptance, against the stand-in run as its own process (``national_portal_simulator``)
on loopback and read back over HTTP (``/_inspect/<code>``):

- with the stand-in running, dossiers in every state show on it with the right national status code
  after ``national_sync --once`` (those never received, hence never given a code, show "cannot sync"
  with the reason on their page instead);
- stopping the stand-in, doing 50 actions, starting it again: after the drain it holds every step
  once, in order.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from datetime import timedelta

import pytest
import requests
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from hoso import online, workflow
from hoso.constants import NATIONAL_STATUS, Status
from lienthong import drain
from lienthong.models import OutboxEntry, State
from motcua.constants import Role
from tests.hoso.test_workflow import bring_to, vn
from tests.lienthong.test_simulator_command import ROOT, free_port, wait_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def simulator(link_on, tmp_path):
    """The stand-in as a process; ``start()``/``stop()`` it (its state file keeps what it holds)."""

    class Process:
        port = free_port()
        url = f"http://127.0.0.1:{port}/"
        command = [
            sys.executable,
            "manage.py",
            "national_portal_simulator",
            "--port",
            str(port),
            "--state-file",
            str(tmp_path / "portal.json"),
        ]
        running: subprocess.Popen | None = None

        def start(self) -> None:
            self.running = subprocess.Popen(self.command, cwd=ROOT, stdout=subprocess.DEVNULL)
            assert wait_for(f"{self.url}_inspect/x").status_code == 404

        def stop(self) -> None:
            if self.running is not None:
                self.running.send_signal(signal.SIGTERM)
                self.running.wait(timeout=10)
                self.running = None

        def inspect(self, code: str) -> dict | None:
            answer = requests.get(f"{self.url}_inspect/{code}", timeout=5)
            return answer.json() if answer.status_code == 200 else None

    process = Process()
    link_on.MOTCUA_NATIONAL_PORTAL_URL = process.url
    link_on.MOTCUA_NATIONAL_PORTAL_TIMEOUT = 2
    process.start()
    yield process
    process.stop()


def test_every_state_shows_on_the_stand_in_after_national_sync_once(
    simulator, with_id_number, agency, staff, procedure, client, capsys
):
    coded = {status: bring_to(status, agency, staff, procedure) for status in Status if status not in (Status.GUIDED,)}
    online_refused = bring_to(Status.SUBMITTED, agency, staff, procedure)
    online.refuse(
        dossier_id=online_refused.pk, actor=staff[Role.CLERK], reason="Sai thẩm quyền", now=vn(2025, 3, 3, 10)
    )
    coded[Status.REFUSED], counter_refused = online_refused, coded[Status.REFUSED]
    guided = bring_to(Status.GUIDED, agency, staff, procedure)
    call_command("national_sync", "--once", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["refused"] == 0 and result["blocked"] == 0
    for status, dossier in coded.items():
        held = simulator.inspect(dossier.code)
        assert held is not None, status
        assert held["record"]["TrangThaiHoSo"] == NATIONAL_STATUS[status], status
        assert held["progress"][-1]["TrangThai"] == NATIONAL_STATUS[status], status
    assert simulator.inspect(online_refused.code)["record"]["NgayTuChoi"] == "20250303100000"
    client.force_login(staff[Role.CLERK])
    for never_received in (counter_refused, guided):
        assert never_received.code is None
        assert not OutboxEntry.objects.filter(dossier=never_received).exists()
        page = client.get(reverse("hoso:detail", args=[never_received.pk])).content.decode()
        assert 'id="dong-bo-quoc-gia"' in page and "Không đồng bộ được: hồ sơ chưa có mã" in page


def _ten_actions(d, staff, day: int):
    clerk, officer, leader = staff[Role.CLERK], staff[Role.OFFICER], staff[Role.LEADER]
    at = vn(2025, 3, day, 8)
    steps = [
        lambda t: workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=t),
        lambda t: workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="Tờ khai", now=t),
        lambda t: workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=t),
        lambda t: workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="Bản sao", now=t),
        lambda t: workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=t),
        lambda t: workflow.submit_for_approval(dossier_id=d.pk, actor=officer, now=t),
        lambda t: workflow.send_back(dossier_id=d.pk, actor=leader, note="Xem lại", now=t),
        lambda t: workflow.submit_for_approval(dossier_id=d.pk, actor=officer, now=t),
        lambda t: workflow.approve(dossier_id=d.pk, actor=leader, now=t),
        lambda t: workflow.return_result(dossier_id=d.pk, actor=clerk, collector="Nguyễn Văn An", now=t),
    ]
    for n, step in enumerate(steps):
        step(at + timedelta(minutes=20 * n))


def test_portal_down_fifty_actions_back_every_step_once(simulator, with_id_number, agency, staff, procedure, capsys):
    dossiers = [bring_to(Status.RECEIVED, agency, staff, procedure) for _ in range(5)]
    call_command("national_sync", "--once", "--json")
    assert json.loads(capsys.readouterr().out)["acknowledged"] == 5
    simulator.stop()
    for d in dossiers:
        _ten_actions(d, staff, day=4)  # 5 × 10 = 50 actions while the portal is away
    assert OutboxEntry.objects.exclude(state=State.ACKNOWLEDGED).count() == 50
    call_command("national_sync", "--once", "--json")
    down = json.loads(capsys.readouterr().out)
    assert down["acknowledged"] == 0 and down["refused"] == 0 and down["failed"] == 5  # each dossier's head
    simulator.start()
    after_backoff = timezone.now() + timedelta(hours=2)
    assert drain.drain_once(after_backoff).acknowledged == 50
    assert drain.drain_once(after_backoff).sent == 0  # nothing twice after the acknowledgement
    for d in dossiers:
        held = simulator.inspect(d.code)
        events = list(d.events.order_by("at", "id"))
        assert len(events) == 11
        steps = [(s["ThoiDiemXuLy"], s["TrangThai"]) for s in held["progress"]]
        expected = [
            (e.at.astimezone(vn(2025, 1, 1).tzinfo).strftime("%Y%m%d%H%M%S"), NATIONAL_STATUS[e.to_status])
            for e in events
        ]
        assert steps == expected  # every step once, in order
        assert held["record"]["TrangThaiHoSo"] == 10
        assert [r["TrangThaiBoSung"] for r in held["record"]["DanhSachHoSoBoSung"]] == [1, 1]
