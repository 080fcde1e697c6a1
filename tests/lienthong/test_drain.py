"""The drain against the stand-in: every state's record, in order, exactly once, through outages,
"already exists", expired sessions, refusals and competing claims."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from hoso import online, workflow
from hoso.constants import NATIONAL_STATUS, Status
from lienthong import drain, tasks
from lienthong.models import OutboxEntry, State
from motcua.constants import Role
from tests.hoso.test_workflow import bring_to, vn

pytestmark = pytest.mark.django_db

LATER = timedelta(days=1)


def later():
    return timezone.now() + LATER


@pytest.mark.parametrize("status", [s for s in Status if s not in (Status.GUIDED, Status.REFUSED)])  # no code
def test_every_state_reaches_the_stand_in_with_its_code(stand_in, with_id_number, agency, staff, procedure, status):
    d = bring_to(status, agency, staff, procedure)
    result = drain.drain_once()
    assert result.failed == 0 and result.acknowledged == OutboxEntry.objects.filter(dossier=d).count()
    held = stand_in.inspect(d.code)
    assert held["record"]["TrangThaiHoSo"] == NATIONAL_STATUS[status]
    assert held["record"]["DonViXuLy"] == agency.name and held["record"]["MaDoiTuong"] == "001090000123"
    assert [s["TrangThai"] for s in held["progress"]][-1] == NATIONAL_STATUS[status]
    assert set(OutboxEntry.objects.filter(dossier=d).values_list("state", flat=True)) == {State.ACKNOWLEDGED}


def test_a_refused_online_dossier_has_a_code_and_goes_as_3(stand_in, with_id_number, agency, staff, procedure):
    d = bring_to(Status.SUBMITTED, agency, staff, procedure)
    online.refuse(dossier_id=d.pk, actor=staff[Role.CLERK], reason="Sai thẩm quyền", now=vn(2025, 3, 3, 10))
    assert drain.drain_once().acknowledged == 2
    record = stand_in.inspect(d.code)["record"]
    assert (record["TrangThaiHoSo"], record["NgayTuChoi"]) == (3, "20250303100000")


def _actions(dossiers, staff):
    """Ten actions per dossier: assign, supplement, complete, submit, approve… in one order."""
    clerk, officer, leader = staff[Role.CLERK], staff[Role.OFFICER], staff[Role.LEADER]
    for i, d in enumerate(dossiers):
        at = vn(2025, 3, 3, 10, i)
        workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=at)
        workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="Giấy tờ", now=at + timedelta(hours=1))
        workflow.complete_supplement(dossier_id=d.pk, actor=officer, now=at + timedelta(hours=2))
        workflow.submit_for_approval(dossier_id=d.pk, actor=officer, now=at + timedelta(hours=3))
        workflow.approve(dossier_id=d.pk, actor=leader, now=at + timedelta(hours=4))
        workflow.return_result(dossier_id=d.pk, actor=clerk, collector="Nguyễn Văn An", now=at + timedelta(hours=5))


def test_the_portal_down_then_back_gets_every_step_once_in_order(stand_in, with_id_number, agency, staff, procedure):
    dossiers = [bring_to(Status.RECEIVED, agency, staff, procedure) for _ in range(5)]
    stand_in.stop()
    _actions(dossiers, staff)  # 5 × 6 actions while the portal is down
    down = drain.drain_once()
    assert down.acknowledged == 0 and down.failed == 5  # only each dossier's first row is tried
    assert not OutboxEntry.objects.filter(state__in=(State.FAILED, State.ACKNOWLEDGED)).exists()
    assert drain.drain_once().sent == 0  # backing off
    stand_in.start()
    up = drain.drain_once(later())
    assert up.failed == 0 and up.acknowledged == 35
    for d in dossiers:
        held = stand_in.inspect(d.code)
        expected = [e.to_status for e in d.events.order_by("at", "id")]
        assert [s["TrangThai"] for s in held["progress"]] == [NATIONAL_STATUS[Status(s)] for s in expected]
        assert [s["ThoiDiemXuLy"] for s in held["progress"]] == sorted(s["ThoiDiemXuLy"] for s in held["progress"])
        assert held["record"]["TrangThaiHoSo"] == 10
    assert drain.drain_once(later()).sent == 0  # nothing twice after the acknowledgement


def test_a_5xx_backs_off_and_retries_without_a_cap(stand_in, with_id_number, agency, staff, procedure):
    d = bring_to(Status.RECEIVED, agency, staff, procedure)
    now = timezone.now()
    for attempt in range(1, 6):
        stand_in.fail_next("5xx")
        assert drain.drain_once(now).failed == 1
        row = OutboxEntry.objects.get(dossier=d)
        assert row.state == State.PENDING and row.attempts == attempt and "HTTP 503" in row.last_error
        assert row.next_attempt_at == now + drain.backoff(attempt)
        now = row.next_attempt_at
    assert drain.drain_once(now).acknowledged == 1
    assert drain.backoff(1) == timedelta(seconds=30) and drain.backoff(30) == timedelta(hours=1)


def test_already_exists_goes_as_an_update_and_expiry_logs_in_again(stand_in, with_id_number, agency, staff, procedure):
    d = bring_to(Status.RECEIVED, agency, staff, procedure)
    stand_in.records[d.code] = {"MaHoSo": d.code, "TrangThaiHoSo": 1}  # the portal already has it
    assert drain.drain_once().acknowledged == 1
    workflow.assign(dossier_id=d.pk, actor=staff[Role.CLERK], officer=staff[Role.OFFICER], now=vn(2025, 3, 3, 10))
    stand_in.expire_sessions()
    assert drain.drain_once().acknowledged == 1
    assert stand_in.logins == 2  # the session is kept between drains; a new one after the expiry
    assert stand_in.inspect(d.code)["record"]["TrangThaiHoSo"] == 4
    workflow.submit_for_approval(dossier_id=d.pk, actor=staff[Role.OFFICER], now=vn(2025, 3, 3, 11))
    assert drain.drain_once().acknowledged == 1 and stand_in.logins == 2


def test_a_refusal_fails_the_row_and_holds_the_later_ones(stand_in, with_id_number, agency, staff, procedure):
    d = bring_to(Status.RECEIVED, agency, staff, procedure)
    workflow.assign(dossier_id=d.pk, actor=staff[Role.CLERK], officer=staff[Role.OFFICER], now=vn(2025, 3, 3, 10))
    agency.code = "000.99.99.H99"  # the portal refuses codes not starting with the unit's code
    agency.save(update_fields=["code"])
    result = drain.drain_once(later())
    assert result.refused == 1 and result.sent == 1
    first, second = OutboxEntry.objects.filter(dossier=d).order_by("sequence")
    assert first.state == State.FAILED and "mã 5" in first.last_error
    assert second.state == State.PENDING and second.attempts == 0


def test_two_claims_never_take_the_same_row_or_a_later_row_of_a_dossier(
    stand_in, with_id_number, agency, staff, procedure
):
    d = bring_to(Status.PROCESSING, agency, staff, procedure)
    e = bring_to(Status.RECEIVED, agency, staff, procedure)
    now = timezone.now()
    first = drain.claim(now)
    assert {r.dossier_id for r in first} == {d.pk, e.pk} and len(first) == 2  # each dossier's head only
    assert drain.claim(now) == []  # leased: a second worker gets nothing
    assert [r.pk for r in drain.claim(now + drain.LEASE + timedelta(seconds=1))] == [r.pk for r in first]


def test_national_sync_once_prints_the_counts(stand_in, with_id_number, agency, staff, procedure, capsys):
    bring_to(Status.PROCESSING, agency, staff, procedure)
    call_command("national_sync", "--once", "--json")
    assert json.loads(capsys.readouterr().out) == {
        "sent": 2,
        "acknowledged": 2,
        "failed": 0,
        "refused": 0,
        "blocked": 0,
        "errors": [],
    }
    call_command("national_sync", "--once")
    assert "Đã gửi 0, được xác nhận 0, không được 0" in capsys.readouterr().out


def test_resend_queues_the_current_records_after_the_earlier_rows(
    stand_in, with_id_number, agency, staff, procedure, settings, capsys
):
    settings.MOTCUA_NATIONAL_PORTAL_URL = ""  # the link was off during the work
    d = bring_to(Status.RESULT_READY, agency, staff, procedure)
    settings.MOTCUA_NATIONAL_PORTAL_URL = stand_in.url
    assert not OutboxEntry.objects.exists()
    call_command("national_sync", "--resend", "--agency", agency.code, "--json")
    assert json.loads(capsys.readouterr().out) == {"queued": 1, "blocked": 0}
    assert drain.drain_once().acknowledged == 1
    assert stand_in.inspect(d.code)["record"]["TrangThaiHoSo"] == 9


def test_a_worker_killed_after_its_claim_loses_nothing(stand_in, with_id_number, agency, staff, procedure):
    d = bring_to(Status.PROCESSING, agency, staff, procedure)
    now = timezone.now()
    claimed = drain.claim(now)  # …and the worker dies before sending anything
    assert len(claimed) == 1 and drain.drain_once(now).sent == 0  # held by the lease
    result = drain.drain_once(now + drain.LEASE + timedelta(seconds=1))
    assert result.acknowledged == 2
    assert [s["TrangThai"] for s in stand_in.inspect(d.code)["progress"]] == [2, 4]
    assert OutboxEntry.objects.filter(dossier=d).order_by("sequence").first().attempts == 2


def test_a_time_bounded_drain_leaves_the_rest_for_the_next(stand_in, with_id_number, agency, staff, procedure):
    bring_to(Status.PROCESSING, agency, staff, procedure)
    assert drain.drain_once(max_seconds=0).sent == 0
    assert drain.drain_once(max_seconds=60).acknowledged == 2


def test_heads_claimed_but_not_tried_in_time_are_given_back(stand_in, with_id_number, agency, staff, procedure):
    for _ in range(3):
        bring_to(Status.RECEIVED, agency, staff, procedure)
    stand_in.latency_ms = 300  # two calls a row: the first row alone outlasts the drain's 0.2 s
    now = timezone.now()
    assert drain.drain_once(now, max_seconds=0.2).acknowledged == 1
    rows = OutboxEntry.objects.exclude(state=State.ACKNOWLEDGED)
    assert [(r.state, r.attempts) for r in rows] == [(State.PENDING, 0)] * 2  # not held by a lease
    stand_in.latency_ms = 0
    assert drain.drain_once(now).acknowledged == 2


def test_the_commit_of_an_action_sets_the_drain_going(
    stand_in, with_id_number, agency, staff, procedure, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # Celery is eager in the tests
        d = bring_to(Status.RECEIVED, agency, staff, procedure)
    assert stand_in.inspect(d.code)["record"]["TrangThaiHoSo"] == 2
    assert OutboxEntry.objects.get(dossier=d).state == State.ACKNOWLEDGED


def test_the_task_does_nothing_while_the_link_is_off(settings):
    settings.MOTCUA_NATIONAL_PORTAL_URL = ""
    assert tasks.drain_outbox() == {}


def test_the_next_claim_of_a_dossier_takes_the_row_after_the_acknowledged_one(
    stand_in, with_id_number, agency, staff, procedure
):
    bring_to(Status.PROCESSING, agency, staff, procedure)
    now = timezone.now()
    (head,) = drain.claim(now)
    assert head.payload["steps"][0]["TrangThai"] == 2 and drain.claim(now) == []  # the later row waits
    OutboxEntry.objects.filter(pk=head.pk).update(state=State.ACKNOWLEDGED)
    following = drain.claim_next(head, now)
    assert following.payload["steps"][0]["TrangThai"] == 4 and following.dossier is head.dossier
    assert drain.claim_next(following, now) is None  # nothing after it
    OutboxEntry.objects.filter(pk=following.pk).update(state=State.PENDING, next_attempt_at=later())
    assert drain.claim_next(head, now) is None  # backing off: not due yet
