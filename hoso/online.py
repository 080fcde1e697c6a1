"""The online channel's transitions of the dossier state machine: submit, then receive, ask once for papers, or refuse.

Part of `hoso.workflow` (which is the only other module that assigns a dossier's status), kept in
its own module for size. An online submission creates the dossier at once with its official code
and lookup key, in status SUBMITTED (national status 1, "Mới đăng ký") and with the deadline by
which the desk must receive it; the clerk then receives it (the legal clock starts at that
instant, with the same code, events and slips as at the counter) or refuses it with a reason.

Before receiving it, the desk may instead ask **once** for more papers (docs/intake-and-forms.md §1: an
incomplete dossier is guided once, in writing; it is not received and no legal clock runs): the
dossier waits in AWAITING_PAPERS with the list of papers as the event's note. The citizen's upload
(congdan.supplements) resubmits it: back to SUBMITTED, with a new intake deadline of 8 working
hours counted from the upload (the desk checks the dossier afresh), the submission instant kept.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from motcua.models import Agency, User
from thutuc.constants import Channel
from thutuc.models import AgencyProcedure

from . import workcalendar as wc
from .calendar_store import calendar_for
from .constants import Action, Status
from .creation import new_lookup_key, next_code, procedure_snapshot, save_new
from .limits import offer_limit
from .lookup import forget as forget_public_view
from .models import Dossier, DossierEvent
from .recompute import snapshot_limit
from .workflow import INTAKE_ROLES, Intake, WorkflowError, _write_event, check_appointment


def online_offer(agency: Agency, intake: Intake) -> AgencyProcedure:
    """The ward's offer of the procedure, if the ward receives it online (WorkflowError otherwise).

    ``intake.offer``, when the caller read it already (the push API, from thutuc.offers), spares the query."""
    procedure, offer = intake.procedure, intake.offer
    if offer is None or offer.agency_id != agency.pk or offer.procedure_id != procedure.pk:
        offer = AgencyProcedure.objects.filter(agency=agency, procedure=procedure).first()
    if not procedure.active or offer is None or not offer.active:
        raise WorkflowError(f"Cơ quan không nhận thủ tục {procedure.code}.")
    if not procedure.accepts_online:
        raise WorkflowError(f"Thủ tục {procedure.code} không được cung cấp trực tuyến: mời nộp tại bộ phận một cửa.")
    offer.procedure = procedure
    return offer


@transaction.atomic
def submit(
    *,
    agency: Agency,
    intake: Intake,
    intake_due_at: datetime,
    level_of_assurance: str = "",
    now: datetime | None = None,
) -> Dossier:
    """An online dossier arrives: code and lookup key at once, status SUBMITTED, one SUBMIT event.

    ``intake_due_at`` is the caller's reading of the intake deadline (tructuyen.deadline) for ``now``.
    """
    now = now or timezone.now()
    if intake_due_at <= now:
        raise WorkflowError("Hạn tiếp nhận phải sau thời điểm nộp.")
    offer = online_offer(agency, intake)
    limit = offer_limit(intake.procedure, offer, Channel.ONLINE)
    dossier = Dossier(
        agency=agency,
        status=Status.SUBMITTED,
        lookup_key=new_lookup_key(),
        procedure=intake.procedure,
        field_id=intake.procedure.field_id,
        procedure_snapshot=procedure_snapshot(
            intake.procedure, limit, offer.effective_fee_text(), offer.effective_limit_text()
        ),
        channel=Channel.ONLINE,
        applicant_kind=intake.applicant_kind,
        applicant_name=intake.applicant_name,
        applicant_id_kind=intake.applicant_id_kind,
        applicant_id_number=intake.applicant_id_number,
        applicant_phone=intake.applicant_phone,
        applicant_email=intake.applicant_email,
        applicant_address=intake.applicant_address,
        delivery=intake.delivery,
        delivery_address=intake.delivery_address,
        note=intake.note,
        created_at=now,
        submitted_at=now,
        intake_due_at=intake_due_at,
        level_of_assurance=level_of_assurance,
    )
    dossier.code = next_code(agency, timezone.localtime(now).date())
    save_new(dossier, intake.documents)
    _write_event(dossier, Action.SUBMIT, "", Status.SUBMITTED, None, now, "", {})  # type: ignore[arg-type]
    return dossier


def _lock_submitted(dossier_id: int, actor: User | None, now: datetime, status: str = Status.SUBMITTED) -> Dossier:
    dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
    if dossier is None:
        raise WorkflowError("Không tìm thấy hồ sơ.")
    if actor is not None and (not actor.is_active or actor.agency_id != dossier.agency_id):
        raise WorkflowError("Hồ sơ thuộc cơ quan khác: bạn không được thao tác.")
    if actor is not None and actor.role not in INTAKE_ROLES:
        raise WorkflowError(f"Vai trò {actor.get_role_display()} không được tiếp nhận hồ sơ.")
    if dossier.status != status:
        wanted = "chờ bổ sung giấy tờ" if status == Status.AWAITING_PAPERS else "chờ tiếp nhận"
        raise WorkflowError(f"Hồ sơ đang ở trạng thái “{dossier.get_status_display()}”: không còn {wanted}.")
    assert dossier.submitted_at is not None, "a submitted dossier has its submission instant"
    if now < dossier.submitted_at:
        raise WorkflowError("Thời điểm thao tác không được trước thời điểm nộp hồ sơ.")
    return dossier


@transaction.atomic
def receive(
    *, dossier_id: int, actor: User, manual_due_at: datetime | None = None, now: datetime | None = None
) -> Dossier:
    """The desk receives an online dossier now: the legal clock starts, as at the counter (form 01)."""
    now = now or timezone.now()
    dossier = _lock_submitted(dossier_id, actor, now)
    calendar = calendar_for(dossier.agency_id)
    fields = ["status", "clerk", "received_at", "base_due_at", "due_at", "shown_due_at"]
    if dossier.procedure_snapshot.get("limit") is None:
        if manual_due_at is None:
            raise WorkflowError("Thủ tục không có thời hạn tính tự động: hãy nhập ngày hẹn trả kết quả.")
        if manual_due_at <= now:
            raise WorkflowError("Ngày hẹn trả phải sau thời điểm tiếp nhận.")
        check_appointment(calendar, manual_due_at, now=now)
        dossier.manual_due_at = base_due = manual_due_at
        fields.append("manual_due_at")
    else:
        base_due = wc.compute_due(calendar, now, snapshot_limit(dossier))
    dossier.status = Status.RECEIVED
    dossier.clerk = actor
    dossier.received_at = now
    dossier.base_due_at = dossier.due_at = dossier.shown_due_at = base_due
    dossier.save(update_fields=fields)
    _write_event(dossier, Action.RECEIVE, Status.SUBMITTED, Status.RECEIVED, actor, now, "", {}, due_at=base_due)
    transaction.on_commit(partial(forget_public_view, dossier.code, dossier.lookup_key))
    return dossier


@transaction.atomic
def refuse(*, dossier_id: int, actor: User, reason: str, now: datetime | None = None) -> Dossier:
    """Form 03: the desk refuses an online dossier, with the concrete reason."""
    now = now or timezone.now()
    if not reason.strip():
        raise WorkflowError("Hãy ghi rõ lý do từ chối.")
    dossier = _lock_submitted(dossier_id, actor, now)
    dossier.status = Status.REFUSED
    dossier.clerk = actor
    dossier.note = reason.strip()
    dossier.save(update_fields=["status", "clerk", "note"])
    _write_event(dossier, Action.REFUSE, Status.SUBMITTED, Status.REFUSED, actor, now, reason.strip(), {})
    transaction.on_commit(partial(forget_public_view, dossier.code, dossier.lookup_key))
    return dossier


def papers_requested(dossier_id: int) -> bool:
    """The desk has already asked for more papers before receipt (it may ask only once)."""
    return DossierEvent.objects.filter(dossier_id=dossier_id, action=Action.REQUEST_PAPERS).exists()


@transaction.atomic
def request_papers(*, dossier_id: int, actor: User, missing: str, now: datetime | None = None) -> Dossier:
    """Form 02 before receipt: the desk lists the papers to add; the dossier waits for the citizen."""
    now = now or timezone.now()
    missing = missing.strip()
    if not missing:
        raise WorkflowError("Hãy ghi rõ những giấy tờ cần bổ sung.")
    dossier = _lock_submitted(dossier_id, actor, now)
    if papers_requested(dossier.pk):
        raise WorkflowError("Bộ phận một cửa đã yêu cầu bổ sung một lần: hãy tiếp nhận hoặc từ chối hồ sơ.")
    dossier.status = Status.AWAITING_PAPERS
    dossier.clerk = actor
    dossier.save(update_fields=["status", "clerk"])
    _write_event(dossier, Action.REQUEST_PAPERS, Status.SUBMITTED, Status.AWAITING_PAPERS, actor, now, missing, {})
    transaction.on_commit(partial(forget_public_view, dossier.code, dossier.lookup_key))
    return dossier


@transaction.atomic
def resubmit(*, dossier_id: int, intake_due_at: datetime, now: datetime | None = None) -> Dossier:
    """The citizen has uploaded the papers asked for: back in the desk's queue with a new intake deadline
    (``intake_due_at``: the caller's reading of tructuyen.deadline for ``now``)."""
    now = now or timezone.now()
    if intake_due_at <= now:
        raise WorkflowError("Hạn tiếp nhận phải sau thời điểm nộp bổ sung.")
    dossier = _lock_submitted(dossier_id, None, now, status=Status.AWAITING_PAPERS)
    dossier.status = Status.SUBMITTED
    dossier.intake_due_at = intake_due_at
    dossier.save(update_fields=["status", "intake_due_at"])
    _write_event(
        dossier,
        Action.RESUBMIT,
        Status.AWAITING_PAPERS,
        Status.SUBMITTED,
        None,
        now,
        "",
        {},  # type: ignore[arg-type]
    )
    transaction.on_commit(partial(forget_public_view, dossier.code, dossier.lookup_key))
    return dossier
