"""Electronic results and digitised papers (QĐ 766 indicators 4.1 and 4.2) from real files.

- **Result file**: the officer (or the leader approving) attaches the result when it becomes
  ready. The file is checked by content and written to storage first; the workflow's transition
  then records the `DossierFile` (kind result) and sets ``Dossier.electronic_result`` in the
  transaction of its event. Any failure deletes the stored file: no row, no file left.
- **Scans at the counter** (số hóa): files attached per paper at intake, each a `DossierFile` of
  kind scan marked digitised, recorded in the intake's transaction.
- **The dossier's ``digitised`` flag** is set when at least one paper of the dossier has a
  digitised file (a counter scan, or a file submitted online once the desk receives the dossier).
  This is how the provincial system computes QĐ 766 digitisation ("the dossier has paper files",
  docs/online-dossiers.md §4); each file keeps its own flag, so "every paper scanned" can still be read per paper.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from hoso import workflow
from hoso.constants import Action, Status
from hoso.intake import IntakeRejected, Received
from hoso.models import Dossier, DossierEvent
from kyso import services as kyso_services
from kyso.models import DocumentKind
from kyso.signing import SigningError
from motcua.models import Agency, User
from thutuc.models import RequiredDocument

from .constants import FileKind, FileType
from .filecheck import CheckedFile, FileRejected, check, megabytes, uploaded_chunks
from .models import DossierFile
from .services import files_removed_on_failure, record_file, write_file

RESULT_PAPER = "Kết quả giải quyết thủ tục hành chính"
PAPER_FILE_KINDS = (FileKind.SUBMITTED, FileKind.SUPPLEMENT, FileKind.SCAN)


def check_upload(upload: UploadedFile) -> CheckedFile:
    """A form's upload checked by content and size (FileRejected otherwise)."""
    name = upload.name or "tệp"
    return check(uploaded_chunks(upload), name=name, max_bytes=settings.TRUCTUYEN_MAX_FILE_BYTES)


# -- the result -------------------------------------------------------------------------------
def result_ready(
    *,
    dossier_id: int,
    actor: User,
    upload: UploadedFile | None,
    note: str = "",
    approve: bool = False,
    now: datetime | None = None,
) -> Dossier:
    """Mark the result ready (``approve``: the leader approves it), with its file when given.

    WorkflowError for a refused action, a file that is not a PDF, JPEG or PNG, or an electronic
    delivery without a file; nothing is written then.
    """
    run = workflow.approve if approve else workflow.mark_result_ready
    if upload is None:
        return run(dossier_id=dossier_id, actor=actor, note=note, now=now)
    now = now or timezone.now()
    agency_id = Dossier.objects.filter(pk=dossier_id).values_list("agency_id", flat=True).first()
    if agency_id is None:
        raise workflow.WorkflowError("Không tìm thấy hồ sơ.")
    try:
        checked = check_upload(upload)
    except FileRejected as exc:
        raise workflow.WorkflowError(str(exc)) from exc
    try:
        with files_removed_on_failure() as written:
            agency = Agency.objects.get(pk=agency_id)
            if checked.content_type == FileType.PDF and kyso_services.signing_configured(agency):
                attach = _attach_signed(checked, actor, agency, written)
                return run(dossier_id=dossier_id, actor=actor, note=note, now=now, attach=attach)
            stored = write_file(agency_id=agency_id, checked=checked, now=now, written=written)
            return run(dossier_id=dossier_id, actor=actor, note=note, now=now, attach=_attach(checked, stored, actor))
    except SigningError as exc:
        raise workflow.WorkflowError(str(exc)) from exc
    finally:
        checked.close()


def _attach(checked: CheckedFile, stored: str, actor: User) -> workflow.Attach:
    def attach(dossier: Dossier, moment: datetime) -> list[str]:
        record_file(
            dossier=dossier,
            checked=checked,
            stored_name=stored,
            paper_name=RESULT_PAPER,
            kind=FileKind.RESULT,
            now=moment,
            uploaded_by=actor,
            source="Cán bộ đính kèm khi có kết quả",
        )
        dossier.electronic_result = True
        return ["electronic_result"]

    return attach


def _attach_signed(checked: CheckedFile, actor: User, agency: Agency, written: list[str]) -> workflow.Attach:
    """The result PDF issued and signed by the organisation (kyso) in the action's transaction, then stored."""

    def attach(dossier: Dossier, moment: datetime) -> list[str]:
        checked.content.seek(0)
        title = f"Kết quả giải quyết hồ sơ {dossier.code}"
        issued = kyso_services.issue(
            agency=agency, kind=DocumentKind.RESULT, title=title, pdf=checked.content.read(), dossier=dossier
        )
        data = bytes(issued.pdf)
        signed = CheckedFile(checked.name, BytesIO(data), len(data), kyso_services.sha256(data), FileType.PDF)
        stored = write_file(agency_id=agency.pk, checked=signed, now=moment, written=written)
        return _attach(signed, stored, actor)(dossier, moment)

    return attach


def result_file_for_citizen(pk: int, id_number: str) -> DossierFile | None:
    """The result file ``pk`` if it is of a dossier filed under this ID number and the result is ready."""
    if not id_number:
        return None
    return (
        DossierFile.objects.select_related("dossier")
        .filter(
            pk=pk,
            kind=FileKind.RESULT,
            dossier__applicant_id_number=id_number,
            dossier__status__in=[Status.RESULT_READY, Status.RETURNED],
        )
        .first()
    )


def citizen_results(dossier_ids: Sequence[int]) -> dict[int, list[DossierFile]]:
    """The result files the citizen may download (``tructuyen:citizen_file``), by dossier id, for
    "Hồ sơ của tôi": only dossiers whose result is ready or returned."""
    rows = DossierFile.objects.filter(
        dossier_id__in=dossier_ids,
        kind=FileKind.RESULT,
        dossier__status__in=[Status.RESULT_READY, Status.RETURNED],
    ).order_by("id")
    found: dict[int, list[DossierFile]] = {}
    for row in rows:
        found.setdefault(row.dossier_id, []).append(row)
    return found


# -- scans at the counter ---------------------------------------------------------------------
@dataclass
class Scan:
    """A scan attached at the counter: the paper it belongs to (None: "other papers") and its upload."""

    required_document_id: int | None
    paper_name: str
    upload: UploadedFile


def receive_with_scans(
    *, receive: Callable[[], Received], scans: Sequence[Scan], agency_id: int, actor: User, now: datetime | None = None
) -> Received:
    """Run the counter's receipt (``receive``) and record the scans in its transaction.

    The scans are checked first (IntakeRejected for a bad one: nothing written) and stored before
    the transaction; they are deleted if the receipt fails or gives back an earlier dossier.
    """
    if not scans:
        return receive()
    now = now or timezone.now()
    checked: list[tuple[Scan, CheckedFile]] = []
    try:
        for scan in scans:
            checked.append((scan, check_upload(scan.upload)))
        if sum(result.size for _, result in checked) > settings.TRUCTUYEN_MAX_DOSSIER_BYTES:
            raise FileRejected(
                f"Tổng dung lượng các bản quét vượt quá {megabytes(settings.TRUCTUYEN_MAX_DOSSIER_BYTES)}."
            )
        with files_removed_on_failure() as written:
            names = [write_file(agency_id=agency_id, checked=c, now=now, written=written) for _, c in checked]
            with transaction.atomic():
                received = receive()
                if not received.created:  # the same form sent again: its dossier has its scans
                    raise _Discard(received)
                papers = RequiredDocument.objects.in_bulk({s.required_document_id for s in scans} - {None})
                for (scan, result), name in zip(checked, names, strict=True):
                    record_file(
                        dossier=received.dossier,
                        checked=result,
                        stored_name=name,
                        paper_name=scan.paper_name,
                        kind=FileKind.SCAN,
                        now=now,
                        required_document=papers.get(scan.required_document_id),  # type: ignore[arg-type]
                        uploaded_by=actor,
                        source="Số hóa tại bộ phận một cửa",
                        digitised=True,
                    )
                refresh_digitised(received.dossier)
    except FileRejected as exc:
        raise IntakeRejected(f"Bản quét: {exc} Chưa ghi gì vào hệ thống; hãy chọn lại các tệp.") from exc
    except _Discard as discarded:
        return discarded.received
    finally:
        for _, result in checked:
            result.close()
    return received


class _Discard(Exception):
    def __init__(self, received: Received) -> None:
        super().__init__("same form")
        self.received = received


def refresh_digitised(dossier: Dossier) -> None:
    """``digitised`` = at least one paper of the dossier has a digitised file (module docstring)."""
    flag = DossierFile.objects.filter(dossier=dossier, kind__in=PAPER_FILE_KINDS, digitised=True).exists()
    if dossier.digitised != flag:
        dossier.digitised = flag
        Dossier.objects.filter(pk=dossier.pk).update(digitised=flag)


def digitise_on_online_receipt(event: DossierEvent) -> None:
    """After-event callback (hoso.events): an online dossier received by the desk has its papers
    as files, so they count as digitised from that instant (the dossier's flag follows)."""
    if event.action != Action.RECEIVE or event.from_status != Status.SUBMITTED:
        return
    files = DossierFile.objects.filter(dossier_id=event.dossier_id, kind__in=PAPER_FILE_KINDS)
    if files.filter(digitised=False).update(digitised=True) or files.exists():
        event.dossier.digitised = True
        Dossier.objects.filter(pk=event.dossier_id).update(digitised=True)
