"""Reads of "Hồ sơ của tôi": the citizen's dossiers with status, national code, what to do next and the open
satisfaction survey; their drafts."""

from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import F
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from hoso.constants import NATIONAL_STATUS, NATIONAL_STATUS_LABELS, OPEN_STATUSES, Action, Delivery, Status
from hoso.lookup import PLAIN_STATUS
from hoso.models import Dossier, DossierEvent, SatisfactionRating
from hoso.survey_links import LINK_VALIDITY, survey_link
from motcua.lib.dates import at_text
from tructuyen.constants import FileKind
from tructuyen.models import DossierFile
from tructuyen.results import citizen_results

from .models import Citizen, Draft

MAX_DOSSIERS = 200
# Waiting for the citizen's papers: during processing, or an online dossier before receipt.
WAITING = (Status.WAITING_SUPPLEMENT, Status.AWAITING_PAPERS)
REQUESTS = (Action.REQUEST_SUPPLEMENT, Action.REQUEST_PAPERS)
NOT_RECEIVED = (Status.GUIDED, Status.REFUSED)  # as hoso.documents: these have no receipt (form 01)


@dataclass
class Row:
    dossier: Dossier
    status_text: str
    national_status: int
    national_label: str
    next_step: str
    lookup_url: str
    can_supplement: bool
    has_receipt: bool = False
    survey_url: str = ""
    supplements: list[DossierFile] = field(default_factory=list)
    results: list[DossierFile] = field(default_factory=list)


def next_step(dossier: Dossier, missing: str) -> str:
    """What the citizen should do now, in their words (their own dossier: the desk's note may be shown)."""
    agency = dossier.agency
    place = f"{agency.desk_name} – {agency.name}" + (f", {agency.address}" if agency.address else "")
    status = dossier.status
    if status == Status.SUBMITTED and dossier.intake_due_at:
        return f"Chờ bộ phận một cửa tiếp nhận trước {at_text(dossier.intake_due_at)}."
    if status == Status.REFUSED:
        return f"Hồ sơ không được tiếp nhận. Lý do: {dossier.note}" if dossier.note else "Hồ sơ không được tiếp nhận."
    if status == Status.WAITING_SUPPLEMENT:
        what = missing or "xem phiếu yêu cầu bổ sung"
        return f"Cần bổ sung giấy tờ: {what}. Tải lên ngay dưới đây hoặc mang đến {place}."
    if status == Status.AWAITING_PAPERS:
        what = missing or "xem phiếu yêu cầu bổ sung"
        return f"Cần bổ sung giấy tờ: {what}. Tải lên ngay dưới đây; bộ phận một cửa sẽ kiểm tra lại để tiếp nhận."
    if status == Status.RESULT_READY:
        if dossier.delivery == Delivery.POST:
            return f"Kết quả đã có: gửi qua bưu chính đến {dossier.delivery_address or 'địa chỉ đã đăng ký'}."
        return f"Kết quả đã có: nhận tại {place}."
    if status in OPEN_STATUSES and dossier.shown_due_at:
        return f"Chờ kết quả, hẹn trả lúc {at_text(dossier.shown_due_at)}."
    return ""


def _missing_papers(dossier_ids: list[int]) -> dict[int, str]:
    """The desk's latest list of papers to add, per dossier waiting for a supplement (one query)."""
    found: dict[int, str] = {}
    events = (
        DossierEvent.objects.filter(dossier_id__in=dossier_ids, action__in=REQUESTS)
        .order_by("at", "id")
        .values_list("dossier_id", "note")
    )
    for dossier_id, note in events:
        found[dossier_id] = note
    return found


def _supplements(dossier_ids: list[int]) -> dict[int, list[DossierFile]]:
    found: dict[int, list[DossierFile]] = {}
    for row in DossierFile.objects.filter(dossier_id__in=dossier_ids, kind=FileKind.SUPPLEMENT).order_by("id"):
        found.setdefault(row.dossier_id, []).append(row)
    return found


def _survey_urls(dossiers: list[Dossier]) -> dict[int, str]:
    """The open survey link of each returned, unrated dossier (as the lookup page offers it; read only)."""
    since = timezone.now() - LINK_VALIDITY
    returned = [d for d in dossiers if d.status == Status.RETURNED and d.returned_at and d.returned_at > since]
    rated = set(
        SatisfactionRating.objects.filter(dossier_id__in=[d.pk for d in returned]).values_list("dossier_id", flat=True)
    )
    found = {d.pk: survey_link(d) for d in returned if d.pk not in rated}
    return {pk: url for pk, url in found.items() if url}


def own_dossiers(citizen: Citizen) -> list[Row]:
    """Every dossier under the citizen's ID number (counter or online), newest first; a refused online one too."""
    dossiers = list(
        Dossier.objects.filter(applicant_id_number=citizen.id_number, code__isnull=False)
        .exclude(status=Status.GUIDED)
        .exclude(status=Status.REFUSED, submitted_at__isnull=True)
        .select_related("procedure", "agency")
        .order_by(Coalesce("received_at", "submitted_at").desc(nulls_last=True), F("id").desc())[:MAX_DOSSIERS]
    )
    waiting = [d.pk for d in dossiers if d.status in WAITING]
    missing, supplements = _missing_papers(waiting), _supplements(waiting)
    results = citizen_results([d.pk for d in dossiers])
    surveys = _survey_urls(dossiers)
    rows = []
    for dossier in dossiers:
        national = NATIONAL_STATUS[Status(dossier.status)]
        rows.append(
            Row(
                dossier=dossier,
                status_text=PLAIN_STATUS.get(dossier.status, dossier.get_status_display()),
                national_status=national,
                national_label=NATIONAL_STATUS_LABELS[national],
                next_step=next_step(dossier, missing.get(dossier.pk, "")),
                lookup_url=f"{reverse('lookup_form')}{quote(dossier.code or '', safe='')}/?k={dossier.lookup_key}",
                can_supplement=dossier.status in WAITING,
                has_receipt=dossier.received_at is not None and dossier.status not in NOT_RECEIVED,
                survey_url=surveys.get(dossier.pk, ""),
                supplements=supplements.get(dossier.pk, []),
                results=results.get(dossier.pk, []),
            )
        )
    return rows


def unfinished_drafts(citizen: Citizen) -> list[Draft]:
    return list(Draft.objects.filter(citizen=citizen, dossier__isnull=True).select_related("procedure", "agency")[:50])
