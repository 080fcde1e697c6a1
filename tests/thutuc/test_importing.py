"""import_procedures: the real list, upsert by code, all-or-nothing on bad rows."""

from __future__ import annotations

import io
from datetime import time
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from thutuc.constants import TimeUnit
from thutuc.importing import parse_channel_limits, parse_fees, parse_procedure_file
from thutuc.models import Field, Procedure
from thutuc.services import export_procedures_xlsx

REAL_FILE = settings.MOTCUA_DATA_DIR / "procedures_cap_xa.csv"
HEADER = "code,name,field,time_limit_text,time_limit_working_days,fee_text,online_level,source_url"
GOOD_ROW = "1.001193,Thủ tục đăng ký khai sinh,Hộ tịch,Ngay trong ngày,0,Miễn phí,,"


def run_import(path: Path) -> str:
    out = io.StringIO()
    call_command("import_procedures", str(path), stdout=out)
    return out.getvalue()


def write_csv(tmp_path: Path, *rows: str, header: str = HEADER) -> Path:
    path = tmp_path / "thu-tuc.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    return path


@pytest.mark.django_db
def test_the_real_list_creates_148_procedures_in_37_fields_then_reports_them_unchanged():
    first = run_import(REAL_FILE)
    assert "Tạo mới: 148, cập nhật: 0, không đổi: 0, bị từ chối: 0." in first
    assert Procedure.objects.count() == 148
    assert Field.objects.count() == 37
    second = run_import(REAL_FILE)
    assert "Tạo mới: 0, cập nhật: 0, không đổi: 148, bị từ chối: 0." in second


@pytest.mark.django_db
def test_it_reads_limits_cutoffs_and_fees_from_the_real_list(real_catalogue):
    birth = Procedure.objects.get(code="1.001193")
    assert (birth.time_limit_value, birth.time_limit_unit, birth.cutoff) == (0, TimeUnit.SAME_DAY, time(15, 0))
    # Same-day marriage registration says nothing about 15:00, so it has no cut-off.
    marriage = Procedure.objects.get(code="1.000894")
    assert (marriage.time_limit_unit, marriage.cutoff) == (TimeUnit.SAME_DAY, None)
    mediation = Procedure.objects.get(code="1.012812")
    assert (mediation.time_limit_value, mediation.time_limit_unit) == (30, TimeUnit.WORKING_DAYS)
    # A limit in calendar days or without unit keeps its text and gets no computed appointment.
    permit = Procedure.objects.filter(time_limit_value__isnull=True).exclude(time_limit_text="").first()
    assert permit.time_limit_unit == "" and permit.time_limit_text
    assert Procedure.objects.filter(time_limit_unit=TimeUnit.SAME_DAY).count() == 10
    business = Procedure.objects.get(code="1.001612")
    assert (business.fee_counter, business.fee_online, business.fee_post) == (50000, 150000, 150000)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("bad_row", "reason"),
    [
        (",Tên thủ tục,Hộ tịch,3 ngày làm việc,3,,,", "thiếu mã thủ tục"),
        ("1.000001,,Hộ tịch,3 ngày làm việc,3,,,", "thiếu tên thủ tục"),
        ("1-000001,Tên,Hộ tịch,3 ngày làm việc,3,,,", "không đúng dạng"),
        ("1.001193,Trùng mã,Hộ tịch,3 ngày làm việc,3,,,", "trùng với dòng 2"),
        ("1.000002,Tên,Hộ tịch,3 ngày làm việc,-3,,,", "không được âm"),
    ],
)
def test_a_file_with_one_bad_row_writes_nothing_and_names_that_row(tmp_path, bad_row, reason):
    path = write_csv(tmp_path, GOOD_ROW, bad_row, "1.000656,Thủ tục đăng ký khai tử,Hộ tịch,3 ngày,3,,,")
    with pytest.raises(CommandError) as caught:
        call_command("import_procedures", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert "bị từ chối: 1" in str(caught.value)
    errors = parse_procedure_file(path.read_bytes(), path.name).errors
    assert [e.line for e in errors] == [3]
    assert reason in str(errors[0])
    assert Procedure.objects.count() == 0 and Field.objects.count() == 0


@pytest.mark.django_db
def test_an_unknown_unit_and_a_bad_cutoff_are_rejected_with_their_line_numbers(tmp_path):
    header = HEADER + ",unit,cutoff"
    path = write_csv(
        tmp_path,
        GOOD_ROW + ",,",
        "1.000004,Tên,Hộ tịch,3 tuần,3,,,,weeks,",
        "1.000005,Tên,Hộ tịch,trong ngày,0,,,,same_day,25:00",
        header=header,
    )
    errors = parse_procedure_file(path.read_bytes(), path.name).errors
    assert [(e.line, str(e)) for e in errors] == [
        (3, "Dòng 3: đơn vị thời hạn “weeks” không hợp lệ (working_days, calendar_days, working_hours hoặc same_day)."),
        (4, "Dòng 4: giờ chốt “25:00” không đúng dạng HH:MM."),
    ]
    with pytest.raises(CommandError):
        call_command("import_procedures", str(path), stdout=io.StringIO(), stderr=io.StringIO())
    assert not Procedure.objects.exists()


@pytest.mark.django_db
def test_explicit_unit_and_cutoff_columns_win_over_the_defaults(tmp_path):
    path = write_csv(
        tmp_path,
        "2.000815,Chứng thực bản sao,Chứng thực,Trong ngày,,,,,same_day,16:30",
        "1.000100,Thủ tục theo giờ,Hộ tịch,8 giờ làm việc,8,,,,giờ làm việc,",
        "1.000101,Thủ tục theo ngày,Đất đai,30 ngày,30,,,,calendar_days,",
        header=HEADER + ",unit,cutoff",
    )
    run_import(path)
    rows = Procedure.objects.order_by("code").values_list("code", "time_limit_value", "time_limit_unit", "cutoff")
    assert list(rows) == [
        ("1.000100", 8, TimeUnit.WORKING_HOURS, None),
        ("1.000101", 30, TimeUnit.CALENDAR_DAYS, None),
        ("2.000815", 0, TimeUnit.SAME_DAY, time(16, 30)),
    ]


@pytest.mark.django_db
def test_a_changed_row_is_updated_and_the_rest_unchanged(tmp_path, real_catalogue):
    text = REAL_FILE.read_text(encoding="utf-8").replace(
        "Thủ tục đăng ký khai sinh,", "Thủ tục đăng ký khai sinh (sửa),", 1
    )
    path = tmp_path / "sua.csv"
    path.write_text(text, encoding="utf-8")
    assert "Tạo mới: 0, cập nhật: 1, không đổi: 147, bị từ chối: 0." in run_import(path)
    assert Procedure.objects.get(code="1.001193").name.endswith("(sửa)")


@pytest.mark.django_db
def test_the_xlsx_export_imports_back_unchanged(tmp_path, real_catalogue):
    path = tmp_path / "danh-muc.xlsx"
    path.write_bytes(export_procedures_xlsx(Procedure.objects.select_related("field").order_by("code")))
    assert "Tạo mới: 0, cập nhật: 0, không đổi: 148, bị từ chối: 0." in run_import(path)


@pytest.mark.django_db
def test_an_xlsx_file_is_imported(tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(HEADER.split(","))
    workbook.active.append(GOOD_ROW.split(","))
    path = tmp_path / "mot-dong.xlsx"
    workbook.save(path)
    assert "Tạo mới: 1" in run_import(path)
    assert Procedure.objects.get(code="1.001193").cutoff is None  # the short text names no 15:00


def test_a_code_kept_as_a_number_in_excel_is_refused_before_it_loses_its_zeros(tmp_path, db):
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(HEADER.split(","))
    cells: list[object] = GOOD_ROW.split(",")
    cells[0] = 2.00051  # 2.000510 typed into a number cell
    workbook.active.append(cells)
    path = tmp_path / "so.xlsx"
    workbook.save(path)
    with pytest.raises(CommandError):
        call_command("import_procedures", str(path), stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "được lưu dạng số trong Excel" in err.getvalue()
    assert not Procedure.objects.exists()


def test_a_file_without_the_required_columns_is_refused(tmp_path):
    path = write_csv(tmp_path, "1.001193,Tên", header="code,name")
    with pytest.raises(CommandError, match="Tệp thiếu cột: field"):
        call_command("import_procedures", str(path))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Miễn phí", (0, 0, 0)),
        ("Miễn phí (theo CSDLQG; mức lệ phí cụ thể do HĐND cấp tỉnh quyết định)", (0, 0, 0)),
        ("8,000 đồng", (8000, 8000, 8000)),
        ("50,000 đồng (/văn bản)", (50000, 50000, 50000)),
        ("4,500,000 đồng", (4500000, 4500000, 4500000)),
        ("trực tiếp: 50,000 đồng; trực tuyến: 150,000 đồng; bưu chính: 150,000 đồng", (50000, 150000, 150000)),
        ("2.000 đồng/trang; từ trang thứ 3 trở lên 1.000 đồng/trang; tối đa 200.000 đồng/bản", (None, None, None)),
        ("", (None, None, None)),
    ],
)
def test_fees_are_read_per_channel_only_when_the_text_is_unambiguous(text, expected):
    fees = parse_fees(text)
    assert (fees["fee_counter"], fees["fee_online"], fees["fee_post"]) == expected


@pytest.mark.django_db
def test_the_admin_import_previews_then_writes_only_on_confirmation(client, django_user_model):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    admin = django_user_model.objects.create_superuser("tinh", "tinh@example.vn", "mat-khau-dai-2026")
    client.force_login(admin)
    url = reverse("admin:thutuc_procedure_import")
    upload = SimpleUploadedFile("thu-tuc.csv", REAL_FILE.read_bytes(), content_type="text/csv")
    preview = client.post(url, {"file": upload})
    html = preview.content.decode()
    assert "Tạo mới: 148, cập nhật: 0, không đổi: 0, bị từ chối: 0." in html and "Xác nhận nhập" in html
    assert Procedure.objects.count() == 0  # the preview wrote nothing
    confirmed = client.post(url, {"confirm": "1"}, follow=True)
    assert "Đã nhập danh mục" in confirmed.content.decode()
    assert Procedure.objects.count() == 148 and Field.objects.count() == 37
    bad = SimpleUploadedFile("sai.csv", (HEADER + "\n1-001,Tên,Hộ tịch,3 ngày,3,,,\n").encode(), "text/csv")
    html = client.post(url, {"file": bad}).content.decode()
    assert "Dòng 2: mã thủ tục “1-001” không đúng dạng" in html and "Xác nhận nhập" not in html
    export = client.get(reverse("admin:thutuc_procedure_export"))
    assert export["Content-Type"].startswith("application/vnd.openxmlformats")


@pytest.mark.parametrize(
    ("text", "value", "unit", "expected"),
    [
        (
            "trực tiếp: 13 ngày làm việc; trực tuyến: 3 ngày làm việc; bưu chính: 3 ngày làm việc",
            13,
            "working_days",
            (3, 3),
        ),
        ("Trực tiếp: 20 ngày làm việc; trực tuyến: 17 ngày làm việc", 20, "working_days", (17, None)),
        # The counter figure must be the limit itself, in the same unit, or nothing is read.
        ("trực tiếp: 25 ngày; trực tuyến: 15 ngày; bưu chính: 15 ngày", 25, "working_days", (None, None)),
        ("trực tiếp: 13 ngày làm việc; trực tuyến: 3 ngày làm việc", 12, "working_days", (None, None)),
        ("trực tiếp: 25 ngày; trực tuyến: 15 ngày; bưu chính: 15 ngày", 25, "calendar_days", (15, 15)),
        ("03 ngày làm việc kể từ ngày nhận hồ sơ", 3, "working_days", (None, None)),
        ("trực tiếp: 25 ngày; trực tuyến: 15 ngày", None, "", (None, None)),
    ],
)
def test_limits_that_differ_by_channel_are_read_from_the_published_text(text, value, unit, expected):
    assert parse_channel_limits(text, value, unit) == expected


def test_the_real_catalogue_keeps_the_online_and_post_limits(real_catalogue):
    p = Procedure.objects.get(code="1.012766")
    assert (p.time_limit_value, p.time_limit_online, p.time_limit_post) == (13, 3, 3)
    assert (p.limit_value_for(1), p.limit_value_for(2), p.limit_value_for(3)) == (13, 3, 3)
    assert Procedure.objects.get(code="1.001193").limit_value_for(2) == 0  # one limit for every channel


def test_a_procedure_newly_offered_online_takes_online_dossiers(tmp_path, db):
    path = write_csv(tmp_path, GOOD_ROW)
    call_command("import_procedures", str(path), stdout=io.StringIO())
    assert not Procedure.objects.get(code="1.001193").accepts_online
    path = write_csv(tmp_path, GOOD_ROW.removesuffix(",,") + ",Toàn trình,")
    call_command("import_procedures", str(path), stdout=io.StringIO())
    assert Procedure.objects.get(code="1.001193").accepts_online
