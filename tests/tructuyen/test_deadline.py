"""The intake deadline of an online dossier (8 working hours), on the official calendar.

Every expected value was worked out by hand from data/holidays_vn.csv and the default sessions
07:30–11:30, 13:30–17:00 (4 h + 3 h 30 a day); the comment on each case names the weekdays.
"""

from __future__ import annotations

import csv
from datetime import datetime, time
from functools import cache
from pathlib import Path

import pytest

from hoso.workcalendar import VN_TZ, WorkCalendar
from tructuyen.deadline import intake_due

CSV_PATH = Path(__file__).resolve().parents[2] / "data" / "holidays_vn.csv"


@cache
def official() -> WorkCalendar:
    with CSV_PATH.open(encoding="utf-8", newline="") as f:
        return WorkCalendar.from_rows(tuple((r["date"], r["kind"], r["name"]) for r in csv.DictReader(f)))


def vn(y: int, m: int, d: int, hh: int = 0, mm: int = 0) -> datetime:
    return datetime(y, m, d, hh, mm, tzinfo=VN_TZ)


CASES = [
    # Friday 04/12/2026 16:00: 1 h on Friday, Monday 07/12 4 h in the morning, 3 h after lunch.
    ("friday_afternoon", vn(2026, 12, 4, 16), vn(2026, 12, 7, 16, 30)),
    # Monday 07/12/2026 08:00: 3 h 30 + 3 h 30 on Monday, 1 h on Tuesday 08/12.
    ("monday_morning", vn(2026, 12, 7, 8), vn(2026, 12, 8, 8, 30)),
    # Monday 07/12/2026 07:30 sharp: the whole day (7 h 30), then 30 min on Tuesday.
    ("session_start", vn(2026, 12, 7, 7, 30), vn(2026, 12, 8, 8)),
    # Monday 07/12/2026 12:00 (lunch): counts from 13:30, 3 h 30 Monday, 4 h + 30 min Tuesday.
    ("lunch_break", vn(2026, 12, 7, 12), vn(2026, 12, 8, 14)),
    # Tuesday 08/12/2026 18:00 (after hours): Wednesday 09/12 whole (7 h 30), Thursday 10/12 30 min.
    ("after_hours", vn(2026, 12, 8, 18), vn(2026, 12, 10, 8)),
    # Saturday 05/12/2026 10:00 (no Saturday session): Monday 07/12 whole, Tuesday 08/12 30 min.
    ("weekend", vn(2026, 12, 5, 10), vn(2026, 12, 8, 8)),
    # Friday 13/02/2026 15:00, Tết Bính Ngọ 14–22/02: 2 h Friday, Monday 23/02 4 h + 2 h.
    ("tet_2026", vn(2026, 2, 13, 15), vn(2026, 2, 23, 15, 30)),
    # Tuesday 29/04/2025 16:00, 30/4–1/5 holidays 30/04–04/05: 1 h Tuesday, Monday 05/05 4 h + 3 h.
    ("thirty_april_2025", vn(2025, 4, 29, 16), vn(2025, 5, 5, 16, 30)),
    # Thursday 01/05/2025 10:00, a holiday: counts from Monday 05/05 07:30, whole day, Tuesday 30 min.
    ("on_a_holiday", vn(2025, 5, 1, 10), vn(2025, 5, 6, 8)),
    # Friday 25/04/2025 16:00; Saturday 26/04 is a make-up working day: 1 h Friday, 7 h Saturday.
    ("makeup_saturday", vn(2025, 4, 25, 16), vn(2025, 4, 26, 16, 30)),
    # Friday 04/04/2025 16:00; Giỗ Tổ 05–07/04 (Saturday–Monday): Tuesday 08/04 4 h + 3 h.
    ("hung_kings_2025", vn(2025, 4, 4, 16), vn(2025, 4, 8, 16, 30)),
    # Wednesday 31/12/2025 17:00 (closing time): Tết Dương lịch Thursday 01/01 – Sunday 04/01/2026,
    # so Monday 05/01/2026 whole day, Tuesday 06/01 30 min.
    ("new_year_2026", vn(2025, 12, 31, 17), vn(2026, 1, 6, 8)),
]


@pytest.mark.parametrize(("name", "submitted", "expected"), CASES, ids=[c[0] for c in CASES])
def test_the_intake_deadline_is_eight_working_hours_later(name: str, submitted: datetime, expected: datetime) -> None:
    assert intake_due(official(), submitted) == expected


def test_a_ward_open_on_saturday_morning_counts_it() -> None:
    # Friday 04/12/2026 16:00, the ward also opens Saturday 07:30–11:30: 1 h + 4 h, Monday 07/12 3 h.
    cal = WorkCalendar(
        weekly={
            **{wd: [(time(7, 30), time(11, 30)), (time(13, 30), time(17))] for wd in range(5)},
            5: [(time(7, 30), time(11, 30))],
        }
    )
    assert intake_due(cal, vn(2026, 12, 4, 16)) == vn(2026, 12, 7, 10, 30)
