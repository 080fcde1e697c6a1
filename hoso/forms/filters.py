"""The filter forms of the desk's lists: the dossier search and the tracking book (form 07).

Fields have English names; the URL carries Vietnamese parameter names (``add_prefix``).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms

from motcua.lib.dates import DayField
from motcua.lib.text import vi_sort_key
from thutuc.models import Procedure

from .. import tracking_book as tb
from .. import worklists
from ..constants import Status
from .fields import BAD_CHOICE, field_choices, filter_layout, mark_invalid, optional_choice


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
    field = optional_choice("Lĩnh vực")
    procedure = optional_choice("Thủ tục")
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
        self.fields["field"].choices = field_choices(procedures)
        by_field: dict[str, list[tuple[int, str]]] = {}
        for p in procedures:
            by_field.setdefault(p.field.name, []).append((p.pk, f"{p.code} – {_short(p.display_name)}"))
        grouped = sorted(by_field.items(), key=lambda x: vi_sort_key(x[0]))
        self.fields["procedure"].choices = [("", "Tất cả thủ tục"), *grouped]
        self.helper = filter_layout(
            ("query", "col-12 col-lg-6"),
            ("status", "col-12 col-md-6 col-lg-3"),
            ("deadline", "col-12 col-md-6 col-lg-3"),
            ("field", "col-12 col-md-6 col-lg-3"),
            ("procedure", "col-12 col-md-6 col-lg-5"),
            ("received_from", "col-6 col-lg-2"),
            ("received_to", "col-6 col-lg-2"),
        )
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
        mark_invalid(self)
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


class BookForm(forms.Form):
    """The book's filters; the URL carries Vietnamese parameter names (``tu_ngay=01/01/2025``…)."""

    PARAMS = {
        "start": "tu_ngay",
        "end": "den_ngay",
        "field": "linh_vuc",
        "procedure": "thu_tuc",
        "status": "trang_thai",
    }

    start = DayField(label="Tiếp nhận từ ngày")
    end = DayField(label="Đến ngày")
    field = optional_choice("Lĩnh vực")
    procedure = optional_choice("Thủ tục")
    status = forms.ChoiceField(
        label="Trạng thái",
        required=False,
        choices=[
            ("", "Tất cả trạng thái"),
            (tb.OPEN, "Đang giải quyết"),
            *((s.value, s.label) for s in tb.BOOK_STATUSES),
        ],
        error_messages={"invalid_choice": BAD_CHOICE},
    )

    def __init__(self, *args: Any, procedures: list[Procedure], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = field_choices(procedures)
        self.fields["procedure"].choices = [
            ("", "Tất cả thủ tục"),
            *((p.pk, f"{p.code} – {p.name}") for p in procedures),
        ]
        self.helper = filter_layout(
            ("start", "col-6 col-lg-2"),
            ("end", "col-6 col-lg-2"),
            ("field", "col-12 col-md-6 col-lg-3"),
            ("procedure", "col-12 col-md-6 col-lg-5"),
            ("status", "col-12 col-md-6 col-lg-3"),
        )
        for name, bound in self.fields.items():
            bound.error_messages.setdefault("required", "Hãy nhập ngày theo dạng ngày/tháng/năm.")
            bound.widget.attrs.setdefault("class", "form-control" if name in ("start", "end") else "form-select")

    def add_prefix(self, field_name: str) -> str:
        return self.PARAMS.get(field_name, field_name)

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        for name in ("start", "end"):
            value = data.get(name)
            if value is not None and not 2000 <= value.year <= 2100:
                self.add_error(name, "Năm phải trong khoảng 2000–2100.")
        if start and end and start > end:
            self.add_error("end", "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu.")
        mark_invalid(self)
        return data

    def criteria(self) -> tb.BookCriteria:
        data = self.cleaned_data
        return tb.BookCriteria(
            start=data["start"],
            end=data["end"],
            field_id=data.get("field"),
            procedure_id=data.get("procedure"),
            status=data.get("status", ""),
        )

    def filters_text(self) -> str:
        """'Lĩnh vực: Hộ tịch; Trạng thái: Đã trả kết quả' — the filters in force, for the exports' title."""
        parts = []
        for name in ("field", "procedure", "status"):
            value = self.cleaned_data.get(name)
            if value not in (None, ""):
                labels = {str(key): str(label) for key, label in self.fields[name].choices}
                parts.append(f"{self.fields[name].label}: {labels.get(str(value), str(value))}")
        return "; ".join(parts)
