"""The desk's worklists: the clerk's day, the officer's queue, the leader's board and search.

Thin views: permission → selector (hoso.worklists) → render. `now` is read once per request and
passed down; every list is limited to the user's own ward.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from motcua.constants import Role
from motcua.lib.dates import DayField
from motcua.lib.text import vi_sort_key
from motcua.permissions import staff_required
from thutuc.models import Procedure

from .. import surveys, worklists
from ..constants import Status

SEARCH_PAGE_SIZE = 25
QUEUE_PAGE_SIZE = 50
BAD_CHOICE = "Lựa chọn không hợp lệ: hãy chọn trong danh sách."


class DossierSearchForm(forms.Form):
    """The search filters. Fields have English names; the URL carries Vietnamese parameter names."""

    PARAMS = {
        "query": "q",
        "status": "trang_thai",
        "field": "linh_vuc",
        "procedure": "thu_tuc",
        "received_from": "tu_ngay",
        "received_to": "den_ngay",
        "deadline": "han",
    }

    query = forms.CharField(
        label="Mã hồ sơ, họ tên, số điện thoại hoặc số giấy tờ",
        required=False,
        max_length=100,
        widget=forms.TextInput(
            attrs={"type": "search", "placeholder": "Ví dụ: nguyen van an, 0912345678", "autocomplete": "off"}
        ),
    )
    status = forms.ChoiceField(
        label="Trạng thái",
        required=False,
        choices=[("", "Tất cả trạng thái"), (worklists.OPEN, "Chưa có kết quả (đang giải quyết)"), *Status.choices],
        error_messages={"invalid_choice": BAD_CHOICE},
    )
    field = forms.TypedChoiceField(
        label="Lĩnh vực", required=False, coerce=int, empty_value=None, error_messages={"invalid_choice": BAD_CHOICE}
    )
    procedure = forms.TypedChoiceField(
        label="Thủ tục", required=False, coerce=int, empty_value=None, error_messages={"invalid_choice": BAD_CHOICE}
    )
    received_from = DayField(label="Tiếp nhận từ ngày", required=False)
    received_to = DayField(label="Đến ngày", required=False)
    deadline = forms.ChoiceField(
        label="Thời hạn",
        required=False,
        choices=[
            ("", "Mọi thời hạn"),
            (worklists.Deadline.OVERDUE, "Quá hạn"),
            (worklists.Deadline.DUE_TODAY, "Đến hạn hôm nay"),
        ],
        error_messages={"invalid_choice": BAD_CHOICE},
    )

    def __init__(self, *args: Any, procedures: list[Procedure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields = sorted({p.field_id: p.field.name for p in procedures}.items(), key=lambda x: vi_sort_key(x[1]))
        self.fields["field"].choices = [("", "Tất cả lĩnh vực"), *fields]
        by_field: dict[str, list[tuple[int, str]]] = {}
        for p in procedures:
            by_field.setdefault(p.field.name, []).append((p.pk, f"{p.code} – {_short(p.display_name)}"))
        grouped = sorted(by_field.items(), key=lambda x: vi_sort_key(x[0]))
        self.fields["procedure"].choices = [("", "Tất cả thủ tục"), *grouped]
        for bound in self.fields.values():
            bound.widget.attrs.setdefault(
                "class", "form-select" if isinstance(bound, forms.ChoiceField) else "form-control"
            )

    def add_prefix(self, field_name: str) -> str:
        return self.PARAMS.get(field_name, field_name)

    def clean_received_from(self) -> date | None:
        return _plausible(self.cleaned_data["received_from"])

    def clean_received_to(self) -> date | None:
        return _plausible(self.cleaned_data["received_to"])

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.")
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
        return data

    def criteria(self) -> worklists.Criteria:
        data = self.cleaned_data if self.is_bound else {}
        return worklists.Criteria(
            query=data.get("query", ""),
            status=data.get("status", ""),
            field_id=data.get("field"),
            procedure_id=data.get("procedure"),
            received_from=data.get("received_from"),
            received_to=data.get("received_to"),
            deadline=data.get("deadline", ""),
        )


def _short(text: str, length: int = 90) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"


def _plausible(value: date | None) -> date | None:
    # Far-off years would overflow the day arithmetic; no dossier is that old or that new.
    if value is not None and not 2000 <= value.year <= 2100:
        raise forms.ValidationError("Năm phải trong khoảng 2000–2100.")
    return value


@staff_required(Role.CLERK, Role.LEADER)
def clerk_day(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    sections = worklists.clerk_day(request.user.agency_id, now=now)
    return render(request, "hoso/worklists/clerk_day.html", {"sections": sections, "now": now})


@staff_required(Role.OFFICER, Role.LEADER)
def officer_queue(request: HttpRequest) -> HttpResponse:
    """An officer sees their own queue; a leader picks an officer (or sees the whole ward)."""
    now = timezone.now()
    agency_id = request.user.agency_id
    officer, choices = request.user, []
    if request.user.role != Role.OFFICER:
        choices = worklists.officers(agency_id)
        officer = next((o for o in choices if str(o.pk) == request.GET.get("can_bo")), None)
        if officer is None and request.GET.get("can_bo"):
            messages.warning(request, "Không có công chức này trong cơ quan: đang hiển thị toàn bộ hồ sơ.")
    queue = worklists.open_queue(agency_id, officer_id=officer.pk if officer else None)
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {
        "officer": officer,
        "officers": choices,
        "page": page,
        "rows": worklists.rows(page.object_list, now=now, agency_id=agency_id),
        "counts": worklists.queue_counts(queue, now=now, agency_id=agency_id),
        "now": now,
    }
    return render(request, "hoso/worklists/officer_queue.html", context)


@staff_required(Role.LEADER)
def leader_board(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    board = worklists.leader_board(request.user.agency_id, now=now)
    context = {"board": board, "now": now, "open_follow_ups": surveys.open_follow_ups(request.user.agency_id)}
    return render(request, "hoso/worklists/leader_board.html", context)


@staff_required()
def search(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    agency_id = request.user.agency_id
    form = DossierSearchForm(request.GET or None, procedures=worklists.offered_procedures(agency_id))
    page, rows, criteria = None, [], None
    if not form.is_bound or form.is_valid():
        criteria = form.criteria()
        found = worklists.search_dossiers(agency_id, criteria, now=now)
        page = Paginator(found, SEARCH_PAGE_SIZE).get_page(request.GET.get("trang"))
        rows = worklists.rows(page.object_list, now=now, agency_id=agency_id)
    filtered = criteria != worklists.Criteria()
    context = {"form": form, "page": page, "rows": rows, "filtered": filtered, "now": now}
    return render(request, "hoso/worklists/search.html", context)
