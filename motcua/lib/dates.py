"""Dates in Vietnamese conventions: as written on documents and tables, and as typed into forms
(``DATE_INPUT_FORMATS``, ``BAD_DATE`` and ``DayField``, the one date field of every form)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django import forms
from django.utils import timezone

# Every date a form accepts, day first: 05/03/2026 and 5/3/2026 (strptime's %d and %m take one or
# two digits), 05-03-2026, and 2026-03-05 (what a browser's date picker sends). No pattern reads
# another's input, so the order does not matter. The "vi" locale formats (motcua/formats) use it too.
DATE_INPUT_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d")
BAD_DATE = "Ngày không hợp lệ: hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/03/2026."


def at_text(instant: datetime) -> str:
    """'16:30 ngày 09/03/2026': an instant in Vietnam time, as messages and pages word it."""
    local = timezone.localtime(instant)
    return f"{local:%H:%M} ngày {local:%d/%m/%Y}"


def day_box() -> forms.DateInput:
    """A text box, not a date picker: the clerk types dd/mm/yyyy and sees what they typed if it is wrong."""
    return forms.DateInput(format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "maxlength": "10"})


class DayField(forms.DateField):
    """A date typed in any of ``DATE_INPUT_FORMATS``, a Vietnamese message otherwise; a text box
    unless another widget is given."""

    input_formats = list(DATE_INPUT_FORMATS)

    def __init__(
        self, *, widget: forms.Widget | None = None, error_messages: dict[str, str] | None = None, **kwargs: Any
    ) -> None:
        messages = {"invalid": BAD_DATE, **(error_messages or {})}
        super().__init__(widget=widget or day_box(), error_messages=messages, **kwargs)


WEEKDAYS = ("thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật")


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def date_words(value: date | datetime) -> str:
    """'ngày 17 tháng 7 năm 2020' — the form used in the date line and body of documents.

    Nghị định 30/2020/NĐ-CP: days below 10 and the months 1 and 2 take a leading zero
    ('ngày 05 tháng 02 năm 2025'), so they cannot be altered by hand.
    """
    value = _local(value)
    month = f"{value.month:02d}" if value.month < 3 else str(value.month)
    return f"ngày {value.day:02d} tháng {month} năm {value.year}"


def datetime_words(value: datetime) -> str:
    """'14 giờ 00 phút, ngày 20 tháng 7 năm 2020' — appointment times on slips."""
    value = _local(value)
    return f"{value.hour:02d} giờ {value.minute:02d} phút, {date_words(value)}"


def date_short(value: date | datetime) -> str:
    """dd/mm/yyyy, for tables."""
    return _local(value).strftime("%d/%m/%Y")


def datetime_short(value: datetime) -> str:
    """HH:MM dd/mm/yyyy, for tables."""
    return _local(value).strftime("%H:%M %d/%m/%Y")
