"""The desk's worklists: the clerk's day, the officer's queue, the leader's board and search.

The ward's story is set on Wednesday 16/07/2025 at 10:00 (no holiday that month); every dossier
is made through hoso.workflow at an explicit instant, and the clock is frozen for the requests.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hoso import workflow, worklists
from hoso.calendar_store import calendar_for
from hoso.constants import Status
from hoso.models import Dossier
from hoso.remaining import remaining
from hoso.workcalendar import VN_TZ
from motcua.constants import Role
from tests.conftest import need
from tests.factories import UserFactory, load_holidays
from thutuc.constants import TimeUnit
from thutuc.models import AgencyProcedure, Procedure

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 7, 16, 10, 0, tzinfo=VN_TZ)  # Wednesday
THREE_DAYS = "1.001731"  # Hỗ trợ chi phí mai táng cho đối tượng bảo trợ xã hội: 3 working days
TWENTY_FIVE_DAYS = "1.001699"  # Xác định mức độ khuyết tật: 25 working days

URLS = {
    "clerk": "hoso:worklist_clerk",
    "officer": "hoso:worklist_officer",
    "leader": "hoso:worklist_leader",
    "search": "hoso:search",
}


def at(day: int, hour: int, minute: int = 0, month: int = 7) -> datetime:
    return datetime(2025, month, day, hour, minute, tzinfo=VN_TZ)


def offer(agency, code: str) -> Procedure:
    procedure = Procedure.objects.get(code=code)
    AgencyProcedure.objects.get_or_create(agency=agency, procedure=procedure)
    return procedure


def receive(agency, clerk, procedure, when, name="Nguyễn Thị Hoa", phone="", id_number="") -> Dossier:
    intake = workflow.Intake(
        procedure=procedure, applicant_name=name, applicant_phone=phone, applicant_id_number=id_number
    )
    return workflow.receive(agency=agency, actor=clerk, intake=intake, now=when)


def assign(dossier, clerk, officer, when) -> Dossier:
    return workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=when)


def codes(rows) -> list[str]:
    return [row.dossier.code for row in rows]


def section(response, key):
    return next(s for s in response.context["sections"] if s.key == key)


@pytest.fixture
def calendar_data(db):
    load_holidays()


@pytest.fixture
def frozen(time_machine):
    time_machine.move_to(NOW, tick=False)
    return NOW


@pytest.fixture
def ward(calendar_data, real_catalogue, agency, other_agency, clerk, officer, leader, other_clerk):
    """One dossier in every situation the worklists care about, plus another ward's look-alike."""
    three, long = offer(agency, THREE_DAYS), offer(agency, TWENTY_FIVE_DAYS)
    d = {}
    # Due Thu 10/07 09:00: overdue, assigned.
    d["overdue"] = receive(
        agency, clerk, three, at(7, 9), name="Nguyễn Văn An", phone="0912345678", id_number="001085012345"
    )
    assign(d["overdue"], clerk, officer, at(7, 9, 30))
    # Due Wed 09/07 09:00: the longest overdue, never assigned.
    d["oldest"] = receive(agency, clerk, three, at(4, 9), name="Trần Thị Lan")
    # Due today, Wed 16/07 14:00.
    d["due_today"] = receive(agency, clerk, three, at(11, 14), name="Lê Văn Lân")
    assign(d["due_today"], clerk, officer, at(11, 14, 30))
    # Received this morning, 25 working days ahead.
    d["today"] = receive(agency, clerk, long, at(16, 8), name="Phạm Thu Hà")
    # Result ready on Friday 11/07.
    d["ready"] = receive(agency, clerk, three, at(10, 8), name="Hoàng Minh Đức")
    assign(d["ready"], clerk, officer, at(10, 8, 30))
    workflow.mark_result_ready(dossier_id=d["ready"].pk, actor=officer, now=at(11, 10))
    # Waiting for a supplement since Tue 08/07: its due date (10/07) has passed, but the clock is stopped.
    d["paused"] = receive(agency, clerk, three, at(7, 8), name="Vũ Thị Mai")
    assign(d["paused"], clerk, officer, at(7, 8, 30))
    workflow.request_supplement(
        dossier_id=d["paused"].pk, actor=officer, missing="Bản sao giấy chứng tử", now=at(8, 10)
    )
    # Submitted for approval yesterday; due Fri 18/07 09:00.
    d["pending"] = receive(agency, clerk, three, at(15, 9), name="Đỗ Quang Huy")
    assign(d["pending"], clerk, officer, at(15, 9, 30))
    workflow.submit_for_approval(dossier_id=d["pending"].pk, actor=officer, now=at(15, 15))
    # Another ward: same applicant, same phone, received this morning and overdue-looking dates.
    foreign = offer(other_agency, THREE_DAYS)
    d["foreign"] = receive(
        other_agency,
        other_clerk,
        foreign,
        at(16, 8, 30),
        name="Nguyễn Văn An",
        phone="0912345678",
        id_number="001085012345",
    )
    d["foreign_old"] = receive(other_agency, other_clerk, foreign, at(1, 9), name="Nguyễn Văn An")
    return {k: Dossier.objects.get(pk=v.pk) for k, v in d.items()}


def get(client, user, name, **params):
    client.force_login(user)
    return client.get(reverse(URLS.get(name, name)), params)


# -- the clerk's day --------------------------------------------------------------------------
def test_the_clerks_day_lists_each_section_in_order_with_counts(client, clerk, ward, frozen):
    response = get(client, clerk, "clerk")
    assert response.status_code == 200
    assert codes(section(response, "received").rows) == [ward["today"].code]
    assert codes(section(response, "due").rows) == [ward["due_today"].code]
    assert codes(section(response, "ready").rows) == [ward["ready"].code]
    assert codes(section(response, "overdue").rows) == [ward["oldest"].code, ward["overdue"].code]
    assert [s.count for s in response.context["sections"]] == [1, 1, 1, 2]
    assert "Tiếp nhận hôm nay" in response.text and "Có kết quả, chờ trả" in response.text


def test_a_long_section_shows_its_first_rows_and_links_to_all_of_them(client, clerk, ward, frozen, monkeypatch):
    monkeypatch.setattr(worklists, "SECTION_LIMIT", 1)
    response = get(client, clerk, "clerk")
    overdue = section(response, "overdue")
    assert (overdue.count, codes(overdue.rows)) == (2, [ward["oldest"].code])
    assert "Đang hiển thị 1/2 hồ sơ." in response.text
    assert f'href="{reverse("hoso:search")}?han=overdue"' in response.text


def test_a_paused_dossier_is_not_overdue_even_past_its_due_date(client, clerk, ward, frozen):
    response = get(client, clerk, "clerk")
    assert ward["paused"].code not in codes(section(response, "overdue").rows)


def test_the_leader_may_open_the_clerks_day(client, leader, ward, frozen):
    assert get(client, leader, "clerk").status_code == 200


def test_the_clerks_day_shows_remaining_time_in_colour(client, clerk, ward, frozen):
    response = get(client, clerk, "clerk")
    due = section(response, "due").rows[0]
    assert (due.remaining, due.tone) == ("còn 2 giờ", "warning")  # 10:00–11:30 and 13:30–14:00
    today = section(response, "received").rows[0]
    assert today.tone == "success" and today.remaining.startswith("còn 24 ngày")
    overdue = section(response, "overdue").rows[-1]
    assert overdue.tone == "danger" and overdue.remaining.startswith("quá hạn 4 ngày")
    assert 'class="badge text-bg-danger remaining">quá hạn 4 ngày' in response.text


# -- the officer's queue ----------------------------------------------------------------------
def test_the_officer_sees_their_open_dossiers_by_due_time_with_paused_ones_last(client, officer, ward, frozen):
    response = get(client, officer, "officer")
    assert response.status_code == 200
    expected = [ward[k].code for k in ("overdue", "due_today", "pending", "paused")]
    assert codes(response.context["rows"]) == expected
    paused = response.context["rows"][-1]
    assert (paused.remaining, paused.tone) == ("tạm dừng (chờ bổ sung)", "secondary")
    assert "tạm dừng (chờ bổ sung)" in response.text
    counts = response.context["counts"]
    assert (counts.open, counts.overdue, counts.paused) == (4, 1, 1)


def test_another_officers_queue_is_not_mine(client, agency, ward, frozen):
    colleague = UserFactory(agency=agency, role=Role.OFFICER, username="officer_b")
    response = get(client, colleague, "officer")
    assert response.context["rows"] == []
    assert "Không có hồ sơ nào đang chờ xử lý." in response.text


def test_the_leader_views_one_officers_queue_or_the_whole_ward(client, leader, officer, ward, frozen):
    one = get(client, leader, "officer", can_bo=officer.pk)
    assert len(one.context["rows"]) == 4
    everyone = get(client, leader, "officer")
    assert codes(everyone.context["rows"])[:2] == [ward["oldest"].code, ward["overdue"].code]
    assert ward["foreign"].code not in codes(everyone.context["rows"])
    unknown = get(client, leader, "officer", can_bo="abc")
    assert unknown.status_code == 200
    assert "Không có công chức này trong cơ quan" in unknown.text


# -- the leader's board -----------------------------------------------------------------------
def test_the_leaders_board_shows_approvals_overdue_and_each_officers_load(client, leader, officer, ward, frozen):
    response = get(client, leader, "leader")
    assert response.status_code == 200
    board = response.context["board"]
    awaiting, overdue = board.sections
    assert codes(awaiting.rows) == [ward["pending"].code]
    assert codes(overdue.rows) == [ward["oldest"].code, ward["overdue"].code]
    assert (board.open, board.unassigned) == (6, 2)
    [load] = board.load
    assert (load.officer, load.open, load.overdue, load.paused) == (officer, 4, 1, 1)


def test_the_boards_counts_lead_to_the_dossiers_behind_them(client, leader, ward, frozen):
    html = get(client, leader, "leader").content.decode()
    assert f'href="{reverse("hoso:worklist_officer")}">Đang giải quyết' in html
    unassigned = f"{reverse('hoso:search')}?trang_thai=received"
    assert unassigned in html
    client.force_login(leader)
    listed = client.get(unassigned).context["page"].object_list
    assert listed and all(d.officer_id is None for d in listed)


def test_the_load_shows_idle_officers_but_not_departed_ones_without_work(client, agency, leader, officer, ward, frozen):
    idle = UserFactory(agency=agency, role=Role.OFFICER, username="officer_idle")
    UserFactory(agency=agency, role=Role.OFFICER, username="officer_gone", is_active=False)
    load = get(client, leader, "leader").context["board"].load
    assert [(x.officer, x.open) for x in load] == [(officer, 4), (idle, 0)]


def test_a_clerk_opening_the_leaders_board_is_refused(client, clerk, ward, frozen):
    assert get(client, clerk, "leader").status_code == 403


def test_a_clerk_opening_the_officers_queue_is_refused(client, clerk, ward, frozen):
    assert get(client, clerk, "officer").status_code == 403


def test_an_officer_opening_the_clerks_day_is_refused(client, officer, ward, frozen):
    assert get(client, officer, "clerk").status_code == 403


@pytest.mark.parametrize("name", list(URLS))
def test_anonymous_visitors_are_sent_to_the_login_page(client, name):
    url = reverse(URLS[name])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert url in response["Location"]


# -- another ward -----------------------------------------------------------------------------
def test_another_wards_dossiers_never_appear_in_any_list(client, clerk, officer, leader, ward, frozen):
    foreign = {ward["foreign"].code, ward["foreign_old"].code}
    pages = [
        get(client, clerk, "clerk"),
        get(client, officer, "officer"),
        get(client, leader, "officer"),
        get(client, leader, "leader"),
        get(client, clerk, "search"),
        get(client, clerk, "search", q="nguyen van an"),
        get(client, clerk, "search", q="0912345678"),
        get(client, clerk, "search", q="001085012345"),
        get(client, clerk, "search", q=ward["foreign"].code),
    ]
    for response in pages:
        assert response.status_code == 200
        for code in foreign:
            assert f">{code}</a>" not in response.text  # the search box may echo the code typed


def test_the_other_wards_clerk_sees_only_their_own(client, other_clerk, ward, frozen):
    response = get(client, other_clerk, "clerk")
    assert codes(section(response, "received").rows) == [ward["foreign"].code]
    found = get(client, other_clerk, "search", q=ward["overdue"].code)
    assert codes(found.context["rows"]) == []


# -- search -----------------------------------------------------------------------------------
def test_search_without_criteria_lists_the_wards_dossiers_newest_first(client, clerk, ward, frozen):
    response = get(client, clerk, "search")
    found = codes(response.context["rows"])
    assert found[0] == ward["today"].code
    assert len(found) == 7


def test_search_finds_a_dossier_by_its_whole_code(client, clerk, ward, frozen):
    response = get(client, clerk, "search", q=ward["overdue"].code)
    assert codes(response.context["rows"]) == [ward["overdue"].code]


def test_search_finds_a_whole_code_typed_in_lower_case(client, clerk, ward, frozen):
    response = get(client, clerk, "search", q=f"  {ward['overdue'].code.lower()} ")
    assert codes(response.context["rows"]) == [ward["overdue"].code]


@pytest.mark.parametrize(
    "spelling",
    [
        lambda code: code.replace("-", " "),  # 000.25.31.H26 250707 0001
        lambda code: code.replace("-", "_").lower(),
        lambda code: code.replace("-", " - "),
        lambda code: code.replace("-", "\u2013"),  # an en dash pasted from a document
        lambda code: code[-11:].replace("-", " "),  # the end only: 250707 0001
        lambda code: code[-15:].replace("-", " ").lower(),  # h26 250707 0001
    ],
)
def test_search_finds_a_code_typed_with_spaces_or_underscores_for_its_dashes(client, clerk, ward, frozen, spelling):
    code = ward["overdue"].code
    response = get(client, clerk, "search", q=spelling(code))
    assert codes(response.context["rows"]) == [code]


def test_search_finds_dossiers_by_part_of_the_code(client, clerk, ward, frozen):
    # Both dossiers received on 07/07/2025 carry 250707 in their code.
    response = get(client, clerk, "search", q="250707")
    assert set(codes(response.context["rows"])) == {ward["overdue"].code, ward["paused"].code}


def test_search_finds_a_dossier_by_the_end_of_its_code(client, clerk, ward, frozen):
    code = ward["overdue"].code  # 000.25.31.H26-250707-0001
    for query in (code[-11:], code[-15:], code[-15:].lower()):  # "250707-0001", "H26-250707-0001"
        response = get(client, clerk, "search", q=query)
        assert codes(response.context["rows"]) == [code], query


@pytest.mark.parametrize("query", ["nguyen van an", "NGUYEN VAN AN", "nguyễn văn an", "  Nguyen   An  ", "van an"])
def test_search_finds_a_name_without_caring_for_case_or_diacritics(client, clerk, ward, frozen, query):
    response = get(client, clerk, "search", q=query)
    assert codes(response.context["rows"]) == [ward["overdue"].code]


def test_search_matches_the_start_of_words_not_any_substring(client, clerk, ward, frozen):
    # "an" starts "An" only; "Lan" and "Lân" do not start with it.
    response = get(client, clerk, "search", q="an")
    assert codes(response.context["rows"]) == [ward["overdue"].code]


def test_search_with_diacritics_puts_the_exact_spelling_first(client, clerk, ward, frozen):
    response = get(client, clerk, "search", q="lân")
    assert codes(response.context["rows"]) == [ward["due_today"].code, ward["oldest"].code]
    plain = get(client, clerk, "search", q="lan")
    assert set(codes(plain.context["rows"])) == {ward["due_today"].code, ward["oldest"].code}


def test_search_reads_d_with_stroke_as_d(client, clerk, ward, frozen):
    response = get(client, clerk, "search", q="hoang minh duc")
    assert codes(response.context["rows"]) == [ward["ready"].code]


def test_search_finds_a_name_stored_in_decomposed_unicode(client, clerk, ward, frozen):
    import unicodedata

    dossier = ward["paused"]
    dossier.applicant_name = unicodedata.normalize("NFD", "Vũ Thị Mai")
    dossier.save(update_fields=["applicant_name"])
    response = get(client, clerk, "search", q="vu thi mai")
    assert codes(response.context["rows"]) == [ward["paused"].code]


def test_the_search_column_follows_every_save_of_the_applicant(client, clerk, ward, frozen):
    dossier = ward["paused"]
    dossier.applicant_name = "Đinh Công Tráng"
    dossier.save(update_fields=["applicant_name"])  # the folded column is written with it
    assert codes(get(client, clerk, "search", q="dinh cong trang").context["rows"]) == [dossier.code]
    assert codes(get(client, clerk, "search", q="vu thi mai").context["rows"]) == []
    assert Dossier.objects.get(pk=dossier.pk).search_text.startswith(" dinh cong trang ")


def test_bulk_created_dossiers_are_searchable_too(client, clerk, ward, frozen):
    copy = Dossier.objects.get(pk=ward["paused"].pk)
    copy.pk, copy.code, copy.intake_token = None, copy.code + "9", None
    copy.applicant_name, copy.applicant_phone = "Lò Văn Páo", "0987000111"
    Dossier.objects.bulk_create([copy])
    assert codes(get(client, clerk, "search", q="lo van pao").context["rows"]) == [copy.code]
    assert codes(get(client, clerk, "search", q="7000").context["rows"]) == [copy.code]


def test_postgresql_serves_the_search_from_a_trigram_index(db):
    need(connection.vendor == "postgresql", "The trigram index exists on PostgreSQL only (set DATABASE_URL).")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'dossier_search_trgm'")
        (definition,) = cursor.fetchone()
    assert "gin" in definition and "gin_trgm_ops" in definition and "search_text" in definition


@pytest.mark.parametrize("query", ["0912345678", "0912 345 678", "+84 912 345 678", "5678"])
def test_search_finds_a_dossier_by_phone(client, clerk, ward, frozen, query):
    response = get(client, clerk, "search", q=query)
    assert codes(response.context["rows"]) == [ward["overdue"].code]


def test_search_finds_a_dossier_by_id_number(client, clerk, ward, frozen):
    response = get(client, clerk, "search", q="001085012345")
    assert codes(response.context["rows"]) == [ward["overdue"].code]


def test_search_filters_by_status_field_procedure_and_deadline(client, clerk, ward, frozen):
    ready = get(client, clerk, "search", trang_thai=Status.RESULT_READY)
    assert codes(ready.context["rows"]) == [ward["ready"].code]
    still_open = get(client, clerk, "search", trang_thai="open")
    assert len(still_open.context["rows"]) == 6
    long = Procedure.objects.get(code=TWENTY_FIVE_DAYS)
    by_procedure = get(client, clerk, "search", thu_tuc=long.pk)
    assert codes(by_procedure.context["rows"]) == [ward["today"].code]
    by_field = get(client, clerk, "search", linh_vuc=long.field_id)
    assert len(by_field.context["rows"]) == 7  # both procedures are Bảo trợ xã hội
    overdue = get(client, clerk, "search", han="overdue")
    assert codes(overdue.context["rows"]) == [ward["overdue"].code, ward["oldest"].code]
    due_today = get(client, clerk, "search", han="due_today")
    assert codes(due_today.context["rows"]) == [ward["due_today"].code]


@pytest.mark.parametrize(
    ("start", "end"), [("16/07/2025", "16/07/2025"), ("2025-07-16", "2025-07-16"), ("16-07-2025", "")]
)
def test_search_filters_by_received_date_in_either_format(client, clerk, ward, frozen, start, end):
    response = get(client, clerk, "search", tu_ngay=start, den_ngay=end)
    assert codes(response.context["rows"]) == [ward["today"].code]


def test_search_date_range_includes_the_whole_last_day(client, clerk, ward, frozen):
    response = get(client, clerk, "search", tu_ngay="07/07/2025", den_ngay="07/07/2025")
    assert set(codes(response.context["rows"])) == {ward["overdue"].code, ward["paused"].code}


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"tu_ngay": "31/02/2025"}, "Ngày không hợp lệ"),
        ({"den_ngay": "hôm qua"}, "Ngày không hợp lệ"),
        ({"tu_ngay": "01/01/9999"}, "Năm phải trong khoảng 2000–2100"),
        ({"tu_ngay": "20/07/2025", "den_ngay": "01/07/2025"}, "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu"),
        ({"trang_thai": "bogus"}, "Lựa chọn không hợp lệ"),
        ({"linh_vuc": "abc"}, "Lựa chọn không hợp lệ"),
        ({"thu_tuc": "999999"}, "Lựa chọn không hợp lệ"),
        ({"han": "tomorrow"}, "Lựa chọn không hợp lệ"),
    ],
)
def test_bad_filters_give_a_vietnamese_message_not_an_error_page(client, clerk, ward, frozen, params, message):
    response = get(client, clerk, "search", **params)
    assert response.status_code == 200
    assert message in response.text
    assert "Chưa tìm được" in response.text
    assert response.context["rows"] == []


def test_a_bad_page_number_shows_a_page_anyway(client, clerk, ward, frozen):
    for page in ("abc", "999", "-1"):
        assert get(client, clerk, "search", trang=page).status_code == 200


def test_any_staff_of_the_ward_may_search(client, officer, ward, frozen):
    response = get(client, officer, "search", q="an")
    assert codes(response.context["rows"]) == [ward["overdue"].code]


# -- cost -------------------------------------------------------------------------------------
def _fill(agency, clerk, officer, leader, procedure, n: int, start: int) -> None:
    """`n` more dossiers in every state, received on the working days before 16/07/2025."""
    days = [1, 2, 3, 4, 7, 8, 9, 10, 11, 14, 15, 16]  # … and this morning, before 10:00
    for i in range(start, start + n):
        day, minute = days[i % len(days)], i % 25
        when = at(day, 8, minute)
        dossier = receive(agency, clerk, procedure, when, name=f"Nguyễn Văn Thử {i}", phone=f"09{i:08d}")
        if i % 5 == 4:
            continue  # left unassigned
        assign(dossier, clerk, officer, at(day, 8, minute + 30))
        then = at(day, 9, minute)
        if i % 5 == 1:
            workflow.submit_for_approval(dossier_id=dossier.pk, actor=officer, now=then)
        elif i % 5 == 2:
            workflow.mark_result_ready(dossier_id=dossier.pk, actor=officer, now=then)
        elif i % 5 == 3:
            workflow.request_supplement(dossier_id=dossier.pk, actor=officer, missing="Tờ khai", now=then)


def _query_counts(client, clerk, officer, leader, django_assert_max_num_queries) -> dict[str, int]:
    visits = [
        ("clerk", clerk, {}),
        ("officer", officer, {}),
        ("leader_queue", leader, {"can_bo": officer.pk}),
        ("leader", leader, {}),
        ("search", clerk, {"q": "nguyen van thu"}),
        ("search_all", clerk, {"trang_thai": "open", "tu_ngay": "01/07/2025", "den_ngay": "16/07/2025"}),
    ]
    counts = {}
    for key, user, params in visits:
        client.force_login(user)
        name = {"leader_queue": "officer", "search_all": "search"}.get(key, key)
        with django_assert_max_num_queries(12) as captured:
            response = client.get(reverse(URLS[name]), params)
        assert response.status_code == 200
        counts[key] = len(captured)
    return counts


def test_the_number_of_queries_does_not_grow_with_the_number_of_dossiers(
    client, calendar_data, real_catalogue, agency, clerk, officer, leader, frozen, django_assert_max_num_queries
):
    procedure = offer(agency, THREE_DAYS)
    _fill(agency, clerk, officer, leader, procedure, 10, 0)
    with_ten = _query_counts(client, clerk, officer, leader, django_assert_max_num_queries)
    _fill(agency, clerk, officer, leader, procedure, 50, 10)
    assert Dossier.objects.filter(agency=agency).count() == 60
    with_sixty = _query_counts(client, clerk, officer, leader, django_assert_max_num_queries)
    assert with_sixty == with_ten
    # The pages really did show more rows the second time.
    client.force_login(officer)
    assert len(client.get(reverse(URLS["officer"])).context["rows"]) > 25


def test_remaining_time_costs_no_query_once_the_calendar_is_cached(ward, frozen):
    dossiers = list(worklists.agency_dossiers(ward["overdue"].agency_id))
    with CaptureQueriesContext(connection) as captured:
        rows = worklists.rows(dossiers, now=NOW, agency_id=ward["overdue"].agency_id)
    assert len(captured) == 0
    assert len(rows) == 7


def test_the_limits_used_here_are_the_real_catalogue_ones(real_catalogue):
    three, long = Procedure.objects.get(code=THREE_DAYS), Procedure.objects.get(code=TWENTY_FIVE_DAYS)
    assert (three.time_limit_value, three.time_limit_unit) == (3, TimeUnit.WORKING_DAYS)
    assert (long.time_limit_value, long.time_limit_unit) == (25, TimeUnit.WORKING_DAYS)


def test_after_an_apology_the_queue_counts_to_the_new_appointment_as_the_dossier_page_does(
    client, agency, clerk, officer, calendar_data, real_catalogue, frozen
):
    procedure = offer(agency, THREE_DAYS)
    d = receive(agency, clerk, procedure, at(14, 9))  # Mon 14/07/2025 09:00 → due Thu 17/07 09:00
    assign(d, clerk, officer, at(14, 9, 30))
    workflow.extend(dossier_id=d.pk, actor=officer, new_due_at=at(23, 9), reason="Chờ xác minh", now=at(15, 9))
    row = get(client, officer, "officer").context["rows"][0]
    # Wed 16/07 10:00 → Wed 23/07 09:00: 4 working days to Tue 22/07 10:00, then 5 h that day and
    # 1.5 h on Wednesday morning (6.5 h, hours shown whole).
    assert row.remaining == "còn 4 ngày 6 giờ (đã hẹn lại)"
    page = client.get(reverse("hoso:detail", args=[d.pk])).content.decode()
    assert '<span class="badge text-bg-success remaining" id="con-lai">còn 4 ngày 6 giờ (đã hẹn lại)</span>' in page


@pytest.mark.parametrize("name", ["overdue", "oldest", "paused"])
def test_the_dossier_page_shows_the_remaining_time_in_the_words_and_colour_of_the_worklist(
    client, clerk, ward, frozen, name
):
    dossier = ward[name]
    text, tone = remaining(dossier, now=NOW, calendar=calendar_for(dossier.agency_id))
    assert text
    client.force_login(clerk)
    page = client.get(reverse("hoso:detail", args=[dossier.pk]))
    assert (page.context["remaining"], page.context["tone"]) == (text, tone)
    assert f'<span class="badge text-bg-{tone} remaining" id="con-lai">{text}</span>' in page.content.decode()


def test_after_an_apology_the_dossier_page_and_the_queue_agree_in_words_and_colour(
    client, agency, clerk, officer, calendar_data, real_catalogue, frozen
):
    procedure = offer(agency, THREE_DAYS)
    d = receive(agency, clerk, procedure, at(14, 9))
    assign(d, clerk, officer, at(14, 9, 30))
    workflow.extend(dossier_id=d.pk, actor=officer, new_due_at=at(23, 9), reason="Chờ xác minh", now=at(15, 9))
    row = get(client, officer, "officer").context["rows"][0]
    page = client.get(reverse("hoso:detail", args=[d.pk]))
    assert (page.context["remaining"], page.context["tone"]) == (row.remaining, row.tone)
    assert row.remaining.endswith("(đã hẹn lại)")
