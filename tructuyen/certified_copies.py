"""Certified electronic copies from originals (chứng thực bản sao điện tử từ bản chính, docs/signatures.md).

The clerk scans the original (a PDF, or a JPEG/PNG laid out on A4 pages), records the
certification in the register (book number, entry number, fee) and the organisation signs the
copy on the server, the certification printed in its signature block. The signed copy is kept as
a result file of the dossier, so the citizen downloads it like any electronic result once the
result is ready (``results.result_file_for_citizen``). Everything is written in one transaction:
a taken entry number, a missing key or a bad scan leaves no register line, no file and no row.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, datetime
from io import BytesIO

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.html import escape
from weasyprint import HTML

from hoso.models import Dossier
from kyso import services as kyso_services
from kyso.models import CertificationEntry, DocumentKind
from kyso.signing import SigningError
from motcua.constants import Role
from motcua.models import User

from .constants import FileKind, FileType
from .filecheck import CheckedFile, FileRejected
from .results import check_upload
from .services import files_removed_on_failure, record_file, write_file

SOURCE = "Chứng thực bản sao điện tử từ bản chính"


class CopyRefused(Exception):
    """The certification is refused; the message is Vietnamese and nothing was written."""


@dataclass
class CopyRequest:
    """What the clerk types: the paper's name and the register line."""

    title: str
    book_number: str
    entry_number: int
    fee: int = 0
    certified_on: date | None = None


def image_pdf(data: bytes, content_type: str) -> bytes:
    """A JPEG or PNG scan laid out on A4 pages (a PDF scan is kept as it is)."""
    uri = f"data:{content_type};base64,{base64.b64encode(data).decode()}"
    page = (
        "<html><head><style>@page { size: A4; margin: 10mm 10mm 32mm 10mm; }"
        "img { max-width: 100%; max-height: 250mm; }</style></head>"
        f"<body><img src='{escape(uri)}' alt='Bản quét'></body></html>"
    )
    return HTML(string=page).write_pdf()


def _checked(request: CopyRequest) -> None:
    if not request.title.strip():
        raise CopyRefused("Hãy nhập tên giấy tờ được chứng thực.")
    if not request.book_number.strip():
        raise CopyRefused("Hãy nhập quyển số của sổ chứng thực.")
    if request.entry_number < 1:
        raise CopyRefused("Số chứng thực phải là số nguyên dương.")
    if request.fee < 0:
        raise CopyRefused("Lệ phí không được âm.")


def certify_copy(
    *, dossier_id: int, actor: User, scan: object, request: CopyRequest, now: datetime | None = None
) -> CertificationEntry:
    """Certify the scan of an original for the dossier; the register line (CopyRefused otherwise)."""
    now = now or timezone.now()
    _checked(request)
    if not actor.has_role(Role.CLERK, Role.OFFICER, Role.LEADER):
        raise CopyRefused("Vai trò của bạn không được chứng thực bản sao.")
    dossier = Dossier.objects.select_related("agency").filter(pk=dossier_id, agency_id=actor.agency_id).first()
    if dossier is None:
        raise CopyRefused("Không tìm thấy hồ sơ.")
    if not kyso_services.signing_configured(dossier.agency):
        raise CopyRefused("Chưa cấu hình khóa ký số của cơ quan: chưa chứng thực được bản sao điện tử.")
    book = request.book_number.strip()
    if CertificationEntry.objects.filter(
        agency=dossier.agency, book_number=book, entry_number=request.entry_number
    ).exists():
        raise CopyRefused(f"Số chứng thực {request.entry_number} đã có trong quyển {book}.")
    try:
        checked = check_upload(scan)  # type: ignore[arg-type]
    except FileRejected as exc:
        raise CopyRefused(f"Bản quét: {exc}") from exc
    try:
        checked.content.seek(0)
        data = checked.content.read()
        pdf = data if checked.content_type == FileType.PDF else image_pdf(data, checked.content_type)
        note = f"Chứng thực bản sao đúng với bản chính\nSố chứng thực: {request.entry_number}, quyển số: {book}"
        with files_removed_on_failure() as written, transaction.atomic():
            document = kyso_services.issue(
                agency=dossier.agency,
                kind=DocumentKind.COPY,
                title=f"Bản sao điện tử: {request.title.strip()}",
                pdf=pdf,
                dossier=dossier,
                note=note,
                now=now,
            )
            signed = bytes(document.pdf)
            copy = CheckedFile(
                f"ban-sao-{document.code}.pdf", BytesIO(signed), len(signed), kyso_services.sha256(signed), FileType.PDF
            )
            stored = write_file(agency_id=dossier.agency_id, checked=copy, now=now, written=written)
            record_file(
                dossier=dossier,
                checked=copy,
                stored_name=stored,
                paper_name=request.title.strip()[:300],
                kind=FileKind.RESULT,
                now=now,
                uploaded_by=actor,
                source=SOURCE,
            )
            Dossier.objects.filter(pk=dossier.pk).update(electronic_result=True)
            return CertificationEntry.objects.create(
                agency=dossier.agency,
                book_number=book,
                entry_number=request.entry_number,
                certified_on=request.certified_on or timezone.localdate(now),
                fee=request.fee,
                electronic=True,
                title=request.title.strip()[:300],
                dossier=dossier,
                document=document,
                recorded_by=actor,
                recorded_at=now,
            )
    except SigningError as exc:
        raise CopyRefused(str(exc)) from exc
    except IntegrityError as exc:  # the same entry number taken meanwhile
        raise CopyRefused(f"Số chứng thực {request.entry_number} đã có trong quyển {book}.") from exc
    finally:
        checked.close()
