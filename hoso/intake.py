"""The intake service: receive, guide (form 02) or refuse (form 03) a dossier by the desk's rules.

Every way a dossier comes in (the counter page, an API, an import) calls these functions, which
check what the intake rules ask before anything is written, then hand over to the workflow
(hoso/workflow.py), which writes the dossier and its one event in one transaction. A rule that
fails raises ``IntakeRejected`` with a Vietnamese message meant for the clerk; nothing is written.

The rules: a receipt needs every mandatory paper, at least one paper listed and, for a procedure
without a computed limit, a typed appointment; the same applicant's dossier for the same procedure
received in the last 30 minutes is the same form sent again unless the clerk confirms a second
one; a form 02 is given once in 90 days (windows in hoso/applicants.py); guidance and refusal
state what is missing or why. The duplicate check is asked in the receipt's own statement
(``hoso.creation.Unless``): when it finds a dossier, no row is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError
from django.utils import timezone

from motcua.models import Agency, User
from thutuc.models import AgencyProcedure, Procedure, RequiredDocument

from . import applicants, workflow
from .creation import EarlierFound, Unless
from .limits import offer_limit
from .models import Dossier
from .workflow import Intake, WorkflowError

Paper = tuple[int | None, str, str, int]  # (required document id or None, name, form, quantity)


class IntakeRejected(WorkflowError):
    """An intake the rules refuse; ``message`` is shown to the clerk as it is, ``field`` names the
    form field it concerns (None: the dossier as a whole)."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class DuplicateSuspected(IntakeRejected):
    """The same applicant's dossier for the same procedure was received minutes ago (``dossier``)."""

    def __init__(self, dossier: Dossier) -> None:
        super().__init__(
            f"Hồ sơ {dossier.code} của cùng người nộp, cùng thủ tục vừa được tiếp nhận lúc "
            f"{timezone.localtime(dossier.received_at):%H:%M}. Nếu đây là biểu mẫu gửi lại (nút Quay lại "
            "của trình duyệt), không cần tiếp nhận nữa; nếu thật sự là hồ sơ thứ hai, đánh dấu ô xác nhận "
            "rồi bấm tiếp nhận."
        )
        self.dossier = dossier


@dataclass(frozen=True)
class Problem:
    """One intake rule not met: the form field it concerns (None: the whole dossier) and why."""

    field: str | None
    message: str


@dataclass(frozen=True)
class Received:
    """The outcome of a receipt: the dossier, and whether this call created it (False: the same
    form had already made it)."""

    dossier: Dossier
    created: bool


# -- the checks -------------------------------------------------------------------------------
def missing_mandatory(required: Iterable[RequiredDocument], papers: Sequence[Paper]) -> list[str]:
    """The names of the mandatory papers not among those received (the dossier is then incomplete)."""
    received = {paper[0] for paper in papers}
    return [doc.name for doc in required if doc.mandatory and doc.pk not in received]


def needs_typed_appointment(procedure: Procedure, offer: AgencyProcedure | None) -> bool:
    """Whether the clerk types the appointment: neither the catalogue nor the ward sets a computable limit."""
    return offer_limit(procedure, offer) is None


def receipt_problems(
    *,
    procedure: Procedure,
    offer: AgencyProcedure | None,
    papers: Sequence[Paper],
    manual_due_at: datetime | None,
    required: Sequence[RequiredDocument] | None = None,
) -> list[Problem]:
    """What a receipt needs besides valid fields (the form reports these with its field errors).

    ``required`` is the procedure's paper list when the caller has read it already.
    """
    problems = []
    missing = missing_mandatory(procedure.documents.all() if required is None else required, papers)
    if missing:
        problems.append(
            Problem(
                None,
                "Chưa nhận đủ giấy tờ bắt buộc: "
                + "; ".join(missing)
                + ". Hồ sơ chưa đủ thì hướng dẫn bổ sung (mẫu 02), không tiếp nhận.",
            )
        )
    elif not papers:
        # Form 01 lists the papers received (docs/intake-and-forms.md §1–2): a receipt of nothing is no receipt.
        problems.append(
            Problem(
                "other_documents",
                "Hãy đánh dấu hoặc ghi ít nhất một giấy tờ đã nhận (mỗi giấy tờ một dòng): giấy tiếp nhận "
                "phải liệt kê thành phần hồ sơ.",
            )
        )
    if manual_due_at is None and needs_typed_appointment(procedure, offer):
        problems.append(Problem("manual_due_date", "Thủ tục không có thời hạn tính tự động: hãy nhập ngày hẹn trả."))
    return problems


def _reject(problems: Sequence[Problem]) -> None:
    if problems:
        field = problems[0].field if len(problems) == 1 else None
        raise IntakeRejected(" ".join(p.message for p in problems), field=field)


def _by_same_form(intake: Intake) -> Dossier | None:
    return None if intake.token is None else Dossier.objects.filter(intake_token=intake.token).first()


# -- the services -----------------------------------------------------------------------------
def receive_dossier(
    *, agency: Agency, actor: User, intake: Intake, second_confirmed: bool = False, now: datetime | None = None
) -> Received:
    """Receive a complete dossier (form 01), or raise ``IntakeRejected`` having written nothing.

    The same form sent twice (same token) gives back the dossier it made. A dossier of the same
    applicant and procedure received in the last 30 minutes raises ``DuplicateSuspected`` unless
    ``second_confirmed`` (the clerk ticked that it is a second dossier).
    """
    now = now or timezone.now()
    _reject(
        receipt_problems(
            procedure=intake.procedure, offer=intake.offer, papers=intake.documents, manual_due_at=intake.manual_due_at
        )
    )
    # The duplicate check is asked in the receipt's own statement: nothing is written if it finds one.
    question = workflow.applicant_question(agency, intake, now)
    unless = None if second_confirmed else Unless(*applicants.duplicate_query(**question))
    try:
        return Received(workflow.receive(agency=agency, actor=actor, intake=intake, now=now, unless=unless), True)
    except EarlierFound as found:
        duplicate = Dossier.objects.get(pk=found.pk)
        if intake.token is not None and duplicate.intake_token == intake.token:
            return Received(duplicate, created=False)  # a double click: the dossier it made
        raise DuplicateSuspected(duplicate) from None
    except WorkflowError as exc:
        raise IntakeRejected(str(exc)) from exc
    except IntegrityError:
        # The same form came twice at once: its one-time token is unique, so the second
        # transaction rolled back whole, its number included.
        previous = _by_same_form(intake)
        if previous is None:
            raise
        return Received(previous, created=False)


def guide_applicant(
    *, agency: Agency, actor: User, intake: Intake, missing: str = "", now: datetime | None = None
) -> Dossier:
    """Form 02: tell the applicant, once and in writing, what to add; ``missing`` defaults to the
    mandatory papers not received. A second form 02 within 90 days raises ``IntakeRejected``."""
    now = now or timezone.now()
    text = missing.strip() or "\n".join(missing_mandatory(intake.procedure.documents.all(), intake.documents))
    if not text:
        raise IntakeRejected("Hãy ghi rõ giấy tờ cần bổ sung.")
    # The once-in-90-days rule is the workflow's (workflow.guide): one check, one message.
    try:
        return workflow.guide(agency=agency, actor=actor, intake=intake, missing=text, now=now)
    except WorkflowError as exc:
        raise IntakeRejected(str(exc)) from exc


def refuse_dossier(*, agency: Agency, actor: User, intake: Intake, reason: str, now: datetime | None = None) -> Dossier:
    """Form 03: refuse the dossier with a concrete reason (an empty one raises ``IntakeRejected``)."""
    if not reason.strip():
        raise IntakeRejected("Hãy ghi rõ lý do từ chối.")
    try:
        return workflow.refuse(agency=agency, actor=actor, intake=intake, reason=reason, now=now)
    except WorkflowError as exc:
        raise IntakeRejected(str(exc)) from exc
