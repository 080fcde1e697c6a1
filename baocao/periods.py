"""Report periods (docs/report-06a.md §4): Nghị định 09/2019 cut-offs, calendar periods and custom ranges.

A `Period` is a pair of inclusive dates with its Vietnamese label. `bounds()` turns it into the
instants the figures use: [start 00:00:00, end 23:59:59.999999] in Vietnam time. Constructors
raise ValueError with a Vietnamese message for impossible input (quarter 5, month 13, end < start).
``counted_until_text`` is the one wording of the instant provisional figures were counted at.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

from hoso.workcalendar import VN_TZ
from motcua.lib.dates import at_text

_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}

# Kinds accepted by parse_period, with the label a form shows (number: half 1–2, quarter 1–4, month 1–12).
PERIOD_KINDS: dict[str, str] = {
    "decree_half_year": "6 tháng (kỳ báo cáo theo Nghị định 09/2019: 15/12 – 14/06, 15/06 – 14/12)",
    "decree_year": "Năm (kỳ báo cáo theo Nghị định 09/2019: 15/12 – 14/12)",
    "decree_quarter": "Quý (kỳ báo cáo theo Nghị định 09/2019: ngày 15 – ngày 14)",
    "decree_month": "Tháng (kỳ báo cáo theo Nghị định 09/2019: ngày 15 – ngày 14)",
    "calendar_half_year": "6 tháng theo năm dương lịch (01/01 – 30/06, 01/07 – 31/12)",
    "calendar_year": "Năm dương lịch (01/01 – 31/12)",
    "calendar_quarter": "Quý theo năm dương lịch",
    "calendar_month": "Tháng dương lịch",
}
_NEEDS_NUMBER = {
    "decree_half_year": 2,
    "decree_quarter": 4,
    "decree_month": 12,
    "calendar_half_year": 2,
    "calendar_quarter": 4,
    "calendar_month": 12,
}


FIRST_YEAR, LAST_YEAR = 2000, 2100  # the years a period may cover (the forms say the same)


@dataclass(frozen=True)
class Period:
    """Inclusive dates [start, end] and a Vietnamese label.

    `kind`, `year` and `number` remember which constructor made the period (``custom`` for a free
    range) so that `previous_year` can rebuild the same named period; they take no part in equality.
    """

    start: date
    end: date
    label: str
    kind: str = field(default="custom", compare=False)
    year: int | None = field(default=None, compare=False)
    number: int | None = field(default=None, compare=False)

    def bounds(self) -> tuple[datetime, datetime]:
        """[start at 00:00:00, end at 23:59:59.999999], both aware, in Vietnam time."""
        return (
            datetime.combine(self.start, time.min, tzinfo=VN_TZ),
            datetime.combine(self.end, time.max, tzinfo=VN_TZ),
        )

    def previous_year(self) -> Period:
        """The same period one year earlier.

        A named period is rebuilt by its constructor (February 2025 → 01/02/2024 – 29/02/2024);
        a custom range moves both dates back one year, 29/02 becoming 28/02.
        """
        if self.kind != "custom" and self.year is not None:
            return parse_period(self.kind, self.year - 1, self.number)
        return custom(_year_earlier(self.start), _year_earlier(self.end))


def _year_earlier(d: date) -> date:
    if d.month == 2 and d.day == 29:
        return date(d.year - 1, 2, 28)
    return d.replace(year=d.year - 1)


def _dmy(d: date) -> str:
    return f"{d:%d/%m/%Y}"


def _named(kind: str, year: int, number: int | None, title: str, start: date, end: date) -> Period:
    return Period(start, end, f"{title} ({_dmy(start)} – {_dmy(end)})", kind=kind, year=year, number=number)


def _check_year(year: int) -> int:
    if not isinstance(year, int) or isinstance(year, bool) or not 1900 <= year <= 9998:
        raise ValueError(f"Năm không hợp lệ: {year}.")
    return year


def _check_number(value: int, highest: int, what: str) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= highest:
        raise ValueError(f"{what} phải từ 1 đến {highest}, không phải {value}.")
    return value


def _month_before(year: int, month: int) -> tuple[int, int]:
    return (year - 1, 12) if month == 1 else (year, month - 1)


def _last_day(year: int, month: int) -> date:
    next_year, next_month = (year + 1, 1) if month == 12 else (year, month + 1)
    return date.fromordinal(date(next_year, next_month, 1).toordinal() - 1)


def _half_title(year: int, half: int) -> str:
    return f"6 tháng {'đầu' if half == 1 else 'cuối'} năm {year}"


# -- Nghị định 09/2019 cut-offs ------------------------------------------------------------------
def decree_half_year(year: int, half: int) -> Period:
    """Half 1: 15/12 of year-1 → 14/06; half 2: 15/06 → 14/12."""
    _check_year(year)
    _check_number(half, 2, "Kỳ 6 tháng")
    start = date(year - 1, 12, 15) if half == 1 else date(year, 6, 15)
    end = date(year, 6, 14) if half == 1 else date(year, 12, 14)
    return _named("decree_half_year", year, half, _half_title(year, half), start, end)


def decree_year(year: int) -> Period:
    """15/12 of year-1 → 14/12 of year."""
    _check_year(year)
    return _named("decree_year", year, None, f"Năm {year}", date(year - 1, 12, 15), date(year, 12, 14))


def decree_quarter(year: int, quarter: int) -> Period:
    """The 15th of the month before the quarter → the 14th of its last month (Q1: 15/12 of year-1 → 14/03)."""
    _check_year(year)
    _check_number(quarter, 4, "Quý")
    first_month = 3 * quarter - 2
    start = date(*_month_before(year, first_month), 15)
    end = date(year, 3 * quarter, 14)
    return _named("decree_quarter", year, quarter, f"Quý {_ROMAN[quarter]} năm {year}", start, end)


def decree_month(year: int, month: int) -> Period:
    """The 15th of the previous month → the 14th of the month."""
    _check_year(year)
    _check_number(month, 12, "Tháng")
    start = date(*_month_before(year, month), 15)
    return _named("decree_month", year, month, f"Tháng {month} năm {year}", start, date(year, month, 14))


# -- calendar periods ----------------------------------------------------------------------------
def calendar_half_year(year: int, half: int) -> Period:
    """Half 1: 01/01 → 30/06; half 2: 01/07 → 31/12."""
    _check_year(year)
    _check_number(half, 2, "Kỳ 6 tháng")
    start = date(year, 1, 1) if half == 1 else date(year, 7, 1)
    end = date(year, 6, 30) if half == 1 else date(year, 12, 31)
    return _named("calendar_half_year", year, half, _half_title(year, half), start, end)


def calendar_year(year: int) -> Period:
    """01/01 → 31/12."""
    _check_year(year)
    return _named("calendar_year", year, None, f"Năm {year}", date(year, 1, 1), date(year, 12, 31))


def calendar_quarter(year: int, quarter: int) -> Period:
    """The first day of the quarter's first month → the last day of its last month."""
    _check_year(year)
    _check_number(quarter, 4, "Quý")
    start = date(year, 3 * quarter - 2, 1)
    end = _last_day(year, 3 * quarter)
    return _named("calendar_quarter", year, quarter, f"Quý {_ROMAN[quarter]} năm {year}", start, end)


def calendar_month(year: int, month: int) -> Period:
    """The first → the last day of the month."""
    _check_year(year)
    _check_number(month, 12, "Tháng")
    start = date(year, month, 1)
    return _named("calendar_month", year, month, f"Tháng {month} năm {year}", start, _last_day(year, month))


def custom(start: date, end: date) -> Period:
    """Any range of whole days; ValueError (Vietnamese) when end is before start or the dates lie
    outside the years a ward can have records for (2000–2100, as named periods)."""
    for day in (start, end):
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValueError(f"Ngày {_dmy(day)} nằm ngoài khoảng năm {FIRST_YEAR}–{LAST_YEAR}.")
    if end < start:
        raise ValueError(f"Ngày kết thúc ({_dmy(end)}) không được trước ngày bắt đầu ({_dmy(start)}).")
    return Period(start, end, f"Từ ngày {_dmy(start)} đến ngày {_dmy(end)}")


_CONSTRUCTORS = {
    "decree_half_year": decree_half_year,
    "decree_quarter": decree_quarter,
    "decree_month": decree_month,
    "calendar_half_year": calendar_half_year,
    "calendar_quarter": calendar_quarter,
    "calendar_month": calendar_month,
}


def parse_period(kind: str, year: int | str, number: int | str | None = None) -> Period:
    """The period of `kind` (a key of PERIOD_KINDS) for `year` and, except for years, `number`.

    Strings of digits are accepted (form and command input). ValueError (Vietnamese) for an
    unknown kind, a missing or out-of-range number, or a number given for a year.
    """
    if kind not in PERIOD_KINDS:
        raise ValueError(f"Loại kỳ báo cáo không hợp lệ: {kind!r}. Chọn một trong: {', '.join(PERIOD_KINDS)}.")
    year_value = _as_int(year, "Năm")
    if not FIRST_YEAR <= year_value <= LAST_YEAR:
        raise ValueError(f"Năm báo cáo phải từ {FIRST_YEAR} đến {LAST_YEAR}.")
    if kind in ("decree_year", "calendar_year"):
        if number not in (None, ""):
            raise ValueError("Kỳ báo cáo năm không có số thứ tự kỳ.")
        return decree_year(year_value) if kind == "decree_year" else calendar_year(year_value)
    if number in (None, ""):
        raise ValueError(f"Cần số thứ tự kỳ (1 đến {_NEEDS_NUMBER[kind]}).")
    return _CONSTRUCTORS[kind](year_value, _as_int(number, "Số thứ tự kỳ"))


def _as_int(value: int | str | None, what: str) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError(f"{what} không hợp lệ: {value!r}.")


def counted_until_text(instant: datetime) -> str:
    """'tính đến 10:15 ngày 05/12/2026' (Vietnam time): how a provisional report names the instant
    its figures were counted at — in the frozen figures, the PDF, the XLSX and the report pages."""
    return f"tính đến {at_text(instant)}"
