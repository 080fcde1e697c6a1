"""The agency calendar from the database: official data, caching, edits, the due_date command."""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime, time

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.urls import reverse

from hoso.calendar_store import calendar_for, invalidate_calendars
from hoso.constants import CalendarDayKind
from hoso.models import CalendarDay, WorkingSession
from hoso.workcalendar import VN_TZ, Limit, Unit, compute_due
from motcua.demo import load_demo, load_holidays
from thutuc.constants import TimeUnit
from thutuc.models import AgencyProcedure, Procedure

pytestmark = pytest.mark.django_db
HOLIDAYS_CSV = settings.MOTCUA_DATA_DIR / "holidays_vn.csv"


def due_json(*args: str) -> dict:
    out = io.StringIO()
    call_command("due_date", *args, "--json", stdout=out)
    return json.loads(out.getvalue())


@pytest.fixture
def demo():
    agency, _ = load_demo()
    return agency


def test_every_official_day_off_is_off_and_every_makeup_saturday_works_for_the_demo_ward(demo):
    calendar = calendar_for(demo.pk)
    with HOLIDAYS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 170
    for row in rows:
        day = date.fromisoformat(row["date"])
        assert calendar.is_working_day(day) == (row["kind"] == "makeup_workday"), row


def test_the_shipped_holiday_file_is_complete_and_sourced():
    # The repository's own copy is the reference (no file outside the checkout is needed): every
    # row dated once, named and sourced; every make-up working day a Saturday; 1 January of each
    # year 2019–2026 listed, which is what marks a year as officially loaded.
    with HOLIDAYS_CSV.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    days = [date.fromisoformat(row["date"]) for row in rows]
    assert len(set(days)) == len(days) == 170
    assert all(row["name"].strip() and row["source_url"].startswith(("https://", "http://")) for row in rows)
    assert {row["kind"] for row in rows} == {"holiday", "makeup_workday"}
    assert all(day.weekday() == 5 for day, row in zip(days, rows, strict=True) if row["kind"] == "makeup_workday")
    assert all(date(year, 1, 1) in days for year in range(2019, 2027))


def test_due_date_counts_the_makeup_saturday_of_april_2025(demo):
    # Fri 25/04/2025 10:00 + 3 working days: Sat 26/04 (make-up), Mon 28/04, Tue 29/04.
    result = due_json("--received", "2025-04-25 10:00", "--days", "3")
    assert result["due_at"] == "2025-04-29T10:00:00+07:00"
    assert any("26/04/2025 là ngày làm bù" in step for step in result["explanation"])


def test_due_date_skips_the_30_april_to_4_may_2025_block(demo):
    # Tue 29/04/2025 10:00 + 3: Wed 30/04–Sun 04/05 off, so Mon 05/05, Tue 06/05, Wed 07/05.
    result = due_json("--received", "2025-04-29 10:00", "--days", "3")
    assert result["due_at"] == "2025-05-07T10:00:00+07:00"
    assert any("30/04/2025–04/05/2025 là ngày nghỉ" in step for step in result["explanation"])
    assert result["explanation"][-1] == "Hạn trả kết quả: 10 giờ 00 phút, thứ Tư, 07/05/2025."


def test_a_same_day_certification_after_the_cutoff_is_due_at_the_end_of_the_next_working_day(demo):
    # 2.000815 (chứng thực, cut-off 15:00) received Fri 24/01/2025 16:20; Tết 25/01–02/02 → Mon 03/02 17:00.
    result = due_json("--received", "2025-01-24 16:20", "--procedure", "2.000815")
    assert result["due_at"] == "2025-02-03T17:00:00+07:00"
    assert result["limit"] == {"value": 0, "unit": "same_day", "cutoff": "15:00"}
    # Fri 15:30 on an ordinary week (Fri 07/03/2025) → Mon 10/03/2025 17:00.
    assert (
        due_json("--received", "2025-03-07 15:30", "--procedure", "2.000815")["due_at"] == "2025-03-10T17:00:00+07:00"
    )


def test_the_ward_override_of_a_limit_is_used(demo):
    procedure = Procedure.objects.get(code="1.001731")  # 3 working days nationally
    AgencyProcedure.objects.filter(agency=demo, procedure=procedure).update(
        time_limit_value=2, time_limit_unit=TimeUnit.WORKING_DAYS
    )
    # Mon 03/03/2025 09:00 + 2 working days → Wed 05/03/2025 09:00.
    assert (
        due_json("--received", "2025-03-03 09:00", "--procedure", "1.001731")["due_at"] == "2025-03-05T09:00:00+07:00"
    )


def test_a_procedure_without_a_computable_limit_is_explained(demo):
    code = Procedure.objects.filter(time_limit_unit="").values_list("code", flat=True).first()
    with pytest.raises(CommandError, match="không có thời hạn tính được"):
        call_command("due_date", "--received", "2025-03-03 09:00", "--procedure", code)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--received", "24/01/2025", "--days", "3"], "không đúng dạng"),
        (["--received", "2025-01-24 10:00", "--days", "-1"], "không được âm"),
        (["--received", "2025-01-24 10:00", "--days", "0", "--unit", "same_day", "--cutoff", "3pm"], "HH:MM"),
        (["--received", "2025-01-24 10:00", "--procedure", "9.999999"], "Không có thủ tục"),
        (["--agency", "000.99.99.H99", "--received", "2025-01-24 10:00", "--days", "1"], "Không có cơ quan"),
    ],
)
def test_due_date_refuses_bad_input_in_vietnamese(demo, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("due_date", *args)


def test_the_agency_is_required_when_there_are_several(demo, other_agency):
    with pytest.raises(CommandError, match="Có nhiều cơ quan"):
        call_command("due_date", "--received", "2025-01-24 10:00", "--days", "1")
    result = due_json("--agency", other_agency.code, "--received", "2025-01-24 10:00", "--days", "1")
    assert result["due_at"] == "2025-02-03T10:00:00+07:00"  # Fri 24/01 + 1 working day, after Tết


def test_a_year_without_official_data_falls_back_and_says_so(demo):
    # 2027 has no official table: the `holidays` package gives Tết 2027 (06/02 = mùng 1).
    result = due_json("--received", "2027-02-03 10:00", "--days", "3")
    assert result["unconfirmed_years"] == [2027]
    assert any("chưa có thông báo chính thức" in step for step in result["explanation"])
    assert due_json("--received", "2025-03-03 09:00", "--days", "1")["unconfirmed_years"] == []


def test_fallback_years_name_their_holidays_and_reach_far_ahead(demo):
    # Tết 2036 (27/01–01/02 by the package): Fri 25/01/2036 + 3 working days skips it.
    result = due_json("--received", "2036-01-25 10:00", "--days", "3")
    assert result["due_at"] == "2036-02-06T10:00:00+07:00"
    assert result["unconfirmed_years"] == [2036]
    assert (
        "27/01/2036–01/02/2036 là ngày nghỉ (Tết Nguyên đán năm 2036, dự kiến, chưa có thông báo chính thức)."
        in result["explanation"]
    )


def test_a_cutoff_only_goes_with_a_same_day_limit(demo):
    with pytest.raises(CommandError, match="chỉ dùng cho thủ tục trong ngày"):
        call_command("due_date", "--received", "2025-10-24 15:00", "--days", "3", "--cutoff", "15:00")


def test_the_admin_warns_about_unconfirmed_years(client, demo, django_user_model, time_machine):
    time_machine.move_to(datetime(2027, 3, 1, 9, 0, tzinfo=VN_TZ))
    admin = django_user_model.objects.create_superuser("root", "root@example.vn", "x-long-password-1")
    client.force_login(admin)
    html = client.get(reverse("admin:hoso_calendarday_changelist")).content.decode()
    assert "Năm 2027 chưa có lịch nghỉ lễ chính thức" in html


def test_computing_due_dates_costs_no_query_once_the_calendar_is_built(demo, django_assert_num_queries):
    calendar_for(demo.pk)
    received = datetime(2025, 3, 3, 9, 0, tzinfo=VN_TZ)
    with django_assert_num_queries(0):
        for n in range(50):
            compute_due(calendar_for(demo.pk), received, Limit(n, Unit.WORKING_DAYS))


def test_an_edit_through_the_admin_reaches_the_next_due_date(
    client, demo, ward_admin, django_capture_on_commit_callbacks
):
    ward_admin.agency = demo
    ward_admin.save(update_fields=["agency"])
    received = datetime(2025, 3, 3, 9, 0, tzinfo=VN_TZ)  # Mon
    limit = Limit(1, Unit.WORKING_DAYS)
    assert compute_due(calendar_for(demo.pk), received, limit) == datetime(2025, 3, 4, 9, 0, tzinfo=VN_TZ)
    client.force_login(ward_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:hoso_calendarday_add"),
            {
                "date": "2025-03-04",
                "kind": CalendarDayKind.HOLIDAY,
                "name": "Ngày nghỉ riêng của phường",
                "source_url": "",
            },
        )
    assert response.status_code == 302
    assert CalendarDay.objects.get(date=date(2025, 3, 4)).agency == demo  # a ward edits only its own calendar
    assert compute_due(calendar_for(demo.pk), received, limit) == datetime(2025, 3, 5, 9, 0, tzinfo=VN_TZ)
    # The other wards keep the national calendar.
    assert compute_due(calendar_for(None), received, limit) == datetime(2025, 3, 4, 9, 0, tzinfo=VN_TZ)


def test_a_ward_open_on_saturday_morning_counts_it(demo):
    for weekday in range(5):
        WorkingSession.objects.create(agency=demo, weekday=weekday, start=time(7, 30), end=time(11, 30))
        WorkingSession.objects.create(agency=demo, weekday=weekday, start=time(13, 30), end=time(17, 0))
    WorkingSession.objects.create(agency=demo, weekday=5, start=time(7, 30), end=time(11, 30))
    # Fri 07/03/2025 10:00 + 1 working day → Sat 08/03/2025 10:00 (open in the morning).
    received = datetime(2025, 3, 7, 10, 0, tzinfo=VN_TZ)
    assert compute_due(calendar_for(demo.pk), received, Limit(1, Unit.WORKING_DAYS)) == datetime(
        2025, 3, 8, 10, 0, tzinfo=VN_TZ
    )
    # Received Sat 08/03 at 14:00 (closed): counted from Mon 10/03 07:30; same-day → Mon 17:00.
    saturday = datetime(2025, 3, 8, 14, 0, tzinfo=VN_TZ)
    assert compute_due(calendar_for(demo.pk), saturday, Limit(0, Unit.SAME_DAY)) == datetime(
        2025, 3, 10, 17, 0, tzinfo=VN_TZ
    )


def test_declaring_only_saturday_morning_adds_it_to_the_default_week(demo):
    # What a ward admin does first: add "Thứ Bảy 07:30–11:30" and nothing else.
    WorkingSession.objects.create(agency=demo, weekday=5, start=time(7, 30), end=time(11, 30))
    calendar = calendar_for(demo.pk)
    # Tue 24/11/2026 10:00 + 1 working day → Wed 25/11/2026 10:00: Monday–Friday still work.
    tuesday = datetime(2026, 11, 24, 10, 0, tzinfo=VN_TZ)
    assert compute_due(calendar, tuesday, Limit(1, Unit.WORKING_DAYS)) == datetime(2026, 11, 25, 10, 0, tzinfo=VN_TZ)
    # Fri 27/11/2026 10:00 + 1 working day → Sat 28/11/2026 10:00 (open in the morning).
    friday = datetime(2026, 11, 27, 10, 0, tzinfo=VN_TZ)
    assert compute_due(calendar, friday, Limit(1, Unit.WORKING_DAYS)) == datetime(2026, 11, 28, 10, 0, tzinfo=VN_TZ)


def test_a_weekday_declared_with_the_morning_only_closes_its_afternoon(demo):
    WorkingSession.objects.create(agency=demo, weekday=4, start=time(7, 30), end=time(11, 30))  # Friday
    # Received Fri 27/11/2026 14:00 (closed): counted from Mon 30/11 07:30; same day → Mon 17:00.
    friday = datetime(2026, 11, 27, 14, 0, tzinfo=VN_TZ)
    assert compute_due(calendar_for(demo.pk), friday, Limit(0, Unit.SAME_DAY)) == datetime(
        2026, 11, 30, 17, 0, tzinfo=VN_TZ
    )


def test_an_edit_made_through_the_orm_alone_reaches_the_next_calendar(demo):
    # A shell edit: no admin, no import, no explicit invalidation; the model signals suffice.
    tuesday = date(2025, 3, 4)  # Tue 04/03/2025, an ordinary working day
    assert calendar_for(demo.pk).is_working_day(tuesday)  # built and cached
    day = CalendarDay.objects.create(date=tuesday, kind=CalendarDayKind.HOLIDAY, name="Nghỉ đột xuất")
    assert not calendar_for(demo.pk).is_working_day(tuesday)
    assert calendar_for(None).holidays[tuesday] == "Nghỉ đột xuất"
    day.name = "Nghỉ đột xuất – đổi tên"
    day.save(update_fields=["name"])
    assert calendar_for(None).holidays[tuesday] == "Nghỉ đột xuất – đổi tên"
    day.delete()
    assert calendar_for(demo.pk).is_working_day(tuesday)


def test_a_session_deleted_through_the_orm_closes_the_day_at_once(demo):
    saturday = date(2025, 3, 8)  # Sat 08/03/2025
    session = WorkingSession.objects.create(agency=demo, weekday=5, start=time(7, 30), end=time(11, 30))
    assert calendar_for(demo.pk).is_working_day(saturday)
    session.delete()
    assert not calendar_for(demo.pk).is_working_day(saturday)


def test_an_edit_is_announced_again_when_its_transaction_commits(demo, django_capture_on_commit_callbacks):
    # Another process may rebuild from the old rows before the commit: the token changes again then.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        CalendarDay.objects.create(date=date(2025, 3, 4), kind=CalendarDayKind.HOLIDAY, name="Nghỉ đột xuất")
    assert invalidate_calendars in callbacks


def test_import_holidays_twice_changes_nothing_and_a_bad_file_writes_nothing(tmp_path):
    load_holidays()
    out = io.StringIO()
    call_command("import_holidays", str(HOLIDAYS_CSV), stdout=out)
    assert out.getvalue().strip() == "Tạo mới: 0, cập nhật: 0, không đổi: 170, bị từ chối: 0."
    bad = tmp_path / "lich.csv"
    bad.write_text(
        "date,kind,name,source_url\n2027-01-01,holiday,Tết Dương lịch 2027,\n"
        "2027-13-01,holiday,Sai tháng,\n2027-01-02,day_off,Sai loại,\n2027-01-01,holiday,Trùng,\n",
        encoding="utf-8",
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 dòng không hợp lệ"):
        call_command("import_holidays", str(bad), stderr=err)
    assert "Dòng 3" in err.getvalue() and "Dòng 4" in err.getvalue() and "trùng với dòng 2" in err.getvalue()
    assert not CalendarDay.objects.filter(date__year=2027).exists()
