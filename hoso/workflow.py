"""The dossier state machine: the only module that assigns a dossier's status.

The transition table is data (`TRANSITIONS`). Every transition runs in one transaction: it
locks the dossier row, checks the actor's role and ward and the edge, sets the fields, writes
exactly one append-only `DossierEvent` (then runs the after-event callbacks of `hoso.events`),
recomputes the clock columns from the events, and queues side effects with
`transaction.on_commit`. Intake (receive / guide / refuse) creates the dossier, with the building
blocks of `hoso.creation` (code, lookup key, procedure snapshot, first save).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any, ParamSpec

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone

from motcua.constants import Role
from motcua.lib.dates import at_text
from motcua.lib.identity import normalise_person_name
from motcua.lib.text import MaxLength, TextLimit, check_public_note, normalise_spaces
from motcua.models import Agency, User
from thutuc.models import AgencyProcedure, Procedure

from . import applicants, clock, survey_links
from . import workcalendar as wc
from .calendar_store import calendar_for
from .constants import Action, Delivery, Status
from .creation import DayNumber, Unless, new_lookup_key, procedure_snapshot, save_new
from .events import companions_for, event_written, recording_silently, writes_after_creation, writes_refused
from .limits import offer_limit, procedure_limit
from .lookup import forget as forget_public_view
from .models import Dossier, DossierEvent
from .recompute import snapshot_limit
from .transitions import TRANSITIONS

P = ParamSpec("P")


class WorkflowError(Exception):
    """A refused action; the message is shown to the user as it is."""


INTAKE_ROLES = frozenset({Role.CLERK, Role.LEADER})
# Records the result's file on the locked dossier at the instant given; the fields it changed.
Attach = Callable[[Dossier, datetime], list[str]]


# -- checks -----------------------------------------------------------------------------------
def why_not_allowed(dossier: Dossier, action: Action, actor: User) -> str | None:
    """Why `actor` may not do `action` on `dossier` now, or None when allowed."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return "Thao tác không hợp lệ."
    if not actor.is_active or actor.agency_id != dossier.agency_id:
        return "Hồ sơ thuộc cơ quan khác: bạn không được thao tác."
    if actor.role not in transition.roles:
        return f"Vai trò {actor.get_role_display()} không được “{action.label.lower()}”."
    if dossier.status not in transition.sources:
        return f"Không thể “{action.label.lower()}” khi hồ sơ đang ở trạng thái “{dossier.get_status_display()}”."
    if transition.assigned_officer_only and actor.role == Role.OFFICER and dossier.officer_id != actor.pk:
        return "Hồ sơ không được phân công cho bạn."
    return None


def allowed_actions(dossier: Dossier, actor: User) -> list[Action]:
    """The actions the page offers this user on this dossier."""
    return [action for action in TRANSITIONS if why_not_allowed(dossier, action, actor) is None]


def explain_due(dossier: Dossier) -> list[str]:
    """The Vietnamese explanation of the dossier's current due date, step by step."""
    calendar = calendar_for(dossier.agency_id)
    assert dossier.received_at is not None and dossier.base_due_at is not None, "only a received dossier has a due date"
    steps: list[str] = []
    if dossier.manual_due_at:
        steps.append(
            f"Ngày hẹn do cán bộ tiếp nhận nhập: {timezone.localtime(dossier.manual_due_at):%H:%M %d/%m/%Y}"
            f" (thủ tục không có thời hạn tính tự động: {dossier.procedure_snapshot.get('time_limit_text', '')})."
        )
    else:
        steps.extend(wc.due_at(calendar, dossier.received_at, snapshot_limit(dossier)).steps)
    events = list(dossier.events.all())
    if any(e.action in (Action.REQUEST_SUPPLEMENT, Action.EXTEND) for e in events):
        steps.extend(clock.apply_events(calendar, dossier.base_due_at, clock.clock_events(events)).steps)
    return steps


# -- intake -----------------------------------------------------------------------------------
@dataclass
class Intake:
    """What the clerk entered at the counter (already validated and normalised by the form)."""

    procedure: Procedure
    applicant_name: str
    applicant_kind: str = "citizen"
    applicant_id_kind: str = "cccd"
    applicant_id_number: str = ""
    applicant_phone: str = ""
    applicant_email: str = ""
    applicant_address: str = ""
    channel: int = 1
    sets: int = 1
    delivery: str = Delivery.DESK
    delivery_address: str = ""
    fee_amount: int = 0
    note: str = ""
    documents: list[tuple[int | None, str, str, int]] = field(default_factory=list)  # (required id, name, form, qty)
    manual_due_at: datetime | None = None
    # The form's one-time token: a second POST of the same form finds the first dossier.
    token: uuid.UUID | None = None
    # The ward's offer of the procedure when the caller has read it already (checked again here).
    offer: AgencyProcedure | None = None


def _check_intake(agency: Agency, actor: User, intake: Intake) -> AgencyProcedure:
    """The ward's offer of the procedure, if this actor may receive it there."""
    if not actor.is_active or actor.agency_id != agency.pk:
        raise WorkflowError("Bạn chỉ tiếp nhận hồ sơ cho cơ quan của mình.")
    if actor.role not in INTAKE_ROLES:
        raise WorkflowError(f"Vai trò {actor.get_role_display()} không được tiếp nhận hồ sơ.")
    procedure, offer = intake.procedure, intake.offer
    if offer is None or offer.agency_id != agency.pk or offer.procedure_id != procedure.pk:
        offer = AgencyProcedure.objects.filter(agency=agency, procedure=procedure).first()
    if not procedure.active or offer is None or not offer.active:
        raise WorkflowError(f"Cơ quan không nhận thủ tục {procedure.code}.")
    offer.procedure = procedure  # already loaded: spare the query
    return offer


def _new_dossier(
    agency: Agency, actor: User, intake: Intake, status: Status, now: datetime, offer: AgencyProcedure
) -> Dossier:
    limit = offer_limit(intake.procedure, offer, intake.channel)
    fee_text = offer.effective_fee_text()
    return Dossier(
        agency=agency,
        status=status,
        lookup_key=new_lookup_key(),
        procedure=intake.procedure,
        field_id=intake.procedure.field_id,
        procedure_snapshot=procedure_snapshot(intake.procedure, limit, fee_text, offer.effective_limit_text()),
        channel=intake.channel,
        applicant_kind=intake.applicant_kind,
        applicant_name=intake.applicant_name,
        applicant_id_kind=intake.applicant_id_kind,
        applicant_id_number=intake.applicant_id_number,
        applicant_phone=intake.applicant_phone,
        applicant_email=intake.applicant_email,
        applicant_address=intake.applicant_address,
        sets=intake.sets,
        delivery=intake.delivery,
        delivery_address=intake.delivery_address,
        fee_amount=intake.fee_amount,
        note=intake.note,
        intake_token=intake.token,
        clerk=actor,
        created_at=now,
    )


def preview_due(
    agency: Agency,
    procedure: Procedure,
    received: datetime,
    *,
    offer: AgencyProcedure | None = None,
    channel: int | None = None,
) -> wc.Due | None:
    """The appointment the intake page shows before submitting (None: the clerk sets one)."""
    if offer is not None and offer.agency_id == agency.pk and offer.procedure_id == procedure.pk:
        limit = offer_limit(procedure, offer, channel)
    else:
        limit = procedure_limit(procedure, agency, channel)
    if limit is None:
        return None
    return wc.due_at(calendar_for(agency.pk), received, limit)


# The farthest a typed appointment may lie: a year covers every limit with its extension, and a
# mistyped year (9999) is caught before a citizen is told to come back then.
MAX_APPOINTMENT_AHEAD = timedelta(days=366)


def check_appointment(calendar: wc.WorkCalendar, when: datetime, *, now: datetime, what: str = "Ngày hẹn trả") -> None:
    """A typed appointment must be a moment the desk is open, within a year (WorkflowError)."""
    shown = f"{timezone.localtime(when):%H:%M %d/%m/%Y}"
    if when > now + MAX_APPOINTMENT_AHEAD:
        raise WorkflowError(f"{what} ({shown}) xa quá một năm: hãy kiểm tra lại ngày, tháng, năm.")
    if not wc.in_working_hours(calendar, when):
        raise WorkflowError(
            f"{what} ({shown}) không rơi vào giờ làm việc của cơ quan (ngày nghỉ hoặc ngoài giờ): hãy hẹn vào "
            "một buổi làm việc để công dân đến nhận được kết quả."
        )


def receive(
    *, agency: Agency, actor: User, intake: Intake, now: datetime | None = None, unless: Unless | None = None
) -> Dossier:
    """Accept a complete dossier: code, lookup key, appointment, documents, one RECEIVE event.

    ``unless``: a question asked with the write (``hoso.creation.save_new``); when it finds a
    dossier nothing is written and ``EarlierFound`` is raised (the intake service's duplicate check).

    On PostgreSQL the receipt is one statement, its own transaction: the dossier, its papers, its
    event and the rows other apps write with it (``hoso.events.on_new_dossier``); the after-event
    callbacks then run, refused any write, and what they leave for after the commit runs once they
    are done. When a builder says its callback writes (cash taken at the counter), inside a caller's
    transaction (scans at the counter) or elsewhere (SQLite: several statements), statement and
    callbacks share one transaction (a savepoint in the caller's). A callback that raises after a
    one-statement receipt leaves the dossier written (committed): a programming error, such as a
    write refused, surfaces then; a rule that refuses a receipt belongs before the statement.
    """
    now = now or timezone.now()
    offer = _check_intake(agency, actor, intake)
    dossier = _new_dossier(agency, actor, intake, Status.RECEIVED, now, offer)
    calendar = calendar_for(agency.pk)
    limit = offer_limit(intake.procedure, offer, intake.channel)
    if limit is None:
        if intake.manual_due_at is None:
            raise WorkflowError("Thủ tục không có thời hạn tính tự động: hãy nhập ngày hẹn trả kết quả.")
        if intake.manual_due_at <= now:
            raise WorkflowError("Ngày hẹn trả phải sau thời điểm tiếp nhận.")
        check_appointment(calendar, intake.manual_due_at, now=now)
        dossier.manual_due_at = intake.manual_due_at
        base_due = intake.manual_due_at
    else:
        base_due = wc.compute_due(calendar, now, limit)
    dossier.received_at = now
    dossier.base_due_at = dossier.due_at = dossier.shown_due_at = base_due
    event = _new_event(dossier, Action.RECEIVE, "", Status.RECEIVED, actor, now, "", {}, due_at=base_due)
    save = partial(
        save_new,
        dossier,
        intake.documents,
        event=event,
        number=DayNumber(agency, timezone.localtime(now).date()),
        companions=companions_for(event),  # the fee request, the national link's outbox row
        unless=unless,
    )
    alone = not connection.in_atomic_block  # inside a caller's transaction: a savepoint, as before
    if alone and connection.vendor == "postgresql" and not writes_after_creation(event):
        save()  # one statement: written whole or not at all
        with transaction.atomic(savepoint=False), writes_refused():  # no statement: on_commit work runs after
            event_written(event)
        return dossier
    with transaction.atomic():
        save()
        event_written(event)  # in this transaction: the notifications queue theirs after commit
    return dossier


def applicant_question(agency: Agency, intake: Intake, now: datetime) -> dict[str, Any]:
    """The arguments of ``hoso.applicants``' questions about this intake's applicant and procedure."""
    return {
        "agency_id": agency.pk,
        "procedure_id": intake.procedure.pk,
        "id_number": intake.applicant_id_number,
        "name": intake.applicant_name,
        "phone": intake.applicant_phone,
        "now": now,
    }


@transaction.atomic
def guide(*, agency: Agency, actor: User, intake: Intake, missing: str, now: datetime | None = None) -> Dossier:
    """Form 02: the papers are incomplete; the citizen is told, once and in writing, what to add.

    Once (docs/intake-and-forms.md §1): a second form 02 for the same applicant and procedure within
    ``applicants.GUIDE_ONCE_WINDOW`` is refused — the desk then receives the dossier, or refuses it (form 03).
    """
    now = now or timezone.now()
    earlier = applicants.earlier_guide(**applicant_question(agency, intake, now))
    if earlier is not None:
        raise WorkflowError(
            f"Người nộp này đã được hướng dẫn bổ sung hồ sơ thủ tục này (mẫu 02) lúc "
            f"{at_text(earlier.at)}. Quy định chỉ hướng dẫn một lần "
            "bằng văn bản: nếu nay đã đủ giấy tờ, hãy tiếp nhận; nếu vẫn chưa đủ, hãy lập phiếu từ chối (mẫu 03) "
            "ghi rõ lý do."
        )
    return _not_received(agency, actor, intake, Status.GUIDED, Action.GUIDE, missing, now)


@transaction.atomic
def refuse(*, agency: Agency, actor: User, intake: Intake, reason: str, now: datetime | None = None) -> Dossier:
    """Form 03: the dossier is refused with a concrete reason."""
    return _not_received(agency, actor, intake, Status.REFUSED, Action.REFUSE, reason, now)


def _not_received(
    agency: Agency, actor: User, intake: Intake, status: Status, action: Action, text: str, now: datetime | None
) -> Dossier:
    now = now or timezone.now()
    if not text.strip():
        raise WorkflowError(
            "Hãy ghi rõ giấy tờ cần bổ sung." if action == Action.GUIDE else "Hãy ghi rõ lý do từ chối."
        )
    offer = _check_intake(agency, actor, intake)
    dossier = _new_dossier(agency, actor, intake, status, now, offer)
    dossier.note = text.strip()
    event = _new_event(dossier, action, "", status, actor, now, text.strip(), {})
    save_new(dossier, event=event)
    event_written(event)
    return dossier


# -- transitions on a received dossier --------------------------------------------------------
def _new_event(
    dossier: Dossier,
    action: Action,
    source: str,
    target: str,
    actor: User,
    now: datetime,
    note: str,
    data: dict,
    *,
    due_at: datetime | None = None,
) -> DossierEvent:
    """The event not yet saved, its note checked (a new dossier's first one is written with the dossier)."""
    try:  # the forms refuse it first; a command or a script must not get past either
        MaxLength(TextLimit.NOTE)(note)
    except ValidationError as exc:
        raise WorkflowError(exc.messages[0]) from exc
    if recording_silently():
        data = {**data, "silent": True}  # history recorded after the fact: nobody is told now
    event = DossierEvent(
        dossier=dossier,
        action=action,
        from_status=source,
        to_status=target,
        actor=actor,
        at=now,
        note=note,
        data=data,
        due_at=due_at,
    )
    return event


def _saved_and_told(build: Callable[P, DossierEvent]) -> Callable[P, DossierEvent]:
    """``build``'s event, saved, and the after-event callbacks run (same arguments as ``build``)."""

    def write(*args: P.args, **kwargs: P.kwargs) -> DossierEvent:
        event = build(*args, **kwargs)
        event.save()
        event_written(event)  # in this transaction: the notifications queue theirs after commit
        return event

    return write


#: Write one event of a dossier (the arguments of ``_new_event``).
_write_event = _saved_and_told(_new_event)


def _transition(
    dossier_id: int,
    action: Action,
    actor: User,
    *,
    now: datetime | None,
    note: str = "",
    data: dict[str, Any] | None = None,
    apply: Callable[[Dossier, datetime], list[str]] | None = None,
) -> Dossier:
    """Lock, check, change, record one event, recompute the clock. Raises WorkflowError."""
    now = now or timezone.now()
    with transaction.atomic():
        dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
        if dossier is None:
            raise WorkflowError("Không tìm thấy hồ sơ.")
        reason = why_not_allowed(dossier, action, actor)
        if reason:
            raise WorkflowError(reason)
        last = dossier.events.order_by("-at", "-id").values_list("at", flat=True).first()
        if last is not None and now < last:
            raise WorkflowError("Thời điểm thao tác không được trước thao tác gần nhất.")
        transition = TRANSITIONS[action]
        source = dossier.status
        target = transition.target or source
        changed = apply(dossier, now) if apply else []
        dossier.status = target
        # The clock with this event included; the event records the due time it leaves in force (for reports).
        pending = DossierEvent(dossier=dossier, action=action, at=now, data=data or {})
        events = [*dossier.events.all(), pending]
        calendar = calendar_for(dossier.agency_id)
        state = clock.compute_clock(
            calendar, received_at=dossier.received_at, base_due=dossier.base_due_at, events=events
        )
        dossier.due_at = state.due_at
        dossier.shown_due_at = state.shown_due_at
        dossier.supplement_requests = state.supplement_requests
        dossier.extensions = state.extensions
        dossier.paused_at = state.paused_at
        changed += ["due_at", "shown_due_at", "supplement_requests", "extensions", "paused_at"]
        _write_event(dossier, action, source, target, actor, now, note.strip(), data or {}, due_at=dossier.due_at)
        transaction.on_commit(partial(forget_public_view, dossier.code, dossier.lookup_key))
        if action in (Action.APPROVE, Action.MARK_RESULT_READY):
            dossier.result_ready_at = state.result_ready_at
            dossier.timeliness = state.timeliness
            dossier.resolution_seconds = state.resolution_seconds
            changed += ["result_ready_at", "timeliness", "resolution_seconds"]
        dossier.save(update_fields=sorted({"status", *changed}))
        survey_links.issue_token(dossier, now=now)  # once ratable, the survey link exists: reads never write
    return dossier


def assign(*, dossier_id: int, actor: User, officer: User, note: str = "", now: datetime | None = None) -> Dossier:
    def apply(dossier: Dossier, _: datetime) -> list[str]:
        if officer.agency_id != dossier.agency_id or officer.role != Role.OFFICER or not officer.is_active:
            raise WorkflowError("Chỉ phân công cho công chức chuyên môn của cơ quan.")
        if dossier.officer_id == officer.pk:
            raise WorkflowError(f"Hồ sơ đã được phân công cho {officer}.")
        dossier.officer = officer
        return ["officer"]

    return _transition(
        dossier_id,
        Action.ASSIGN,
        actor,
        now=now,
        note=note,
        data={"officer_id": officer.pk, "officer": str(officer)},
        apply=apply,
    )


def request_supplement(
    *, dossier_id: int, actor: User, missing: str, public_note: str = "", now: datetime | None = None
) -> Dossier:
    """Form 02 during processing: the clock pauses until the complete supplement arrives.

    ``missing`` is the staff's note (the slip and the applicant's own message list it);
    ``public_note`` is the only text about it the public lookup page shows (see ``_public_data``).
    """
    if not missing.strip():
        raise WorkflowError("Hãy ghi rõ giấy tờ cần bổ sung, hoàn thiện.")
    return _transition(
        dossier_id, Action.REQUEST_SUPPLEMENT, actor, now=now, note=missing, data=_public_data(public_note)
    )


def complete_supplement(*, dossier_id: int, actor: User, note: str = "", now: datetime | None = None) -> Dossier:
    return _transition(dossier_id, Action.COMPLETE_SUPPLEMENT, actor, now=now, note=note)


def submit_for_approval(*, dossier_id: int, actor: User, note: str = "", now: datetime | None = None) -> Dossier:
    return _transition(dossier_id, Action.SUBMIT_FOR_APPROVAL, actor, now=now, note=note)


def approve(
    *, dossier_id: int, actor: User, note: str = "", now: datetime | None = None, attach: Attach | None = None
) -> Dossier:
    return _transition(dossier_id, Action.APPROVE, actor, now=now, note=note, apply=_with_result(attach))


def send_back(*, dossier_id: int, actor: User, note: str, now: datetime | None = None) -> Dossier:
    if not note.strip():
        raise WorkflowError("Hãy ghi rõ lý do trả lại.")
    return _transition(dossier_id, Action.SEND_BACK, actor, now=now, note=note)


def mark_result_ready(
    *, dossier_id: int, actor: User, note: str = "", now: datetime | None = None, attach: Attach | None = None
) -> Dossier:
    """The result is ready; ``attach`` (tructuyen.results) records its file in the same transaction."""
    return _transition(dossier_id, Action.MARK_RESULT_READY, actor, now=now, note=note, apply=_with_result(attach))


def _with_result(attach: Attach | None) -> Callable[[Dossier, datetime], list[str]]:
    """The result's file is attached when it becomes ready; an electronic delivery cannot do without it."""

    def apply(dossier: Dossier, moment: datetime) -> list[str]:
        if attach is not None:
            return attach(dossier, moment)
        if dossier.delivery == Delivery.ELECTRONIC:
            raise WorkflowError("Hồ sơ trả kết quả điện tử: hãy đính kèm tệp kết quả (PDF, JPEG hoặc PNG).")
        return []

    return apply


def return_result(
    *, dossier_id: int, actor: User, collector: str = "", tracking_number: str = "", now: datetime | None = None
) -> Dossier:
    """Hand the result over at the desk (who collected it) or by post (tracking number)."""

    def apply(dossier: Dossier, moment: datetime) -> list[str]:
        if dossier.delivery == Delivery.POST and not tracking_number.strip():
            raise WorkflowError("Kết quả gửi qua bưu chính: hãy nhập mã bưu gửi.")
        if dossier.delivery == Delivery.DESK and not collector.strip():
            raise WorkflowError("Hãy nhập họ tên người nhận kết quả.")
        dossier.returned_at = moment
        return ["returned_at"]

    # A name typed all in lower case is capitalised ("trần văn bình" → "Trần Văn Bình"); anything
    # else is kept as typed, for an organisation or a proxy ("Công ty TNHH Hải Âu (UQ số 12)").
    who = normalise_spaces(collector)
    who = normalise_person_name(who) if who == who.lower() else who
    data = {"collector": who, "tracking_number": normalise_spaces(tracking_number)}
    return _transition(dossier_id, Action.RETURN_RESULT, actor, now=now, data=data, apply=apply)


def extend(
    *,
    dossier_id: int,
    actor: User,
    new_due_at: datetime,
    reason: str,
    public_note: str = "",
    now: datetime | None = None,
) -> Dossier:
    """Form 04: apology and a new appointment, issued before the current appointment passes."""
    if not reason.strip():
        raise WorkflowError("Hãy ghi rõ lý do chậm giải quyết.")

    def apply(dossier: Dossier, moment: datetime) -> list[str]:
        assert dossier.shown_due_at is not None, "an extendable dossier is received, so it has a due date"
        if moment >= dossier.shown_due_at:
            raise WorkflowError("Đã quá ngày hẹn: văn bản xin lỗi và hẹn lại phải gửi trước khi hết hạn.")
        if new_due_at <= dossier.shown_due_at:
            raise WorkflowError("Ngày hẹn mới phải sau ngày hẹn hiện tại.")
        check_appointment(calendar_for(dossier.agency_id), new_due_at, now=moment, what="Ngày hẹn mới")
        return []

    return _transition(
        dossier_id,
        Action.EXTEND,
        actor,
        now=now,
        note=reason,
        data={"new_due_at": new_due_at.isoformat(), **_public_data(public_note)},
        apply=apply,
    )


def stop(*, dossier_id: int, actor: User, reason: str, public_note: str = "", now: datetime | None = None) -> Dossier:
    """Form 05: processing stops, with the reason."""
    if not reason.strip():
        raise WorkflowError("Hãy ghi rõ lý do dừng xử lý.")

    def apply(dossier: Dossier, moment: datetime) -> list[str]:
        dossier.stopped_at = moment
        return ["stopped_at"]

    return _transition(
        dossier_id, Action.STOP, actor, now=now, note=reason, data=_public_data(public_note), apply=apply
    )


def _public_data(public_note: str) -> dict[str, str]:
    """The event data holding the note meant for the public lookup page, if any.

    Staff notes never reach the public page; this explicitly public text is the only free text it
    shows. It is checked like the form's field (length, no ID number, phone or e-mail).
    """
    try:
        text = check_public_note(public_note)
    except ValidationError as exc:
        raise WorkflowError(exc.messages[0]) from exc
    return {"public_note": text} if text else {}


def withdraw(*, dossier_id: int, actor: User, note: str = "", now: datetime | None = None) -> Dossier:
    def apply(dossier: Dossier, moment: datetime) -> list[str]:
        dossier.withdrawn_at = moment
        return ["withdrawn_at"]

    return _transition(dossier_id, Action.WITHDRAW, actor, now=now, note=note, apply=apply)


def transfer(*, dossier_id: int, actor: User, to_agency: str, note: str = "", now: datetime | None = None) -> Dossier:
    if not to_agency.strip():
        raise WorkflowError("Hãy ghi cơ quan nhận hồ sơ liên thông.")
    return _transition(dossier_id, Action.TRANSFER, actor, now=now, note=note, data={"to_agency": to_agency.strip()})


def transfer_back(*, dossier_id: int, actor: User, note: str = "", now: datetime | None = None) -> Dossier:
    return _transition(dossier_id, Action.TRANSFER_BACK, actor, now=now, note=note)
