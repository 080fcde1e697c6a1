"""Writes of a citizen's online submission: start a draft, save each step, attach and remove files, delete, submit.

A file is checked by content (tructuyen.filecheck) and written to storage once, when the citizen
uploads it; at submission the dossier's file rows point at those stored files and the draft's rows
go, in one transaction with the dossier (tructuyen.services.submit with ``stored=``). A failure
leaves the draft, its files and the database as they were.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from hoso.constants import Delivery, IdKind
from hoso.models import Dossier
from hoso.workflow import Intake
from motcua.models import Agency
from thutuc.constants import Channel
from thutuc.models import Procedure, RequiredDocument
from tructuyen import services as online_services
from tructuyen.filecheck import FileRejected, check, megabytes, uploaded_chunks
from tructuyen.models import storage_name

from .models import Citizen, Draft, DraftFile

# Where the dossier came from, kept on each of its file rows.
SOURCE = "Cổng dịch vụ công của phường (công dân tự nộp)"
OTHER_SLOT = "giay-khac"
AUTHORISATION_SLOT = "uy-quyen"
AUTHORISATION_PAPER = "Văn bản ủy quyền"
OTHER_PAPER = "Giấy tờ khác"
# How the citizen wants the result: at the desk, by post, or electronically (downloaded from
# "Hồ sơ của tôi" once the officer attaches the result file).
DELIVERY_CHOICES = {
    "desk": "Nhận trực tiếp tại bộ phận một cửa",
    "post": "Nhận qua bưu chính công ích (trả phí theo bưu điện)",
    "electronic": "Nhận kết quả điện tử (tải về trong Hồ sơ của tôi)",
}
STEPS = ("nguoi-nop", "giay-to", "nhan-ket-qua", "xem-lai")


class DraftIncomplete(Exception):
    """The draft misses something; the message is Vietnamese and ``step`` is where to fix it."""

    def __init__(self, message: str, step: str) -> None:
        super().__init__(message)
        self.step = step


@dataclass(frozen=True)
class Slot:
    """One upload slot of the papers step."""

    key: str
    name: str
    mandatory: bool
    document: RequiredDocument | None = None


def _storage() -> Any:
    return DraftFile._meta.get_field("file").storage  # type: ignore[attr-defined]


def slots(draft: Draft) -> list[Slot]:
    """The procedure's papers (mandatory ones required), the authorisation when applying for someone else, others."""
    result = [
        Slot(f"giay-{doc.pk}", doc.name, doc.mandatory, doc)
        for doc in draft.procedure.documents.order_by("position", "id")
    ]
    if draft.answers.get("on_behalf"):
        result.append(Slot(AUTHORISATION_SLOT, AUTHORISATION_PAPER, True))
    result.append(Slot(OTHER_SLOT, OTHER_PAPER, False))
    return result


def start(*, citizen: Citizen, agency: Agency, procedure: Procedure, now: datetime | None = None) -> Draft:
    """A draft for a procedure the ward receives online: the unfinished one of the same choice, else a new one
    (ValueError with the reason when the ward does not receive it online)."""
    if not procedure.active or not procedure.accepts_online:
        raise ValueError("Thủ tục này không nhận hồ sơ trực tuyến: mời nộp tại bộ phận một cửa.")
    if not procedure.offers.filter(agency=agency, active=True).exists():
        raise ValueError(f"{agency.name} không giải quyết thủ tục này.")
    existing = Draft.objects.filter(citizen=citizen, agency=agency, procedure=procedure, dossier__isnull=True).first()
    if existing is not None:  # a repeated "Bắt đầu" (or the same choice again) resumes the draft
        return existing
    now = now or timezone.now()
    applicant = {"address": citizen.address, "phone": citizen.phone, "email": citizen.email}
    draft = Draft(
        citizen=citizen, agency=agency, procedure=procedure, answers={"applicant": applicant, "step": STEPS[0]}
    )
    draft.created_at = draft.updated_at = now
    draft.full_clean()
    draft.save()
    return draft


def save_answers(*, draft: Draft, values: dict[str, Any], step: str, now: datetime | None = None) -> Draft:
    """Merge a step's answers into the draft and remember the step to resume at."""
    answers = dict(draft.answers)
    answers.update(values)
    answers["step"] = step
    draft.answers = answers
    draft.updated_at = now or timezone.now()
    draft.save(update_fields=["answers", "updated_at"])
    return draft


def attach(*, draft: Draft, slot: Slot, upload: UploadedFile, now: datetime | None = None) -> DraftFile:
    """Check an uploaded file by content, store it once, record it on the draft (FileRejected if refused)."""
    now = now or timezone.now()
    name = (upload.name or slot.name)[:255]
    used = sum(f.size for f in draft.files.all())
    checked = check(uploaded_chunks(upload), name=name, max_bytes=settings.TRUCTUYEN_MAX_FILE_BYTES)
    try:
        limit = settings.TRUCTUYEN_MAX_DOSSIER_BYTES
        if used + checked.size > limit:
            raise FileRejected(f"Tệp “{name}”: tổng dung lượng các tệp của hồ sơ vượt quá {megabytes(limit)}.")
        stored = _storage().save(storage_name(draft.agency_id, checked.content_type, now), File(checked.content))
    finally:
        checked.close()
    try:
        with transaction.atomic():
            row = DraftFile(
                draft=draft,
                slot=slot.key,
                paper_name=slot.name[:500],
                original_name=name,
                content_type=checked.content_type,
                size=checked.size,
                sha256=checked.sha256,
                uploaded_at=now,
            )
            row.file.name = stored
            row.save()
            draft.updated_at = now
            draft.save(update_fields=["updated_at"])
    except BaseException:
        _storage().delete(stored)
        raise
    return row


def _delete_stored(names: Iterable[str]) -> None:
    storage = _storage()
    for name in names:
        storage.delete(name)


def remove_file(*, draft: Draft, file_id: int) -> None:
    """Remove one file of an unfinished draft (its stored copy goes once the row is gone)."""
    row = draft.files.filter(pk=file_id).first()
    if row is None:
        return
    with transaction.atomic():
        row.delete()
        transaction.on_commit(partial(_delete_stored, [row.file.name]))


def delete(*, draft: Draft) -> None:
    """Delete an unfinished draft and its stored files."""
    if draft.dossier_id is not None:
        return
    with transaction.atomic():
        names = list(draft.files.values_list("file", flat=True))
        draft.delete()
        transaction.on_commit(partial(_delete_stored, names))


def missing(draft: Draft, files: list[DraftFile] | None = None) -> DraftIncomplete | None:
    """What still stops the draft from being sent, or None."""
    answers = draft.answers
    if not answers.get("applicant", {}).get("phone") or "on_behalf" not in answers:
        return DraftIncomplete("Hãy hoàn thành bước “Người nộp hồ sơ”.", "nguoi-nop")
    present = {f.slot for f in (draft.files.all() if files is None else files)}
    lacking = [slot.name for slot in slots(draft) if slot.mandatory and slot.key not in present]
    if lacking:
        return DraftIncomplete("Còn thiếu giấy tờ bắt buộc: " + "; ".join(lacking) + ".", "giay-to")
    if answers.get("delivery") not in DELIVERY_CHOICES:
        return DraftIncomplete("Hãy chọn cách nhận kết quả.", "nhan-ket-qua")
    return None


def _note(answers: dict[str, Any]) -> str:
    parts = []
    if answers.get("on_behalf"):
        parts.append(
            f"Nộp thay cho {answers.get('principal_name', '')} "
            f"(số định danh {answers.get('principal_id_number', '')}), có văn bản ủy quyền kèm theo."
        )
    return " ".join(parts)


def intake_of(draft: Draft) -> Intake:
    """The dossier the draft describes: the signed-in citizen is the applicant (their identity is the verified one)."""
    citizen, answers = draft.citizen, draft.answers
    applicant = answers.get("applicant", {})
    delivery = answers.get("delivery", "desk")
    return Intake(
        procedure=draft.procedure,
        applicant_name=citizen.full_name,
        applicant_id_kind=IdKind.CCCD,
        applicant_id_number=citizen.id_number,
        applicant_phone=applicant.get("phone", ""),
        applicant_email=applicant.get("email", ""),
        applicant_address=applicant.get("address", ""),
        channel=Channel.ONLINE,
        delivery={"post": Delivery.POST, "electronic": Delivery.ELECTRONIC}.get(delivery, Delivery.DESK),
        delivery_address=answers.get("delivery_address", "") if delivery == "post" else "",
        note=_note(answers),
    )


def submit(*, draft_id: int, citizen: Citizen, now: datetime | None = None) -> Dossier:
    """Send the draft: one dossier (status SUBMITTED, code, lookup key, intake deadline), its files linked.

    A second call for a sent draft returns its dossier. DraftIncomplete when something is missing;
    WorkflowError when the ward no longer takes the procedure online; nothing is written then.
    """
    now = now or timezone.now()
    with transaction.atomic():
        draft = (
            Draft.objects.select_for_update(of=("self",))
            .select_related("citizen", "agency", "procedure", "procedure__field", "dossier")
            .get(pk=draft_id, citizen=citizen)
        )
        if draft.dossier is not None:
            return draft.dossier
        files = list(draft.files.order_by("id"))
        if (problem := missing(draft, files)) is not None:
            raise problem
        stored = [
            online_services.StoredPaper(
                name=f.paper_name,
                original_name=f.original_name,
                stored_name=f.file.name,
                content_type=f.content_type,
                size=f.size,
                sha256=f.sha256,
            )
            for f in files
        ]
        dossier = online_services.submit(
            agency=draft.agency,
            intake=intake_of(draft),
            papers=[],
            stored=stored,
            source=SOURCE,
            level_of_assurance=citizen.assurance_level[:16],
            now=now,
        )
        # The files now belong to the dossier: only the draft's rows go, the stored files stay.
        draft.files.all().delete()
        draft.dossier = dossier
        draft.updated_at = now
        draft.answers = {**draft.answers, "step": "da-nop"}
        draft.save(update_fields=["dossier", "answers", "updated_at"])
    return dossier
