"""The tracking book (form 07) on screen, as XLSX and as PDF, for clerks and leaders of the ward.

Officers do not keep the book (the desk does, and the leader checks it): they get 403. Every
export writes an ``AccessLog`` row (EXPORT, no dossier) with the period and filters, and every
page seen on screen one (VIEW): the book carries applicants' addresses and phone numbers (docs/personal-data.md §2).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from motcua.constants import Role
from motcua.databases import reading_from_replica
from motcua.permissions import staff_required

from .. import tracking_book as tb
from ..forms import BookForm
from ..models import AccessLog
from ..worklists import offered_procedures

PAGE_SIZE = 50
# The ward admin reads the book and its exports (logged) like every dossier page: read-only.
KEEPERS = (Role.CLERK, Role.LEADER, Role.ADMIN)


def _form(request: HttpRequest) -> BookForm:
    """The filters from the query string; without any, this month up to today."""
    params = request.GET.copy()
    if not params.get("tu_ngay") and not params.get("den_ngay"):
        today = timezone.localdate()
        params["tu_ngay"] = today.replace(day=1).strftime("%d/%m/%Y")
        params["den_ngay"] = today.strftime("%d/%m/%Y")
    return BookForm(params, procedures=offered_procedures(request.user.agency_id))


@staff_required(*KEEPERS)
def book(request: HttpRequest) -> HttpResponse:
    form = _form(request)
    context: dict[str, Any] = {"form": form, "columns": tb.COLUMNS}
    if form.is_valid():
        criteria = form.criteria()
        dossiers = tb.book_dossiers(request.user.agency_id, criteria)
        page = Paginator(dossiers, PAGE_SIZE).get_page(request.GET.get("trang"))
        context.update(page=page, rows=tb.book_rows(page.object_list))
        # The page shows applicants' addresses and phones: who looked is logged, as for an export.
        AccessLog.objects.create(
            user=request.user,
            agency_id=request.user.agency_id,
            kind=AccessLog.Kind.VIEW,
            detail=f"Sổ theo dõi {criteria.summary}, trang {page.number}"[:300],
        )
    return render(request, "hoso/tracking_book.html", context, status=200 if form.is_valid() else 400)


def _export(request: HttpRequest, kind: str, limit: int) -> tuple[BookForm, list[tb.BookRow]] | HttpResponse:
    """The validated form and every row, or the book page again (bad input, too many rows)."""
    if request.user.agency_id is None:
        raise PermissionDenied("Chỉ cán bộ của một cơ quan mới xuất được sổ theo dõi của cơ quan đó.")
    form = _form(request)
    if not form.is_valid():
        return book(request)
    with reading_from_replica():  # the replica, when one is configured (motcua/databases.py)
        dossiers = tb.book_dossiers(request.user.agency_id, form.criteria())
        count = dossiers.count()
        rows = tb.book_rows(dossiers.iterator(chunk_size=2000)) if count <= limit else []
    if count > limit:
        messages.error(
            request,
            f"Khoảng thời gian này có {count} hồ sơ, quá {limit} dòng cho một tệp {kind}: "
            "hãy chọn khoảng ngày ngắn hơn hoặc lọc theo lĩnh vực.",
        )
        return redirect(f"{reverse('hoso:tracking_book')}?{request.GET.urlencode()}")
    return form, rows


def _log_export(request: HttpRequest, criteria: tb.BookCriteria, kind: str) -> None:
    AccessLog.objects.create(
        user=request.user,
        dossier=None,
        agency_id=request.user.agency_id,
        kind=AccessLog.Kind.EXPORT,
        detail=f"Sổ theo dõi {criteria.summary} ({kind})"[:300],
    )


def _filename(criteria: tb.BookCriteria, extension: str) -> str:
    return f"so-theo-doi-{criteria.start:%Y%m%d}-{criteria.end:%Y%m%d}.{extension}"


@staff_required(*KEEPERS)
def book_xlsx(request: HttpRequest) -> HttpResponse:
    result = _export(request, "XLSX", tb.XLSX_MAX_ROWS)
    if isinstance(result, HttpResponse):
        return result
    form, rows = result
    criteria = form.criteria()
    data = tb.render_xlsx(rows, agency=request.user.agency, criteria=criteria, filters_text=form.filters_text())
    _log_export(request, criteria, "XLSX")
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    add_never_cache_headers(response)  # personal data: never kept by a proxy or the browser's cache
    response["Content-Disposition"] = f'attachment; filename="{_filename(criteria, "xlsx")}"'
    return response


@staff_required(*KEEPERS)
def book_pdf(request: HttpRequest) -> HttpResponse:
    result = _export(request, "PDF", tb.PDF_MAX_ROWS)
    if isinstance(result, HttpResponse):
        return result
    form, rows = result
    criteria = form.criteria()
    context = tb.pdf_context(
        rows,
        agency=request.user.agency,
        criteria=criteria,
        filters_text=form.filters_text(),
        today=timezone.localdate(),
    )
    data = tb.render_pdf(context)
    _log_export(request, criteria, "PDF")
    response = HttpResponse(data, content_type="application/pdf")
    add_never_cache_headers(response)
    response["Content-Disposition"] = f'inline; filename="{_filename(criteria, "pdf")}"'
    return response
