"""Writes of the online channel: submit a dossier with its files, store a checked file, issue an API client.

Files are checked (tructuyen.filecheck) and streamed to storage before the transaction opens
(on the file system the checked temporary file is moved into place, not copied); the transaction
then writes the dossier and the files' rows only (one INSERT for all the files of a submission).
Files already written to storage are deleted when anything fails, so a failed submission leaves nothing behind.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from hoso import online
from hoso.calendar_store import calendar_for
from hoso.models import Dossier
from hoso.workflow import Intake
from motcua.lib.text import fold
from motcua.models import Agency, User
from thutuc.constants import DocumentForm
from thutuc.models import RequiredDocument

from .constants import FileKind
from .deadline import intake_due
from .filecheck import CheckedFile, FileRejected, check, megabytes
from .models import ApiClient, DossierFile, ExternalSubmission, storage_name


@dataclass
class Paper:
    """A file to attach: the paper it is (by name), its original file name, its bytes as chunks."""

    name: str
    filename: str
    chunks: Iterable[bytes]


@dataclass
class StoredPaper:
    """A file already checked by content and written to storage (a citizen's draft): at submission
    only its row is written, pointing at the same stored file."""

    name: str
    original_name: str
    stored_name: str
    content_type: str
    size: int
    sha256: str


def check_papers(papers: Iterable[Paper]) -> list[tuple[Paper, CheckedFile]]:
    """Check every file by content and size (per file and in all); FileRejected on the first bad one."""
    per_file, per_dossier = settings.TRUCTUYEN_MAX_FILE_BYTES, settings.TRUCTUYEN_MAX_DOSSIER_BYTES
    checked: list[tuple[Paper, CheckedFile]] = []
    total = 0
    try:
        for paper in papers:
            result = check(paper.chunks, name=paper.filename or paper.name, max_bytes=per_file)
            checked.append((paper, result))
            total += result.size
            if total > per_dossier:
                raise FileRejected(f"Tổng dung lượng các tệp của hồ sơ vượt quá {megabytes(per_dossier)}.")
    except BaseException:
        close_all(checked)
        raise
    return checked


def close_all(checked: Iterable[tuple[Paper, CheckedFile]]) -> None:
    for _, result in checked:
        result.close()


@contextmanager
def files_removed_on_failure() -> Iterator[list[str]]:
    """Collect the storage names written inside; delete them if the block raises."""
    written: list[str] = []
    try:
        yield written
    except BaseException:
        storage = DossierFile._meta.get_field("file").storage  # type: ignore[attr-defined]
        for name in written:
            storage.delete(name)
        raise


class _CheckedContent(File):
    """A checked file's temporary file, offered to storage: FileSystemStorage moves it into place
    (``temporary_file_path``, as for Django's own large uploads); other storages read it."""

    def temporary_file_path(self) -> str:
        return str(self.file.name)


def write_file(*, agency_id: int, checked: CheckedFile, now: datetime, written: list[str]) -> str:
    """Put a checked file from its temporary file into storage, outside any transaction; its name."""
    storage = DossierFile._meta.get_field("file").storage  # type: ignore[attr-defined]
    # A temporary file on disk is moved into place; bytes made in memory (a signed PDF) are written.
    on_disk = isinstance(getattr(checked.content, "name", None), str)
    content = _CheckedContent(checked.content) if on_disk else File(checked.content)
    name = storage.save(storage_name(agency_id, checked.content_type, now), content)
    written.append(name)
    return name


def record_file(
    *,
    dossier: Dossier,
    checked: CheckedFile,
    stored_name: str,
    paper_name: str,
    kind: FileKind,
    now: datetime,
    required_document: RequiredDocument | None = None,
    uploaded_by: User | None = None,
    source: str = "",
    digitised: bool = False,
) -> DossierFile:
    """The row of a file already written to storage (`write_file`)."""
    row = file_row(
        dossier=dossier,
        checked=checked,
        stored_name=stored_name,
        paper_name=paper_name,
        kind=kind,
        now=now,
        required_document=required_document,
        uploaded_by=uploaded_by,
        source=source,
        digitised=digitised,
    )
    row.save()
    return row


def file_row(
    *,
    dossier: Dossier,
    checked: CheckedFile,
    stored_name: str,
    paper_name: str,
    kind: FileKind,
    now: datetime,
    required_document: RequiredDocument | None = None,
    uploaded_by: User | None = None,
    source: str = "",
    digitised: bool = False,
) -> DossierFile:
    """The unsaved row of a file already written to storage (see `record_file`)."""
    row = DossierFile(
        dossier=dossier,
        required_document=required_document,
        paper_name=paper_name[:500],
        kind=kind,
        original_name=checked.name[:255],
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        digitised=digitised,
        uploaded_by=uploaded_by,
        source=source[:100],
        uploaded_at=now,
    )
    row.file.name = stored_name
    return row


def record_stored(
    *, dossier: Dossier, paper: StoredPaper, now: datetime, required_document: RequiredDocument | None, source: str
) -> DossierFile:
    """The row of a submitted file that was already in storage (see StoredPaper)."""
    row = DossierFile(
        dossier=dossier,
        required_document=required_document,
        paper_name=paper.name[:500],
        kind=FileKind.SUBMITTED,
        original_name=paper.original_name[:255],
        content_type=paper.content_type,
        size=paper.size,
        sha256=paper.sha256,
        source=source[:100],
        uploaded_at=now,
    )
    row.file.name = paper.stored_name
    row.save()
    return row


def match_required(procedure_documents: Iterable[RequiredDocument], name: str) -> RequiredDocument | None:
    """The procedure's paper of this name (case, accents and spaces aside), or None ("other papers")."""
    return papers_by_name(procedure_documents).get(_paper_key(name))


def papers_by_name(procedure_documents: Iterable[RequiredDocument]) -> dict[str, RequiredDocument]:
    """The procedure's papers by folded name (the first of two with the same name), for `match_required`
    over several names with each paper's name folded once."""
    found: dict[str, RequiredDocument] = {}
    for document in procedure_documents:
        found.setdefault(_paper_key(document.name), document)
    return found


def _paper_key(name: str) -> str:
    return " ".join(fold(name).split())


def submit(
    *,
    agency: Agency,
    intake: Intake,
    papers: list[Paper],
    source: str,
    level_of_assurance: str = "",
    client: ApiClient | None = None,
    external_id: str = "",
    now: datetime | None = None,
    stored: Sequence[StoredPaper] = (),
) -> Dossier:
    """An online dossier with its files, in one transaction; nothing is left behind on failure.

    With ``client`` and ``external_id`` the dossier is recorded as pushed by that system: a second
    push of the same id breaks the unique constraint (IntegrityError), which the caller answers
    with the first dossier. ``stored`` files (already checked and in storage) get their rows in the
    same transaction; they are neither checked nor written again, nor deleted on failure.
    """
    now = now or timezone.now()
    checked = check_papers(papers)
    try:
        documents = papers_by_name(intake.procedure.documents.all())
        matched = [(paper, result, documents.get(_paper_key(paper.name))) for paper, result in checked]
        intake.documents = [
            (doc.pk if doc else None, paper.name, doc.form if doc else DocumentForm.COPY, 1)
            for paper, _, doc in matched
        ]
        kept = [(paper, documents.get(_paper_key(paper.name))) for paper in stored]
        intake.documents += list(
            dict.fromkeys(
                (doc.pk if doc else None, p.name, doc.form if doc else DocumentForm.COPY, 1) for p, doc in kept
            )
        )
        # The files go to storage first, so the transaction (which holds the ward's code counter)
        # only writes rows; a failure anywhere deletes what was written.
        with files_removed_on_failure() as written:
            names = [write_file(agency_id=agency.pk, checked=result, now=now, written=written) for _, result in checked]
            with transaction.atomic():
                due = intake_due(calendar_for(agency.pk), now)
                dossier = online.submit(
                    agency=agency, intake=intake, intake_due_at=due, level_of_assurance=level_of_assurance, now=now
                )
                if client is not None:
                    ExternalSubmission.objects.create(
                        agency=agency, external_id=external_id, client=client, dossier=dossier, at=now
                    )
                DossierFile.objects.bulk_create(
                    file_row(
                        dossier=dossier,
                        checked=result,
                        stored_name=name,
                        paper_name=paper.name,
                        kind=FileKind.SUBMITTED,
                        now=now,
                        required_document=doc,
                        source=source,
                    )
                    for (paper, result, doc), name in zip(matched, names, strict=True)
                )
                for stored_paper, doc in kept:
                    record_stored(dossier=dossier, paper=stored_paper, now=now, required_document=doc, source=source)
    finally:
        close_all(checked)
    return dossier


def create_api_client(*, agency: Agency, name: str) -> tuple[ApiClient, str]:
    """A new client for another system, with its secret (returned once, to be shown once)."""
    if not name.strip():
        raise ValueError("Hãy đặt tên cho hệ thống kết nối.")
    secret = secrets.token_urlsafe(32)
    client = ApiClient(agency=agency, name=name.strip(), client_id=f"ttc_{secrets.token_hex(12)}", secret=secret)
    client.full_clean()
    client.save()
    return client, secret
