"""The working calendar and the dossier clock, on real Vietnamese dates.

Every expected value below was worked out by hand from the official calendar
(data/holidays_vn.csv) and the default sessions 07:30–11:30, 13:30–17:00; the comment on each
case names the weekdays involved. No expected value comes from running the code.
"""

from __future__ import annotations

import csv
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hoso.clock import Extend, Pause, Resume, Timeliness, apply_events, classify
from hoso.workcalendar import (
    DEFAULT_SESSIONS,
    VN_TZ,
    Limit,
    Unit,
    WorkCalendar,
    add_calendar_days,
    add_working_days,
    add_working_hours,
    add_working_time,
    compute_due,
    due_at,
    end_of_working_day,
    format_remaining,
    normalise,
    working_time_between,
)

CSV_PATH = Path(__file__).resolve().parents[2] / "data" / "holidays_vn.csv"
DAY = timedelta(hours=7, minutes=30)  # length of a default working day


@cache
def csv_rows() -> tuple[tuple[str, str, str], ...]:
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        return tuple((r["date"], r["kind"], r["name"]) for r in csv.DictReader(f))


@cache
def real_calendar() -> WorkCalendar:
    return WorkCalendar.from_rows(csv_rows())


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, ss, tzinfo=VN_TZ)


# -- the calendar data ------------------------------------------------------------------------
def test_every_listed_holiday_is_a_day_off() -> None:
    cal = real_calendar()
    holidays = [date.fromisoformat(d) for d, kind, _ in csv_rows() if kind == "holiday"]
    assert len(holidays) > 150
    for d in holidays:
        assert not cal.is_working_day(d), d
        assert cal.sessions_on(d) == ()


def test_every_makeup_saturday_is_a_working_day_with_mondays_sessions() -> None:
    cal = real_calendar()
    makeup = [date.fromisoformat(d) for d, kind, _ in csv_rows() if kind == "makeup_workday"]
    # 05/01/2019, 04/05/2019, 04/05/2024, 26/04/2025, 10/01/2026, 22/08/2026: all Saturdays.
    assert len(makeup) == 6
    for d in makeup:
        assert d.weekday() == 5
        assert cal.is_working_day(d)
        assert cal.sessions_on(d) == DEFAULT_SESSIONS


def test_unlisted_weekends_are_off_and_unlisted_weekdays_work() -> None:
    cal = real_calendar()
    listed = {date.fromisoformat(d) for d, _, _ in csv_rows()}
    d = date(2019, 1, 1)
    while d <= date(2026, 12, 31):
        if d not in listed:
            assert cal.is_working_day(d) == (d.weekday() < 5), d
        d += timedelta(days=1)


def test_years_with_a_listed_new_year_holiday_are_confirmed() -> None:
    cal = real_calendar()
    assert all(cal.is_confirmed(y) for y in range(2019, 2027))
    # 2018 only has the end-of-December part of Tết Dương lịch 2019: not a loaded year.
    assert not cal.is_confirmed(2018)
    assert not cal.is_confirmed(2027)
    assert WorkCalendar.from_rows(csv_rows(), confirmed_years=[2025]).is_confirmed(2025)
    assert not WorkCalendar.from_rows(csv_rows(), confirmed_years=[2025]).is_confirmed(2026)


def test_from_rows_refuses_bad_rows() -> None:
    with pytest.raises(ValueError, match="hai lần"):
        WorkCalendar.from_rows([("2025-01-01", "holiday", "a"), ("2025-01-01", "holiday", "b")])
    with pytest.raises(ValueError, match="Loại ngày"):
        WorkCalendar.from_rows([("2025-01-01", "weekend", "a")])
    with pytest.raises(ValueError, match="vừa là ngày nghỉ vừa là ngày làm bù"):
        WorkCalendar(holidays={date(2025, 4, 26): "x"}, makeup_days={date(2025, 4, 26): "y"})
    with pytest.raises(ValueError, match="bắt đầu trước khi kết thúc"):
        WorkCalendar(weekly={0: ((time(17), time(8)),)})
    with pytest.raises(ValueError, match="chồng lên nhau"):
        WorkCalendar(weekly={0: ((time(8), time(12)), (time(11), time(15)))})


# -- normalisation ----------------------------------------------------------------------------
NORMALISE_CASES = [
    # Mon 06/01/2025 09:00, inside the morning session: unchanged.
    (vn(2025, 1, 6, 9), vn(2025, 1, 6, 9)),
    # Mon 06/01/2025 07:30 exactly: a session includes its start.
    (vn(2025, 1, 6, 7, 30), vn(2025, 1, 6, 7, 30)),
    # Mon 06/01/2025 06:00, before opening → 07:30 the same day.
    (vn(2025, 1, 6, 6), vn(2025, 1, 6, 7, 30)),
    # Mon 06/01/2025 11:30 exactly: the morning has ended → 13:30 the same day.
    (vn(2025, 1, 6, 11, 30), vn(2025, 1, 6, 13, 30)),
    # Mon 06/01/2025 12:10, lunch → 13:30 the same day.
    (vn(2025, 1, 6, 12, 10), vn(2025, 1, 6, 13, 30)),
    # Fri 03/01/2025 17:00 exactly: closed → Mon 06/01/2025 07:30 (Sat 04, Sun 05 off).
    (vn(2025, 1, 3, 17), vn(2025, 1, 6, 7, 30)),
    # Tue 28/01/2025 09:00, a Tết holiday → Mon 03/02/2025 07:30 (Tết 25/01–02/02).
    (vn(2025, 1, 28, 9), vn(2025, 2, 3, 7, 30)),
    # Sat 26/04/2025 09:00, make-up Saturday: a working day → unchanged.
    (vn(2025, 4, 26, 9), vn(2025, 4, 26, 9)),
    # Sat 26/04/2025 18:00, after closing on the make-up Saturday → Mon 28/04/2025 07:30.
    (vn(2025, 4, 26, 18), vn(2025, 4, 28, 7, 30)),
    # Mon 06/01/2025 02:00 UTC = 09:00 in Hà Nội, inside a session: same instant, local zone.
    (datetime(2025, 1, 6, 2, tzinfo=UTC), vn(2025, 1, 6, 9)),
]


@pytest.mark.parametrize(("instant", "expected"), NORMALISE_CASES)
def test_normalise(instant: datetime, expected: datetime) -> None:
    got = normalise(real_calendar(), instant)
    assert got == expected
    assert got.tzinfo is VN_TZ


# -- working days -----------------------------------------------------------------------------
WORKING_DAY_CASES = [
    # Mon 06/01/2025 09:00 + 0 → the same instant.
    (vn(2025, 1, 6, 9), 0, vn(2025, 1, 6, 9)),
    # Mon 06/01/2025 09:00 + 3 → Thu 09/01/2025 09:00.
    (vn(2025, 1, 6, 9), 3, vn(2025, 1, 9, 9)),
    # Fri 10/01/2025 14:00 + 1 → Mon 13/01/2025 14:00 (weekend skipped).
    (vn(2025, 1, 10, 14), 1, vn(2025, 1, 13, 14)),
    # Lunch: Mon 06/01/2025 11:45 → 13:30; + 3 → Thu 09/01/2025 13:30.
    (vn(2025, 1, 6, 11, 45), 3, vn(2025, 1, 9, 13, 30)),
    # After closing: Fri 03/01/2025 17:30 → Mon 06/01 07:30; + 1 → Tue 07/01/2025 07:30.
    (vn(2025, 1, 3, 17, 30), 1, vn(2025, 1, 7, 7, 30)),
    # On a holiday, n = 0: Wed 01/01/2025 (Tết Dương lịch) 10:00 → Thu 02/01/2025 07:30.
    (vn(2025, 1, 1, 10), 0, vn(2025, 1, 2, 7, 30)),
    # Tết 2025: Thu 23/01/2025 10:00 + 2 → Fri 24/01 (1), [25/01–02/02 off], Mon 03/02 (2).
    (vn(2025, 1, 23, 10), 2, vn(2025, 2, 3, 10)),
    # Tết 2025: Fri 24/01/2025 10:00 + 1 → Mon 03/02/2025 10:00.
    (vn(2025, 1, 24, 10), 1, vn(2025, 2, 3, 10)),
    # Received on Tết, Tue 28/01/2025 09:00 → Mon 03/02 07:30; + 5 → Tue 04, Wed 05, Thu 06,
    # Fri 07, Mon 10/02/2025 07:30.
    (vn(2025, 1, 28, 9), 5, vn(2025, 2, 10, 7, 30)),
    # 30/4–1/5 2025: Fri 25/04/2025 10:00 + 3 → Sat 26/04 make-up (1), Mon 28/04 (2),
    # Tue 29/04/2025 (3).
    (vn(2025, 4, 25, 10), 3, vn(2025, 4, 29, 10)),
    # 30/4–1/5 2025: Tue 29/04/2025 10:00 + 3 → [Wed 30/04–Sun 04/05 off] Mon 05/05 (1),
    # Tue 06/05 (2), Wed 07/05/2025 (3).
    (vn(2025, 4, 29, 10), 3, vn(2025, 5, 7, 10)),
    # Received on the make-up Sat 26/04/2025 09:00 + 1 → Mon 28/04/2025 09:00.
    (vn(2025, 4, 26, 9), 1, vn(2025, 4, 28, 9)),
    # Tết Dương lịch 2026 (Thu 01/01–Sun 04/01): Wed 31/12/2025 10:00 + 2 → Mon 05/01 (1),
    # Tue 06/01/2026 (2).
    (vn(2025, 12, 31, 10), 2, vn(2026, 1, 6, 10)),
    # Make-up Sat 10/01/2026: Thu 08/01/2026 10:00 + 2 → Fri 09/01 (1), Sat 10/01/2026 (2).
    (vn(2026, 1, 8, 10), 2, vn(2026, 1, 10, 10)),
    # Fri 09/01/2026 16:00 + 1 → Sat 10/01/2026 16:00 (make-up day keeps Monday's sessions).
    (vn(2026, 1, 9, 16), 1, vn(2026, 1, 10, 16)),
    # Sat 10/01/2026 18:00, after closing on the make-up day → Mon 12/01 07:30; + 1 →
    # Tue 13/01/2026 07:30.
    (vn(2026, 1, 10, 18), 1, vn(2026, 1, 13, 7, 30)),
    # Quốc khánh 2024 (Sat 31/08–Tue 03/09): Fri 30/08/2024 14:00 + 1 → Wed 04/09/2024 14:00.
    (vn(2024, 8, 30, 14), 1, vn(2024, 9, 4, 14)),
    # Thu 29/08/2024 09:00 + 2 → Fri 30/08 (1), Wed 04/09/2024 (2).
    (vn(2024, 8, 29, 9), 2, vn(2024, 9, 4, 9)),
    # Quốc khánh 2026 (Sat 29/08–Wed 02/09), make-up Sat 22/08/2026: Fri 21/08/2026 10:00 + 1
    # → Sat 22/08/2026 10:00.
    (vn(2026, 8, 21, 10), 1, vn(2026, 8, 22, 10)),
    # Fri 28/08/2026 10:00 + 1 → Thu 03/09/2026 10:00.
    (vn(2026, 8, 28, 10), 1, vn(2026, 9, 3, 10)),
    # Thu 27/08/2026 15:00 + 3 → Fri 28/08 (1), Thu 03/09 (2), Fri 04/09/2026 (3).
    (vn(2026, 8, 27, 15), 3, vn(2026, 9, 4, 15)),
    # Far outside the indexed years, no holidays there: Mon 02/01/2040 10:00 + 5 → Mon 09/01/2040.
    (vn(2040, 1, 2, 10), 5, vn(2040, 1, 9, 10)),
    # Before the indexed years: Mon 04/01/2010 10:00 + 4 → Fri 08/01/2010 10:00.
    (vn(2010, 1, 4, 10), 4, vn(2010, 1, 8, 10)),
]


@pytest.mark.parametrize(("start", "n", "expected"), WORKING_DAY_CASES)
def test_add_working_days(start: datetime, n: int, expected: datetime) -> None:
    cal = real_calendar()
    assert add_working_days(cal, start, n) == expected
    assert compute_due(cal, start, Limit(n, Unit.WORKING_DAYS)) == expected


def test_a_clock_time_missing_on_the_target_day_moves_to_the_next_session() -> None:
    # A desk also open Saturday 07:30–11:30, no holidays.
    cal = WorkCalendar(weekly={**dict.fromkeys(range(5), DEFAULT_SESSIONS), 5: ((time(7, 30), time(11, 30)),)})
    # Fri 10/01/2025 10:00 + 1 → Sat 11/01/2025 10:00, inside the Saturday morning.
    assert add_working_days(cal, vn(2025, 1, 10, 10), 1) == vn(2025, 1, 11, 10)
    # Fri 10/01/2025 14:00 + 1 → Sat 11/01 14:00 is after the Saturday session → Mon 13/01 07:30.
    assert add_working_days(cal, vn(2025, 1, 10, 14), 1) == vn(2025, 1, 13, 7, 30)
    # 8 working hours from Fri 10/01 16:00: Fri 1 h, Sat 4 h (5 h), Mon 07:30 + 3 h → 10:30.
    assert add_working_hours(cal, vn(2025, 1, 10, 16), 8) == vn(2025, 1, 13, 10, 30)


# -- calendar days ----------------------------------------------------------------------------
CALENDAR_DAY_CASES = [
    # Mon 06/01/2025 10:00 + 10 → Thu 16/01/2025 10:00, a working day.
    (vn(2025, 1, 6, 10), 10, vn(2025, 1, 16, 10)),
    # Mon 06/01/2025 10:00 + 5 → Sat 11/01 → next opening Mon 13/01/2025 07:30.
    (vn(2025, 1, 6, 10), 5, vn(2025, 1, 13, 7, 30)),
    # Lunch Fri 03/01/2025 12:00 → 13:30; + 30 → Sun 02/02 (Tết) → Mon 03/02/2025 07:30.
    (vn(2025, 1, 3, 12), 30, vn(2025, 2, 3, 7, 30)),
    # Tue 22/04/2025 09:00 + 4 → Sat 26/04/2025, make-up day: 09:00 is inside a session.
    (vn(2025, 4, 22, 9), 4, vn(2025, 4, 26, 9)),
]


@pytest.mark.parametrize(("start", "n", "expected"), CALENDAR_DAY_CASES)
def test_add_calendar_days(start: datetime, n: int, expected: datetime) -> None:
    cal = real_calendar()
    assert add_calendar_days(cal, start, n) == expected
    assert compute_due(cal, start, Limit(n, Unit.CALENDAR_DAYS)) == expected


# -- working hours ----------------------------------------------------------------------------
WORKING_HOUR_CASES = [
    # Fri 03/01/2025 16:00 + 8 h: Fri 16–17 = 1 h; Mon 06/01 07:30–11:30 = 4 h (5 h);
    # 13:30 + 3 h → Mon 06/01/2025 16:30.
    (vn(2025, 1, 3, 16), 8, vn(2025, 1, 6, 16, 30)),
    # Fri 03/01/2025 16:00 + 1 h → used up exactly at closing: Fri 17:00, not Monday 07:30.
    (vn(2025, 1, 3, 16), 1, vn(2025, 1, 3, 17)),
    # Mon 06/01/2025 07:30 + 4 h → 11:30, the end of the morning session.
    (vn(2025, 1, 6, 7, 30), 4, vn(2025, 1, 6, 11, 30)),
    # Mon 06/01/2025 07:30 + 7.5 h → Mon 17:00.
    (vn(2025, 1, 6, 7, 30), 7.5, vn(2025, 1, 6, 17)),
    # Mon 06/01/2025 11:00 + 1.5 h: 11:00–11:30 = 0.5 h, 13:30 + 1 h → 14:30.
    (vn(2025, 1, 6, 11), Decimal("1.5"), vn(2025, 1, 6, 14, 30)),
    # Tết: Fri 24/01/2025 14:00 + 8 h: Fri 3 h; Mon 03/02 morning 4 h (7 h); 13:30 + 1 h → 14:30.
    (vn(2025, 1, 24, 14), 8, vn(2025, 2, 3, 14, 30)),
    # 30/4 2025: Tue 29/04/2025 15:00 + 4 h: Tue 2 h; Mon 05/05/2025 07:30 + 2 h → 09:30.
    (vn(2025, 4, 29, 15), 4, vn(2025, 5, 5, 9, 30)),
    # Received after closing Fri 03/01/2025 18:00 + 0 h → the normalised start, Mon 06/01 07:30.
    (vn(2025, 1, 3, 18), 0, vn(2025, 1, 6, 7, 30)),
]


@pytest.mark.parametrize(("start", "hours", "expected"), WORKING_HOUR_CASES)
def test_add_working_hours(start: datetime, hours: float | Decimal, expected: datetime) -> None:
    cal = real_calendar()
    assert add_working_hours(cal, start, hours) == expected
    assert add_working_time(cal, start, timedelta(hours=float(hours))) == expected


def test_working_hour_limit_through_compute_due() -> None:
    # Fri 03/01/2025 16:00 + 8 working hours → Mon 06/01/2025 16:30 (see the table above).
    assert compute_due(real_calendar(), vn(2025, 1, 3, 16), Limit(8, Unit.WORKING_HOURS)) == vn(2025, 1, 6, 16, 30)


WORKING_TIME_BETWEEN_CASES = [
    # Mon 06/01/2025 09:00 → 15:00: 09:00–11:30 = 2.5 h + 13:30–15:00 = 1.5 h.
    (vn(2025, 1, 6, 9), vn(2025, 1, 6, 15), timedelta(hours=4)),
    # Fri 24/01/2025 16:00 → Mon 03/02/2025 08:00 across Tết: 1 h + 0.5 h.
    (vn(2025, 1, 24, 16), vn(2025, 2, 3, 8), timedelta(hours=1, minutes=30)),
    # Backwards: negative.
    (vn(2025, 1, 6, 15), vn(2025, 1, 6, 9), -timedelta(hours=4)),
    # Sat 04/01/2025 → Sun 05/01/2025: nothing worked.
    (vn(2025, 1, 4, 9), vn(2025, 1, 5, 9), timedelta(0)),
    # Make-up Sat 26/04/2025 07:00 → 12:00: the morning session, 4 h.
    (vn(2025, 4, 26, 7), vn(2025, 4, 26, 12), timedelta(hours=4)),
]


@pytest.mark.parametrize(("a", "b", "expected"), WORKING_TIME_BETWEEN_CASES)
def test_working_time_between(a: datetime, b: datetime, expected: timedelta) -> None:
    assert working_time_between(real_calendar(), a, b) == expected


def test_end_of_working_day() -> None:
    cal = real_calendar()
    # Sat 26/04/2025, make-up day → 17:00.
    assert end_of_working_day(cal, date(2025, 4, 26)) == vn(2025, 4, 26, 17)
    # Wed 30/04/2025 is a holiday.
    with pytest.raises(ValueError, match="không phải ngày làm việc"):
        end_of_working_day(cal, date(2025, 4, 30))


# -- same day ---------------------------------------------------------------------------------
SAME_DAY_CASES = [
    # Fri 07/03/2025 14:59, cut-off 15:00 → the same day, Fri 17:00.
    (vn(2025, 3, 7, 14, 59), time(15), vn(2025, 3, 7, 17)),
    # Fri 07/03/2025 15:00 exactly: not after the cut-off → Fri 17:00.
    (vn(2025, 3, 7, 15), time(15), vn(2025, 3, 7, 17)),
    # Fri 07/03/2025 15:30, after the cut-off → end of the next working day, Mon 10/03/2025 17:00.
    (vn(2025, 3, 7, 15, 30), time(15), vn(2025, 3, 10, 17)),
    # Fri 07/03/2025 17:30, after closing → Mon 10/03 07:30, before the cut-off → Mon 17:00.
    (vn(2025, 3, 7, 17, 30), time(15), vn(2025, 3, 10, 17)),
    # Lunch Mon 10/03/2025 12:00 → 13:30, before the cut-off → Mon 17:00.
    (vn(2025, 3, 10, 12), time(15), vn(2025, 3, 10, 17)),
    # No cut-off: Fri 07/03/2025 16:50 → Fri 17:00.
    (vn(2025, 3, 7, 16, 50), None, vn(2025, 3, 7, 17)),
    # Tết: Fri 24/01/2025 16:20, after the cut-off → Mon 03/02/2025 17:00.
    (vn(2025, 1, 24, 16, 20), time(15), vn(2025, 2, 3, 17)),
    # On the make-up Sat 26/04/2025 16:00, after the cut-off → Mon 28/04/2025 17:00.
    (vn(2025, 4, 26, 16), time(15), vn(2025, 4, 28, 17)),
]


@pytest.mark.parametrize(("received", "cutoff", "expected"), SAME_DAY_CASES)
def test_same_day_limit(received: datetime, cutoff: time | None, expected: datetime) -> None:
    assert compute_due(real_calendar(), received, Limit(0, Unit.SAME_DAY, cutoff)) == expected


# -- explanations -----------------------------------------------------------------------------
def test_it_explains_a_same_day_receipt_after_the_cutoff_before_tet() -> None:
    due = due_at(real_calendar(), vn(2025, 1, 24, 16, 20), Limit(0, Unit.SAME_DAY, time(15)))
    assert due.at == vn(2025, 2, 3, 17)
    assert due.steps == (
        "Tiếp nhận lúc 16 giờ 20 phút, thứ Sáu, 24/01/2025.",
        "Sau giờ chốt 15 giờ 00 phút: trả kết quả trong ngày làm việc tiếp theo.",
        "25/01/2025–02/02/2025 là ngày nghỉ (Tết Nguyên đán Ất Tỵ 2025).",
        "Tính từ thứ Hai, 03/02/2025.",
        "Hạn trả kết quả: 17 giờ 00 phút, thứ Hai, 03/02/2025.",
    )


def test_it_explains_a_counted_makeup_saturday() -> None:
    # Fri 25/04/2025 10:00 + 3 working days → Tue 29/04/2025 10:00.
    due = due_at(real_calendar(), vn(2025, 4, 25, 10), Limit(3, Unit.WORKING_DAYS))
    assert due.steps == (
        "Tiếp nhận lúc 10 giờ 00 phút, thứ Sáu, 25/04/2025.",
        "Cộng 3 ngày làm việc.",
        "Thứ Bảy 26/04/2025 là ngày làm bù, được tính là ngày làm việc: Làm bù cho ngày nghỉ hoán đổi 02/5/2025.",
        "Không tính ngày nghỉ hằng tuần (Chủ nhật).",
        "Hạn trả kết quả: 10 giờ 00 phút, thứ Ba, 29/04/2025.",
    )


def test_it_mentions_only_days_off_between_receipt_and_due() -> None:
    # Tue 29/04/2025 10:00 + 3 → Wed 07/05/2025: only the 30/4–1/5 block lies in between.
    due = due_at(real_calendar(), vn(2025, 4, 29, 10), Limit(3, Unit.WORKING_DAYS))
    assert due.steps == (
        "Tiếp nhận lúc 10 giờ 00 phút, thứ Ba, 29/04/2025.",
        "Cộng 3 ngày làm việc.",
        "30/04/2025–04/05/2025 là ngày nghỉ (Ngày Chiến thắng 30/4 và Quốc tế Lao động 1/5 năm 2025).",
        "Hạn trả kết quả: 10 giờ 00 phút, thứ Tư, 07/05/2025.",
    )


def test_it_explains_a_receipt_at_lunch() -> None:
    # Mon 06/01/2025 11:45 → 13:30; + 3 → Thu 09/01/2025 13:30.
    due = due_at(real_calendar(), vn(2025, 1, 6, 11, 45), Limit(3, Unit.WORKING_DAYS))
    assert due.steps == (
        "Tiếp nhận lúc 11 giờ 45 phút, thứ Hai, 06/01/2025.",
        "Ngoài giờ làm việc: tính từ 13 giờ 30 phút, thứ Hai, 06/01/2025.",
        "Cộng 3 ngày làm việc.",
        "Hạn trả kết quả: 13 giờ 30 phút, thứ Năm, 09/01/2025.",
    )


def test_it_explains_a_receipt_on_a_holiday() -> None:
    # Thu 01/01/2026 (Tết Dương lịch 2026, off until Sun 04/01) 09:00 → Mon 05/01 07:30;
    # + 5 → Tue 06, Wed 07, Thu 08, Fri 09, Sat 10/01/2026 (make-up) 07:30.
    due = due_at(real_calendar(), vn(2026, 1, 1, 9), Limit(5, Unit.WORKING_DAYS))
    assert due.at == vn(2026, 1, 10, 7, 30)
    assert due.steps == (
        "Tiếp nhận lúc 09 giờ 00 phút, thứ Năm, 01/01/2026.",
        "01/01/2026–04/01/2026 là ngày nghỉ (Tết Dương lịch 2026).",
        "Tiếp nhận vào ngày nghỉ: tính từ 07 giờ 30 phút, thứ Hai, 05/01/2026.",
        "Cộng 5 ngày làm việc.",
        "Thứ Bảy 10/01/2026 là ngày làm bù, được tính là ngày làm việc: Làm bù cho ngày nghỉ hoán đổi 02/01/2026 "
        "(Công văn 12729/VPCP-KGVX).",
        "Hạn trả kết quả: 07 giờ 30 phút, thứ Bảy, 10/01/2026.",
    )


def test_it_explains_calendar_days_landing_on_a_weekend() -> None:
    # Fri 24/01/2025 16:20 + 15 calendar days → Sat 08/02/2025 16:20, a weekly day off →
    # Mon 10/02/2025 07:30. Calendar days count the weekends: only the landing is moved.
    due = due_at(real_calendar(), vn(2025, 1, 24, 16, 20), Limit(15, Unit.CALENDAR_DAYS))
    assert due.at == vn(2025, 2, 10, 7, 30)
    assert due.steps == (
        "Tiếp nhận lúc 16 giờ 20 phút, thứ Sáu, 24/01/2025.",
        "Cộng 15 ngày (tính cả ngày nghỉ): đến 16 giờ 20 phút, thứ Bảy, 08/02/2025.",
        "Thứ Bảy, Chủ nhật là ngày nghỉ hằng tuần, không trả kết quả.",
        "Rơi vào ngày nghỉ: chuyển sang 07 giờ 30 phút, thứ Hai, 10/02/2025.",
        "Hạn trả kết quả: 07 giờ 30 phút, thứ Hai, 10/02/2025.",
    )


def test_a_receipt_exactly_at_the_cutoff_is_not_after_it() -> None:
    # Fri 24/10/2025 15:00 sharp, cut-off 15:00: same day, and the sentence does not say "before".
    due = due_at(real_calendar(), vn(2025, 10, 24, 15), Limit(0, Unit.SAME_DAY, time(15)))
    assert due.at == vn(2025, 10, 24, 17)
    assert due.steps[1] == "Không muộn hơn giờ chốt 15 giờ 00 phút: trả kết quả trong ngày."


def test_the_fast_path_builds_no_explanation() -> None:
    due = due_at(real_calendar(), vn(2025, 4, 25, 10), Limit(3, Unit.WORKING_DAYS), explain=False)
    assert due.at == vn(2025, 4, 29, 10)
    assert due.steps == ()


# -- refusals ---------------------------------------------------------------------------------
def test_it_refuses_naive_datetimes_and_negative_amounts() -> None:
    cal = real_calendar()
    naive = datetime(2025, 1, 6, 9)  # naive on purpose: the point of the test
    with pytest.raises(ValueError, match="múi giờ"):
        normalise(cal, naive)
    with pytest.raises(ValueError, match="múi giờ"):
        compute_due(cal, naive, Limit(3, Unit.WORKING_DAYS))
    with pytest.raises(ValueError, match="không được âm"):
        add_working_days(cal, vn(2025, 1, 6, 9), -1)
    with pytest.raises(ValueError, match="không được âm"):
        add_working_hours(cal, vn(2025, 1, 6, 9), -0.5)
    with pytest.raises(ValueError, match="không được âm"):
        Limit(-1, Unit.WORKING_DAYS)


def test_a_calendar_with_only_makeup_days_runs_out_of_working_days() -> None:
    cal = WorkCalendar(weekly={}, makeup_days={date(2025, 4, 26): "làm bù"})
    # Sat 26/04/2025 is its only working day.
    assert add_working_days(cal, vn(2025, 4, 20, 9), 0) == vn(2025, 4, 26, 7, 30)
    with pytest.raises(ValueError, match="không còn đủ ngày làm việc"):
        add_working_days(cal, vn(2025, 4, 20, 9), 1)
    with pytest.raises(ValueError, match="không còn đủ ngày làm việc"):
        add_working_hours(cal, vn(2025, 4, 20, 9), 8)
    with pytest.raises(ValueError, match="không còn đủ ngày làm việc"):
        normalise(cal, vn(2025, 4, 27, 9))


def test_the_index_grows_for_very_long_limits() -> None:
    cal = real_calendar()
    start = vn(2025, 1, 6, 9)
    due = add_working_days(cal, start, 8000)  # about 30 years of ~261 working days
    assert due.year > 2036  # past the index built up to 2035
    assert working_time_between(cal, start, due) == 8000 * DAY


def test_a_far_off_date_works_without_keeping_a_huge_index() -> None:
    cal = WorkCalendar.from_rows(csv_rows())
    kept = cal._ix.hi - cal._ix.lo
    # Mon 03/01/9025 10:00 (a typo for 2025; no holidays known there) + 3 → Thu 06/01/9025.
    assert date(9025, 1, 3).weekday() == 0
    assert add_working_days(cal, vn(9025, 1, 3, 10), 3) == vn(9025, 1, 6, 10)
    assert cal._ix.hi - cal._ix.lo == kept
    # Fri 31/12/9999 is the last date there is: no working day follows it.
    with pytest.raises(ValueError, match="không còn đủ ngày làm việc"):
        add_working_days(cal, vn(9999, 12, 31, 10), 1)


# -- the clock: pauses and extensions ---------------------------------------------------------
def test_a_pause_across_tet_moves_the_due_date_by_the_working_time_waited() -> None:
    cal = real_calendar()
    # Mon 20/01/2025 09:00 + 5 → Tue 21, Wed 22, Thu 23, Fri 24, Mon 03/02/2025 09:00.
    base = add_working_days(cal, vn(2025, 1, 20, 9), 5)
    assert base == vn(2025, 2, 3, 9)
    # Paused Thu 23/01 14:00 → resumed Tue 04/02 10:00: Thu 3 h + Fri 24/01 7.5 h +
    # Mon 03/02 7.5 h + Tue 07:30–10:00 2.5 h = 20.5 h (Tết 25/01–02/02 not counted).
    # Mon 03/02 09:00 + 20.5 h: Mon 6 h, Tue 04/02 7.5 h (13.5 h), Wed 05/02 morning 4 h
    # (17.5 h), 13:30 + 3 h → Wed 05/02/2025 16:30.
    state = apply_events(cal, base, [Pause(vn(2025, 1, 23, 14)), Resume(vn(2025, 2, 4, 10))])
    assert state.due_at == vn(2025, 2, 5, 16, 30)
    assert state.shown_due_at == state.due_at
    assert (state.paused, state.supplement_requests, state.extensions) == (False, 1, 0)
    assert state.steps[-1] == (
        "Nhận đủ hồ sơ bổ sung lúc 10 giờ 00 phút, thứ Ba, 04/02/2025: dừng 20 giờ 30 phút làm việc, "
        "hạn dời đến 16 giờ 30 phút, thứ Tư, 05/02/2025."
    )


def test_an_open_pause_keeps_sliding_only_when_asked_at_an_instant() -> None:
    cal = real_calendar()
    base = vn(2025, 1, 9, 9)  # Thu 09/01/2025 09:00
    events = [Pause(vn(2025, 1, 7, 9))]  # Tue 07/01/2025 09:00
    assert apply_events(cal, base, events).due_at == base
    # Seen Wed 08/01 09:00: one full working day (7.5 h) waited → Fri 10/01/2025 09:00.
    state = apply_events(cal, base, events, at=vn(2025, 1, 8, 9))
    assert state.due_at == vn(2025, 1, 10, 9)
    assert state.paused


def test_an_extension_is_shown_but_the_original_due_decides_timeliness() -> None:
    cal = real_calendar()
    base = vn(2025, 1, 9, 9)  # Thu 09/01/2025 09:00 (Mon 06/01 09:00 + 3)
    events = [
        Extend(vn(2025, 1, 8, 15), new_due=vn(2025, 1, 13, 17)),  # Wed 08/01: new date Mon 13/01 17:00
        Pause(vn(2025, 1, 8, 16)),  # Wed 08/01 16:00
        Resume(vn(2025, 1, 9, 8, 30)),  # Thu 09/01 08:30: waited Wed 1 h + Thu 1 h = 2 h
    ]
    state = apply_events(cal, base, events)
    # Thu 09/01 09:00 + 2 h → Thu 11:00.
    assert state.due_at == vn(2025, 1, 9, 11)
    # Mon 13/01 17:00 + 2 h → Tue 14/01/2025 07:30 + 2 h = 09:30.
    assert state.shown_due_at == vn(2025, 1, 14, 9, 30)
    assert (state.supplement_requests, state.extensions) == (1, 1)
    # Finished Fri 10/01: within the new appointment, yet late against the original due date.
    assert classify(cal, state.due_at, finished_at=vn(2025, 1, 10, 10)) is Timeliness.LATE
    # An extended dossier counts as late even when it finishes before the original due date
    # (Thu 09/01 10:00, before 11:00), and an unfinished one is judged by the original due.
    assert classify(cal, state.due_at, finished_at=vn(2025, 1, 9, 10), extensions=1) is Timeliness.LATE
    assert classify(cal, state.due_at, finished_at=vn(2025, 1, 9, 10)) is Timeliness.ON_TIME
    assert classify(cal, state.due_at, at=vn(2025, 1, 9, 10)) is Timeliness.WITHIN


def test_a_pause_open_during_an_extension_moves_the_new_date_only_after_it() -> None:
    cal = real_calendar()
    base = vn(2025, 1, 9, 9)  # Thu 09/01/2025 09:00
    events = [
        Pause(vn(2025, 1, 7, 10)),  # Tue 07/01 10:00
        Extend(vn(2025, 1, 7, 15), new_due=vn(2025, 1, 17, 17)),  # Tue 15:00: new date Fri 17/01 17:00
        Resume(vn(2025, 1, 8, 10)),  # Wed 08/01 10:00
    ]
    state = apply_events(cal, base, events)
    # Waited Tue 10:00–Wed 10:00 = 1.5 + 3.5 + 2.5 = 7.5 h → Thu 09:00 + 1 day = Fri 10/01 09:00.
    assert state.due_at == vn(2025, 1, 10, 9)
    # After the extension: Tue 15:00–17:00 2 h + Wed 2.5 h = 4.5 h; Fri 17/01 17:00 + 4.5 h →
    # Mon 20/01 07:30–11:30 4 h, 13:30 + 0.5 h → Mon 20/01/2025 14:00.
    assert state.shown_due_at == vn(2025, 1, 20, 14)


def test_two_supplement_requests_make_the_dossier_late() -> None:
    cal = real_calendar()
    base = vn(2025, 1, 9, 9)
    events = [
        Pause(vn(2025, 1, 6, 10)),
        Resume(vn(2025, 1, 6, 14)),
        Pause(vn(2025, 1, 7, 10)),
        Resume(vn(2025, 1, 7, 11)),
    ]
    state = apply_events(cal, base, events)
    assert state.supplement_requests == 2
    # Finished Tue 07/01, days before the due date: still late (QĐ 766 rule).
    finished = vn(2025, 1, 7, 15)
    assert classify(cal, state.due_at, finished_at=finished) is Timeliness.EARLY
    assert (
        classify(cal, state.due_at, finished_at=finished, supplement_requests=state.supplement_requests)
        is Timeliness.LATE
    )


def test_it_refuses_events_out_of_order_or_a_resume_without_a_pause() -> None:
    cal = real_calendar()
    base = vn(2025, 1, 9, 9)
    with pytest.raises(ValueError, match="thứ tự thời gian"):
        apply_events(cal, base, [Pause(vn(2025, 1, 7, 10)), Resume(vn(2025, 1, 6, 10))])
    with pytest.raises(ValueError, match="chưa có yêu cầu bổ sung"):
        apply_events(cal, base, [Resume(vn(2025, 1, 6, 10))])
    with pytest.raises(ValueError, match="đang chờ bổ sung"):
        apply_events(cal, base, [Pause(vn(2025, 1, 6, 10)), Pause(vn(2025, 1, 6, 11))])


# -- timeliness -------------------------------------------------------------------------------
DUE = vn(2025, 1, 9, 11)  # Thu 09/01/2025 11:00

CLASSIFY_FINISHED_CASES = [
    # Wed 08/01/2025 16:00: a day before the due day → early.
    (vn(2025, 1, 8, 16), Timeliness.EARLY),
    # Thu 09/01/2025 07:45, the due day before the due time → on time.
    (vn(2025, 1, 9, 7, 45), Timeliness.ON_TIME),
    # Thu 09/01/2025 11:00 exactly → on time.
    (vn(2025, 1, 9, 11), Timeliness.ON_TIME),
    # Thu 09/01/2025 11:01 → late.
    (vn(2025, 1, 9, 11, 1), Timeliness.LATE),
    # Wed 08/01/2025 23:00 UTC = Thu 09/01 06:00 in Hà Nội: the local date is the due day.
    (datetime(2025, 1, 8, 23, tzinfo=UTC), Timeliness.ON_TIME),
]


@pytest.mark.parametrize(("finished", "expected"), CLASSIFY_FINISHED_CASES)
def test_classify_finished(finished: datetime, expected: Timeliness) -> None:
    assert classify(real_calendar(), DUE, finished_at=finished) is expected


def test_classify_unfinished() -> None:
    cal = real_calendar()
    assert classify(cal, DUE, at=vn(2025, 1, 9, 11)) is Timeliness.WITHIN
    assert classify(cal, DUE, at=vn(2025, 1, 9, 11, 0, 1)) is Timeliness.OVERDUE
    with pytest.raises(ValueError, match="at"):
        classify(cal, DUE)


# -- remaining time ---------------------------------------------------------------------------
REMAINING_CASES = [
    # Mon 06/01/2025 08:00 → due Wed 08/01 11:00: Wed 08:00 is 2 days on, Wed 08:00–11:00 = 3 h.
    (vn(2025, 1, 6, 8), vn(2025, 1, 8, 11), "còn 2 ngày 3 giờ"),
    # Mon 06/01/2025 10:00 → due Wed 08/01 10:00: exactly 2 days.
    (vn(2025, 1, 6, 10), vn(2025, 1, 8, 10), "còn 2 ngày"),
    # Thu 09/01/2025 10:15 → due 11:00: 45 minutes.
    (vn(2025, 1, 9, 10, 15), vn(2025, 1, 9, 11), "còn 45 phút"),
    # Thu 09/01/2025 09:30 → due 14:00: 09:30–11:30 2 h + 13:30–14:00 0.5 h.
    (vn(2025, 1, 9, 9, 30), vn(2025, 1, 9, 14), "còn 2 giờ 30 phút"),
    # Exactly at the due instant.
    (vn(2025, 1, 9, 11), vn(2025, 1, 9, 11), "còn 0 phút"),
    # Sun 05/01/2025 20:00 → due Mon 06/01 17:00: the whole of Monday's working time is left.
    (vn(2025, 1, 5, 20), vn(2025, 1, 6, 17), "còn 1 ngày"),
    # Wed 12/03/2025 17:00 → due Fri 14/03 17:00: Thursday and Friday, as from 16:59 to 16:59.
    (vn(2025, 3, 12, 17), vn(2025, 3, 14, 17), "còn 2 ngày"),
    (vn(2025, 3, 12, 16, 59), vn(2025, 3, 14, 16, 59), "còn 2 ngày"),
    # Wed 12/03/2025 11:30 → due Thu 13/03 11:30: one day (the lunch break is no working time).
    (vn(2025, 3, 12, 11, 30), vn(2025, 3, 13, 11, 30), "còn 1 ngày"),
    # Due Thu 13/03/2025 17:00, now Mon 17/03 17:00: Friday and Monday have passed.
    (vn(2025, 3, 17, 17), vn(2025, 3, 13, 17), "quá hạn 2 ngày"),
    # Due Fri 14/03/2025 17:00, now Mon 17/03 16:00: Monday 07:30–16:00 = 7.5 h − 1 h.
    (vn(2025, 3, 17, 16), vn(2025, 3, 14, 17), "quá hạn 6 giờ 30 phút"),
    # Tết: Fri 24/01/2025 16:00 → due Mon 03/02 17:00: Mon 03/02 16:00 is 1 day on, then 1 h.
    (vn(2025, 1, 24, 16), vn(2025, 2, 3, 17), "còn 1 ngày 1 giờ"),
    # Due Thu 09/01/2025 09:00, now Fri 10/01 15:00: Fri 09:00 is 1 day on, then 2.5 h + 1.5 h.
    (vn(2025, 1, 10, 15), vn(2025, 1, 9, 9), "quá hạn 1 ngày 4 giờ"),
    # Due Thu 09/01/2025 09:00, now Thu 15:00: 2.5 h + 1.5 h.
    (vn(2025, 1, 9, 15), vn(2025, 1, 9, 9), "quá hạn 4 giờ"),
    # Due Fri 10/01/2025 17:00, now Sat 11/01 10:00: no working time has passed, still overdue.
    (vn(2025, 1, 11, 10), vn(2025, 1, 10, 17), "quá hạn 1 phút"),
]


@pytest.mark.parametrize(("now", "due", "expected"), REMAINING_CASES)
def test_format_remaining(now: datetime, due: datetime, expected: str) -> None:
    assert format_remaining(real_calendar(), now, due) == expected


# -- properties -------------------------------------------------------------------------------
PROPS = settings(max_examples=200, deadline=None)

instants = st.datetimes(
    min_value=datetime(2019, 1, 1),  # hypothesis takes naive bounds and adds the zone
    max_value=datetime(2026, 12, 31, 23, 59),
    timezones=st.sampled_from([VN_TZ, UTC]),
)
limits = st.one_of(
    st.builds(Limit, st.integers(0, 60), st.just(Unit.WORKING_DAYS)),
    st.builds(Limit, st.integers(0, 90), st.just(Unit.CALENDAR_DAYS)),
    st.builds(Limit, st.integers(0, 100), st.just(Unit.WORKING_HOURS)),
    st.builds(Limit, st.just(0), st.just(Unit.SAME_DAY), st.sampled_from([None, time(15), time(11)])),
)


def _in_session_or_at_its_end(cal: WorkCalendar, instant: datetime) -> bool:
    local = instant.astimezone(cal.tz)
    return any(s <= local.time() <= e for s, e in cal.sessions_on(local.date()))


@PROPS
@given(received=instants, limit=limits)
def test_due_is_never_before_receipt_and_lies_in_working_hours(received: datetime, limit: Limit) -> None:
    cal = real_calendar()
    due = compute_due(cal, received, limit)
    assert due >= received
    assert _in_session_or_at_its_end(cal, due)
    assert due_at(cal, received, limit).at == due


@PROPS
@given(start=instants, n=st.integers(0, 40), m=st.integers(0, 40))
def test_adding_working_days_composes(start: datetime, n: int, m: int) -> None:
    cal = real_calendar()
    assert add_working_days(cal, add_working_days(cal, start, n), m) == add_working_days(cal, start, n + m)


@PROPS
@given(received=instants, n=st.integers(0, 60))
def test_a_working_day_limit_is_n_full_working_days(received: datetime, n: int) -> None:
    # Every working day of the real calendar has the same sessions (make-up Saturdays use
    # Monday's), and normalising always yields a clock time inside a session (lunch → 13:30,
    # after closing → 07:30), which therefore exists on every working day: the due date is
    # exactly n working days of 7.5 h after the normalised receipt, whatever the clock time.
    cal = real_calendar()
    due = compute_due(cal, received, Limit(n, Unit.WORKING_DAYS))
    assert working_time_between(cal, normalise(cal, received), due) == n * DAY


@PROPS
@given(received=instants, hours=st.integers(0, 200))
def test_a_working_hour_limit_is_that_much_working_time(received: datetime, hours: int) -> None:
    cal = real_calendar()
    due = compute_due(cal, received, Limit(hours, Unit.WORKING_HOURS))
    assert working_time_between(cal, normalise(cal, received), due) == timedelta(hours=hours)


@PROPS
@given(a=instants, b=instants)
def test_adding_the_working_time_between_two_instants_reaches_the_later_one(a: datetime, b: datetime) -> None:
    # The walker stops as soon as the amount is used up, so when the target is a session start
    # it may stop at the end of the session before it (Wed 17:00 rather than Thu 07:30): both
    # have the same working time behind them, and normalising the result gives the target.
    cal = real_calendar()
    a, b = min(a, b), max(a, b)
    target = normalise(cal, b)
    if target > normalise(cal, a):
        got = add_working_time(cal, a, working_time_between(cal, a, target))
        assert normalise(cal, got) == target
        assert working_time_between(cal, got, target) == timedelta(0)


RANK = {Timeliness.EARLY: 0, Timeliness.ON_TIME: 1, Timeliness.LATE: 2}


@PROPS
@given(due=instants, f1=instants, f2=instants, requests=st.integers(0, 3))
def test_classify_is_monotone_in_the_finish_time(due: datetime, f1: datetime, f2: datetime, requests: int) -> None:
    cal = real_calendar()
    f1, f2 = min(f1, f2), max(f1, f2)
    r1 = classify(cal, due, finished_at=f1, supplement_requests=requests)
    r2 = classify(cal, due, finished_at=f2, supplement_requests=requests)
    assert RANK[r1] <= RANK[r2]


@PROPS
@given(now=instants, due=instants)
def test_remaining_time_reads_as_remaining_or_overdue(now: datetime, due: datetime) -> None:
    text = format_remaining(real_calendar(), now, due)
    assert text.startswith("còn " if now <= due else "quá hạn ")
    assert "đến hạn" not in text
