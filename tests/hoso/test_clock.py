"""The one clock: the workflow, the import and recompute_dossiers compute the same clock columns."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command

from hoso import workflow
from hoso.calendar_store import calendar_for
from hoso.clock import CLOCK_COLUMNS, compute_clock
from hoso.constants import Action, Status
from hoso.models import Dossier
from hoso.workcalendar import VN_TZ, WorkCalendar
from motcua.constants import Role
from tests.hoso.test_dossier_import import import_rows, row
from tests.hoso.test_workflow import procedure, staff  # noqa: F401 — fixtures used by name


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def iso(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M")


# -- (a) the same history through the workflow and through the import ------------------------------
@dataclass(frozen=True)
class History:
    """A dossier's life, as the workflow acts it and as a CSV row of the old system writes it."""

    received: datetime
    pauses: tuple[tuple[datetime, datetime | None], ...] = ()
    extensions: tuple[tuple[datetime, datetime], ...] = ()
    result_ready: datetime | None = None
    returned: datetime | None = None
    withdrawn: datetime | None = None
    stopped: datetime | None = None

    def csv_row(self, code: str) -> dict[str, str]:
        values = {"code": code, "received_at": iso(self.received)}
        if self.pauses:
            values["pauses"] = ";".join(f"{iso(a)}/{iso(b) if b else ''}" for a, b in self.pauses)
        if self.extensions:
            values["extensions"] = ";".join(f"{iso(a)}/{iso(b)}" for a, b in self.extensions)
        for name in ("result_ready", "returned", "withdrawn", "stopped"):
            at = getattr(self, name)
            if at is not None:
                values[f"{name}_at"] = iso(at)
        return row(**values)

    def act(self, agency, staff, procedure) -> Dossier:  # noqa: F811
        clerk, officer, leader = staff[Role.CLERK], staff[Role.OFFICER], staff[Role.LEADER]
        intake = workflow.Intake(procedure=procedure, applicant_name="Nguyễn Văn An")
        d = workflow.receive(agency=agency, actor=clerk, intake=intake, now=self.received)
        workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=self.received + timedelta(minutes=1))
        steps = []
        for start, end in self.pauses:
            steps.append((start, "pause", None))
            if end is not None:
                steps.append((end, "resume", None))
        steps += [(at, "extend", new_due) for at, new_due in self.extensions]
        for at, kind, new_due in sorted(steps, key=lambda step: step[0]):
            if kind == "pause":
                workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="Giấy tờ", now=at)
            elif kind == "resume":
                workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=at)
            else:
                workflow.extend(dossier_id=d.pk, actor=officer, new_due_at=new_due, reason="Chậm", now=at)
        if self.result_ready:
            workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=self.result_ready)
        if self.returned:
            workflow.return_result(dossier_id=d.pk, actor=clerk, collector="Nguyễn Văn An", now=self.returned)
        if self.withdrawn:
            workflow.withdraw(dossier_id=d.pk, actor=clerk, now=self.withdrawn)
        if self.stopped:
            workflow.stop(dossier_id=d.pk, actor=leader, reason="Không đủ điều kiện", now=self.stopped)
        return Dossier.objects.get(pk=d.pk)


# Mon 03/03/2025 09:00 + 3 working days → Thu 06/03/2025 09:00.
MON = vn(2025, 3, 3, 9)
HISTORIES = {
    "supplement done, returned": History(
        MON,
        pauses=((vn(2025, 3, 3, 10), vn(2025, 3, 4, 10)),),
        result_ready=vn(2025, 3, 7, 8, 45),
        returned=vn(2025, 3, 7, 14),
    ),
    "open supplement": History(MON, pauses=((vn(2025, 3, 4, 10), None),)),
    "two supplements": History(
        MON,
        pauses=((vn(2025, 3, 3, 10), vn(2025, 3, 4, 10)), (vn(2025, 3, 5, 10), vn(2025, 3, 6, 10))),
        result_ready=vn(2025, 3, 7, 10),
    ),
    "extension and apology": History(
        MON, extensions=((vn(2025, 3, 5, 9), vn(2025, 3, 14, 17)),), result_ready=vn(2025, 3, 12, 10)
    ),
    "supplement after an extension, still open": History(
        MON,
        extensions=((vn(2025, 3, 4, 9), vn(2025, 3, 14, 17)),),
        pauses=((vn(2025, 3, 5, 10), vn(2025, 3, 6, 15)),),
    ),
    "result ready early": History(MON, result_ready=vn(2025, 3, 5, 10)),
    "result ready late": History(MON, result_ready=vn(2025, 3, 10, 10)),
    "withdrawn": History(MON, withdrawn=vn(2025, 3, 4, 10)),
    "stopped": History(MON, stopped=vn(2025, 3, 4, 10)),
    # Thu 24/04/2025; Sat 26/04 is the make-up working day for Fri 02/05; 30/04–04/05 are off.
    "around the 30/4 holiday and the make-up Saturday": History(
        vn(2025, 4, 24, 9),
        pauses=((vn(2025, 4, 25, 10), vn(2025, 4, 26, 10)),),
        result_ready=vn(2025, 5, 6, 10),
    ),
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", list(HISTORIES))
def test_the_workflow_and_the_import_write_the_same_clock(agency, staff, procedure, name):  # noqa: F811
    history = HISTORIES[name]
    acted = history.act(agency, staff, procedure)
    import_rows(history.csv_row("HS-IMPORTED"))
    imported = Dossier.objects.get(code="HS-IMPORTED")
    assert {c: getattr(imported, c) for c in CLOCK_COLUMNS} == {c: getattr(acted, c) for c in CLOCK_COLUMNS}

    def clock_trail(d: Dossier) -> list[tuple[str, datetime, datetime | None]]:
        # The import has no assignment (it moves no clock); every other event must match.
        return [(e.action, e.at, e.due_at) for e in d.events.order_by("at", "id") if e.action != Action.ASSIGN]

    assert clock_trail(imported) == clock_trail(acted)


# -- (b) recompute_dossiers after an import ------------------------------------------------------------
@pytest.mark.django_db
def test_recompute_finds_nothing_to_fix_after_an_import(agency, procedure):  # noqa: F811
    import_rows(*(history.csv_row(f"HS-{i}") for i, history in enumerate(HISTORIES.values())))
    out = io.StringIO()
    call_command("recompute_dossiers", stdout=out)
    assert out.getvalue().strip() == f"Đã kiểm tra {len(HISTORIES)} hồ sơ; 0 hồ sơ cần sửa."


# -- (c) the pure function ----------------------------------------------------------------------------
# Mon–Fri 07:30–11:30 and 13:30–17:00 (the default sessions); Wed 05/03/2025 a holiday here.
CAL = WorkCalendar(holidays={date(2025, 3, 5): "Nghỉ thử"})
BASE = vn(2025, 3, 6, 9)  # Thu


def test_without_events_the_base_due_is_in_force():
    clock = compute_clock(CAL, received_at=MON, base_due=BASE, events=[])
    assert (clock.status, clock.due_at, clock.shown_due_at, clock.paused_at) == ("", BASE, BASE, None)
    assert (clock.supplement_requests, clock.extensions, clock.timeliness, clock.resolution_seconds) == (0, 0, "", None)
    assert clock.event_due_at == ()


def test_a_completed_pause_moves_the_due_by_the_working_time_waited():
    # Mon 10:00 → Tue 10:00 is one working day (7 h 30): Thu 09:00 → Fri 09:00.
    events = [
        (Action.RECEIVE, MON, {}),
        (Action.ASSIGN, MON, {}),
        (Action.REQUEST_SUPPLEMENT, vn(2025, 3, 3, 10), {}),
        (Action.COMPLETE_SUPPLEMENT, vn(2025, 3, 4, 10), {}),
    ]
    clock = compute_clock(CAL, received_at=MON, base_due=BASE, events=events)
    assert clock.event_due_at == (BASE, BASE, BASE, vn(2025, 3, 7, 9))
    assert clock.event_status == (Status.RECEIVED, Status.PROCESSING, Status.WAITING_SUPPLEMENT, Status.PROCESSING)
    assert (clock.status, clock.due_at, clock.supplement_requests, clock.paused_at) == (
        Status.PROCESSING,
        vn(2025, 3, 7, 9),
        1,
        None,
    )


def test_an_open_pause_keeps_the_due_and_records_when_it_began():
    events = [(Action.RECEIVE, MON, {}), (Action.ASSIGN, MON, {}), (Action.REQUEST_SUPPLEMENT, vn(2025, 3, 4, 10), {})]
    clock = compute_clock(CAL, received_at=MON, base_due=BASE, events=events)
    assert (clock.status, clock.due_at, clock.paused_at) == (Status.WAITING_SUPPLEMENT, BASE, vn(2025, 3, 4, 10))


def test_an_extension_moves_only_the_shown_due_and_makes_the_result_late():
    events = [
        (Action.RECEIVE, MON, {}),
        (Action.ASSIGN, MON, {}),
        (Action.EXTEND, vn(2025, 3, 4, 9), {"new_due_at": vn(2025, 3, 14, 17).isoformat()}),
        (Action.MARK_RESULT_READY, vn(2025, 3, 4, 10), {}),
        (Action.RETURN_RESULT, vn(2025, 3, 4, 11), {}),
    ]
    clock = compute_clock(CAL, received_at=MON, base_due=BASE, events=events)
    assert (clock.due_at, clock.shown_due_at, clock.extensions) == (BASE, vn(2025, 3, 14, 17), 1)
    assert (clock.status, clock.timeliness, clock.result_ready_at, clock.returned_at) == (
        Status.RETURNED,
        "late",
        vn(2025, 3, 4, 10),
        vn(2025, 3, 4, 11),
    )
    # Mon 09:00 → Tue 10:00: 6 h on Monday + 2 h 30 on Tuesday.
    assert clock.resolution_seconds == 8 * 3600 + 1800


def test_the_resolution_time_leaves_out_the_waits_and_the_holiday():
    events = [
        (Action.RECEIVE, MON, {}),
        (Action.ASSIGN, MON, {}),
        (Action.REQUEST_SUPPLEMENT, vn(2025, 3, 3, 10), {}),
        (Action.COMPLETE_SUPPLEMENT, vn(2025, 3, 4, 10), {}),  # 7 h 30 waited
        (Action.MARK_RESULT_READY, vn(2025, 3, 6, 10), {}),  # Wed 05/03 is off
    ]
    clock = compute_clock(CAL, received_at=MON, base_due=BASE, events=events)
    # Mon 09:00 → Thu 10:00 over Mon, Tue, Thu: 6 h + 7 h 30 + 2 h 30 = 16 h, less 7 h 30 waited.
    assert clock.resolution_seconds == 8 * 3600 + 1800
    # Due Thu 09:00 moved by the wait to Fri 09:00; finished Thu: a day early.
    assert (clock.due_at, clock.timeliness) == (vn(2025, 3, 7, 9), "early")


def test_withdrawn_and_stopped_dates_come_from_their_events():
    def ended_by(action: Action):
        return compute_clock(
            CAL, received_at=MON, base_due=BASE, events=[(Action.RECEIVE, MON, {}), (action, vn(2025, 3, 4, 8), {})]
        )

    withdrawn, stopped = ended_by(Action.WITHDRAW), ended_by(Action.STOP)
    assert (withdrawn.status, withdrawn.withdrawn_at, withdrawn.stopped_at) == (
        Status.WITHDRAWN,
        vn(2025, 3, 4, 8),
        None,
    )
    assert (stopped.status, stopped.stopped_at, stopped.withdrawn_at) == (Status.STOPPED, vn(2025, 3, 4, 8), None)


@pytest.mark.django_db
def test_model_events_and_plain_tuples_give_the_same_clock(agency, staff, procedure):  # noqa: F811
    d = HISTORIES["two supplements"].act(agency, staff, procedure)
    events = list(d.events.order_by("at", "id"))
    calendar = calendar_for(agency.pk)
    from_models = compute_clock(calendar, received_at=d.received_at, base_due=d.base_due_at, events=events)
    from_tuples = compute_clock(
        calendar, received_at=d.received_at, base_due=d.base_due_at, events=[(e.action, e.at, e.data) for e in events]
    )
    assert from_models == from_tuples
    assert from_models.event_due_at == tuple(e.due_at for e in events)
