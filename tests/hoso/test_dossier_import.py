"""import_dossiers / export_dossiers: validation, all or nothing, events and clock, round trip, counters."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from hoso import workflow
from hoso.constants import Action, Status
from hoso.creation import LOOKUP_ALPHABET
from hoso.documents import render_document_html
from hoso.import_checks import DossierImportRejected, parse_dossier_file
from hoso.importing import code_parser, import_dossiers, lookup_keys
from hoso.interchange import COLUMNS
from hoso.models import AccessLog, Dossier, DossierCounter, DossierEvent
from hoso.workcalendar import VN_TZ
from motcua.models import User
from tests.factories import AgencyProcedureFactory, ProcedureFactory, load_holidays
from tests.printed import html_text
from thanhtoan import fees
from thanhtoan.models import PayChannel, PaymentTransaction, Receipt
from thutuc.constants import TimeUnit

pytestmark = pytest.mark.django_db

AGENCY = "000.25.31.H26"  # the `agency` fixture
NOW = datetime(2026, 1, 5, 9, 0, tzinfo=VN_TZ)


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


@pytest.fixture
def procedure(agency):
    """3 working days, offered by the ward; the official holidays 2019–2026 are loaded."""
    load_holidays()
    p = ProcedureFactory(
        code="1.000001", name="Cấp giấy xác nhận thử nghiệm", time_limit_value=3, time_limit_unit=TimeUnit.WORKING_DAYS
    )
    AgencyProcedureFactory(agency=agency, procedure=p)
    return p


def row(**values: object) -> dict[str, str]:
    base = {
        "code": f"{AGENCY}-250303-0001",
        "agency": AGENCY,
        "procedure_code": "1.000001",
        "channel": "1",
        "applicant_name": "Nguyễn Văn An",
        "applicant_id": "001090012345",
        "applicant_phone": "0912345678",
        "applicant_address": "Số 1 phố Tràng Tiền",
        "received_at": "2025-03-03T09:00",
    }
    base.update({k: str(v) for k, v in values.items()})
    return base


def csv_bytes(*rows: dict[str, str]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for r in rows:
        writer.writerow({name: r.get(name, "") for name in COLUMNS})
    return buffer.getvalue().encode("utf-8")


def write_csv(tmp_path: Path, *rows: dict[str, str], name: str = "ho-so.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(csv_bytes(*rows))
    return path


def run_import(path: Path) -> str:
    out = io.StringIO()
    call_command("import_dossiers", str(path), stdout=out)
    return out.getvalue()


def import_rows(*rows: dict[str, str], now: datetime = NOW):
    parsed = parse_dossier_file(csv_bytes(*rows), "ho-so.csv", now=now)
    return import_dossiers(parsed=parsed, now=now)


def rejection(*rows: dict[str, str], now: datetime = NOW) -> str:
    with pytest.raises(DossierImportRejected) as caught:
        import_rows(*rows, now=now)
    return "\n".join(str(e) for e in caught.value.errors)


def export_csv(start: str = "2025-01-01", end: str = "2025-12-31") -> str:
    out = io.StringIO()
    call_command("export_dossiers", "--agency", AGENCY, "--from", start, "--to", end, stdout=out)
    return out.getvalue()


# -- all or nothing -------------------------------------------------------------------------------
def test_one_impossible_row_imports_nothing_and_names_the_row(tmp_path, agency, procedure):
    path = write_csv(
        tmp_path,
        row(code="HS-1"),
        row(code="HS-2", received_at="2025-03-04T09:00", result_ready_at="2025-03-03T15:00"),
        row(code="HS-3", result_ready_at="2025-03-04T10:00"),
    )
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 dòng không hợp lệ, chưa ghi gì"):
        call_command("import_dossiers", str(path), stdout=io.StringIO(), stderr=err)
    assert err.getvalue().strip() == (
        "Dòng 3: có kết quả (result_ready_at 15:00 03/03/2025) trước khi tiếp nhận (received_at 09:00 04/03/2025)."
    )
    assert Dossier.objects.count() == DossierEvent.objects.count() == DossierCounter.objects.count() == 0
    assert not User.objects.filter(username__startswith="nhap-du-lieu-").exists()


def test_every_bad_row_is_listed_with_its_line(agency, procedure):
    text = rejection(
        row(code="HS-1", channel="4"),
        row(code="HS-2"),
        row(code="HS-3", agency="000.99.99.H99", procedure_code="9.999999"),
    )
    assert text.splitlines() == [
        "Dòng 2: kênh nộp “4” không hợp lệ (1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích).",
        "Dòng 4: không có cơ quan mã “000.99.99.H99”; không có thủ tục mã “9.999999” trong danh mục.",
    ]
    assert Dossier.objects.count() == 0


@pytest.mark.parametrize(
    ("values", "reason"),
    [
        ({"code": ""}, "thiếu mã hồ sơ (code)"),
        ({"code": "HS 1"}, "không có dấu cách"),
        ({"applicant_name": "  "}, "thiếu họ tên người nộp (applicant_name)"),
        ({"applicant_name": "A" * 201}, "họ tên người nộp (applicant_name) dài quá 200 ký tự"),
        ({"applicant_phone": "0" * 16}, "điện thoại (applicant_phone) dài quá 15 ký tự"),
        ({"channel": ""}, "kênh nộp “” không hợp lệ"),
        ({"received_at": ""}, "thiếu thời điểm tiếp nhận (received_at)"),
        (
            {"received_at": "03/03/2025 09:00"},
            "received_at “03/03/2025 09:00” không phải ngày giờ hợp lệ theo ISO 8601",
        ),
        ({"received_at": "2025-02-30T09:00"}, "không phải ngày giờ hợp lệ"),
        ({"received_at": "2025-03-03"}, "received_at “2025-03-03” không phải ngày giờ hợp lệ"),
        ({"received_at": "2099-03-03T09:00"}, "received_at 09:00 03/03/2099 ở tương lai"),
        ({"received_at": "1999-03-03T09:00"}, "trước năm 2000"),
        ({"due_at": "2025-03-03T08:00"}, "hạn trả (due_at) phải sau thời điểm tiếp nhận (received_at)"),
        ({"result_ready_at": "2025-03-03T08:59"}, "có kết quả (result_ready_at 08:59 03/03/2025) trước khi tiếp nhận"),
        (
            {"result_ready_at": "2025-03-04T10:00", "returned_at": "2025-03-04T09:00"},
            "trả kết quả (returned_at 09:00 04/03/2025) trước khi có kết quả (result_ready_at 10:00 04/03/2025)",
        ),
        ({"returned_at": "2025-03-04T09:00"}, "không có thời điểm có kết quả (result_ready_at)"),
        (
            {"withdrawn_at": "2025-03-04T09:00", "stopped_at": "2025-03-04T10:00"},
            "không thể vừa rút (withdrawn_at) vừa dừng xử lý (stopped_at)",
        ),
        (
            {"result_ready_at": "2025-03-04T09:00", "withdrawn_at": "2025-03-04T10:00"},
            "đã có kết quả (result_ready_at) không thể rút hoặc dừng xử lý",
        ),
        (
            {"result_ready_at": "2025-03-04T09:00", "stopped_at": "2025-03-04T10:00"},
            "đã có kết quả (result_ready_at) không thể rút hoặc dừng xử lý",
        ),
        ({"withdrawn_at": "2025-03-02T09:00"}, "rút hồ sơ (withdrawn_at) trước khi tiếp nhận"),
        ({"pauses": "2025-03-03T08:00/2025-03-03T10:00"}, "tạm dừng từ 08:00 03/03/2025, trước khi tiếp nhận"),
        (
            {"result_ready_at": "2025-03-05T09:00", "pauses": "2025-03-04T10:00/2025-03-06T10:00"},
            "tạm dừng đến 10:00 06/03/2025, sau khi hồ sơ đã có kết quả",
        ),
        (
            {"stopped_at": "2025-03-04T09:00", "pauses": "2025-03-04T10:00/"},
            "tạm dừng đến 10:00 04/03/2025, sau khi hồ sơ đã có kết quả, bị rút hoặc dừng xử lý",
        ),
        (
            {"pauses": "2025-03-03T10:00/2025-03-04T10:00;2025-03-04T09:00/2025-03-05T09:00"},
            "các lần tạm dừng chồng lên nhau (từ 10:00 03/03/2025 và từ 09:00 04/03/2025)",
        ),
        (
            {"pauses": "2025-03-03T10:00/;2025-03-04T09:00/2025-03-05T09:00"},
            "chỉ lần cuối được để trống thời điểm kết thúc",
        ),
        ({"pauses": "2025-03-04T10:00/2025-03-03T10:00"}, "kết thúc (10:00 03/03/2025) trước khi bắt đầu"),
        ({"pauses": "2025-03-04T10:00"}, "lần tạm dừng thứ 1 “2025-03-04T10:00” không đúng dạng bắt đầu/kết thúc"),
        ({"pauses": "2025-03-04T10:00/2099-01-01T10:00"}, "lần tạm dừng thứ 1 ở tương lai"),
        (
            {"result_ready_at": "2025-03-05T09:00", "pauses": "2025-03-04T10:00/"},
            "lần tạm dừng cuối chưa kết thúc",
        ),
        (
            {
                "supplement_requests": "1",
                "pauses": "2025-03-03T10:00/2025-03-03T11:00;2025-03-04T10:00/2025-03-04T11:00",
            },
            "số lần yêu cầu bổ sung (1) ít hơn số lần tạm dừng (2)",
        ),
        ({"supplement_requests": "-1"}, "số lần yêu cầu bổ sung “-1” không phải số nguyên không âm"),
        ({"supplement_requests": "51"}, "quá lớn (tối đa 50)"),
        ({"agency": "000.99.99.H99"}, "không có cơ quan mã “000.99.99.H99”"),
        ({"procedure_code": "9.999999"}, "không có thủ tục mã “9.999999” trong danh mục"),
    ],
)
def test_each_bad_row_is_refused_with_its_reason(agency, procedure, values, reason):
    text = rejection(row(**values))
    assert text.startswith("Dòng 2: ") and reason in text
    assert Dossier.objects.count() == 0


def test_a_code_twice_in_the_file_is_refused(agency, procedure):
    text = rejection(row(code="HS-1"), row(code="HS-1", received_at="2025-03-04T09:00"))
    assert text == "Dòng 3: mã hồ sơ HS-1 trùng với dòng 2."


def test_a_procedure_without_a_computable_limit_needs_due_at(agency, procedure):
    ProcedureFactory(code="1.000002", time_limit_value=None, time_limit_unit="", time_limit_text="30 ngày")
    text = rejection(row(procedure_code="1.000002"))
    assert "thủ tục 1.000002 không có thời hạn tính tự động: hãy ghi hạn trả kết quả (due_at)" in text
    import_rows(row(procedure_code="1.000002", due_at="2025-04-02T17:00"))
    d = Dossier.objects.get()
    assert d.manual_due_at == d.base_due_at == d.due_at == vn(2025, 4, 2, 17)
    assert "Ngày hẹn do cán bộ tiếp nhận nhập" in workflow.explain_due(d)[0]


def test_a_code_used_by_another_dossier_is_refused_not_overwritten(agency, other_agency, procedure):
    import_rows(row(code="HS-1"))
    text = rejection(row(code="HS-1", applicant_name="Trần Thị Bình", result_ready_at="2025-03-04T10:00"))
    assert text == (
        "Dòng 2: mã hồ sơ HS-1 đã có trong hệ thống với dữ liệu khác "
        "(cột applicant_name, result_ready_at); không nhập đè lên hồ sơ đã có."
    )
    text = rejection(row(code="HS-1", agency=other_agency.code))
    assert text == "Dòng 2: mã hồ sơ HS-1 đã được dùng cho hồ sơ của cơ quan khác."
    assert Dossier.objects.get().applicant_name == "Nguyễn Văn An"


def test_a_procedure_the_ward_no_longer_offers_is_accepted(agency, procedure):
    ProcedureFactory(code="1.000003", time_limit_value=5, time_limit_unit=TimeUnit.WORKING_DAYS, active=False)
    import_rows(row(procedure_code="1.000003"))
    # Mon 03/03/2025 09:00 + 5 working days → Mon 10/03/2025 09:00.
    assert Dossier.objects.get().due_at == vn(2025, 3, 10, 9)


# -- what an imported dossier is made of ----------------------------------------------------------
def test_it_creates_the_dossier_and_the_events_its_dates_imply(agency, procedure):
    summary = import_rows(
        row(
            code="HS-1",
            channel="2",
            pauses="2025-03-03T10:00/2025-03-04T10:00",
            result_ready_at="2025-03-07T08:45",
            returned_at="2025-03-07T14:00",
        )
    )
    assert summary.as_text() == (
        "Tạo mới: 1 hồ sơ (5 sự kiện), không đổi: 0, bị từ chối: 0. Bộ đếm mã hồ sơ được nâng: 0 ngày."
    )
    d = Dossier.objects.select_related("clerk").get()
    events = list(d.events.all())
    assert [(e.action, e.from_status, e.to_status, e.at) for e in events] == [
        (Action.RECEIVE, "", Status.RECEIVED, vn(2025, 3, 3, 9)),
        (Action.REQUEST_SUPPLEMENT, Status.RECEIVED, Status.WAITING_SUPPLEMENT, vn(2025, 3, 3, 10)),
        (Action.COMPLETE_SUPPLEMENT, Status.WAITING_SUPPLEMENT, Status.PROCESSING, vn(2025, 3, 4, 10)),
        (Action.MARK_RESULT_READY, Status.PROCESSING, Status.RESULT_READY, vn(2025, 3, 7, 8, 45)),
        (Action.RETURN_RESULT, Status.RESULT_READY, Status.RETURNED, vn(2025, 3, 7, 14)),
    ]
    assert all(e.actor_id is None and e.note == "Nhập từ hệ thống cũ" for e in events)
    # Each event records the due time it leaves in force: the pause (7h30 of working time) moves
    # Thu 06/03 09:00 to Fri 07/03 09:00 when the supplement arrives.
    assert [e.due_at for e in events] == [vn(2025, 3, 6, 9)] * 2 + [vn(2025, 3, 7, 9)] * 3
    assert (d.status, d.channel, d.received_at) == (Status.RETURNED, 2, vn(2025, 3, 3, 9))
    assert (d.base_due_at, d.due_at, d.shown_due_at) == (vn(2025, 3, 6, 9), vn(2025, 3, 7, 9), vn(2025, 3, 7, 9))
    assert (d.supplement_requests, d.extensions, d.paused_at, d.manual_due_at) == (1, 0, None, None)
    assert (d.result_ready_at, d.returned_at, d.timeliness) == (vn(2025, 3, 7, 8, 45), vn(2025, 3, 7, 14), "on_time")
    assert d.procedure_snapshot["limit"] == {"value": 3, "unit": "working_days", "cutoff": None}
    assert d.field_id == procedure.field_id and len(d.lookup_key) == 8
    assert (d.applicant_id_kind, d.applicant_kind) == ("cccd", "citizen")
    assert d.clerk.username == f"nhap-du-lieu-{AGENCY}"
    assert (d.clerk.is_active, d.clerk.role, d.clerk.agency_id, d.clerk.has_usable_password()) == (
        False,
        "clerk",
        agency.pk,
        False,
    )


def test_open_withdrawn_stopped_and_waiting_dossiers_get_their_status(agency, procedure):
    import_rows(
        row(code="HS-1"),
        row(code="HS-2", pauses="2025-03-03T10:00/2025-03-03T11:00"),
        row(code="HS-3", pauses="2025-03-04T10:00/"),
        row(code="HS-4", withdrawn_at="2025-03-04T10:00"),
        row(code="HS-5", stopped_at="2025-03-05T10:00", pauses="2025-03-04T10:00/"),
    )
    got = {d.code: (d.status, d.paused_at, d.timeliness) for d in Dossier.objects.all()}
    assert got == {
        "HS-1": (Status.RECEIVED, None, ""),
        "HS-2": (Status.PROCESSING, None, ""),
        "HS-3": (Status.WAITING_SUPPLEMENT, vn(2025, 3, 4, 10), ""),
        "HS-4": (Status.WITHDRAWN, None, ""),
        # Stopped while waiting: the pause stays open, as the workflow leaves it.
        "HS-5": (Status.STOPPED, vn(2025, 3, 4, 10), ""),
    }
    assert Dossier.objects.get(code="HS-4").withdrawn_at == vn(2025, 3, 4, 10)
    assert Dossier.objects.get(code="HS-5").stopped_at == vn(2025, 3, 5, 10)


def test_an_imported_waiting_dossier_continues_in_the_workflow(agency, clerk, officer, procedure):
    import_rows(row(code="HS-1", pauses="2025-03-03T10:00/"))
    d = Dossier.objects.get()
    d = workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, 4, 10))
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 4, 10, 5))
    d = workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 7, 8, 45))
    assert (d.due_at, d.timeliness) == (vn(2025, 3, 7, 9), "on_time")


# -- timeliness, hand-worked on the official 2025 calendar (3 working days) --------------------------
@pytest.mark.parametrize(
    ("received", "ready", "extra", "due", "timeliness"),
    [
        # Fri 24/01/2025 16:20; Tết 25/01–02/02 off → Mon 03/02 (1), Tue 04/02 (2), Wed 05/02 (3) 16:20.
        # Ready Tue 04/02, a working day before the due day → early.
        ("2025-01-24T16:20", "2025-02-04T10:00", {}, vn(2025, 2, 5, 16, 20), "early"),
        # Fri 25/04/2025 09:00; Sat 26/04 is a make-up working day (1), Mon 28/04 (2), Tue 29/04 (3).
        # Ready Tue 29/04 09:00 exactly: on the due day, no later than the due time → on time.
        ("2025-04-25T09:00", "2025-04-29T09:00", {}, vn(2025, 4, 29, 9), "on_time"),
        # Fri 29/08/2025 10:00; 30/08–02/09 off (Quốc khánh) → Wed 03/09, Thu 04/09, Fri 05/09 10:00.
        # Ready one minute after the due time → late.
        ("2025-08-29T10:00", "2025-09-05T10:01", {}, vn(2025, 9, 5, 10), "late"),
        # Mon 03/03/2025 09:00 → Thu 06/03 09:00; a pause Mon 10:00 → Tue 10:00 waits 7h30 of working time
        # (one working day) → Fri 07/03 09:00. Ready Fri 08:45: on time only thanks to the pause.
        (
            "2025-03-03T09:00",
            "2025-03-07T08:45",
            {"pauses": "2025-03-03T10:00/2025-03-04T10:00"},
            vn(2025, 3, 7, 9),
            "on_time",
        ),
        # Two supplement requests (the old system kept only the count) → late, though ready a day early.
        ("2025-03-03T09:00", "2025-03-04T10:00", {"supplement_requests": "2"}, vn(2025, 3, 6, 9), "late"),
        # One timed pause of 30 minutes plus one request without times: two requests → late.
        (
            "2025-03-03T09:00",
            "2025-03-04T10:00",
            {"supplement_requests": "2", "pauses": "2025-03-03T10:00/2025-03-03T10:30"},
            vn(2025, 3, 6, 9, 30),
            "late",
        ),
    ],
)
def test_imported_dossiers_are_classified_as_domain_5_5_says(
    agency, procedure, received, ready, extra, due, timeliness
):
    import_rows(row(received_at=received, result_ready_at=ready, **extra))
    d = Dossier.objects.get()
    assert (d.due_at, d.timeliness, d.status) == (due, timeliness, Status.RESULT_READY)


def test_supplement_requests_without_times_count_but_move_no_due_date(agency, procedure):
    import_rows(row(supplement_requests="2"))
    d = Dossier.objects.get()
    assert (d.supplement_requests, d.due_at, d.paused_at, d.status) == (2, vn(2025, 3, 6, 9), None, Status.PROCESSING)
    placeholders = d.events.filter(data__count_only=True)
    assert placeholders.count() == 4 and {e.at for e in placeholders} == {vn(2025, 3, 3, 9)}
    # The export keeps the count and leaves the placeholders out of the timed pauses.
    exported = list(csv.DictReader(io.StringIO(export_csv())))
    assert (exported[0]["supplement_requests"], exported[0]["pauses"]) == ("2", "")


def test_a_given_due_at_other_than_the_computed_one_is_kept_as_the_manual_appointment(agency, procedure):
    import_rows(row(code="HS-1", due_at="2025-03-10T17:00"), row(code="HS-2", due_at="2025-03-06T09:00+07:00"))
    one, two = Dossier.objects.get(code="HS-1"), Dossier.objects.get(code="HS-2")
    assert (one.base_due_at, one.due_at, one.manual_due_at) == (vn(2025, 3, 10, 17), vn(2025, 3, 10, 17), one.due_at)
    assert (two.base_due_at, two.manual_due_at) == (vn(2025, 3, 6, 9), None)  # equal to the computed one


def test_instants_with_an_offset_are_read_as_such(agency, procedure):
    import_rows(row(received_at="2025-03-03T02:00:00Z"))  # 09:00 in Vietnam
    assert Dossier.objects.get().received_at == vn(2025, 3, 3, 9)


def test_the_applicant_id_kind_follows_the_numbers_shape(agency, procedure):
    import_rows(
        row(code="HS-1", applicant_id="123456789"),
        row(code="HS-2", applicant_id="0101234567"),
        row(code="HS-3", applicant_id="C1234567"),
        row(code="HS-4", applicant_id=""),
    )
    got = {d.code: (d.applicant_id_kind, d.applicant_kind) for d in Dossier.objects.all()}
    assert got == {
        "HS-1": ("cmnd", "citizen"),
        "HS-2": ("tax_code", "organisation"),
        "HS-3": ("passport", "citizen"),
        "HS-4": ("cccd", "citizen"),
    }


# -- idempotence ----------------------------------------------------------------------------------
def test_importing_the_same_file_again_changes_nothing(tmp_path, agency, procedure):
    path = write_csv(
        tmp_path,
        row(code=f"{AGENCY}-250303-0001", result_ready_at="2025-03-05T10:00", returned_at="2025-03-06T10:00"),
        row(code=f"{AGENCY}-250303-0002", pauses="2025-03-03T10:00/"),
        row(code=f"{AGENCY}-250303-0003", supplement_requests="3", pauses="2025-03-03T10:00/2025-03-03T11:00"),
    )
    first = run_import(path)
    assert "Tạo mới: 3 hồ sơ (12 sự kiện), không đổi: 0" in first
    before = list(Dossier.objects.order_by("code").values())
    events, counters = DossierEvent.objects.count(), list(DossierCounter.objects.values())
    second = run_import(path)
    assert second.strip() == (
        "Tạo mới: 0 hồ sơ (0 sự kiện), không đổi: 3, bị từ chối: 0. Bộ đếm mã hồ sơ được nâng: 0 ngày."
    )
    assert list(Dossier.objects.order_by("code").values()) == before
    assert DossierEvent.objects.count() == events and list(DossierCounter.objects.values()) == counters


def test_a_dry_run_checks_and_writes_nothing(tmp_path, agency, procedure):
    out = io.StringIO()
    call_command("import_dossiers", str(write_csv(tmp_path, row())), "--dry-run", stdout=out)
    assert out.getvalue().startswith("Kiểm tra (không ghi): Tạo mới: 1 hồ sơ (1 sự kiện)")
    assert Dossier.objects.count() == 0 and not User.objects.filter(username__startswith="nhap-du-lieu").exists()


# -- the day counter ------------------------------------------------------------------------------
def test_the_day_counter_covers_imported_codes_so_intake_never_reuses_one(agency, clerk, procedure):
    DossierCounter.objects.create(agency=agency, day=date(2025, 3, 4), last=12)
    summary = import_rows(
        row(code=f"{AGENCY}-250303-0007"),
        row(code=f"{AGENCY}-250303-0003"),
        row(code=f"{AGENCY}-250304-0005", received_at="2025-03-04T09:00"),  # below the counter: left alone
        row(code="HS-CU-0099", received_at="2025-03-05T09:00"),  # not the ward's pattern: no counter
    )
    assert summary.counters_raised == 1
    counters = dict(DossierCounter.objects.values_list("day", "last"))
    assert counters == {date(2025, 3, 3): 7, date(2025, 3, 4): 12}
    intake = workflow.Intake(procedure=procedure, applicant_name="Lê Thị Cúc")
    d = workflow.receive(agency=agency, actor=clerk, intake=intake, now=vn(2025, 3, 3, 15))
    assert d.code == f"{AGENCY}-250303-0008"


def test_the_code_parser_follows_the_wards_pattern(agency):
    parse = code_parser(agency)
    assert parse(f"{AGENCY}-250303-0012") == (date(2025, 3, 3), 12)
    assert parse(f"{AGENCY}-250303-12") is None  # intake would write 0012
    assert parse(f"{AGENCY}-250230-0001") is None  # 30 February
    assert parse("000.25.32.H26-250303-0001") is None  # another ward
    agency.dossier_code_pattern = "{agency}-HS{date:%Y%m%d}-{seq:05d}"
    assert code_parser(agency)(f"{AGENCY}-HS20250303-00042") == (date(2025, 3, 3), 42)
    assert code_parser(agency)(f"{AGENCY}-HS20250303-0042") is None  # intake would write 00042
    assert code_parser(agency)(f"{AGENCY}-HS20250303-123456") == (date(2025, 3, 3), 123456)
    agency.dossier_code_pattern = "{agency}/{seq}"
    # Not a valid pattern: intake uses the default one, and so does the parser.
    assert code_parser(agency)(f"{AGENCY}/1") is None
    assert code_parser(agency)(f"{AGENCY}-250303-0001") == (date(2025, 3, 3), 1)


def test_imported_lookup_keys_are_random_keys_of_the_workflows_alphabet():
    keys = lookup_keys(2_000)
    assert len(set(keys)) == 2_000 and all(len(k) == 8 and set(k) <= set(LOOKUP_ALPHABET) for k in keys)
    assert set("".join(keys)) == set(LOOKUP_ALPHABET)  # every letter appears in 16,000 draws


# -- CSV and XLSX ---------------------------------------------------------------------------------
def test_an_xlsx_file_with_real_date_cells_imports_like_the_csv(tmp_path, agency, procedure):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    values = row(code="HS-1", result_ready_at="2025-03-05T10:00")
    cells: list[object] = [values.get(name, "") for name in COLUMNS]
    cells[COLUMNS.index("channel")] = 1  # numbers and naive date-times as Excel stores them
    cells[COLUMNS.index("received_at")] = datetime(2025, 3, 3, 9, 0)
    sheet.append(cells)
    path = tmp_path / "ho-so.xlsx"
    workbook.save(path)
    assert "Tạo mới: 1 hồ sơ (2 sự kiện)" in run_import(path)
    d = Dossier.objects.get()
    assert (d.received_at, d.channel, d.timeliness) == (vn(2025, 3, 3, 9), 1, "early")


def test_a_file_without_a_required_column_is_refused(tmp_path, agency):
    path = tmp_path / "ho-so.csv"
    path.write_text("code,agency\nHS-1,000.25.31.H26\n", encoding="utf-8")
    with pytest.raises(CommandError, match=r"Tệp thiếu cột: procedure_code, channel, applicant_name, received_at\."):
        run_import(path)


def test_the_missing_columns_message_names_the_columns_it_read(tmp_path, agency):
    path = tmp_path / "ho-so.csv"
    path.write_text("Mã hồ sơ,Cơ quan\nHS-1,000.25.31.H26\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Dòng đầu tiên đọc được các cột: “Mã hồ sơ”, “Cơ quan”"):
        run_import(path)
    path.write_text("\n\n\n", encoding="utf-8")
    with pytest.raises(CommandError, match="Tệp rỗng"):
        run_import(path)


def test_a_csv_saved_with_semicolons_by_excel_in_vietnamese_is_read(tmp_path, agency, procedure):
    path = tmp_path / "ho-so.csv"
    path.write_bytes(csv_bytes(row(code="HS-1")).decode().replace(",", ";").encode("utf-8-sig"))
    assert "Tạo mới: 1 hồ sơ" in run_import(path)


def test_a_null_character_in_a_csv_names_its_line_and_writes_nothing(tmp_path, agency, procedure):
    path = tmp_path / "ho-so.csv"
    text = csv_bytes(row(code="HS-1"), row(code="HS-2", applicant_name="Lê\x00Văn"))
    path.write_bytes(text)
    with pytest.raises(CommandError, match="ký tự rỗng \\(NUL\\) ở dòng 3"):
        run_import(path)
    assert not Dossier.objects.exists()


def test_xlsx_number_cells_for_phones_and_date_only_cells_are_refused(tmp_path, agency, procedure):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(COLUMNS))
    for code, column, value in (("HS-1", "applicant_phone", 912345678), ("HS-2", "received_at", datetime(2025, 3, 3))):
        cells: list[object] = [row(code=code).get(name, "") for name in COLUMNS]
        cells[COLUMNS.index(column)] = value
        sheet.append(cells)
    path = tmp_path / "ho-so.xlsx"
    workbook.save(path)
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 dòng không hợp lệ"):
        call_command("import_dossiers", str(path), stdout=io.StringIO(), stderr=err)
    assert "Dòng 2: cột applicant_phone được lưu dạng số trong Excel (mất số 0 đầu: “912345678”)" in err.getvalue()
    assert "Dòng 3: received_at “2025-03-03” không phải ngày giờ hợp lệ" in err.getvalue()
    assert not Dossier.objects.exists()


# -- export and the round trip ---------------------------------------------------------------------
def native_dossiers(agency, clerk, officer, leader, procedure) -> None:
    """A varied set of dossiers made by the workflow itself."""

    def receive(minute: int, p=procedure, **extra):
        intake = workflow.Intake(procedure=p, applicant_name=f"Nguyễn Văn {minute}", channel=2, **extra)
        return workflow.receive(agency=agency, actor=clerk, intake=intake, now=vn(2025, 3, 3, 9, minute))

    def assign(d, minute=30):
        workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, minute))

    # Paused once, finished, returned.
    d = receive(1, applicant_phone="0912345678", applicant_address="Số 2, phố Hàng Bài")
    assign(d)
    workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="Bản sao", now=vn(2025, 3, 3, 10))
    workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, 4, 10))
    workflow.submit_for_approval(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 6, 14))
    workflow.approve(dossier_id=d.pk, actor=leader, now=vn(2025, 3, 7, 8, 45))
    workflow.return_result(dossier_id=d.pk, actor=clerk, collector="Nguyễn Văn An", now=vn(2025, 3, 7, 10))
    # Two supplement requests, late.
    d = receive(2)
    assign(d)
    for day in (3, 4):
        workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="Thiếu", now=vn(2025, 3, day, 10))
        workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, day, 11))
    workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 5, 9))
    # Withdrawn while waiting for a supplement.
    d = receive(3)
    assign(d)
    workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="Thiếu", now=vn(2025, 3, 4, 9))
    workflow.withdraw(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, 5, 9))
    # Stopped.
    d = receive(4)
    assign(d)
    workflow.stop(dossier_id=d.pk, actor=leader, reason="Không đủ điều kiện", now=vn(2025, 3, 4, 15))
    # Still waiting.
    d = receive(5)
    assign(d)
    workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="Thiếu", now=vn(2025, 3, 4, 9))
    # Extended and finished late (the extension itself is not carried by the columns).
    d = receive(6)
    assign(d)
    workflow.extend(
        dossier_id=d.pk, actor=officer, new_due_at=vn(2025, 3, 12, 17), reason="Cần xác minh", now=vn(2025, 3, 5, 10)
    )
    workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 10, 10))
    # Just received, and a procedure with the clerk's appointment.
    receive(7, applicant_id_number="001090012345")
    manual = ProcedureFactory(code="1.000009", time_limit_value=None, time_limit_unit="", time_limit_text="30 ngày")
    AgencyProcedureFactory(agency=agency, procedure=manual)
    receive(8, p=manual, manual_due_at=vn(2025, 4, 2, 17))


CLOCK = (
    "code",
    "channel",
    "received_at",
    "base_due_at",
    "due_at",
    "manual_due_at",
    "paused_at",
    "supplement_requests",
    "result_ready_at",
    "returned_at",
    "withdrawn_at",
    "stopped_at",
    "timeliness",
    "resolution_seconds",
)


def test_export_then_import_into_an_empty_database_gives_the_same_dossiers(
    agency, clerk, officer, leader, procedure, tmp_path
):
    native_dossiers(agency, clerk, officer, leader, procedure)
    first = export_csv("2025-03-03", "2025-03-03")
    assert first.count("\n") == 9  # the header and eight dossiers
    native = list(Dossier.objects.order_by("code").values(*CLOCK))
    native_status = dict(Dossier.objects.values_list("code", "status"))
    native_search = list(Dossier.objects.order_by("code").values_list("search_text", flat=True))
    assert all(text.strip() for text in native_search)
    Dossier.objects.all().delete()
    DossierCounter.objects.all().delete()

    path = tmp_path / "ho-so.csv"
    path.write_text(first, encoding="utf-8")
    assert "Tạo mới: 8 hồ sơ" in run_import(path)
    assert export_csv("2025-03-03", "2025-03-03") == first
    # The clock columns reports read are those the workflow had set.
    assert list(Dossier.objects.order_by("code").values(*CLOCK)) == native
    # Imported dossiers are found at the counter like native ones (COPY fills the search column).
    assert list(Dossier.objects.order_by("code").values_list("search_text", flat=True)) == native_search
    imported_status = dict(Dossier.objects.values_list("code", "status"))
    finished = {c: s for c, s in native_status.items() if s not in (Status.PROCESSING, Status.RECEIVED)}
    assert {c: imported_status[c] for c in finished} == finished
    assert DossierCounter.objects.get().last == 8  # codes 0001–0008 of 03/03/2025
    assert "Bộ đếm" in run_import(path) and Dossier.objects.count() == 8  # and again: unchanged


def test_the_export_reads_the_inclusive_range_in_vietnam_days_and_is_logged(agency, procedure):
    import_rows(
        row(code="HS-1", received_at="2025-03-02T23:59"),  # Sunday night, Vietnam time
        row(code="HS-2", received_at="2025-03-03T00:00"),
        row(code="HS-3", received_at="2025-03-04T23:59:59"),
        row(code="HS-4", received_at="2025-03-05T00:00"),
    )
    rows = list(csv.DictReader(io.StringIO(export_csv("2025-03-03", "2025-03-04"))))
    assert [r["code"] for r in rows] == ["HS-2", "HS-3"]
    assert rows[0]["received_at"] == "2025-03-03T00:00:00+07:00"
    assert rows[0]["due_at"] == "2025-03-06T07:30:00+07:00"  # from the next session start, 3 working days
    log = AccessLog.objects.get()
    assert (log.kind, log.dossier, log.agency, log.user.username) == ("export", None, agency, f"nhap-du-lieu-{AGENCY}")
    assert log.detail == "Xuất 2 hồ sơ tiếp nhận từ 03/03/2025 đến 04/03/2025 (CSV)"


def test_an_xlsx_export_imports_back(agency, procedure, tmp_path):
    import_rows(row(code="HS-1", pauses="2025-03-03T10:00/2025-03-04T10:00", result_ready_at="2025-03-07T08:45"))
    path = tmp_path / "ho-so.xlsx"
    out = io.StringIO()
    call_command(
        "export_dossiers", "--agency", AGENCY, "--from", "2025-03-01", "--to", "2025-03-31", "-o", str(path), stdout=out
    )
    assert out.getvalue().strip() == f"Đã xuất 1 hồ sơ vào {path}."
    sheet = load_workbook(path, read_only=True).worksheets[0]
    header, values = list(sheet.iter_rows(values_only=True))
    assert list(header) == list(COLUMNS) and values[0] == "HS-1"
    assert values[COLUMNS.index("pauses")] == "2025-03-03T10:00:00+07:00/2025-03-04T10:00:00+07:00"
    before = export_csv()
    Dossier.objects.all().delete()
    run_import(path)
    assert export_csv() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--agency", "000.99.99.H99", "--from", "2025-03-01", "--to", "2025-03-31"], "Không có cơ quan mã"),
        (["--agency", AGENCY, "--from", "01/03/2025", "--to", "2025-03-31"], "không đúng dạng YYYY-MM-DD"),
        (["--agency", AGENCY, "--from", "2025-03-31", "--to", "2025-03-01"], "phải từ ngày bắt đầu"),
        (["--agency", AGENCY, "--from", "2025-03-01", "--to", "2025-03-31", "--format", "xlsx"], "cần tệp kết quả"),
    ],
)
def test_the_export_command_refuses_bad_arguments(agency, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("export_dossiers", *args, stdout=io.StringIO())
    assert AccessLog.objects.count() == 0


def test_a_half_year_exported_and_imported_into_an_empty_database_gives_the_same_report(
    agency, clerk, officer, leader, procedure, tmp_path
):
    """Acceptance: export of an agency's half-year → import into an empty database → same 06a figures."""
    from baocao.figures import compile_figures
    from baocao.periods import calendar_half_year

    native_dossiers(agency, clerk, officer, leader, procedure)
    # A few more across the half-year, some finished late, some still open at its end.
    for month, day in ((1, 6), (2, 17), (4, 21), (6, 30)):
        intake = workflow.Intake(procedure=procedure, applicant_name="Trần Thị Bình")
        d = workflow.receive(agency=agency, actor=clerk, intake=intake, now=vn(2025, month, day, 10))
        if month < 6:
            workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, month, day, 11))
            workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, month, day + 6, 9))
    # One apologised for (form 04) and finished before its new appointment, the result posted:
    # late all the same (docs/timeliness.md §1), an apology, a result by post.
    intake = workflow.Intake(
        procedure=procedure, applicant_name="Lê Văn Cường", delivery="post", delivery_address="Số 3 phố Huế"
    )
    d = workflow.receive(agency=agency, actor=clerk, intake=intake, now=vn(2025, 5, 5, 9))  # Mon 05/05/2025
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 5, 5, 9, 30))
    workflow.extend(
        dossier_id=d.pk, actor=officer, new_due_at=vn(2025, 5, 14, 17), reason="Chờ xác minh", now=vn(2025, 5, 7, 9)
    )
    workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 5, 9, 9))
    workflow.return_result(dossier_id=d.pk, actor=clerk, tracking_number="EB1VN", now=vn(2025, 5, 9, 10))
    assert Dossier.objects.get(pk=d.pk).timeliness == "late"
    # Papers digitised at intake (4.2) and results issued electronically (4.1) travel too.
    Dossier.objects.filter(pk__in=Dossier.objects.order_by("received_at").values("pk")[:5]).update(digitised=True)
    Dossier.objects.filter(result_ready_at__isnull=False).exclude(pk=d.pk).update(electronic_result=True)
    # Fees (docs/payments.md): one paid online, one at the desk, the rest without a fee.
    online, desk = Dossier.objects.order_by("received_at")[5:7]
    fees.record_settled_payment(
        dossier=online, amount=30_000, channel=PayChannel.ONLINE, provider="national", at=online.received_at
    )
    fees.record_counter_payment(dossier_id=desk.pk, actor=clerk, channel="cash", amount=20_000, now=desk.received_at)
    period = calendar_half_year(2025, 1)
    before = compile_figures(agency_ids=[agency.pk], period=period)
    assert 0 < before["indicators"]["digitised_share"] < 100
    assert 0 < before["indicators"]["electronic_result_share"] < 100
    assert before["total"]["received_total"] >= 13 and before["total"]["late"] >= 2
    assert before["indicators"]["apologies"] >= 1 and before["indicators"]["apology_letters"] >= 1
    assert before["indicators"]["results_by_post"] == 1
    assert before["indicators"]["paid_online_share"] == 50.0
    assert before["indicators"]["fees_collected"]["total"] == 50_000

    exported = export_csv("2025-01-01", "2025-06-30")
    assert ",30000,yes\n" in exported and ",20000,\n" in exported
    Receipt.objects.all().delete()  # the fee rows go with the dossiers (a test's clean slate only)
    PaymentTransaction.objects.all().delete()
    Dossier.objects.all().delete()
    DossierCounter.objects.all().delete()
    assert compile_figures(agency_ids=[agency.pk], period=period)["total"]["received_total"] == 0
    path = tmp_path / "nua-nam.csv"
    path.write_text(exported, encoding="utf-8")
    call_command("import_dossiers", str(path), stdout=io.StringIO())

    after = compile_figures(agency_ids=[agency.pk], period=period)
    assert after["rows"] == before["rows"] and after["total"] == before["total"]
    for name in (
        "online_share",
        "early_or_on_time_share",
        "results_by_post",
        "apologies",
        "apology_letters",
        "digitised_share",
        "electronic_result_share",
        "paid_online_share",
        "fees_collected",
    ):
        assert after["indicators"][name] == before["indicators"][name]
    assert export_csv("2025-01-01", "2025-06-30") == exported
    imported = Dossier.objects.get(applicant_name="Lê Văn Cường")
    assert (imported.delivery, imported.extensions, imported.shown_due_at) == ("post", 1, vn(2025, 5, 14, 17))


def test_extensions_and_delivery_are_checked_row_by_row(agency, procedure):
    message = rejection(
        row(code="HS-1", extensions="2025-03-04T09:00"),
        row(code="HS-2", extensions="2025-03-04T09:00/2025-03-04T08:00"),
        row(code="HS-3", extensions="2025-03-01T09:00/2025-03-10T17:00"),
        row(code="HS-4", delivery="nha rieng"),
    )
    assert "Dòng 2: lần gia hạn thứ 1 “2025-03-04T09:00” không đúng dạng" in message
    assert "Dòng 3: lần gia hạn thứ 1: ngày hẹn mới (08:00 04/03/2025) phải sau lúc xin lỗi" in message
    assert "Dòng 4: lần gia hạn (extensions) phải trong thời gian giải quyết" in message
    assert "Dòng 5: nơi nhận kết quả “nha rieng” không hợp lệ" in message
    assert not Dossier.objects.exists()


def test_a_reimport_after_a_calendar_edit_is_still_unchanged(agency, procedure):
    from hoso.calendar_store import invalidate_calendars
    from hoso.constants import CalendarDayKind
    from hoso.models import CalendarDay

    import_rows(row(code="HS-1"))  # due_at blank: computed, Thu 06/03/2025 09:00
    CalendarDay.objects.create(agency=agency, date=date(2025, 3, 5), kind=CalendarDayKind.HOLIDAY, name="Nghỉ riêng")
    invalidate_calendars()
    summary = import_rows(row(code="HS-1"))
    assert (summary.created, summary.unchanged) == (0, 1)


def test_imported_events_send_no_message_and_show_no_import_note_to_the_citizen(
    agency, procedure, client, time_machine
):
    from django.core import mail

    from hoso.lookup import public_view
    from hoso.models import Notification
    from hoso.tasks import sweep_notifications

    # Received yesterday in the old system, waiting for a supplement since this morning.
    time_machine.move_to(vn(2026, 1, 6, 11, 0), tick=False)
    import_rows(
        row(code=f"{AGENCY}-260105-0001", received_at="2026-01-05T09:00", pauses="2026-01-06T08:00/"),
        row(code=f"{AGENCY}-260105-0002", received_at="2026-01-05T09:30", stopped_at="2026-01-06T08:30"),
        now=vn(2026, 1, 6, 11, 0),
    )
    assert sweep_notifications.delay().get()["events"] == 0
    assert not Notification.objects.exists() and not mail.outbox
    for dossier in Dossier.objects.all():
        view = public_view(dossier)
        assert "Nhập từ hệ thống cũ" not in view.next_step
        assert view.next_step  # still says where to go: the desk, with no list of papers


def test_an_imported_online_dossier_is_timed_by_the_online_limit(agency):
    load_holidays()
    p = ProcedureFactory(
        code="1.012766", time_limit_value=13, time_limit_unit=TimeUnit.WORKING_DAYS, time_limit_online=3
    )
    AgencyProcedureFactory(agency=agency, procedure=p)
    import_rows(
        row(code="HS-1", procedure_code="1.012766", channel="1", received_at="2025-10-06T09:00"),
        row(code="HS-2", procedure_code="1.012766", channel="2", received_at="2025-10-06T09:00"),
    )
    dues = dict(Dossier.objects.values_list("code", "due_at"))
    assert dues == {"HS-1": vn(2025, 10, 23, 9, 0), "HS-2": vn(2025, 10, 9, 9, 0)}


def test_an_imported_apology_prints_no_import_note_as_its_reason(agency, procedure):
    import_rows(row(code="HS-1", extensions="2025-03-05T09:00/2025-03-12T17:00"))
    dossier = Dossier.objects.get()
    text = html_text(render_document_html(dossier, "xin-loi"))  # what the PDF is laid out from
    assert "Nhập từ hệ thống cũ" not in text and "hồ sơ chuyển từ hệ thống cũ" in text
    assert "17 giờ 00 phút, ngày 12 tháng 3 năm 2025" in text


def test_a_blank_due_at_does_not_match_a_given_appointment_on_reimport(agency, procedure):
    # First imported with its own appointment (not the computed Thu 06/03/2025 09:00)…
    import_rows(row(code="HS-1", due_at="2025-03-10T17:00"))
    assert Dossier.objects.get().manual_due_at == vn(2025, 3, 10, 17, 0)
    # …the same row with the cell left blank is another row.
    assert "dữ liệu khác (cột due_at)" in rejection(row(code="HS-1"))
    assert import_rows(row(code="HS-1", due_at="2025-03-10T17:00")).unchanged == 1


def test_digitised_and_electronic_result_are_yes_or_blank(agency, procedure):
    import_rows(
        row(code="HS-1", digitised="yes", electronic_result="Có", result_ready_at="2025-03-05T09:00"),
        row(code="HS-2", digitised="", electronic_result="no"),
    )
    flags = dict(Dossier.objects.values_list("code", "digitised"))
    electronic = dict(Dossier.objects.values_list("code", "electronic_result"))
    assert (flags, electronic) == ({"HS-1": True, "HS-2": False}, {"HS-1": True, "HS-2": False})
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(export_csv()))}
    assert (rows["HS-1"]["digitised"], rows["HS-1"]["electronic_result"]) == ("yes", "yes")
    assert (rows["HS-2"]["digitised"], rows["HS-2"]["electronic_result"]) == ("", "")
    # A flag changed in the file is a change, not "unchanged".
    reasons = rejection(row(code="HS-2", digitised="yes"))
    assert "HS-2" in reasons


def test_a_flag_that_is_neither_yes_nor_blank_is_refused_by_name(agency, procedure):
    reasons = rejection(row(code="HS-1", digitised="maybe"))
    assert "cột digitised (đã số hóa) “maybe” không hợp lệ: ghi yes hoặc để trống" in reasons
    assert Dossier.objects.count() == 0
