"""The tracking book (form 07): rows and columns, wards, roles, filters, XLSX and PDF exports."""

from __future__ import annotations

import io
import re
import subprocess
from datetime import date, datetime, timedelta

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from hoso import tracking_book as tb
from hoso import workflow
from hoso.models import AccessLog, Dossier
from hoso.workcalendar import VN_TZ
from tests.factories import AgencyProcedureFactory, FieldFactory, ProcedureFactory, load_holidays

pytestmark = pytest.mark.django_db

BOOK = reverse("hoso:tracking_book")
XLSX = reverse("hoso:tracking_book_xlsx")
PDF = reverse("hoso:tracking_book_pdf")
RANGE = {"tu_ngay": "03/03/2025", "den_ngay": "04/03/2025"}


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


@pytest.fixture
def minh(officer):
    officer.last_name, officer.first_name = "Trần Văn", "Minh"
    officer.save(update_fields=["last_name", "first_name"])
    return officer


@pytest.fixture
def procedures(agency, other_agency):
    load_holidays()
    marriage = ProcedureFactory(
        code="1.000001", name="Cấp giấy xác nhận tình trạng hôn nhân", field=FieldFactory(name="Hộ tịch")
    )
    copy = ProcedureFactory(
        code="2.000815", name="Chứng thực bản sao từ bản chính", field=FieldFactory(name="Chứng thực")
    )
    for ward in (agency, other_agency):
        AgencyProcedureFactory(agency=ward, procedure=marriage)
        AgencyProcedureFactory(agency=ward, procedure=copy)
    return marriage, copy


def receive(agency, clerk, procedure, now, name, **extra):
    intake = workflow.Intake(procedure=procedure, applicant_name=name, **extra)
    return workflow.receive(agency=agency, actor=clerk, intake=intake, now=now)


@pytest.fixture
def dossiers(agency, other_agency, clerk, other_clerk, minh, procedures):
    """Five dossiers around the range Mon 03/03/2025 – Tue 04/03/2025, and one of another ward inside it."""
    marriage, copy = procedures
    before = receive(agency, clerk, marriage, vn(2025, 2, 28, 16, 0), "Lê Thị Trước")
    first = receive(
        agency,
        clerk,
        marriage,
        vn(2025, 3, 3, 9, 0),
        "Nguyễn Văn An",
        applicant_address="Số 5 phố Hàng Bông",
        applicant_phone="0912345678",
        sets=2,
    )
    workflow.assign(dossier_id=first.pk, actor=clerk, officer=minh, now=vn(2025, 3, 3, 9, 30))
    workflow.mark_result_ready(dossier_id=first.pk, actor=minh, now=vn(2025, 3, 4, 10, 0))
    workflow.return_result(dossier_id=first.pk, actor=clerk, collector="Nguyễn Văn An", now=vn(2025, 3, 5, 8, 0))
    second = receive(agency, clerk, copy, vn(2025, 3, 3, 14, 0), "Phạm Thị Bình", applicant_phone="0987654321")
    third = receive(
        agency, clerk, copy, vn(2025, 3, 4, 10, 0), "Công ty TNHH Hải Âu", delivery="post", delivery_address="Số 9"
    )
    workflow.assign(dossier_id=third.pk, actor=clerk, officer=minh, now=vn(2025, 3, 4, 10, 15))
    workflow.mark_result_ready(dossier_id=third.pk, actor=minh, now=vn(2025, 3, 4, 11, 0))
    workflow.return_result(dossier_id=third.pk, actor=clerk, tracking_number="EB123456789VN", now=vn(2025, 3, 4, 15))
    # 00:10 on Wednesday in Hà Nội is still Tuesday in UTC: outside the range all the same.
    after = receive(agency, clerk, marriage, vn(2025, 3, 5, 0, 10), "Đỗ Văn Sau")
    elsewhere = receive(other_agency, other_clerk, marriage, vn(2025, 3, 3, 10, 0), "Hoàng Thị Khác")
    return {"before": before, "first": first, "second": second, "third": third, "after": after, "other": elsewhere}


def book(agency, **filters):
    criteria = tb.BookCriteria(start=date(2025, 3, 3), end=date(2025, 3, 4), **filters)
    return tb.book_rows(tb.book_dossiers(agency.pk, criteria))


# -- the selector -----------------------------------------------------------------------------------
def test_the_book_lists_the_wards_dossiers_received_in_the_range_with_every_column(agency, dossiers):
    first, second, third = dossiers["first"], dossiers["second"], dossiers["third"]
    rows = book(agency)
    assert [r.code for r in rows] == [first.code, second.code, third.code]
    assert rows[0] == tb.BookRow(
        number=2,  # the 2025 book's second dossier: "before" (28/02) is the first
        code=first.code,
        procedure="Cấp giấy xác nhận tình trạng hôn nhân (1.000001)",
        sets=2,
        applicant="Nguyễn Văn An",
        contact="Số 5 phố Hàng Bông; 0912345678",
        unit="Trần Văn Minh",
        received_at=vn(2025, 3, 3, 9, 0),
        due_at=vn(2025, 3, 6, 9, 0),  # three working days
        sent_at=vn(2025, 3, 3, 9, 30),
        result_at=vn(2025, 3, 4, 10, 0),
        returned_at=vn(2025, 3, 5, 8, 0),
        signature="",
        note="Đã trả kết quả; người nhận: Nguyễn Văn An",
        dossier_id=first.pk,
    )
    # Not yet sent to an officer: the field stands for the processing unit.
    assert (rows[1].unit, rows[1].contact, rows[1].sent_at, rows[1].note) == (
        "Chứng thực",
        "0987654321",
        None,
        "Đã tiếp nhận",
    )
    assert rows[2].note == "Đã trả kết quả; mã bưu gửi EB123456789VN"
    assert [r.number for r in rows] == [2, 3, 4]


def test_each_dossier_keeps_its_number_in_its_years_book_as_its_receipt_says(agency, other_agency, dossiers):
    # A filtered book keeps the numbers (gaps and all); another ward's book counts on its own.
    assert [r.number for r in book(agency, status="returned")] == [2, 4]
    assert [r.number for r in book(other_agency)] == [1]
    assert [tb.book_position(dossiers[k]) for k in ("before", "first", "second", "third", "after")] == [1, 2, 3, 4, 5]
    assert tb.book_volume(dossiers["first"]) == 2025


def test_another_wards_dossiers_never_appear(agency, other_agency, dossiers):
    assert dossiers["other"].code not in [r.code for r in book(agency)]
    assert [r.code for r in book(other_agency)] == [dossiers["other"].code]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": "returned"}, ["first", "third"]),
        ({"status": tb.OPEN}, ["second"]),
        ({"status": "withdrawn"}, []),
    ],
)
def test_the_book_filters_by_status(agency, dossiers, filters, expected):
    assert [r.code for r in book(agency, **filters)] == [dossiers[k].code for k in expected]


def test_the_book_filters_by_field_and_procedure(agency, dossiers, procedures):
    marriage, copy = procedures
    assert [r.code for r in book(agency, field_id=copy.field_id)] == [dossiers["second"].code, dossiers["third"].code]
    assert [r.code for r in book(agency, procedure_id=marriage.pk)] == [dossiers["first"].code]


def test_the_book_costs_three_queries_whatever_its_length(agency, dossiers, django_assert_num_queries):
    # The rows, then for their numbers one COUNT before the first and one read of the span shown.
    with django_assert_num_queries(3):
        rows = book(agency)
    assert len(rows) == 3


def test_numbers_restart_at_midnight_on_new_years_day_vietnam_time(agency, clerk, procedures):
    marriage, _ = procedures
    made = [
        receive(agency, clerk, marriage, vn(2024, 12, 31, 20, 0), "Trần Văn Một"),  # Tue 31/12/2024
        receive(agency, clerk, marriage, vn(2025, 1, 1, 5, 0), "Trần Văn Hai"),  # 05:00 on 01/01 (22:00 UTC)
        receive(agency, clerk, marriage, vn(2025, 1, 2, 9, 0), "Trần Văn Ba"),
    ]
    assert [tb.book_position(d) for d in made] == [1, 1, 2]
    rows = tb.book_rows(tb.book_dossiers(agency.pk, tb.BookCriteria(start=date(2024, 12, 31), end=date(2025, 1, 2))))
    assert [r.number for r in rows] == [1, 1, 2]
    assert [tb.book_volume(d) for d in made] == [2024, 2025, 2025]


def test_the_book_and_the_receipts_agree_in_chunks_and_at_equal_instants(agency, clerk, procedures):
    marriage, copy = procedures
    at = vn(2025, 3, 3, 9, 0)
    made = [
        receive(agency, clerk, marriage if i % 3 else copy, at + timedelta(minutes=5 * (i // 2)), f"Lê Văn {i}")
        for i in range(9)
    ]
    Dossier.objects.filter(pk__in=[d.pk for d in made[2:6]]).update(received_at=at)  # four at one instant
    criteria = tb.BookCriteria(start=date(2025, 3, 3), end=date(2025, 3, 3))
    expected = {d.pk: tb.book_position(Dossier.objects.get(pk=d.pk)) for d in made}
    assert sorted(expected.values()) == list(range(1, 10))
    for chunk in (1, 2, 4, 100):
        rows = tb.book_rows(tb.book_dossiers(agency.pk, criteria), chunk=chunk)
        assert {r.dossier_id: r.number for r in rows} == expected
    filtered = tb.book_rows(
        tb.book_dossiers(
            agency.pk, tb.BookCriteria(start=date(2025, 3, 3), end=date(2025, 3, 3), field_id=copy.field_id)
        ),
        chunk=2,
    )
    assert {r.dossier_id: r.number for r in filtered} == {
        pk: n for pk, n in expected.items() if Dossier.objects.get(pk=pk).field_id == copy.field_id
    }


# -- the page -----------------------------------------------------------------------------------------
def test_anonymous_users_are_sent_to_the_login_page(client):
    for url in (BOOK, XLSX, PDF):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_officers_do_not_keep_the_book(client, officer):
    """The desk keeps the book and the leader checks it; an officer sees their own queue instead."""
    client.force_login(officer)
    for url in (BOOK, XLSX, PDF):
        assert client.get(url, RANGE).status_code == 403
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT).exists()


@pytest.mark.parametrize("role", ["clerk", "leader"])
def test_clerks_and_leaders_see_their_wards_book(client, request, dossiers, role):
    client.force_login(request.getfixturevalue(role))
    response = client.get(BOOK, RANGE)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Sổ theo dõi hồ sơ" in page and "3 hồ sơ tiếp nhận từ ngày 03/03/2025 đến ngày 04/03/2025" in page
    for key in ("first", "second", "third"):
        assert dossiers[key].code in page
    for key in ("before", "after", "other"):
        assert dossiers[key].code not in page
    assert "03/03/2025 09:30" in page  # sent to the officer, dd/mm/yyyy HH:MM
    assert "Hoàng Thị Khác" not in page


def test_the_page_defaults_to_this_month(client, clerk, time_machine):
    time_machine.move_to(vn(2025, 3, 17, 10, 0))
    client.force_login(clerk)
    page = client.get(BOOK).content.decode()
    assert 'value="01/03/2025"' in page and 'value="17/03/2025"' in page


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"tu_ngay": "32/13/2025", "den_ngay": "04/03/2025"}, "Ngày không hợp lệ"),
        ({"tu_ngay": "05/03/2025", "den_ngay": "04/03/2025"}, "Ngày kết thúc phải bằng hoặc sau ngày bắt đầu."),
        ({"tu_ngay": "01/01/1900", "den_ngay": "04/03/2025"}, "Năm phải trong khoảng 2000–2100."),
        ({**RANGE, "linh_vuc": "abc"}, "Lựa chọn không hợp lệ"),
        ({**RANGE, "trang_thai": "guided"}, "Lựa chọn không hợp lệ"),
    ],
)
def test_bad_input_gets_a_vietnamese_message_and_exports_nothing(client, clerk, dossiers, params, message):
    client.force_login(clerk)
    for url in (BOOK, XLSX, PDF):
        response = client.get(url, params)
        assert response.status_code == 400
        assert message in response.content.decode()
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT).exists()


def test_a_page_number_out_of_range_shows_the_last_page(client, clerk, dossiers):
    client.force_login(clerk)
    assert client.get(BOOK, {**RANGE, "trang": "abc"}).status_code == 200
    assert client.get(BOOK, {**RANGE, "trang": "99"}).status_code == 200


# -- exports ------------------------------------------------------------------------------------------
def test_the_xlsx_has_the_national_header_the_columns_and_the_rows_on_a4_landscape(client, clerk, dossiers):
    client.force_login(clerk)
    response = client.get(XLSX, RANGE)
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="so-theo-doi-20250303-20250304.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "ỦY BAN NHÂN DÂN PHƯỜNG HOÀN KIẾM"
    assert sheet["A2"].value == "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG"
    assert sheet["G1"].value == "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
    assert sheet["G2"].value == "Độc lập - Tự do - Hạnh phúc"
    assert sheet["A4"].value == "SỔ THEO DÕI HỒ SƠ"
    assert sheet["A5"].value == "Từ ngày 03/03/2025 đến ngày 04/03/2025"
    header = [c.value for c in sheet[tb.XLSX_HEADER_ROW]]
    assert header == [c.title for c in tb.COLUMNS]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=tb.XLSX_HEADER_ROW + 1)]
    assert [r[1] for r in rows] == [dossiers[k].code for k in ("first", "second", "third")]
    first = rows[0]
    assert first[:7] == [
        2,  # its number in the 2025 book
        dossiers["first"].code,
        "Cấp giấy xác nhận tình trạng hôn nhân (1.000001)",
        2,
        "Nguyễn Văn An",
        "Số 5 phố Hàng Bông; 0912345678",
        "Trần Văn Minh",
    ]
    # Vietnam wall-clock times, shown dd/mm/yyyy hh:mm.
    assert first[7:12] == [
        datetime(2025, 3, 3, 9, 0),
        datetime(2025, 3, 6, 9, 0),
        datetime(2025, 3, 3, 9, 30),
        datetime(2025, 3, 4, 10, 0),
        datetime(2025, 3, 5, 8, 0),
    ]
    received = sheet.cell(row=tb.XLSX_HEADER_ROW + 1, column=8)
    assert received.number_format == "dd/mm/yyyy hh:mm"
    assert received.border.left.style == "thin" and received.alignment.wrap_text
    assert first[12] is None and first[13] == "Đã trả kết quả; người nhận: Nguyễn Văn An"
    assert sheet.page_setup.orientation == "landscape"
    assert int(sheet.page_setup.paperSize) == 9  # A4
    assert int(sheet.page_setup.fitToWidth) == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$7:$7"  # the column header on every printed page
    assert sheet.column_dimensions["B"].width == 27


def test_the_pdf_lists_the_codes_and_names_on_a4_landscape(client, leader, dossiers, tmp_path):
    client.force_login(leader)
    response = client.get(PDF, {**RANGE, "trang_thai": "returned"})
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    path = tmp_path / "so.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    flat = " ".join(text.split())
    assert "ỦY BAN NHÂN DÂN" in text and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "SỔ THEO DÕI HỒ SƠ" in text
    assert "Từ ngày 03/03/2025 đến ngày 04/03/2025" in flat
    assert "Trạng thái: Đã trả kết quả" in flat
    for key in ("first", "third"):
        assert dossiers[key].code in text
    assert dossiers["second"].code not in text
    # Vietnamese names with every diacritic survive (a long name wraps inside its cell).
    assert "Nguyễn Văn An" in text and "Trần Văn Minh" in text and "Hải Âu" in text
    assert "EB123456789VN" in text
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+)", info).groups())
    assert width > height and round(width) == 842


@pytest.mark.parametrize(("url", "kind"), [(XLSX, "XLSX"), (PDF, "PDF")])
def test_every_export_is_logged(client, clerk, agency, dossiers, url, kind):
    client.force_login(clerk)
    client.get(url, RANGE)
    client.get(url, RANGE)
    logs = AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT)
    assert [(log.user, log.agency, log.dossier, log.detail) for log in logs] == [
        (clerk, agency, None, f"Sổ theo dõi 03/03/2025–04/03/2025 ({kind})")
    ] * 2


def test_the_filters_of_an_export_and_every_page_seen_on_screen_are_logged(client, clerk, dossiers):
    client.force_login(clerk)
    client.get(XLSX, {**RANGE, "trang_thai": "returned"})
    export = AccessLog.objects.get(kind=AccessLog.Kind.EXPORT)
    assert export.detail == "Sổ theo dõi 03/03/2025–04/03/2025, trạng thái returned (XLSX)"
    client.get(BOOK, RANGE)
    view = AccessLog.objects.get(kind=AccessLog.Kind.VIEW)
    assert (view.user, view.detail) == (clerk, "Sổ theo dõi 03/03/2025–04/03/2025, trang 1")


def test_an_export_too_long_for_one_file_asks_for_a_shorter_range(client, clerk, dossiers, monkeypatch):
    monkeypatch.setattr(tb, "PDF_MAX_ROWS", 2)
    client.force_login(clerk)
    response = client.get(PDF, RANGE, follow=True)
    assert response.redirect_chain[0][0].startswith(BOOK)
    assert "quá 2 dòng cho một tệp PDF" in response.content.decode()
    assert not AccessLog.objects.filter(kind=AccessLog.Kind.EXPORT).exists()


def test_an_empty_range_exports_an_empty_book(client, clerk, procedures, tmp_path):
    client.force_login(clerk)
    response = client.get(PDF, {"tu_ngay": "01/01/2024", "den_ngay": "31/01/2024"})
    path = tmp_path / "empty.pdf"
    path.write_bytes(response.content)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "Không có hồ sơ nào được tiếp nhận" in " ".join(text.split())
