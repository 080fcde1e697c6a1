"""import_petitions: all or nothing, rejected rows by line number, due columns as live petitions."""

import io
from datetime import datetime

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from hoso.workcalendar import VN_TZ
from phananh.constants import Status
from phananh.figures import petition_figures
from phananh.importing import COLUMNS
from phananh.models import Petition, PetitionMessage

from ..factories import load_holidays

GOOD = [
    [
        "PA-1",
        "000.25.31.H26",
        "procedure",
        "counter",
        "27/11/2026 16:00",
        "30/11/2026 09:00",
        "accepted",
        "",
        "",
        "03/12/2026 09:00",
        "04/12/2026 09:00",
    ],
    [
        "PA-2",
        "000.25.31.H26",
        "question",
        "national_portal",
        "2026-03-02T09:00",
        "2026-03-03T09:00",
        "refused",
        "",
        "",
        "",
        "",
    ],
    [
        "PA-3",
        "000.25.31.H26",
        "conduct",
        "phone",
        "2026-03-02T09:00",
        "2026-03-03T09:00",
        "accepted",
        "2026-03-04T09:00",
        "",
        "",
        "",
    ],
]


def write_csv(tmp_path, rows):
    path = tmp_path / "phan-anh.csv"
    text = ",".join(COLUMNS) + "\n" + "\n".join(",".join(row) for row in rows) + "\n"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _calendar(agency):
    load_holidays()


def test_a_good_file_is_imported_with_due_columns_and_no_message(tmp_path):
    out = io.StringIO()
    call_command("import_petitions", str(write_csv(tmp_path, GOOD)), stdout=out)
    assert "Đã nhập 3" in out.getvalue()
    one = Petition.objects.get(code="PA-1")
    assert one.status == Status.PUBLISHED and one.imported
    assert one.decide_due_at == datetime(2026, 12, 1, 16, tzinfo=VN_TZ)  # Friday 16:00 → Tuesday 16:00
    assert one.answer_due_at == datetime(2026, 12, 18, 16, tzinfo=VN_TZ)
    assert Petition.objects.get(code="PA-2").status == Status.REFUSED
    assert Petition.objects.get(code="PA-3").status == Status.MORE_INFO
    assert not PetitionMessage.objects.exists()
    figures = petition_figures(
        agency_ids=[one.agency_id], start=datetime(2026, 1, 1, tzinfo=VN_TZ), end=datetime(2026, 12, 31, tzinfo=VN_TZ)
    )
    assert (figures["received"], figures["refused"], figures["answered_on_time"], figures["published"]) == (3, 1, 1, 1)


def test_bad_rows_are_listed_by_line_and_nothing_is_written(tmp_path):
    bad = [
        *GOOD,
        ["PA-1", "000.25.31.H26", "procedure", "counter", "2026-03-02T09:00", "", "", "", "", "", ""],
        ["PA-5", "999.99.99.H99", "khác", "fax", "31/02/2026 09:00", "", "", "", "", "", ""],
        [
            "PA-6",
            "000.25.31.H26",
            "procedure",
            "counter",
            "2026-03-05T09:00",
            "2026-03-04T09:00",
            "accepted",
            "",
            "",
            "",
            "2026-03-06T09:00",
        ],
    ]
    err = io.StringIO()
    with pytest.raises(CommandError, match="3 dòng không hợp lệ"):
        call_command("import_petitions", str(write_csv(tmp_path, bad)), stderr=err)
    text = err.getvalue()
    assert "Dòng 5: mã PA-1 trùng với dòng 2" in text
    assert "Dòng 6:" in text and "không có phường, xã mã" in text and "loại (kind)" in text and "kênh (channel)" in text
    assert (
        "Dòng 7:" in text and "decided_at trước received_at" in text and "published_at mà chưa có answered_at" in text
    )
    assert not Petition.objects.exists()


def test_xlsx_and_a_code_already_present(tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(list(COLUMNS))
    sheet.append(GOOD[1])
    path = tmp_path / "phan-anh.xlsx"
    book.save(path)
    call_command("import_petitions", str(path), stdout=io.StringIO())
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_petitions", str(path), stderr=err)
    assert "Dòng 2: mã PA-2 đã có trong hệ thống" in err.getvalue()
    assert Petition.objects.count() == 1
