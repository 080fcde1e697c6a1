"""The import of a holiday table (holidays_vn.csv or a ward's own): every row checked, then upserted all or nothing.

Used by the `import_holidays` command and the demo data. Its bulk writes send no model
signal, so it invalidates the cached calendars (`hoso.calendar_store`) itself after commit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from motcua.lib.tabular import import_limits, read_rows
from motcua.lib.text import has_control_character, has_full_width, normalise_spaces
from motcua.models import Agency

from .calendar_store import invalidate_calendars
from .constants import CalendarDayKind
from .models import CalendarDay

_KINDS = {k.value for k in CalendarDayKind}
#: Holiday dates accepted: from 2000 to five years after the current year (a year-1 or year-9999
#: row is a typing error).
HOLIDAY_YEARS = (2000, 5)


@dataclass
class HolidayImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        return f"Tạo mới: {self.created}, cập nhật: {self.updated}, không đổi: {self.unchanged}, bị từ chối: 0."


class HolidayImportRejected(Exception):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("\n".join(errors))


def parse_holidays(data: bytes, filename: str) -> tuple[list[CalendarDay], list[str]]:
    """The rows of a holiday table as unsaved national CalendarDay objects, and one message per bad row."""
    _, rows = read_rows(data, filename, required=("date", "kind", "name"), limits=import_limits("holidays"))
    this_year = timezone.localdate().year
    days: list[CalendarDay] = []
    errors: list[str] = []
    seen: dict[date, int] = {}
    for row in rows:
        v = row.values
        reasons = []
        raw_date = v["date"].strip()
        day: date | None = None
        if has_full_width(raw_date):
            reasons.append(
                f"ngày “{raw_date[:20]}” có chữ số toàn khổ (full-width, như “２０２５”): "
                "hãy gõ lại bằng bàn phím thường"
            )
        else:
            try:
                day = date.fromisoformat(raw_date[:10])
            except ValueError:
                reasons.append(f"ngày “{raw_date[:20]}” không đúng dạng YYYY-MM-DD")
        if day is not None and not HOLIDAY_YEARS[0] <= day.year <= this_year + HOLIDAY_YEARS[1]:
            reasons.append(
                f"ngày {day:%d/%m/%Y} ngoài khoảng nhận ({HOLIDAY_YEARS[0]} đến {HOLIDAY_YEARS[1]} năm sau năm nay)"
            )
            day = None
        kind = v["kind"].strip()
        if kind not in _KINDS:
            reasons.append(f"loại “{kind}” không hợp lệ (holiday hoặc makeup_workday)")
        name = normalise_spaces(v["name"])
        if has_control_character(v["name"] or ""):
            reasons.append("tên ngày có ký tự điều khiển không in được")
        elif not name:
            reasons.append("thiếu tên ngày")
        url = v.get("source_url", "").strip()
        if url:
            try:
                URLValidator()(url)
            except ValidationError:
                reasons.append("địa chỉ nguồn không hợp lệ")
        if day is not None:
            if day in seen:
                reasons.append(f"ngày {day:%d/%m/%Y} trùng với dòng {seen[day]}")
            else:
                seen[day] = row.line
        if reasons:
            errors.append(f"Dòng {row.line}: " + "; ".join(reasons) + ".")
        else:
            days.append(CalendarDay(date=day, kind=kind, name=name[:300], source_url=url[:500]))
    return days, errors


@transaction.atomic
def import_holidays(*, data: bytes, filename: str, agency: Agency | None = None) -> HolidayImportResult:
    """Upsert holidays and make-up days by date (national when agency is None), all or nothing.

    Raises HolidayImportRejected listing every bad row; nothing is written then.
    """
    days, errors = parse_holidays(data, filename)
    if errors:
        raise HolidayImportRejected(errors)
    result = HolidayImportResult()
    existing = {d.date: d for d in CalendarDay.objects.filter(agency=agency).select_for_update()}
    to_create, to_update = [], []
    for day in days:
        current = existing.get(day.date)
        if current is None:
            day.agency = agency
            to_create.append(day)
        elif (current.kind, current.name, current.source_url) != (day.kind, day.name, day.source_url):
            current.kind, current.name, current.source_url = day.kind, day.name, day.source_url
            to_update.append(current)
        else:
            result.unchanged += 1
    CalendarDay.objects.bulk_create(to_create)
    CalendarDay.objects.bulk_update(to_update, ["kind", "name", "source_url"])
    result.created, result.updated = len(to_create), len(to_update)
    if to_create or to_update:
        transaction.on_commit(invalidate_calendars)  # bulk_create and bulk_update send no post_save
    return result
