"""Procedure and holiday imports under hostile input: formula-like text round-trips, full-width
digits and absurd dates are refused with their row, oversized uploads and zip bombs are refused
before parsing (issue 10.3, 10.8, 10.9)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import load_workbook

from hoso.models import CalendarDay
from motcua.lib.tabular import looks_like_formula
from tests.factories import ProcedureFactory
from tests.motcua.test_tabular import zip_bomb
from thutuc.models import Field, Procedure
from thutuc.services import export_procedures_xlsx

pytestmark = pytest.mark.django_db

HEADER = "code,name,field,time_limit_text,time_limit_working_days,fee_text,online_level,source_url"
HOSTILE = ["=1+2", "'=1+2", "@home", "+84 912", "-", "''x", '=HYPERLINK("http://x.vn","Bấm")', "-2+3"]
COLUMNS = ("code", "name", "field__name", "time_limit_text", "time_limit_value", "fee_text")


def run(command: str, path: Path) -> str:
    out = io.StringIO()
    call_command(command, str(path), stdout=out, stderr=out)
    return out.getvalue()


def catalogue() -> list[tuple]:
    return list(Procedure.objects.order_by("code").values_list(*COLUMNS))


def test_formula_like_procedure_text_round_trips_exactly_through_the_xlsx_export(tmp_path):
    for number, text in enumerate(HOSTILE, start=1):
        ProcedureFactory(
            code=f"1.00000{number}",
            name=text,
            field=Field.objects.get_or_create(name=f"{text} lĩnh vực")[0],
            time_limit_text=text,
            fee_text=text,
        )
    original = catalogue()
    path = tmp_path / "danh-muc.xlsx"
    path.write_bytes(export_procedures_xlsx(Procedure.objects.select_related("field").order_by("code")))
    cells = [cell for r in load_workbook(path).active.iter_rows() for cell in r if cell.value not in (None, "")]
    assert not any(c.data_type == "f" or (c.data_type == "s" and looks_like_formula(c.value)) for c in cells)
    assert {c.value for c in cells if c.column == 5} == {"time_limit_working_days", 3}  # the limit stays a number
    assert "Tạo mới: 0, cập nhật: 0, không đổi: 8" in run("import_procedures", path)

    Procedure.objects.all().delete()
    Field.objects.all().delete()
    assert "Tạo mới: 8, cập nhật: 0, không đổi: 0" in run("import_procedures", path)
    assert catalogue() == original


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("1.００１１９３,Tên,Hộ tịch,3 ngày,3,,,", "cột code “1.００１１９３” có chữ số hoặc ký tự toàn khổ"),
        ("1.001193,Tên,Hộ tịch,3 ngày,３,,,", "cột time_limit_working_days “３” có chữ số hoặc ký tự toàn khổ"),
        ("1.001193,Tên,Hộ tịch,3 ngày,1_0,,,", "thời hạn “1_0” không phải số nguyên"),
        ("1.001193,Tên,Hộ tịch,3 ngày,99999,,,", "thời hạn 99999 quá lớn (tối đa 999)"),
        ("1.001193,Tên\x07,Hộ tịch,3 ngày,3,,,", "cột name có ký tự điều khiển không in được"),
        ('1.001193,"Tên,Hộ tịch,3 ngày,3,,,', "Tệp CSV hỏng ở dòng 3: dấu ngoặc kép"),
    ],
)
def test_a_bad_procedure_row_is_refused_with_its_line_and_nothing_is_written(tmp_path, row, reason):
    path = tmp_path / "thu-tuc.csv"
    path.write_text(f"{HEADER}\n1.000001,Thủ tục tốt,Hộ tịch,3 ngày,3,,,\n{row}\n", encoding="utf-8")
    with pytest.raises(CommandError) as caught:
        run("import_procedures", path)
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_procedures", str(path), stdout=io.StringIO(), stderr=err)
    text = err.getvalue() + str(caught.value)
    assert reason in text and ("Dòng 3: " in text or "dòng 3" in text)
    assert not Procedure.objects.exists()


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        ("0001-01-01,holiday,Năm 1,", "Dòng 3: ngày 01/01/1 ngoài khoảng nhận (2000 đến 5 năm sau năm nay)."),
        ("9999-12-31,holiday,Năm 9999,", "Dòng 3: ngày 31/12/9999 ngoài khoảng nhận"),
        ("２０２７-01-01,holiday,Toàn khổ,", "Dòng 3: ngày “２０２７-01-01” có chữ số toàn khổ"),
        ("2027-01-02,holiday,Chuông\x07,", "Dòng 3: tên ngày có ký tự điều khiển không in được."),
    ],
)
def test_a_bad_holiday_row_is_refused_with_its_line_and_nothing_is_written(tmp_path, row, reason):
    path = tmp_path / "ngay-nghi.csv"
    path.write_text(f"date,kind,name,source_url\n2027-01-01,holiday,Tết Dương lịch,\n{row}\n", encoding="utf-8")
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 dòng không hợp lệ, chưa ghi gì"):
        call_command("import_holidays", str(path), stdout=io.StringIO(), stderr=err)
    assert reason in err.getvalue()
    assert not CalendarDay.objects.exists()


def test_a_holiday_file_over_its_limit_is_refused_before_reading(tmp_path):
    path = tmp_path / "ngay-nghi.csv"
    path.write_bytes(b"date,kind,name,source_url\n" + b"2027-01-01,holiday,x,\n" * 60_000)  # 1.3 MB > 1 MB
    with pytest.raises(CommandError, match=r"^Tệp lớn 1,\d MB, vượt giới hạn 1 MB cho tệp lịch nghỉ lễ"):
        call_command("import_holidays", str(path), stdout=io.StringIO())
    assert not CalendarDay.objects.exists()


# -- the admin upload ------------------------------------------------------------------------------
@pytest.fixture
def province_admin(client, django_user_model):
    client.force_login(django_user_model.objects.create_superuser("tinh", "tinh@example.vn", "mat-khau-dai-2026"))
    return client


def test_an_upload_over_the_size_limit_is_refused_without_being_read(province_admin, settings):
    limits = settings.MOTCUA_IMPORT_LIMITS
    settings.MOTCUA_IMPORT_LIMITS = {**limits, "procedures": {**limits["procedures"], "max_bytes": 1024 * 1024}}
    upload = SimpleUploadedFile("thu-tuc.csv", (HEADER + "\n").encode() + b"x" * (1024 * 1024), "text/csv")
    response = province_admin.post(reverse("admin:thutuc_procedure_import"), {"file": upload})
    html = response.content.decode()
    assert response.status_code == 200
    assert "Tệp lớn 1,0 MB, vượt giới hạn 1 MB cho tệp danh mục thủ tục" in html and "Xác nhận nhập" not in html
    assert "thutuc_import_file" not in province_admin.session
    assert not Procedure.objects.exists()


def test_an_uploaded_zip_bomb_is_refused_with_the_default_limits(province_admin, tmp_path):
    path = zip_bomb(tmp_path / "thu-tuc.xlsx", inflated_mb=110)  # the 2026 worker-killing kind, scaled down
    upload = SimpleUploadedFile(path.name, path.read_bytes(), "application/octet-stream")
    response = province_admin.post(reverse("admin:thutuc_procedure_import"), {"file": upload})
    html = response.content.decode()
    assert "Tệp XLSX khi giải nén lớn 110 MB, vượt giới hạn 100 MB cho tệp danh mục thủ tục" in html
    assert "thutuc_import_file" not in province_admin.session
    assert not Procedure.objects.exists()
