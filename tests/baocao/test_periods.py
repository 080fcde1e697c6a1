"""Report periods: Nghị định 09/2019 cut-offs, calendar periods, custom ranges, last year's period."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from baocao import periods
from baocao.periods import Period, custom, parse_period
from hoso.workcalendar import VN_TZ


@pytest.mark.parametrize(
    ("period", "start", "end", "label"),
    [
        (
            periods.decree_half_year(2025, 1),
            date(2024, 12, 15),
            date(2025, 6, 14),
            "6 tháng đầu năm 2025 (15/12/2024 – 14/06/2025)",
        ),
        (
            periods.decree_half_year(2025, 2),
            date(2025, 6, 15),
            date(2025, 12, 14),
            "6 tháng cuối năm 2025 (15/06/2025 – 14/12/2025)",
        ),
        (periods.decree_year(2025), date(2024, 12, 15), date(2025, 12, 14), "Năm 2025 (15/12/2024 – 14/12/2025)"),
        (
            periods.decree_quarter(2025, 1),
            date(2024, 12, 15),
            date(2025, 3, 14),
            "Quý I năm 2025 (15/12/2024 – 14/03/2025)",
        ),
        (
            periods.decree_quarter(2025, 3),
            date(2025, 6, 15),
            date(2025, 9, 14),
            "Quý III năm 2025 (15/06/2025 – 14/09/2025)",
        ),
        (
            periods.decree_month(2025, 1),
            date(2024, 12, 15),
            date(2025, 1, 14),
            "Tháng 1 năm 2025 (15/12/2024 – 14/01/2025)",
        ),
        (
            periods.decree_month(2024, 3),
            date(2024, 2, 15),
            date(2024, 3, 14),
            "Tháng 3 năm 2024 (15/02/2024 – 14/03/2024)",
        ),
        (
            periods.calendar_half_year(2020, 1),
            date(2020, 1, 1),
            date(2020, 6, 30),
            "6 tháng đầu năm 2020 (01/01/2020 – 30/06/2020)",
        ),
        (
            periods.calendar_half_year(2020, 2),
            date(2020, 7, 1),
            date(2020, 12, 31),
            "6 tháng cuối năm 2020 (01/07/2020 – 31/12/2020)",
        ),
        (periods.calendar_year(2024), date(2024, 1, 1), date(2024, 12, 31), "Năm 2024 (01/01/2024 – 31/12/2024)"),
        (
            periods.calendar_quarter(2024, 1),
            date(2024, 1, 1),
            date(2024, 3, 31),
            "Quý I năm 2024 (01/01/2024 – 31/03/2024)",
        ),
        (
            periods.calendar_quarter(2024, 4),
            date(2024, 10, 1),
            date(2024, 12, 31),
            "Quý IV năm 2024 (01/10/2024 – 31/12/2024)",
        ),
        (
            periods.calendar_month(2024, 2),
            date(2024, 2, 1),
            date(2024, 2, 29),
            "Tháng 2 năm 2024 (01/02/2024 – 29/02/2024)",
        ),
        (
            periods.calendar_month(2025, 12),
            date(2025, 12, 1),
            date(2025, 12, 31),
            "Tháng 12 năm 2025 (01/12/2025 – 31/12/2025)",
        ),
        (
            custom(date(2020, 1, 1), date(2020, 6, 30)),
            date(2020, 1, 1),
            date(2020, 6, 30),
            "Từ ngày 01/01/2020 đến ngày 30/06/2020",
        ),
        (
            custom(date(2025, 3, 3), date(2025, 3, 3)),
            date(2025, 3, 3),
            date(2025, 3, 3),
            "Từ ngày 03/03/2025 đến ngày 03/03/2025",
        ),
    ],
)
def test_each_period_has_its_dates_and_vietnamese_label(period, start, end, label):
    assert (period.start, period.end, period.label) == (start, end, label)


def test_bounds_cover_whole_days_in_vietnam_time():
    start, end = periods.calendar_half_year(2020, 1).bounds()
    assert start == datetime(2020, 1, 1, 0, 0, tzinfo=VN_TZ)
    assert end == datetime(2020, 6, 30, 23, 59, 59, 999999, tzinfo=VN_TZ)
    # 00:00 in Hà Nội is 17:00 UTC the day before.
    assert start.utcoffset().total_seconds() == 7 * 3600
    assert end.time() == time.max


def test_last_year_is_the_same_period_a_year_earlier():
    assert periods.decree_half_year(2025, 1).previous_year() == periods.decree_half_year(2024, 1)
    assert periods.decree_quarter(2025, 1).previous_year().start == date(2023, 12, 15)
    # A named February keeps its whole month; a custom range turns 29/02 into 28/02.
    assert periods.calendar_month(2025, 2).previous_year().end == date(2024, 2, 29)
    assert periods.calendar_month(2024, 2).previous_year().end == date(2023, 2, 28)
    leap = custom(date(2024, 2, 29), date(2024, 2, 29)).previous_year()
    assert (leap.start, leap.end, leap.label) == (
        date(2023, 2, 28),
        date(2023, 2, 28),
        "Từ ngày 28/02/2023 đến ngày 28/02/2023",
    )
    assert custom(date(2020, 1, 1), date(2020, 6, 30)).previous_year() == custom(date(2019, 1, 1), date(2019, 6, 30))


def test_a_period_built_by_hand_still_works():
    period = Period(date(2025, 1, 1), date(2025, 1, 31), "Tháng đầu năm")
    assert period.previous_year().start == date(2024, 1, 1)


def test_a_custom_range_ending_before_it_starts_is_refused_in_vietnamese():
    with pytest.raises(ValueError, match=r"Ngày kết thúc \(31/12/2024\) không được trước ngày bắt đầu \(01/01/2025\)"):
        custom(date(2025, 1, 1), date(2024, 12, 31))


def test_parse_period_reads_form_and_command_input():
    assert parse_period("decree_half_year", "2025", "1") == periods.decree_half_year(2025, 1)
    assert parse_period("calendar_year", 2024) == periods.calendar_year(2024)
    assert parse_period("decree_month", 2025, 5).label == "Tháng 5 năm 2025 (15/04/2025 – 14/05/2025)"
    with pytest.raises(ValueError, match="Loại kỳ báo cáo không hợp lệ"):
        parse_period("week", 2025, 1)
    with pytest.raises(ValueError, match="Quý phải từ 1 đến 4"):
        parse_period("decree_quarter", 2025, 5)
    with pytest.raises(ValueError, match="Tháng phải từ 1 đến 12"):
        parse_period("calendar_month", 2025, 13)
    with pytest.raises(ValueError, match="Cần số thứ tự kỳ"):
        parse_period("calendar_half_year", 2025)
    with pytest.raises(ValueError, match="không có số thứ tự kỳ"):
        parse_period("decree_year", 2025, 1)
    with pytest.raises(ValueError, match="Năm không hợp lệ"):
        parse_period("calendar_year", "năm nay")


def test_the_instant_of_provisional_figures_is_said_in_vietnam_time_the_one_way():
    assert periods.counted_until_text(datetime(2026, 12, 5, 3, 15, tzinfo=UTC)) == "tính đến 10:15 ngày 05/12/2026"
    assert periods.counted_until_text(datetime(2026, 1, 2, 0, 5, tzinfo=VN_TZ)) == "tính đến 00:05 ngày 02/01/2026"
