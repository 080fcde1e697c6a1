"""A citizen uploads the papers the desk asked for to their own dossier: during processing (waiting for a
supplement) or before receipt (an online dossier awaiting papers).

The files are checked by content and size (tructuyen.services.check_papers), written to storage,
then recorded as kind "supplement" while the dossier row is locked and still waiting; anything
failing deletes what was written. During processing the status does not change: the desk records
the supplement as complete (hoso.workflow.complete_supplement) once it has looked at the papers.
Before receipt the upload resubmits the dossier (hoso.online.resubmit): back in the desk's queue,
with a new intake deadline of 8 working hours from the upload.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from hoso import online
from hoso.calendar_store import calendar_for
from hoso.constants import Status
from hoso.models import Dossier
from tructuyen import services as online_services
from tructuyen.constants import FileKind
from tructuyen.deadline import intake_due
from tructuyen.filecheck import FileRejected, uploaded_chunks
from tructuyen.models import DossierFile

from .models import Citizen

SOURCE = "Công dân tải lên (Hồ sơ của tôi)"
WAITING = (Status.WAITING_SUPPLEMENT, Status.AWAITING_PAPERS)
PAPER_NAME = "Giấy tờ bổ sung"


def add_supplement(
    *, dossier_id: int, citizen: Citizen, uploads: Sequence[UploadedFile], now: datetime | None = None
) -> list[DossierFile]:
    """Record the uploads as the dossier's supplement. Dossier.DoesNotExist when it is not the citizen's;
    FileRejected (Vietnamese) when a file is refused or the dossier is not waiting for papers."""
    now = now or timezone.now()
    if not uploads:
        raise FileRejected("Hãy chọn ít nhất một tệp giấy tờ bổ sung.")
    dossier = Dossier.objects.get(pk=dossier_id, applicant_id_number=citizen.id_number)
    papers = [
        online_services.Paper(name=PAPER_NAME, filename=(u.name or PAPER_NAME), chunks=uploaded_chunks(u))
        for u in uploads
    ]
    checked = online_services.check_papers(papers)
    try:
        with online_services.files_removed_on_failure() as written:
            names = [
                online_services.write_file(agency_id=dossier.agency_id, checked=result, now=now, written=written)
                for _, result in checked
            ]
            with transaction.atomic():
                locked = Dossier.objects.select_for_update().get(pk=dossier.pk)
                if locked.status not in WAITING:
                    raise FileRejected("Hồ sơ không ở trạng thái chờ bổ sung giấy tờ: không cần tải thêm.")
                recorded = [
                    online_services.record_file(
                        dossier=locked,
                        checked=result,
                        stored_name=name,
                        paper_name=PAPER_NAME,
                        kind=FileKind.SUPPLEMENT,
                        now=now,
                        source=SOURCE,
                    )
                    for (_, result), name in zip(checked, names, strict=True)
                ]
                if locked.status == Status.AWAITING_PAPERS:
                    due = intake_due(calendar_for(locked.agency_id), now)
                    online.resubmit(dossier_id=locked.pk, intake_due_at=due, now=now)
                return recorded
    finally:
        online_services.close_all(checked)
