"""Every write on a petition (docs/petitions.md): receive, the staff actions of ``TRANSITIONS``,
publish, the sender's rating. Each is one transaction that locks the row, checks role, ward and
state, sets the fields and due columns (``deadlines.schedule``), writes one event and queues the
sender's message after commit."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from congdan.models import Citizen
from hoso.calendar_store import calendar_for
from hoso.constants import UNHAPPY_LEVELS
from hoso.models import Dossier, SatisfactionRating
from motcua.constants import Role
from motcua.models import Agency, User
from tructuyen.filecheck import FileRejected, check, megabytes, uploaded_chunks
from tructuyen.models import storage_name

from . import deadlines, tasks
from .constants import NOTIFYING, TRANSITIONS, Action, Channel, Decision, Kind, Rating, Status
from .models import Petition, PetitionEvent, PetitionPhoto
from .privacy import personal_data_in

MAX_PHOTOS = 5


class PetitionRejected(Exception):
    """An action that may not be done; the message is Vietnamese, ``field`` the form field concerned."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


# -- the due columns ----------------------------------------------------------------------------
def reschedule(petition: Petition) -> None:
    """Set the due columns from the petition's dates, and ``due_at`` for its current step."""
    cal = calendar_for(petition.agency_id)
    plan = deadlines.schedule(
        cal,
        received_at=petition.received_at,
        decided_at=petition.decided_at,
        decision=petition.decision,
        more_info_requested_at=petition.more_info_requested_at,
        more_info_received_at=petition.more_info_received_at,
        answered_at=petition.answered_at,
    )
    petition.decide_due_at = plan.decide_due_at
    petition.more_info_due_at = plan.more_info_due_at
    petition.answer_due_at = plan.answer_due_at
    petition.publish_due_at = plan.publish_due_at
    if petition.reopened_at is not None and petition.status in (
        Status.REOPENED,
        Status.ACCEPTED,
        Status.AWAITING_APPROVAL,
    ):
        petition.due_at = deadlines.reopened_due(cal, petition.reopened_at)
    elif petition.status == Status.RECEIVED:
        petition.due_at = plan.decide_due_at
    elif petition.status in (Status.ACCEPTED, Status.AWAITING_APPROVAL):
        petition.due_at = plan.answer_due_at
    elif petition.status == Status.ANSWERED:
        petition.due_at = plan.publish_due_at
    else:  # waiting for the sender, refused, published: no clock runs
        petition.due_at = None


def _event(petition: Petition, action: str, *, by: User | None, at: datetime, note: str = "", **data: Any) -> None:
    event = PetitionEvent.objects.create(petition=petition, action=action, actor=by, at=at, note=note, data=data)
    if action in NOTIFYING and not petition.imported:
        transaction.on_commit(partial(tasks.queue_messages, event.pk))


def _new_code(agency: Agency, at: datetime) -> str:
    """PA-<ward code>-<yymmdd>-<n>: n counts the ward's petitions of the day (the ward row is locked)."""
    Agency.objects.select_for_update().filter(pk=agency.pk).first()
    prefix = f"PA-{agency.code}-{timezone.localtime(at):%y%m%d}-"
    n = Petition.objects.filter(code__startswith=prefix).count() + 1
    while Petition.objects.filter(code=f"{prefix}{n:03d}").exists():
        n += 1
    return f"{prefix}{n:03d}"


# -- receive ------------------------------------------------------------------------------------
def receive(
    *,
    agency: Agency,
    kind: str,
    channel: str,
    content: str,
    subject: str = "",
    sender_name: str = "",
    sender_phone: str = "",
    sender_email: str = "",
    sender_address: str = "",
    sender_id_number: str = "",
    citizen: Citizen | None = None,
    dossier: Dossier | None = None,
    survey_rating: SatisfactionRating | None = None,
    by: User | None = None,
    photos: Sequence[UploadedFile] = (),
    at: datetime | None = None,
) -> Petition:
    """Record a petition from the public page (``by`` None), the counter (a clerk) or an unhappy
    survey answer; photos are checked by content like an online dossier's files."""
    at = at or timezone.now()
    if by is not None and (by.agency_id != agency.pk or not by.has_role(Role.CLERK, Role.OFFICER, Role.LEADER)):
        raise PetitionRejected("Bạn không được nhập phản ánh cho phường, xã này.")
    if kind not in Kind.values:
        raise PetitionRejected("Hãy chọn loại phản ánh, kiến nghị.", "kind")
    if channel not in Channel.values:
        raise PetitionRejected("Kênh tiếp nhận không hợp lệ.", "channel")
    if not content.strip():
        raise PetitionRejected("Hãy ghi nội dung phản ánh, kiến nghị.", "content")
    if citizen is None and by is None and not (sender_phone or sender_email):
        raise PetitionRejected("Hãy để lại số điện thoại hoặc thư điện tử để nhận trả lời.", "sender_phone")
    if dossier is not None and dossier.agency_id != agency.pk:
        raise PetitionRejected("Hồ sơ liên quan không thuộc phường, xã này.", "dossier")
    if len(photos) > MAX_PHOTOS:
        raise PetitionRejected(f"Gửi kèm nhiều nhất {MAX_PHOTOS} ảnh.", "photos")
    if citizen is not None:
        sender_name = sender_name or citizen.full_name
        sender_phone = sender_phone or citizen.phone
        sender_email = sender_email or citizen.email
        sender_id_number = sender_id_number or citizen.id_number
    stored = _store_photos(agency, photos, at)
    try:
        with transaction.atomic():
            petition = Petition(
                agency=agency,
                code=_new_code(agency, at),
                kind=kind,
                channel=channel,
                subject=subject.strip()[:200],
                content=content.strip(),
                citizen=citizen,
                sender_name=sender_name.strip(),
                sender_phone=sender_phone.strip(),
                sender_email=sender_email.strip(),
                sender_address=sender_address.strip(),
                sender_id_number=sender_id_number.strip(),
                dossier=dossier,
                survey_rating=survey_rating,
                token=secrets.token_urlsafe(24),
                received_at=at,
                received_by=by,
            )
            reschedule(petition)
            _full_clean(petition)
            petition.save()
            for name, checked_name, content_type, size, sha in stored:
                photo = PetitionPhoto(
                    petition=petition, original_name=name, content_type=content_type, size=size, sha256=sha
                )
                photo.file.name = checked_name
                photo.save()
            _event(petition, Action.RECEIVE, by=by, at=at)
    except BaseException:
        for _name, checked_name, *_rest in stored:
            PetitionPhoto._meta.get_field("file").storage.delete(checked_name)
        raise
    return petition


def _store_photos(agency: Agency, photos: Sequence[UploadedFile], at: datetime) -> list[tuple[str, str, str, int, str]]:
    storage = PetitionPhoto._meta.get_field("file").storage
    stored: list[tuple[str, str, str, int, str]] = []
    total, limit = 0, settings.TRUCTUYEN_MAX_DOSSIER_BYTES
    try:
        for upload in photos:
            name = (upload.name or "anh")[:255]
            checked = check(uploaded_chunks(upload), name=name, max_bytes=settings.TRUCTUYEN_MAX_FILE_BYTES)
            try:
                total += checked.size
                if total > limit:
                    raise FileRejected(f"Tổng dung lượng các tệp gửi kèm vượt quá {megabytes(limit)}.")
                path = storage_name(agency.pk, checked.content_type, at).replace("hoso-tep/", "phan-anh/", 1)
                saved = storage.save(path, File(checked.content))
                stored.append((name, saved, checked.content_type, checked.size, checked.sha256))
            finally:
                checked.close()
    except FileRejected as exc:
        for _name, saved, *_rest in stored:
            storage.delete(saved)
        raise PetitionRejected(str(exc), "photos") from None
    return stored


def _full_clean(petition: Petition) -> None:
    try:
        petition.full_clean(exclude=["citizen", "dossier", "survey_rating", "received_by", "assignee", "answered_by"])
    except ValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise PetitionRejected(messages[0], None if field == "__all__" else field) from None


def from_survey(*, rating_id: int, by: User, at: datetime | None = None) -> Petition:
    """Turn an unhappy satisfaction answer of the ward into a petition about its dossier (once)."""
    rating = SatisfactionRating.objects.select_related("dossier", "agency").filter(pk=rating_id).first()
    if rating is None or rating.agency_id != by.agency_id:
        raise PetitionRejected("Không tìm thấy phiếu đánh giá.")
    if rating.level not in UNHAPPY_LEVELS:
        raise PetitionRejected("Chỉ chuyển thành phản ánh được phiếu đánh giá không hài lòng.")
    if Petition.objects.filter(survey_rating=rating).exists():
        raise PetitionRejected("Phiếu đánh giá này đã được chuyển thành phản ánh.")
    dossier = rating.dossier
    return receive(
        agency=rating.agency,
        kind=Kind.CONDUCT if "thái độ" in rating.comment.lower() else Kind.PROCEDURE,
        channel=Channel.COUNTER,
        subject=f"Không hài lòng với hồ sơ {dossier.code or dossier.pk}",
        content=rating.comment or f"Người nộp đánh giá “{rating.get_level_display()}” khi nhận kết quả.",
        sender_name=dossier.applicant_name,
        sender_phone=dossier.applicant_phone,
        sender_email=dossier.applicant_email,
        sender_address=dossier.applicant_address,
        sender_id_number=dossier.applicant_id_number,
        dossier=dossier,
        survey_rating=rating,
        by=by,
        at=at,
    )


# -- the staff actions --------------------------------------------------------------------------
def may(user: User, petition: Petition, action: str) -> bool:
    """Whether ``user`` may take ``action`` on ``petition`` now (role, ward, state, assignee)."""
    if action not in TRANSITIONS or not user.is_active or user.agency_id != petition.agency_id:
        return False
    sources, _target, roles, assignee_only = TRANSITIONS[action]
    if petition.status not in sources or not user.has_role(*roles):
        return False
    if assignee_only and user.role == Role.OFFICER and not user.is_superuser:
        return petition.assignee_id == user.pk
    return True


def _lock_own(petition_id: int, by: User) -> Petition:
    """The petition, locked until the transaction ends, if it belongs to the staff member's ward."""
    petition = Petition.objects.select_for_update().filter(pk=petition_id).first()
    if petition is None or petition.agency_id != by.agency_id:
        raise PetitionRejected("Không tìm thấy phản ánh.")
    return petition


def act(
    *,
    petition_id: int,
    action: str,
    by: User,
    note: str = "",
    assignee: User | None = None,
    answer: str = "",
    at: datetime | None = None,
) -> Petition:
    """One staff action of ``TRANSITIONS`` (all but publish, which has its own checks)."""
    at = at or timezone.now()
    with transaction.atomic():
        petition = _lock_own(petition_id, by)
        if action == Action.PUBLISH or not may(by, petition, action):
            raise PetitionRejected(
                f"Không thể “{Action(action).label.lower()}” khi phản ánh đang "
                f"“{petition.get_status_display().lower()}” hoặc bạn không được giao việc này."
            )
        note = note.strip()
        data: dict[str, Any] = {}
        if action == Action.ASSIGN:
            if assignee is None or assignee.agency_id != petition.agency_id or assignee.role != Role.OFFICER:
                raise PetitionRejected("Hãy chọn một công chức của phường, xã.", "assignee")
            petition.assignee = assignee
            data["assignee"] = assignee.pk
        elif action in (Action.ACCEPT, Action.REFUSE):
            if action == Action.REFUSE and not note:
                raise PetitionRejected("Từ chối tiếp nhận phải ghi rõ lý do.", "note")
            petition.decided_at = at
            petition.decision = Decision.ACCEPTED if action == Action.ACCEPT else Decision.REFUSED
            petition.refusal_reason = note if action == Action.REFUSE else ""
            if petition.assignee_id is None and by.role == Role.OFFICER:
                petition.assignee = by
        elif action == Action.ASK_MORE_INFO:
            if not note:
                raise PetitionRejected("Hãy ghi rõ thông tin cần người gửi bổ sung.", "note")
            if petition.more_info_requested_at is not None:
                raise PetitionRejected("Đã đề nghị bổ sung thông tin một lần.")
            petition.more_info_requested_at, petition.more_info_question = at, note
        elif action == Action.MORE_INFO_RECEIVED:
            petition.more_info_received_at = at
        elif action == Action.SUBMIT_ANSWER:
            if not answer.strip():
                raise PetitionRejected("Hãy ghi nội dung trả lời.", "answer")
            petition.answer = answer.strip()
        elif action == Action.APPROVE:
            petition.answered_at = petition.answered_at or at  # the figures count the first answer
            petition.answered_by = by
            if petition.reopened_at is not None:  # a new answer after an unhappy rating: rated anew
                petition.rating, petition.rated_at = "", None
        target = TRANSITIONS[action][1]
        if target is not None:
            petition.status = target
        reschedule(petition)
        _full_clean(petition)
        petition.save()
        _event(petition, action, by=by, at=at, note=note, **data)
    return petition


def publish(
    *,
    petition_id: int,
    by: User,
    public_subject: str,
    public_question: str,
    public_answer: str,
    at: datetime | None = None,
) -> Petition:
    """Publish the reviewed question and answer: refused while they hold the sender's personal data."""
    at = at or timezone.now()
    with transaction.atomic():
        petition = _lock_own(petition_id, by)
        if not may(by, petition, Action.PUBLISH):
            raise PetitionRejected("Chỉ lãnh đạo công khai được phản ánh đã trả lời.")
        texts = {"public_subject": public_subject, "public_question": public_question, "public_answer": public_answer}
        for field, text in texts.items():
            if not text.strip():
                raise PetitionRejected("Hãy điền đủ tiêu đề, nội dung và trả lời công khai.", field)
            found = personal_data_in(
                text,
                name=petition.sender_name,
                phone=petition.sender_phone,
                email=petition.sender_email,
                address=petition.sender_address,
                id_number=petition.sender_id_number,
            )
            if found:
                raise PetitionRejected("Nội dung công khai còn thông tin cá nhân: " + ", ".join(found) + ".", field)
        petition.public_subject = public_subject.strip()
        petition.public_question = public_question.strip()
        petition.public_answer = public_answer.strip()
        petition.published_at = at
        petition.status = Status.PUBLISHED
        reschedule(petition)
        _full_clean(petition)
        petition.save()
        _event(petition, Action.PUBLISH, by=by, at=at)
    return petition


def rate(*, token: str, rating: str, comment: str = "", at: datetime | None = None) -> Petition:
    """The sender rates the answer (once per answer); unhappy reopens the petition for the leader."""
    at = at or timezone.now()
    if rating not in Rating.values:
        raise PetitionRejected("Hãy chọn mức đánh giá.", "rating")
    with transaction.atomic():
        petition = Petition.objects.select_for_update().filter(token=token).first()
        if petition is None:
            raise PetitionRejected("Không tìm thấy phản ánh.")
        if petition.status not in (Status.ANSWERED, Status.PUBLISHED):
            raise PetitionRejected("Chỉ đánh giá được khi phản ánh đã có trả lời.")
        if petition.rated_at is not None:
            raise PetitionRejected("Bạn đã đánh giá câu trả lời này.")
        petition.rating, petition.rated_at, petition.rating_comment = rating, at, comment.strip()[:2000]
        if rating == Rating.DISSATISFIED:
            petition.status, petition.reopened_at = Status.REOPENED, at
        reschedule(petition)
        _full_clean(petition)
        petition.save()
        _event(petition, Action.RATE, by=None, at=at, note=petition.rating_comment, rating=rating)
    return petition
