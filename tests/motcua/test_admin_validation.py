"""Admin input validation (issue 10.7): duplicates and bad values are Vietnamese form errors, never a 500."""

from __future__ import annotations

from datetime import date, time

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import models
from django.urls import reverse

from hoso.constants import CalendarDayKind
from hoso.models import CalendarDay, SurveyCriterion, WorkingSession
from motcua.models import Agency
from tests.adminforms import page_data
from tests.factories import AgencyProcedureFactory, ProcedureFactory, UserFactory
from thutuc.models import AgencyProcedure

pytestmark = pytest.mark.django_db

OUR_APPS = ("motcua", "thutuc", "hoso", "baocao")


@pytest.fixture
def superuser(db):
    return UserFactory(agency=None, username="tinh", is_superuser=True, is_staff=True)


def _errors(response) -> str:
    assert response.status_code == 200, "the form must come back with its errors"
    return response.content.decode()


# -- every constraint speaks Vietnamese -------------------------------------------------------------
def test_every_database_constraint_has_a_vietnamese_violation_message():
    for model in apps.get_models():
        if model._meta.app_label not in OUR_APPS:
            continue
        for constraint in model._meta.constraints:
            message = str(constraint.violation_error_message)
            assert message != str(constraint.default_violation_error_message), constraint.name
            assert not message.isascii(), constraint.name


def test_full_clean_reports_a_check_constraint_in_vietnamese(agency):
    session = WorkingSession(agency=agency, weekday=0, start=time(11), end=time(8))
    with pytest.raises(ValidationError) as raised:
        session.full_clean()
    assert "Giờ kết thúc buổi làm việc phải sau giờ bắt đầu." in str(raised.value)


def test_full_clean_reports_a_unique_constraint_in_vietnamese(agency):
    WorkingSession.objects.create(agency=agency, weekday=5, start=time(7, 30), end=time(11, 30))
    duplicate = WorkingSession(agency=agency, weekday=5, start=time(7, 30), end=time(11))
    with pytest.raises(ValidationError) as raised:
        duplicate.full_clean()
    assert "Đã có buổi làm việc bắt đầu giờ này vào thứ này" in str(raised.value)


# -- duplicates in the standalone forms -------------------------------------------------------------
def test_a_ward_admin_adding_a_duplicate_session_gets_a_form_error(client, ward_admin, agency):
    WorkingSession.objects.create(agency=agency, weekday=5, start=time(7, 30), end=time(11, 30))
    client.force_login(ward_admin)
    response = client.post(reverse("admin:hoso_workingsession_add"), {"weekday": 5, "start": "07:30", "end": "11:00"})
    assert "Đã có buổi làm việc bắt đầu giờ này vào thứ này" in _errors(response)
    assert WorkingSession.objects.filter(agency=agency).count() == 1


def test_a_ward_admin_adding_an_overlapping_session_gets_a_form_error(client, ward_admin, agency):
    WorkingSession.objects.create(agency=agency, weekday=5, start=time(7, 30), end=time(11, 30))
    client.force_login(ward_admin)
    response = client.post(reverse("admin:hoso_workingsession_add"), {"weekday": 5, "start": "08:00", "end": "12:00"})
    assert "trùng giờ với buổi 07:30–11:30" in _errors(response)
    assert WorkingSession.objects.filter(agency=agency).count() == 1


def test_a_session_ending_before_it_starts_is_refused_on_its_end_field(client, ward_admin, agency):
    client.force_login(ward_admin)
    response = client.post(reverse("admin:hoso_workingsession_add"), {"weekday": 5, "start": "11:00", "end": "07:00"})
    assert "Giờ kết thúc buổi làm việc phải sau giờ bắt đầu." in _errors(response)
    assert not WorkingSession.objects.exists()


def test_a_ward_admin_adding_a_duplicate_calendar_day_gets_a_form_error(client, ward_admin, agency):
    CalendarDay.objects.create(agency=agency, date=date(2026, 9, 3), kind=CalendarDayKind.HOLIDAY, name="Nghỉ riêng")
    client.force_login(ward_admin)
    response = client.post(
        reverse("admin:hoso_calendarday_add"),
        {"date": "03/09/2026", "kind": CalendarDayKind.HOLIDAY, "name": "Nghỉ lần hai"},
    )
    assert "Cơ quan đã khai báo ngày này" in _errors(response)
    assert CalendarDay.objects.filter(agency=agency).count() == 1


def test_a_superuser_adding_a_duplicate_national_day_gets_a_form_error(client, superuser):
    CalendarDay.objects.create(agency=None, date=date(2026, 9, 2), kind=CalendarDayKind.HOLIDAY, name="Quốc khánh")
    client.force_login(superuser)
    response = client.post(
        reverse("admin:hoso_calendarday_add"),
        {"agency": "", "date": "02/09/2026", "kind": CalendarDayKind.HOLIDAY, "name": "Quốc khánh"},
    )
    assert "Lịch toàn quốc đã có ngày này" in _errors(response)
    assert CalendarDay.objects.count() == 1


def test_a_ward_admin_offering_a_procedure_twice_gets_a_form_error(client, ward_admin, agency):
    offer = AgencyProcedureFactory(agency=agency)
    client.force_login(ward_admin)
    response = client.post(
        reverse("admin:thutuc_agencyprocedure_add"),
        {"procedure": offer.procedure.pk, "active": "on", "time_limit_value": "", "time_limit_unit": ""},
    )
    assert "Cơ quan đã có thủ tục này trong danh sách tiếp nhận" in _errors(response)
    assert AgencyProcedure.objects.filter(agency=agency).count() == 1


def test_an_offer_with_a_limit_but_no_unit_is_a_vietnamese_form_error(client, ward_admin, agency):
    procedure = ProcedureFactory()
    client.force_login(ward_admin)
    response = client.post(
        reverse("admin:thutuc_agencyprocedure_add"),
        {"procedure": procedure.pk, "active": "on", "time_limit_value": "5", "time_limit_unit": ""},
    )
    assert "phải cùng được nhập hoặc cùng để trống" in _errors(response)
    assert not AgencyProcedure.objects.exists()


# -- duplicates in the ward page's inlines ----------------------------------------------------------
def _with_sessions(data: dict, rows: list[tuple[int, str, str]]) -> dict:
    first = int(data["sessions-TOTAL_FORMS"])
    for offset, (weekday, start, end) in enumerate(rows):
        n = first + offset
        data |= {f"sessions-{n}-weekday": weekday, f"sessions-{n}-start": start, f"sessions-{n}-end": end}
    data["sessions-TOTAL_FORMS"] = first + len(rows)
    return data


def test_two_identical_sessions_in_one_submission_of_the_ward_page_are_a_form_error(client, ward_admin, agency):
    client.force_login(ward_admin)
    url = reverse("admin:motcua_agency_change", args=[agency.pk])
    data = _with_sessions(page_data(client.get(url)), [(5, "07:30", "11:30"), (5, "07:30", "11:00")])
    html = _errors(client.post(url, data))
    assert "Có hai dòng trùng nhau" in html
    assert not WorkingSession.objects.exists()


def test_two_overlapping_sessions_in_one_submission_are_a_form_error(client, ward_admin, agency):
    client.force_login(ward_admin)
    url = reverse("admin:motcua_agency_change", args=[agency.pk])
    data = _with_sessions(page_data(client.get(url)), [(5, "07:30", "11:30"), (5, "09:00", "12:00")])
    assert "trùng giờ" in _errors(client.post(url, data))
    assert not WorkingSession.objects.exists()


def test_a_session_duplicating_a_saved_one_on_the_ward_page_is_a_form_error(client, ward_admin, agency):
    WorkingSession.objects.create(agency=agency, weekday=5, start=time(7, 30), end=time(11, 30))
    client.force_login(ward_admin)
    url = reverse("admin:motcua_agency_change", args=[agency.pk])
    data = _with_sessions(page_data(client.get(url)), [(5, "07:30", "10:00")])
    assert "Có hai dòng trùng nhau (thứ, từ)" in _errors(client.post(url, data))
    assert WorkingSession.objects.count() == 1


def test_two_identical_days_in_one_submission_of_the_ward_page_are_a_form_error(client, ward_admin, agency):
    client.force_login(ward_admin)
    url = reverse("admin:motcua_agency_change", args=[agency.pk])
    data = page_data(client.get(url))
    for n in (0, 1):
        data |= {
            f"calendar_days-{n}-date": "03/09/2026",
            f"calendar_days-{n}-kind": CalendarDayKind.HOLIDAY,
            f"calendar_days-{n}-name": f"Nghỉ {n}",
        }
    data["calendar_days-TOTAL_FORMS"] = 2
    assert "Có hai dòng trùng nhau" in _errors(client.post(url, data))
    assert not CalendarDay.objects.exists()


def test_the_ward_page_saves_its_sessions_and_rebuilds_the_calendar(client, ward_admin, agency):
    from hoso.calendar_store import calendar_for

    client.force_login(ward_admin)
    url = reverse("admin:motcua_agency_change", args=[agency.pk])
    data = _with_sessions(page_data(client.get(url)), [(5, "07:30", "11:30")])
    assert client.post(url, data).status_code == 302
    assert WorkingSession.objects.filter(agency=agency, weekday=5).count() == 1
    assert calendar_for(agency.pk).sessions_on(date(2026, 12, 5)) == ((time(7, 30), time(11, 30)),)  # a Saturday


# -- the ward's national code -----------------------------------------------------------------------
def test_a_ward_admin_cannot_change_the_wards_national_code(client, ward_admin, agency):
    client.force_login(ward_admin)
    url = reverse("admin:motcua_agency_change", args=[agency.pk])
    data = page_data(client.get(url)) | {"code": "000.99.99.H26", "active": "", "name": "Phường Mới"}
    assert client.post(url, data).status_code == 302
    agency.refresh_from_db()
    assert (agency.code, agency.active, agency.name) == ("000.25.31.H26", True, "Phường Mới")


def test_a_superuser_changes_the_wards_national_code(client, superuser, agency):
    client.force_login(superuser)
    url = reverse("admin:motcua_agency_change", args=[agency.pk])
    data = page_data(client.get(url)) | {"code": "000.99.99.H26"}
    assert client.post(url, data).status_code == 302
    assert Agency.objects.get(pk=agency.pk).code == "000.99.99.H26"


# -- fuzz: odd values never make a 500 ---------------------------------------------------------------
ODD_VALUES = [
    " ",
    "x" * 100_000,
    "-1",
    "99999999999999999999",
    "1.5",
    "31/02/2026",
    "01/01/0001",
    "31/12/9999",
    "25:61",
    "\x00‮",
]


def _ward_admin_forms(agency) -> list[str]:
    offer = AgencyProcedureFactory(agency=agency)
    session = WorkingSession.objects.create(agency=agency, weekday=5, start=time(7, 30), end=time(11, 30))
    day = CalendarDay.objects.create(agency=agency, date=date(2026, 9, 3), kind=CalendarDayKind.HOLIDAY, name="Nghỉ")
    criterion = SurveyCriterion.objects.create(agency=agency, question="Số lần phải đến", options=["0", "1"])
    return [
        reverse("admin:motcua_agency_change", args=[agency.pk]),
        reverse("admin:motcua_user_add"),
        reverse("admin:thutuc_agencyprocedure_add"),
        reverse("admin:thutuc_agencyprocedure_change", args=[offer.pk]),
        reverse("admin:hoso_workingsession_add"),
        reverse("admin:hoso_workingsession_change", args=[session.pk]),
        reverse("admin:hoso_calendarday_add"),
        reverse("admin:hoso_calendarday_change", args=[day.pk]),
        reverse("admin:hoso_surveycriterion_add"),
        reverse("admin:hoso_surveycriterion_change", args=[criterion.pk]),
        reverse("admin:hoso_notificationtemplate_add"),
    ]


def _fuzzed(key: str) -> bool:
    """Every field but the formsets' counters; of an inline row only its keys (its fields are the
    standalone forms' fields, fuzzed there)."""
    if key.endswith(("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")):
        return False
    return "-" not in key or key.endswith(("-id", "-agency"))


def test_odd_values_in_every_form_a_ward_admin_reaches_never_answer_500(client, ward_admin, agency, clerk):
    client.force_login(ward_admin)
    urls = [*_ward_admin_forms(agency), reverse("admin:motcua_user_change", args=[clerk.pk])]
    for url in urls:
        base = page_data(client.get(url))
        for name in [key for key in base if _fuzzed(key)]:
            for value in ODD_VALUES:
                response = client.post(url, base | {name: value})
                assert response.status_code in (200, 302), (url, name, value[:20], response.status_code)
    assert WorkingSession.objects.filter(start__gte=models.F("end")).count() == 0
