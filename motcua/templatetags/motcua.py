"""Vietnamese formats for templates: {% load motcua %} then |ngay, |ngay_gio, |thu_ngay_gio, |chu, |dong."""

from __future__ import annotations

from datetime import date, datetime

from django import template

from motcua.lib import dates, text
from motcua.lib.numbers import group_thousands

register = template.Library()


@register.filter
def ngay(value: date | datetime | None) -> str:
    """dd/mm/yyyy."""
    return dates.date_short(value) if value else ""


@register.filter
def ngay_gio(value: datetime | None) -> str:
    """HH:MM dd/mm/yyyy."""
    return dates.datetime_short(value) if value else ""


@register.filter
def thu_ngay_gio(value: datetime | None) -> str:
    """'17:00, thứ Hai, 03/02/2025'."""
    if not value:
        return ""
    local = dates._local(value)
    return f"{local:%H:%M}, {dates.WEEKDAYS[local.weekday()]}, {local:%d/%m/%Y}"


@register.filter
def chu(value: date | datetime | None) -> str:
    """'ngày 17 tháng 7 năm 2020', or with a time '14 giờ 00 phút, ngày …'."""
    if not value:
        return ""
    return dates.datetime_words(value) if isinstance(value, datetime) else dates.date_words(value)


@register.filter
def dong(value: int | None) -> str:
    """50000 → '50.000 đồng'."""
    if value is None:
        return ""
    return group_thousands(value) + " đồng"


@register.filter
def cong_bo(value: str | None) -> str:
    """A catalogue text (time limit, fee) in the words a citizen reads, without the compilers' notes."""
    return text.published_wording(value or "")


@register.filter
def het_cau(value: str | None) -> str:
    """A value that a sentence of the template ends after, without its own final full stop."""
    return text.without_final_stop(value or "")
