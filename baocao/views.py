"""Report pages: list, create, detail (status polled by htmx), edit, finalize, retry, files, drill-down.

Who: the ward's leaders do everything; the ward's admins may read and download (not write);
a superuser reads every ward's reports and writes (compile, edit, finalise, retry) only those of
the ward they are attached to, if any. Another ward's report is a 404, a clerk or officer gets 403.
"""

from __future__ import annotations

import re
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from hoso.models import AccessLog
from motcua.constants import Role
from motcua.permissions import get_for_ward, staff_required

from . import services
from .constants import TABLE_COLUMNS, WITHDRAWN_KEY, ReportStatus
from .exports import render_report_html, report_context, table_rows
from .figures import ReportFigures
from .forms import NarrativeForm, PeriodForm
from .models import Report
from .queries import column_value, drilldown
from .selectors import frozen_entries

READERS = (Role.LEADER, Role.ADMIN)
DRILLDOWN_PAGE_SIZE = 50
TOTAL_SLUG = "tong"
# URL kind → (extension, content type, draft?). "pdf"/"xlsx" is the report's current file: the
# official one of a final report, the draft's otherwise; "du-thao-…" is always the draft's.
FILES = {
    "pdf": ("pdf", "application/pdf", False),
    "xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", False),
    "du-thao-pdf": ("pdf", "application/pdf", True),
    "du-thao-xlsx": ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", True),
}


def _reports(request: HttpRequest) -> Any:
    reports = Report.objects.select_related("agency").defer("pdf", "xlsx", "final_pdf", "final_xlsx", "figures")
    return reports if request.user.is_superuser else reports.filter(agency_id=request.user.agency_id)


def _report(request: HttpRequest, pk: int, *, with_figures: bool = True) -> Report:
    """The report if it belongs to the user's ward (404 otherwise: its existence is not disclosed)."""
    queryset = Report.objects.select_related("agency").defer("pdf", "xlsx", "final_pdf", "final_xlsx")
    if not with_figures:
        queryset = queryset.defer("figures")
    return get_for_ward(queryset, request.user, superuser_sees_all=True, pk=pk)


def _can_write(request: HttpRequest, report: Report) -> bool:
    user = request.user
    return (
        (user.role == Role.LEADER or user.is_superuser) and user.agency_id == report.agency_id and not report.is_final
    )


def _writable(request: HttpRequest, pk: int, *, with_figures: bool = True) -> Report:
    """The report for a write: readable, and of the user's own ward (a superuser only reads the others)."""
    report = _report(request, pk, with_figures=with_figures)
    if report.agency_id != request.user.agency_id:
        raise PermissionDenied("Chỉ lãnh đạo của phường, xã lập báo cáo mới được sửa, tổng hợp lại hoặc hoàn tất.")
    return report


@staff_required(*READERS, ward_required=False)
def report_list(request: HttpRequest) -> HttpResponse:
    reports = list(_reports(request)[:200])
    drafted = [r for r in reports if r.auto_drafted and not r.is_final]
    return render(request, "baocao/list.html", {"reports": reports, "drafted": drafted})


@staff_required(Role.LEADER, ward_required=False)
def report_create(request: HttpRequest) -> HttpResponse:
    if request.user.agency is None:  # a province-wide superuser has no ward to report for
        messages.error(request, "Tài khoản không thuộc phường/xã nào nên không lập được báo cáo.")
        return redirect("baocao:list")
    form = PeriodForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        report, created = services.draft_report(
            agency=request.user.agency, period=form.cleaned_data["period"], user=request.user
        )
        if created:
            messages.success(request, f"Đã lập báo cáo {report.label}; hệ thống đang tổng hợp số liệu.")
        else:
            messages.info(request, f"Kỳ {report.label} đã có báo cáo: mở báo cáo đó.")
        return redirect("baocao:detail", pk=report.pk)
    return render(request, "baocao/create.html", {"form": form})


def _table(report: Report) -> dict[str, Any] | None:
    """The 06a table of the frozen figures with the drill-down URL of every number."""
    if not report.figures:
        return None
    rows, total = table_rows(report.figures)
    keys = [key for _, key, _ in TABLE_COLUMNS]

    def linked(row: dict[str, Any]) -> list[tuple[str, str]]:
        slug = str(row["field_id"]) if row["field_id"] is not None else TOTAL_SLUG
        return [
            (cell, reverse("baocao:drilldown", args=[report.pk, key, slug]))
            for key, cell in zip(keys, row["cells"], strict=True)
        ]

    for row in [*rows, total]:
        row["links"] = linked(row)
        slug = str(row["field_id"]) if row["field_id"] is not None else TOTAL_SLUG
        row["withdrawn_url"] = reverse("baocao:drilldown", args=[report.pk, WITHDRAWN_KEY, slug])
    return {"rows": rows, "total": total, "columns": TABLE_COLUMNS}


@staff_required(*READERS, ward_required=False)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = _report(request, pk)
    can_write = _can_write(request, report)
    form = NarrativeForm(instance=report) if can_write else None
    return render(
        request,
        "baocao/detail.html",
        {"report": report, "table": _table(report), "form": form, "can_write": can_write},
    )


@staff_required(*READERS, ward_required=False)
def report_status(request: HttpRequest, pk: int) -> HttpResponse:
    """The small status fragment the detail page polls every 2 s while queued or running."""
    report = _report(request, pk, with_figures=False)
    response = render(request, "baocao/_status.html", {"report": report, "can_write": _can_write(request, report)})
    if not (report.is_busy or report.final_files_pending) and request.htmx:
        response["HX-Refresh"] = "true"  # done or failed: reload once to show the table and files
    return response


@require_POST
@staff_required(Role.LEADER)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = _writable(request, pk)
    form = NarrativeForm(request.POST, instance=report)
    if report.is_final:
        messages.error(request, services.FINAL_REFUSED)
        return redirect("baocao:detail", pk=pk)
    if not form.is_valid():
        messages.error(request, "Nội dung chưa lưu được: hãy sửa các ô báo lỗi.")
        context = {"report": report, "table": _table(report), "form": form, "can_write": True}
        return render(request, "baocao/detail.html", context, status=400)
    try:
        services.update_narrative(report=report, data=form.cleaned_data, user=request.user)
    except services.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Đã lưu nội dung; tệp PDF đang được tạo lại.")
    return redirect("baocao:detail", pk=pk)


@require_POST
@staff_required(Role.LEADER)
def report_finalize(request: HttpRequest, pk: int) -> HttpResponse:
    report = _writable(request, pk, with_figures=False)
    try:
        services.finalize_report(report=report, user=request.user)
    except services.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            "Báo cáo đã hoàn tất: số liệu và nội dung được giữ nguyên từ nay. "
            "Tệp PDF, XLSX chính thức (có số và ngày ban hành, không còn dấu “DỰ THẢO”) đang được tạo.",
        )
    return redirect("baocao:detail", pk=pk)


@require_POST
@staff_required(Role.LEADER)
def report_retry(request: HttpRequest, pk: int) -> HttpResponse:
    report = _writable(request, pk, with_figures=False)
    try:
        services.retry_report(report=report, user=request.user)
    except services.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Đã đưa báo cáo vào hàng đợi tổng hợp lại.")
    return redirect("baocao:detail", pk=pk)


@staff_required(*READERS, ward_required=False)
def report_file(request: HttpRequest, pk: int, kind: str) -> HttpResponse:
    """A stored PDF or XLSX (404 until there is one); each download is written to the access log.

    A final report's "pdf"/"xlsx" are its official files (404 while the task renders them); its
    draft's files stay downloadable as "du-thao-pdf"/"du-thao-xlsx". The file name says which.
    """
    if kind not in FILES:
        raise Http404
    extension, content_type, want_draft = FILES[kind]
    report = _report(request, pk, with_figures=False)
    official = report.is_final and not want_draft
    column = f"final_{extension}" if official else extension
    content = Report.objects.filter(pk=report.pk, status=ReportStatus.DONE).values_list(column, flat=True).first()
    if not content:
        raise Http404("Báo cáo chưa có tệp.")
    version = "chinh-thuc" if official else "du-thao"
    AccessLog.objects.create(
        user=request.user,
        agency=report.agency,
        dossier=None,
        kind=AccessLog.Kind.EXPORT,
        detail=f"Tải báo cáo {report.pk} ({extension.upper()}, {version}): {report.label}"[:300],
    )
    filename = f"bao-cao-cchc-{report.agency.code}-{report.start:%Y%m%d}-{report.end:%Y%m%d}-{version}.{extension}"
    response = HttpResponse(bytes(content), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
@staff_required(Role.LEADER)
def report_render_final(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the official files of a final report again (when the first rendering did not finish)."""
    report = _writable(request, pk, with_figures=False)
    try:
        services.rerender_final_files(report=report)
    except services.ReportError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, "Đã yêu cầu tạo lại tệp chính thức của báo cáo.")
    return redirect("baocao:detail", pk=pk)


@staff_required(*READERS, ward_required=False)
def report_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """The report as HTML, from the same context as the PDF (a quick look before printing)."""
    report = _report(request, pk)
    if not report.figures:
        raise Http404("Báo cáo chưa có số liệu.")
    context = report_context(report.figures, report=report) | {
        "back_url": reverse("baocao:detail", args=[report.pk]),
        "csp_nonce": str(request.csp_nonce),  # admits the page's <style> blocks (Content-Security-Policy)
    }
    return HttpResponse(render_report_html(context))


@staff_required(*READERS, ward_required=False)
def report_drilldown(request: HttpRequest, pk: int, column: str, field: str) -> HttpResponse:
    """The dossiers behind one number of the 06a table, as counted when the figures were frozen."""
    report = _report(request, pk)
    labels = {key: f"({no}) {label}" for no, key, label in TABLE_COLUMNS} | {WITHDRAWN_KEY: "Rút hoặc dừng xử lý"}
    if column not in labels or not report.figures:
        raise Http404
    field_id = None if field == TOTAL_SLUG else (int(field) if re.fullmatch(r"[0-9]{1,9}", field) else None)
    if field_id is None and field != TOTAL_SLUG:
        raise Http404
    figures: ReportFigures = report.figures
    source = (
        figures["total"]
        if field_id is None
        else next((row for row in figures["rows"] if row["field_id"] == field_id), None)
    )
    if source is None:
        raise Http404
    if report.counted_at is not None:
        # The dossiers as they were counted when the figures were frozen (issue 17).
        entries = frozen_entries(report=report, column=column, field_id=field_id)
    else:  # compiled before cell members were stored: today's data over the report's period
        start, end = services.report_period(report).bounds()
        entries = drilldown(agency_ids=[report.agency_id], start=start, end=end, column=column, field_id=field_id)
    page = Paginator(entries, DRILLDOWN_PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {
        "report": report,
        "column_label": labels[column],
        "field_label": source["field"],
        "frozen_count": column_value(source, column),
        "frozen": report.counted_at is not None,
        "page": page,
    }
    return render(request, "baocao/drilldown.html", context)
