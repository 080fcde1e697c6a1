"""The online channel's pages: the desk's queue, review, receive, ask for papers, refuse, a file; the citizen's
result download."""

from __future__ import annotations

import logging

from django import forms
from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from congdan.access import citizen_required
from hoso import electronic, online
from hoso.constants import Status
from hoso.models import AccessLog, Dossier
from hoso.workflow import WorkflowError
from motcua.constants import Role
from motcua.lib.text import TextLimit
from motcua.permissions import staff_required

from . import selectors
from .models import DossierFile
from .results import result_file_for_citizen

logger = logging.getLogger(__name__)

DESK_ROLES = (Role.CLERK, Role.LEADER)


class RefuseForm(forms.Form):
    reason = forms.CharField(
        label="Lý do từ chối (ghi vào phiếu từ chối, mẫu 03)",
        max_length=TextLimit.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class PapersForm(forms.Form):
    missing = forms.CharField(
        label="Giấy tờ cần bổ sung (ghi vào phiếu yêu cầu bổ sung, mẫu 02)",
        max_length=TextLimit.NOTE,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


def _submitted(request: HttpRequest, pk: int) -> Dossier:
    """The ward's online dossier (404 for another ward's, no hint that it exists)."""
    dossier = get_object_or_404(Dossier.objects.select_related("agency", "procedure"), pk=pk)
    if dossier.agency_id != request.user.agency_id or dossier.submitted_at is None:
        raise Http404
    return dossier


@staff_required(*DESK_ROLES)
def queue(request: HttpRequest) -> HttpResponse:
    """“Hồ sơ trực tuyến chờ tiếp nhận”: by intake deadline, remaining time, the late ones flagged and counted."""
    now = timezone.now()
    rows, late = selectors.queue(request.user.agency_id, now=now)
    return render(request, "tructuyen/queue.html", {"rows": rows, "late": late, "now": now})


@staff_required(*DESK_ROLES)
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """The online dossier with its papers and files, and the desk's two answers: receive or refuse."""
    dossier = _submitted(request, pk)
    AccessLog.objects.create(user=request.user, dossier=dossier, agency_id=dossier.agency_id, kind=AccessLog.Kind.VIEW)
    if dossier.status != Status.SUBMITTED:
        return redirect("hoso:detail", pk)
    context = {
        "dossier": dossier,
        "documents": list(dossier.documents.all()),
        "files": list(selectors.files_of(dossier.pk)),
        "refuse_form": RefuseForm(),
        "papers_form": None if online.papers_requested(dossier.pk) else PapersForm(),
        "late": bool(dossier.intake_due_at and dossier.intake_due_at < timezone.now()),
    }
    return render(request, "tructuyen/review.html", context)


@staff_required(*DESK_ROLES)
@require_POST
def receive(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _submitted(request, pk)
    try:
        online.receive(dossier_id=dossier.pk, actor=request.user)
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("tructuyen:review", pk)
    messages.success(request, f"Đã tiếp nhận hồ sơ {dossier.code}: hãy in và gửi giấy tiếp nhận cho người nộp.")
    return redirect(f"{reverse('hoso:detail', args=[pk])}?moi=1")


@staff_required(*DESK_ROLES)
@require_POST
def request_papers(request: HttpRequest, pk: int) -> HttpResponse:
    """Ask the citizen, once, for the papers missing before receipt; they upload them from their account."""
    dossier = _submitted(request, pk)
    form = PapersForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Hãy ghi rõ những giấy tờ cần bổ sung.")
        return redirect("tructuyen:review", pk)
    try:
        online.request_papers(dossier_id=dossier.pk, actor=request.user, missing=form.cleaned_data["missing"])
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("tructuyen:review", pk)
    messages.success(request, f"Đã yêu cầu bổ sung giấy tờ cho hồ sơ {dossier.code}: công dân sẽ tải lên từ tài khoản.")
    return redirect("tructuyen:queue")


@staff_required(*DESK_ROLES)
@require_POST
def refuse(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _submitted(request, pk)
    form = RefuseForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Hãy ghi rõ lý do từ chối.")
        return redirect("tructuyen:review", pk)
    try:
        online.refuse(dossier_id=dossier.pk, actor=request.user, reason=form.cleaned_data["reason"])
    except WorkflowError as exc:
        messages.error(request, str(exc))
        return redirect("tructuyen:review", pk)
    messages.success(request, f"Đã từ chối hồ sơ {dossier.code}: phiếu từ chối (mẫu 03) đã sẵn sàng.")
    return redirect("hoso:detail", pk)


@staff_required()
def file_view(request: HttpRequest, pk: int) -> FileResponse:
    """The file, inline, to staff of the dossier's ward only (404 for any other); each view is logged."""
    row = get_object_or_404(DossierFile.objects.select_related("dossier"), pk=pk)
    if row.dossier.agency_id != request.user.agency_id:
        raise Http404
    AccessLog.objects.create(
        user=request.user,
        dossier=row.dossier,
        agency_id=row.dossier.agency_id,
        kind=AccessLog.Kind.VIEW,
        detail=f"Xem tệp: {row.paper_name} ({row.original_name})"[:300],
    )
    return _file_response(row)


def _file_response(row: DossierFile, *, attachment: bool = False) -> FileResponse:
    response = FileResponse(
        row.file.open("rb"), content_type=row.content_type, filename=row.original_name, as_attachment=attachment
    )
    add_never_cache_headers(response)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    return response


@citizen_required
def citizen_file(request: HttpRequest, pk: int) -> FileResponse:
    """The result file of the citizen's own dossier (by ID number), once the result is ready; 404 for
    anything else. Each download is logged; the first one of an electronic delivery is its return."""
    citizen = request.citizen  # type: ignore[attr-defined]
    row = result_file_for_citizen(pk, citizen.id_number)
    if row is None:
        logger.warning("Công dân #%s bị từ chối tải tệp #%s.", citizen.pk, pk)
        raise Http404
    returned = electronic.return_by_download(dossier_id=row.dossier_id, collector=citizen.full_name)
    logger.info(
        "Công dân #%s tải kết quả của hồ sơ %s (tệp #%s)%s.",
        citizen.pk,
        row.dossier.code,
        row.pk,
        ": ghi nhận đã trả kết quả" if returned else "",
    )
    return _file_response(row, attachment=True)
