"""Date formats used on documents and tables (Vietnamese conventions)."""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone

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
