"""The dossier state machine: the whole table, roles and wards, the clock, codes."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

import pytest
from django.db import connection, connections

from hoso import online, workflow
from hoso.constants import Action, Status
from hoso.models import Dossier, DossierEvent
from hoso.workcalendar import VN_TZ
from motcua.constants import Role
from tests.conftest import need
from tests.factories import AgencyProcedureFactory, ProcedureFactory, UserFactory, load_holidays
from thutuc.constants import TimeUnit

pytestmark = pytest.mark.django_db


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


@pytest.fixture
def procedure(agency):
    load_holidays()
    p = ProcedureFactory(
        code="1.000001", name="Cấp giấy xác nhận thử nghiệm", time_limit_value=3, time_limit_unit=TimeUnit.WORKING_DAYS
    )
    AgencyProcedureFactory(agency=agency, procedure=p)
    return p


def receive(agency, clerk, procedure, now, **extra):
    intake = workflow.Intake(procedure=procedure, applicant_name="Nguyễn Văn An", **extra)
    return workflow.receive(agency=agency, actor=clerk, intake=intake, now=now)


def test_a_dossier_goes_from_intake_to_return(agency, clerk, officer, leader, procedure):
    # Mon 03/03/2025 09:00 + 3 working days → Thu 06/03/2025 09:00.
    d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))
    assert d.code == "000.25.31.H26-250303-0001" and d.status == Status.RECEIVED
    assert d.due_at == d.shown_due_at == vn(2025, 3, 6, 9, 0)
    d = workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 30))
    # Supplement requested Mon 10:00, complete Tue 10:00: 7h30 of working time waited → due Fri 07/03 09:00.
    d = workflow.request_supplement(
        dossier_id=d.pk, actor=officer, missing="Bản sao giấy khai sinh", now=vn(2025, 3, 3, 10)
    )
    assert d.status == Status.WAITING_SUPPLEMENT and d.paused_at == vn(2025, 3, 3, 10)
    d = workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, 4, 10))
    assert d.due_at == vn(2025, 3, 7, 9, 0) and d.paused_at is None and d.supplement_requests == 1
    d = workflow.submit_for_approval(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 5, 14))
    d = workflow.approve(dossier_id=d.pk, actor=leader, now=vn(2025, 3, 6, 8))
    # Finished Thu 06/03, a working day before the due day Fri 07/03 → early.
    assert (d.status, d.result_ready_at, d.timeliness) == (Status.RESULT_READY, vn(2025, 3, 6, 8), "early")
    # Working time Mon 09:00 → Thu 08:00 is 6 + 7.5 + 7.5 + 0.5 = 21.5 h, less 7.5 h waiting: 14 h.
    assert d.resolution_seconds == 14 * 3600
    d = workflow.return_result(dossier_id=d.pk, actor=clerk, collector="Nguyễn Văn An", now=vn(2025, 3, 7, 8))
    assert d.status == Status.RETURNED and d.returned_at == vn(2025, 3, 7, 8)
    actions = list(d.events.values_list("action", flat=True))
    assert actions == [
        "receive",
        "assign",
        "request_supplement",
        "complete_supplement",
        "submit_for_approval",
        "approve",
        "return_result",
    ]
    assert d.national_status == 10


def test_two_supplement_requests_make_a_dossier_late_even_when_finished_early(agency, clerk, officer, procedure):
    d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 5))
    for day in (3, 4):
        workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="Thiếu giấy", now=vn(2025, 3, day, 10))
        workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, day, 11))
    d = workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 4, 14))
    assert d.supplement_requests == 2 and d.timeliness == "late"


def test_an_extension_is_shown_to_the_citizen_but_does_not_make_a_late_dossier_on_time(
    agency, clerk, officer, procedure
):
    d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))  # due Thu 06/03 09:00
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 5))
    d = workflow.extend(
        dossier_id=d.pk, actor=officer, new_due_at=vn(2025, 3, 10, 17), reason="Cần xác minh", now=vn(2025, 3, 5, 10)
    )
    assert d.shown_due_at == vn(2025, 3, 10, 17) and d.due_at == vn(2025, 3, 6, 9) and d.extensions == 1
    d = workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 7, 10))
    assert d.timeliness == "late"


def test_an_extension_after_the_appointment_has_passed_is_refused(agency, clerk, officer, procedure):
    d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 5))
    with pytest.raises(workflow.WorkflowError, match="Đã quá ngày hẹn"):
        workflow.extend(
            dossier_id=d.pk, actor=officer, new_due_at=vn(2025, 3, 12, 17), reason="Chậm", now=vn(2025, 3, 6, 10)
        )
    with pytest.raises(workflow.WorkflowError, match="phải sau ngày hẹn hiện tại"):
        workflow.extend(
            dossier_id=d.pk, actor=officer, new_due_at=vn(2025, 3, 5, 17), reason="Chậm", now=vn(2025, 3, 4, 10)
        )
    assert d.events.count() == 2


@pytest.mark.parametrize(
    "new_due_at",
    [
        vn(2025, 3, 9, 10, 0),  # Sunday 09/03/2025
        vn(2025, 3, 10, 12, 30),  # Monday 10/03/2025, lunch break
        vn(2025, 3, 10, 17, 1),  # Monday, after closing
        vn(2025, 4, 30, 9, 0),  # Wednesday 30/04/2025, a public holiday
    ],
)
def test_a_new_appointment_outside_working_hours_is_refused(agency, clerk, officer, procedure, new_due_at):
    d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))  # due Thu 06/03 09:00
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 5))
    with pytest.raises(workflow.WorkflowError, match="không rơi vào giờ làm việc"):
        workflow.extend(dossier_id=d.pk, actor=officer, new_due_at=new_due_at, reason="Chậm", now=vn(2025, 3, 4, 10))
    assert d.events.count() == 2
    # The closing minute of a working day is a fine appointment (Mon 10/03/2025 17:00).
    d = workflow.extend(
        dossier_id=d.pk, actor=officer, new_due_at=vn(2025, 3, 10, 17), reason="Chậm", now=vn(2025, 3, 4, 10)
    )
    assert d.shown_due_at == vn(2025, 3, 10, 17)


def test_the_procedure_is_pinned_at_intake(agency, clerk, procedure):
    d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))
    procedure.name = "Tên mới sau khi sửa danh mục"
    procedure.time_limit_value = 10
    procedure.save()
    d.refresh_from_db()
    assert d.procedure_snapshot["name"] == "Cấp giấy xác nhận thử nghiệm"
    assert d.procedure_snapshot["limit"] == {"value": 3, "unit": "working_days", "cutoff": None}
    assert workflow.explain_due(d)[-1] == "Hạn trả kết quả: 09 giờ 00 phút, thứ Năm, 06/03/2025."


def test_codes_follow_the_agency_pattern_and_the_day(agency, clerk, procedure):
    agency.dossier_code_pattern = "{agency}-HS{date:%Y%m%d}-{seq:05d}"
    agency.full_clean()
    agency.save()
    first = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))
    second = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 1))
    next_day = receive(agency, clerk, procedure, vn(2025, 3, 4, 9, 0))
    assert [first.code, second.code, next_day.code] == [
        f"{agency.code}-HS20250303-00001",
        f"{agency.code}-HS20250303-00002",
        f"{agency.code}-HS20250304-00001",
    ]


def test_a_stored_pattern_that_fails_the_check_gives_the_default_code(agency, clerk, procedure):
    """A pattern written before the check (or by a raw UPDATE) is never formatted."""
    for pattern in ("{date.__class__}", "HS-{date:%Y%m%d}-{seq:05d}", "{agency}-{seq:0999999d}"):
        agency.dossier_code_pattern = pattern
        agency.save(update_fields=["dossier_code_pattern"])
        d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))
        assert d.code.startswith(f"{agency.code}-250303-000")


def test_the_lookup_key_has_no_look_alike_characters(agency, clerk, procedure):
    keys = {receive(agency, clerk, procedure, vn(2025, 3, 3, 9, i)).lookup_key for i in range(20)}
    assert len(keys) == 20
    assert all(len(k) == 8 and not set(k) & set("0O1IL2Z5S8B") for k in keys)


def test_a_procedure_without_a_computable_limit_needs_the_clerks_appointment(agency, clerk):
    p = ProcedureFactory(time_limit_value=None, time_limit_unit="", time_limit_text="30 ngày")
    AgencyProcedureFactory(agency=agency, procedure=p)
    with pytest.raises(workflow.WorkflowError, match="hãy nhập ngày hẹn"):
        receive(agency, clerk, p, vn(2025, 3, 3, 9, 0))
    d = receive(agency, clerk, p, vn(2025, 3, 3, 9, 0), manual_due_at=vn(2025, 4, 2, 17, 0))
    assert d.due_at == vn(2025, 4, 2, 17, 0)
    assert "Ngày hẹn do cán bộ tiếp nhận nhập" in workflow.explain_due(d)[0]


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        (vn(2025, 3, 9, 10, 0), "không rơi vào giờ làm việc"),  # Sun 09/03/2025
        (vn(2025, 3, 10, 23, 30), "không rơi vào giờ làm việc"),  # Mon 10/03/2025, at night
        (vn(2025, 4, 30, 9, 0), "không rơi vào giờ làm việc"),  # Wed 30/04/2025, a holiday
        (vn(9999, 12, 31, 17, 0), "xa quá một năm"),  # a mistyped year
        (vn(2026, 3, 5, 9, 0), "xa quá một năm"),  # Thu 05/03/2026: more than a year on
    ],
)
def test_a_typed_appointment_must_be_an_open_desk_hour_within_a_year(agency, clerk, typed, message):
    p = ProcedureFactory(time_limit_value=None, time_limit_unit="", time_limit_text="30 ngày")
    AgencyProcedureFactory(agency=agency, procedure=p)
    load_holidays()
    with pytest.raises(workflow.WorkflowError, match=message):
        receive(agency, clerk, p, vn(2025, 3, 3, 9, 0), manual_due_at=typed)
    assert not Dossier.objects.exists()


def test_an_extension_a_year_away_is_refused(agency, clerk, officer, procedure):
    d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 5))
    with pytest.raises(workflow.WorkflowError, match="xa quá một năm"):
        workflow.extend(
            dossier_id=d.pk, actor=officer, new_due_at=vn(9999, 12, 31, 9), reason="Chậm", now=vn(2025, 3, 4, 9)
        )
    assert d.events.count() == 2


def test_intake_is_refused_for_another_ward_a_wrong_role_or_a_procedure_not_offered(
    agency, clerk, officer, other_clerk, procedure
):
    with pytest.raises(workflow.WorkflowError, match="cơ quan của mình"):
        receive(agency, other_clerk, procedure, vn(2025, 3, 3, 9))
    with pytest.raises(workflow.WorkflowError, match="không được tiếp nhận"):
        receive(agency, officer, procedure, vn(2025, 3, 3, 9))
    with pytest.raises(workflow.WorkflowError, match="không nhận thủ tục"):
        receive(agency, clerk, ProcedureFactory(), vn(2025, 3, 3, 9))
    assert not Dossier.objects.exists() and not DossierEvent.objects.exists()


def test_guidance_and_refusal_are_recorded_without_a_code_or_a_clock(agency, clerk, procedure):
    intake = workflow.Intake(procedure=procedure, applicant_name="Trần Thị Bình")
    guided = workflow.guide(agency=agency, actor=clerk, intake=intake, missing="Tờ khai", now=vn(2025, 3, 3, 9))
    refused = workflow.refuse(
        agency=agency, actor=clerk, intake=intake, reason="Không thuộc thẩm quyền", now=vn(2025, 3, 3, 9)
    )
    assert (guided.status, guided.code, guided.due_at) == (Status.GUIDED, None, None)
    assert (refused.status, refused.note) == (Status.REFUSED, "Không thuộc thẩm quyền")
    with pytest.raises(workflow.WorkflowError, match="lý do"):
        workflow.refuse(agency=agency, actor=clerk, intake=intake, reason="  ")


def test_returning_needs_the_collector_or_the_tracking_number(agency, clerk, officer, procedure):
    d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0), delivery="post", delivery_address="Số 2 phố Huế")
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 5))
    workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 4, 9))
    with pytest.raises(workflow.WorkflowError, match="mã bưu gửi"):
        workflow.return_result(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, 4, 10))
    d = workflow.return_result(dossier_id=d.pk, actor=clerk, tracking_number="EB123456789VN", now=vn(2025, 3, 4, 10))
    assert d.events.last().data["tracking_number"] == "EB123456789VN"


def test_events_are_append_only(agency, clerk, procedure):
    event = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0)).events.get()
    event.note = "sửa"
    with pytest.raises(RuntimeError):
        event.save()


# -- the whole table ----------------------------------------------------------------------------
ALL_STATUSES = list(Status)


def _run(action: Action, dossier: Dossier, actor, officer, now: datetime) -> Dossier:
    kwargs = {"dossier_id": dossier.pk, "actor": actor, "now": now}
    calls = {
        Action.ASSIGN: lambda: workflow.assign(officer=officer, **kwargs),
        Action.REQUEST_SUPPLEMENT: lambda: workflow.request_supplement(missing="Giấy tờ", **kwargs),
        Action.COMPLETE_SUPPLEMENT: lambda: workflow.complete_supplement(**kwargs),
        Action.SUBMIT_FOR_APPROVAL: lambda: workflow.submit_for_approval(**kwargs),
        Action.APPROVE: lambda: workflow.approve(**kwargs),
        Action.SEND_BACK: lambda: workflow.send_back(note="Sửa lại", **kwargs),
        Action.MARK_RESULT_READY: lambda: workflow.mark_result_ready(**kwargs),
        Action.RETURN_RESULT: lambda: workflow.return_result(collector="Nguyễn Văn An", **kwargs),
        Action.EXTEND: lambda: workflow.extend(new_due_at=now + timedelta(days=10), reason="Chậm", **kwargs),
        Action.STOP: lambda: workflow.stop(reason="Không đủ điều kiện", **kwargs),
        Action.WITHDRAW: lambda: workflow.withdraw(**kwargs),
        Action.TRANSFER: lambda: workflow.transfer(to_agency="Phòng Tài nguyên", **kwargs),
        Action.TRANSFER_BACK: lambda: workflow.transfer_back(**kwargs),
    }
    return calls[action]()


@pytest.fixture
def staff(clerk, officer, leader, ward_admin):
    return {Role.CLERK: clerk, Role.OFFICER: officer, Role.LEADER: leader, Role.ADMIN: ward_admin}


def bring_to(status: Status, agency, staff, procedure) -> Dossier:
    """A dossier put in `status` through the workflow itself (Mon 03/03/2025, due Thu 06/03 09:00)."""
    clerk, officer, leader = staff[Role.CLERK], staff[Role.OFFICER], staff[Role.LEADER]
    intake = workflow.Intake(procedure=procedure, applicant_name="Nguyễn Văn An")
    at = vn(2025, 3, 3, 9, 0)
    if status == Status.GUIDED:
        return workflow.guide(agency=agency, actor=clerk, intake=intake, missing="Tờ khai", now=at)
    if status == Status.REFUSED:
        return workflow.refuse(agency=agency, actor=clerk, intake=intake, reason="Sai thẩm quyền", now=at)
    if status == Status.SUBMITTED:  # submitted online, awaiting intake (the desk must receive it by 17:00)
        procedure.accepts_online = True
        procedure.save(update_fields=["accepts_online"])
        return online.submit(agency=agency, intake=intake, intake_due_at=vn(2025, 3, 3, 17, 0), now=at)
    if status == Status.AWAITING_PAPERS:  # the desk asked for more papers before receiving it
        d = bring_to(Status.SUBMITTED, agency, staff, procedure)
        return online.request_papers(dossier_id=d.pk, actor=clerk, missing="Tờ khai", now=at + timedelta(minutes=5))
    d = workflow.receive(agency=agency, actor=clerk, intake=intake, now=at)
    steps = {
        Status.RECEIVED: [],
        Status.PROCESSING: ["assign"],
        Status.WAITING_SUPPLEMENT: ["assign", "supplement"],
        Status.PENDING_APPROVAL: ["assign", "submit"],
        Status.TRANSFERRED: ["assign", "transfer"],
        Status.RESULT_READY: ["assign", "ready"],
        Status.RETURNED: ["assign", "ready", "return"],
        Status.WITHDRAWN: ["withdraw"],
        Status.STOPPED: ["stop"],
    }[status]
    actions = {
        "assign": lambda kw: workflow.assign(actor=clerk, officer=officer, **kw),
        "supplement": lambda kw: workflow.request_supplement(actor=officer, missing="Giấy tờ", **kw),
        "submit": lambda kw: workflow.submit_for_approval(actor=officer, **kw),
        "transfer": lambda kw: workflow.transfer(actor=officer, to_agency="Phòng Tài nguyên", **kw),
        "ready": lambda kw: workflow.mark_result_ready(actor=officer, **kw),
        "return": lambda kw: workflow.return_result(actor=clerk, collector="Nguyễn Văn An", **kw),
        "withdraw": lambda kw: workflow.withdraw(actor=clerk, **kw),
        "stop": lambda kw: workflow.stop(actor=leader, reason="Không đủ điều kiện", **kw),
    }
    for minute, step in enumerate(steps, start=1):
        d = actions[step]({"dossier_id": d.pk, "now": at + timedelta(minutes=minute)})
    assert d.status == status
    return d


@pytest.mark.parametrize("action", list(workflow.TRANSITIONS))
@pytest.mark.parametrize("status", ALL_STATUSES)
def test_every_action_in_every_state(agency, staff, procedure, action, status):
    """Inside the table the action works for an allowed role; outside it is refused and writes nothing."""
    officer = staff[Role.OFFICER]
    d = bring_to(status, agency, staff, procedure)
    transition = workflow.TRANSITIONS[action]
    actor = staff[sorted(transition.roles)[0]]
    # Reassigning to the same officer is refused on purpose: assign to a colleague.
    target_officer = UserFactory(agency=agency, role=Role.OFFICER) if action == Action.ASSIGN else officer
    before = DossierEvent.objects.count()
    now = vn(2025, 3, 4, 10, 0)  # before the due time Thu 06/03 09:00
    if status in transition.sources:
        d = _run(action, d, actor, target_officer, now)
        assert d.status == (transition.target or status)
        assert DossierEvent.objects.count() == before + 1
        assert DossierEvent.objects.latest("id").action == action
    else:
        with pytest.raises(workflow.WorkflowError, match="Không thể"):
            _run(action, d, actor, target_officer, now)
        assert DossierEvent.objects.count() == before
        assert Dossier.objects.get(pk=d.pk).status == status


FORBIDDEN = [(a, r) for a, t in workflow.TRANSITIONS.items() for r in Role if r not in t.roles]


@pytest.mark.parametrize(("action", "role"), FORBIDDEN)
def test_roles_outside_the_table_are_refused(agency, staff, procedure, action, role):
    transition = workflow.TRANSITIONS[action]
    officer = staff[Role.OFFICER]
    d = bring_to(sorted(transition.sources)[0], agency, staff, procedure)
    before = d.events.count()
    with pytest.raises(workflow.WorkflowError, match="không được"):
        _run(action, d, staff[role], officer, vn(2025, 3, 4, 10))
    assert d.events.count() == before


@pytest.mark.parametrize("action", list(workflow.TRANSITIONS))
def test_another_wards_staff_are_refused_every_action(agency, staff, other_agency, procedure, action):
    transition = workflow.TRANSITIONS[action]
    outsider = UserFactory(agency=other_agency, role=sorted(transition.roles)[0])
    officer = staff[Role.OFFICER]
    d = bring_to(sorted(transition.sources)[0], agency, staff, procedure)
    before = d.events.count()
    with pytest.raises(workflow.WorkflowError, match="cơ quan khác"):
        _run(action, d, outsider, officer, vn(2025, 3, 4, 10))
    assert d.events.count() == before


def test_an_officer_acts_only_on_dossiers_assigned_to_them(agency, clerk, officer, procedure):
    colleague = UserFactory(agency=agency, role=Role.OFFICER)
    d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=colleague, now=vn(2025, 3, 3, 9, 5))
    with pytest.raises(workflow.WorkflowError, match="không được phân công cho bạn"):
        workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 3, 10))


def test_only_the_assigned_officer_completes_a_supplement_or_takes_back_a_transfer(agency, clerk, officer, procedure):
    colleague = UserFactory(agency=agency, role=Role.OFFICER)
    d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=colleague, now=vn(2025, 3, 3, 9, 5))
    workflow.request_supplement(dossier_id=d.pk, actor=colleague, missing="Bản sao", now=vn(2025, 3, 3, 10))
    with pytest.raises(workflow.WorkflowError, match="không được phân công cho bạn"):
        workflow.complete_supplement(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 4, 10))
    assert workflow.why_not_allowed(Dossier.objects.get(pk=d.pk), Action.TRANSFER_BACK, officer) is not None
    # The clerk at the counter receives the papers for the assigned officer.
    workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, 4, 10))


def test_the_collector_is_written_as_a_name(agency, clerk, officer, leader, procedure):
    d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 5))
    workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 4, 9))
    d = workflow.return_result(dossier_id=d.pk, actor=clerk, collector="  trần   văn bình ", now=vn(2025, 3, 4, 10))
    assert d.events.get(action=Action.RETURN_RESULT).data["collector"] == "Trần Văn Bình"


def test_an_organisation_collecting_keeps_its_name_as_typed(agency, clerk, officer, procedure):
    d = receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 0))
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 5))
    workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 4, 9))
    who = "Công ty TNHH Hải Âu  (UQ số 12/UQ)"
    d = workflow.return_result(dossier_id=d.pk, actor=clerk, collector=who, now=vn(2025, 3, 4, 10))
    assert d.events.get(action=Action.RETURN_RESULT).data["collector"] == "Công ty TNHH Hải Âu (UQ số 12/UQ)"


# -- codes under concurrency (PostgreSQL) -------------------------------------------------------
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_eight_clerks_registering_at_once_get_800_gapless_codes(agency, procedure):
    need(connection.vendor == "postgresql", "Row locks need PostgreSQL (set DATABASE_URL).")
    clerks = [UserFactory(agency=agency, role=Role.CLERK) for _ in range(8)]
    now = vn(2025, 3, 3, 9, 0)
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def work(clerk) -> None:
        try:
            barrier.wait()
            for _ in range(100):
                receive(agency, clerk, procedure, now)  # the same second for everyone
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(c,)) for c in clerks]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    codes = sorted(Dossier.objects.values_list("code", flat=True))
    assert codes == [f"000.25.31.H26-250303-{n:04d}" for n in range(1, 801)]


def test_a_limit_that_differs_by_channel_times_each_dossier_by_its_channel(agency, clerk):
    load_holidays()
    p = ProcedureFactory(
        code="1.012766",
        time_limit_value=13,
        time_limit_unit=TimeUnit.WORKING_DAYS,
        time_limit_online=3,
        time_limit_post=3,
        accepts_online=True,
        time_limit_text="trực tiếp: 13 ngày làm việc; trực tuyến: 3 ngày làm việc; bưu chính: 3 ngày làm việc",
    )
    AgencyProcedureFactory(agency=agency, procedure=p)
    # Mon 06/10/2025 09:00: at the counter + 13 working days → Thu 23/10; online + 3 → Thu 09/10.
    counter = receive(agency, clerk, p, vn(2025, 10, 6, 9, 0), channel=1)
    online = receive(agency, clerk, p, vn(2025, 10, 6, 9, 0), channel=2)
    assert counter.due_at == vn(2025, 10, 23, 9, 0) and online.due_at == vn(2025, 10, 9, 9, 0)
    assert online.procedure_snapshot["limit"]["value"] == 3
    # A ward's own limit rules every channel.
    offer = p.offers.get(agency=agency)
    offer.time_limit_value, offer.time_limit_unit = 5, TimeUnit.WORKING_DAYS
    offer.save()
    assert receive(agency, clerk, p, vn(2025, 10, 6, 9, 0), channel=2).due_at == vn(2025, 10, 13, 9, 0)


def test_a_citizen_is_guided_once_in_writing_then_received_or_refused(agency, clerk, procedure):
    other = ProcedureFactory(code="1.000002", time_limit_value=3, time_limit_unit=TimeUnit.WORKING_DAYS)
    AgencyProcedureFactory(agency=agency, procedure=other)

    def intake(p=procedure, **extra):
        return workflow.Intake(procedure=p, applicant_name="Lê Văn Bình", applicant_id_number="001090012345", **extra)

    workflow.guide(agency=agency, actor=clerk, intake=intake(), missing="Bản sao giấy khai sinh", now=vn(2025, 3, 3, 9))
    # Back on Friday, still incomplete: no second form 02 — receive it, or refuse with a reason.
    with pytest.raises(workflow.WorkflowError, match="chỉ hướng dẫn một lần"):
        workflow.guide(agency=agency, actor=clerk, intake=intake(), missing="Tờ khai", now=vn(2025, 3, 7, 9))
    assert Dossier.objects.filter(status=Status.GUIDED).count() == 1
    workflow.refuse(agency=agency, actor=clerk, intake=intake(), reason="Vẫn thiếu bản sao", now=vn(2025, 3, 7, 9))
    # Another procedure, or the same after three months, is a new matter.
    workflow.guide(agency=agency, actor=clerk, intake=intake(other), missing="Tờ khai", now=vn(2025, 3, 7, 9, 5))
    workflow.guide(agency=agency, actor=clerk, intake=intake(), missing="Tờ khai", now=vn(2025, 6, 9, 9))
    assert Dossier.objects.filter(status=Status.GUIDED).count() == 3
