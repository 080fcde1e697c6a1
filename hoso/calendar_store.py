"""Reads each agency's WorkCalendar from the database and caches it per process until an edit.

Computing a due date then costs no database query: callers ask `calendar_for(agency_id)`,
which checks one version token in the shared cache (Redis in production) and otherwise reuses
the calendar this process already built. Any save or delete of a CalendarDay or a
WorkingSession (admin, holiday import, shell, a cascade from a deleted ward) replaces the token
through the model signals connected below (at once, and again when its transaction commits),
so every process rebuilds. Bulk writes send no signal: their callers call
`invalidate_calendars` themselves (`hoso.holiday_import`).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time

import holidays as holidays_package
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from motcua.lib.cache import Kept, bump_version, version_key, version_token

from .constants import CalendarDayKind
from .models import CalendarDay, WorkingSession
from .workcalendar import DEFAULT_SESSIONS, WorkCalendar

_VERSION_KEY = version_key("workcalendar:version")
# Years without official data fall back to `holidays` (34 years cost about 5 ms to build): as far
# as any appointment, extension or limit could reach, so no year is silently holiday-free.
FALLBACK_YEARS = range(2015, 2061)
FALLBACK_NOTE = "dự kiến, chưa có thông báo chính thức"
# The package names each day ("29 Tết", "Mùng hai Tết Nguyên Đán"…); explanations group a block
# of days under the holiday's name, so each day is filed under the holiday it belongs to.
_FALLBACK_GROUPS = (
    ("Dương lịch", "Tết Dương lịch"),
    ("Tết", "Tết Nguyên đán"),
    ("Giỗ Tổ", "Giỗ Tổ Hùng Vương"),
    ("Chiến thắng", "Ngày Chiến thắng 30/4"),
    ("Lao động", "Ngày Quốc tế Lao động 1/5"),
    ("Quốc khánh", "Quốc khánh 2/9"),
)

# Calendars kept per process (the national one and each ward's), under the calendars' version token.
_built: Kept[int | None, WorkCalendar] = Kept(5_000)


def invalidate_calendars() -> None:
    """Every process rebuilds its calendars; the model signals call this, bulk writers call it themselves."""
    bump_version(_VERSION_KEY)


def calendar_for(agency_id: int | None) -> WorkCalendar:
    """The working calendar of an agency (None: the national calendar with default sessions)."""
    version = version_token(_VERSION_KEY)
    if (hit := _built.get(agency_id, version)) is not Kept.MISSING:
        return hit
    calendar = build_calendar(agency_id)
    _built.put(agency_id, version, calendar)
    return calendar


def build_calendar(agency_id: int | None) -> WorkCalendar:
    """Read the agency's calendar from the database (three small queries)."""
    days: dict[date, tuple[str, str]] = {}
    rows = CalendarDay.objects.filter(agency__isnull=True).values_list("date", "kind", "name")
    days.update((d, (kind, name)) for d, kind, name in rows)
    if agency_id is not None:
        rows = CalendarDay.objects.filter(agency_id=agency_id).values_list("date", "kind", "name")
        days.update((d, (kind, name)) for d, kind, name in rows)  # the ward's own rows win

    confirmed = {
        d.year for d, (kind, _) in days.items() if kind == CalendarDayKind.HOLIDAY and (d.month, d.day) == (1, 1)
    }
    holidays = {d: name for d, (kind, name) in days.items() if kind == CalendarDayKind.HOLIDAY}
    makeup = {d: name for d, (kind, name) in days.items() if kind == CalendarDayKind.MAKEUP_WORKDAY}
    for d, name in _fallback_holidays([y for y in FALLBACK_YEARS if y not in confirmed]).items():
        if d not in days:
            # The label before " – " groups a block of days in the explanation.
            holidays[d] = f"{fallback_group(name)} năm {d.year}, {FALLBACK_NOTE} – {name}"

    # Monday to Friday keep the default sessions unless the ward declares that weekday's own;
    # any other day (Saturday morning…) is open only with declared sessions.
    declared: dict[int, list[tuple[time, time]]] = defaultdict(list)
    if agency_id is not None:
        for weekday, start, end in WorkingSession.objects.filter(agency_id=agency_id).values_list(
            "weekday", "start", "end"
        ):
            declared[weekday].append((start, end))
    weekly = {wd: list(DEFAULT_SESSIONS) for wd in range(5)}
    weekly.update(declared)
    return WorkCalendar(
        weekly={wd: sorted(sessions) for wd, sessions in weekly.items()},
        holidays=holidays,
        makeup_days=makeup,
        confirmed_years=confirmed,
    )


def _fallback_holidays(years: list[int]) -> dict[date, str]:
    """Statutory holidays from the `holidays` package: right lunar dates, no make-up Saturdays."""
    if not years:
        return {}
    return dict(holidays_package.country_holidays("VN", years=years, language="vi").items())


def fallback_group(name: str) -> str:
    """The holiday a day named by the `holidays` package belongs to ("29 Tết" → Tết Nguyên đán)."""
    return next((group for key, group in _FALLBACK_GROUPS if key in name), name.replace(" (nghỉ bù)", ""))


def unconfirmed_years(calendar: WorkCalendar, *years: int) -> list[int]:
    """Those of `years` whose holidays are only estimated: pages show a warning for them."""
    return sorted({y for y in years if not calendar.is_confirmed(y)})


def _changed(**kwargs: object) -> None:
    # Now, for this transaction's own later reads, and again after commit, for what another
    # process may have built from the old rows meanwhile.
    invalidate_calendars()
    transaction.on_commit(invalidate_calendars)


# The calendar is built from these rows only (the national fallback years come from a package).
for _model in (CalendarDay, WorkingSession):
    post_save.connect(_changed, sender=_model, dispatch_uid=f"hoso-calendars-{_model.__name__}-save")
    post_delete.connect(_changed, sender=_model, dispatch_uid=f"hoso-calendars-{_model.__name__}-delete")
