"""The record as the stand-in receives it: field code, supplement requests, papers with their digitised
flags, results; data we lack held as "cannot sync: reason"; handed-over dossiers sent once; ratings
and fee rows through the outbox."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse

from hoso import surveys, workflow
from hoso.constants import SatisfactionLevel, Status
from hoso.models import Dossier
from lienthong import drain, outbox
from lienthong.models import Kind, OutboxEntry, State
from lienthong.state import sync_state
from motcua.constants import Role
from tests.factories import AgencyFactory
from tests.hoso.test_workflow import bring_to, vn
from tests.lienthong.conftest import FIELD_CODE, ID_NUMBER
from thutuc.constants import DocumentForm
from tructuyen.constants import FileKind, FileType
from tructuyen.models import DossierFile

pytestmark = pytest.mark.django_db


def _file(dossier: Dossier, name: str, kind: str, digitised: bool = False) -> DossierFile:
    row = DossierFile(
        dossier=dossier,
        paper_name=name,
        kind=kind,
        original_name=f"{name}.pdf",
        content_type=FileType.PDF,
        size=1000,
        sha256="0" * 64,
        digitised=digitised,
        uploaded_at=dossier.created_at,
    )
    row.file.name = f"hoso-tep/{dossier.agency_id}/x.pdf"
    row.save()
    return row


def test_the_record_carries_field_supplements_papers_and_results(stand_in, agency, staff, procedure):
    clerk, officer = staff[Role.CLERK], staff[Role.OFFICER]
    intake = workflow.Intake(
        procedure=procedure,
        applicant_name="Nguyễn Văn An",
        applicant_id_number=ID_NUMBER,
        documents=[(None, "Tờ khai", DocumentForm.ORIGINAL, 1), (None, "Giấy khai sinh", DocumentForm.COPY, 2)],
    )
    at = vn(2025, 3, 3, 9)
    d = workflow.receive(agency=agency, actor=clerk, intake=intake, now=at)
    _file(d, "Tờ khai", FileKind.SCAN, digitised=True)  # the counter scanned one paper
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=at + timedelta(minutes=5))
    workflow.request_supplement(
        dossier_id=d.pk, actor=officer, missing="Bản sao sổ hộ khẩu", now=at + timedelta(hours=1)
    )
    workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, 4, 9))
    _file(d, "Bản sao sổ hộ khẩu", FileKind.SUPPLEMENT)
    workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 4, 15))
    assert drain.drain_once().failed == 0
    record = stand_in.inspect(d.code)["record"]
    assert record["MaLinhVuc"] == FIELD_CODE and record["TenLinhVuc"] == "Hộ tịch" and record["TrangThaiHoSo"] == 9
    assert record["DanhSachHoSoBoSung"] == [
        {
            "NguoiYeuCauBoSung": officer.get_full_name() or officer.username,
            "NoiDungBoSung": "Bản sao sổ hộ khẩu",
            "NgayBoSung": "20250303100000",
            "TruocTiepNhan": 0,
            "NgayTiepNhanBoSung": "20250304090000",
            "TrangThaiBoSung": 1,
        }
    ]
    papers = {(p["TenGiayTo"], p["BoSung"]): p for p in record["TaiLieuNop"]}
    assert set(papers) == {("Tờ khai", 0), ("Giấy khai sinh", 0), ("Bản sao sổ hộ khẩu", 1)}
    assert papers[("Tờ khai", 0)]["DaSoHoa"] == 1 and papers[("Giấy khai sinh", 0)]["DaSoHoa"] == 0
    assert papers[("Giấy khai sinh", 0)]["SoLuong"] == 2
    assert record["DanhSachGiayToKetQua"] == [{"TenGiayTo": "Giấy xác nhận", "KetQuaDienTu": 0, "DaSoHoa": 0}]
    # The first step's record (as of the intake) was sent before the supplement: none listed then.
    first = OutboxEntry.objects.filter(dossier=d).order_by("sequence").first()
    assert first.payload["record"]["TrangThaiHoSo"] == 2


def test_a_result_file_is_listed_as_an_electronic_result(stand_in, with_id_number, agency, staff, procedure):
    d = bring_to(Status.PROCESSING, agency, staff, procedure)
    _file(d, "Kết quả giải quyết", FileKind.RESULT)
    workflow.mark_result_ready(dossier_id=d.pk, actor=staff[Role.OFFICER], now=vn(2025, 3, 4, 15))
    drain.drain_once()
    results = stand_in.inspect(d.code)["record"]["DanhSachGiayToKetQua"]
    assert results == [
        {"TenGiayTo": "Kết quả giải quyết", "TenTep": "Kết quả giải quyết.pdf", "KetQuaDienTu": 1, "DaSoHoa": 1}
    ]


def test_a_field_without_national_code_is_cannot_sync_until_entered(
    stand_in, with_id_number, agency, staff, procedure, client
):
    procedure.field.code = ""
    procedure.field.save()
    d = bring_to(Status.PROCESSING, agency, staff, procedure)
    result = drain.drain_once()
    assert result.acknowledged == 0 and result.blocked == 1 and stand_in.inspect(d.code) is None
    head, later = OutboxEntry.objects.filter(dossier=d).order_by("sequence")
    assert head.state == State.BLOCKED and later.state == State.PENDING  # held back behind it, in order
    assert "lĩnh vực «Hộ tịch» chưa có mã lĩnh vực" in head.last_error
    state = sync_state(d.pk)
    assert state.tone == "danger" and state.text.startswith("Không đồng bộ được: lĩnh vực «Hộ tịch»")
    client.force_login(staff[Role.CLERK])
    assert (
        "chưa có mã lĩnh vực của Cổng DVC quốc gia" in client.get(reverse("hoso:detail", args=[d.pk])).content.decode()
    )
    assert outbox.retry([head]) == (0, 1)  # still missing
    procedure.field.code = FIELD_CODE
    procedure.field.save()
    assert outbox.retry([head]) == (1, 0)
    assert drain.drain_once().acknowledged == 2
    assert stand_in.inspect(d.code)["record"]["MaLinhVuc"] == FIELD_CODE


def test_an_unknown_result_is_cannot_sync_never_a_guess(stand_in, with_id_number, agency, staff, procedure):
    procedure.result = ""
    procedure.save()
    d = bring_to(Status.RESULT_READY, agency, staff, procedure)
    result = drain.drain_once()
    assert result.acknowledged == 2 and result.blocked == 1  # intake and assignment went; the result waits
    blocked = OutboxEntry.objects.get(dossier=d, state=State.BLOCKED)
    assert "chưa rõ giấy tờ kết quả" in blocked.last_error
    assert stand_in.inspect(d.code)["record"]["TrangThaiHoSo"] == 4


def test_a_handed_over_dossier_is_sent_once_by_the_agency_that_owns_it(
    stand_in, with_id_number, agency, staff, procedure
):
    partner = AgencyFactory(code="000.00.22.H26", name="Phòng Tài nguyên và Môi trường")
    d = bring_to(Status.PROCESSING, agency, staff, procedure)
    officer = staff[Role.OFFICER]
    workflow.transfer(dossier_id=d.pk, actor=officer, to_agency=partner.name, now=vn(2025, 3, 3, 10))
    drain.drain_once()
    workflow.transfer_back(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 4, 10))
    workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 4, 11))
    drain.drain_once()
    # The partner has no row of this dossier: its resend queues nothing, its drain sends nothing.
    call_command("national_sync", "--resend", "--agency", partner.code)
    assert not OutboxEntry.objects.filter(dossier__agency=partner).exists()
    assert drain.drain_once().sent == 0
    assert list(stand_in.records) == [d.code] and d.code.startswith(agency.code)
    held = stand_in.inspect(d.code)
    assert held["record"]["DonViXuLy"] == agency.name and held["record"]["TrangThaiHoSo"] == 9
    steps = [s["NoiDungXuLy"] for s in held["progress"]]
    assert len(steps) == len({s["ThoiDiemXuLy"] for s in held["progress"]}) == 5  # each step once
    units = {s["NoiDungXuLy"].split(":")[0]: s["PhongBanXuLy"] for s in held["progress"]}
    assert units["Chuyển liên thông"] == partner.name and units["Nhận lại hồ sơ liên thông"] == agency.name


def test_a_rating_goes_through_the_outbox_after_the_dossier(stand_in, with_id_number, agency, staff, procedure):
    d = bring_to(Status.RETURNED, agency, staff, procedure)
    answer = surveys.Answer(level=SatisfactionLevel.SATISFIED, answers={}, comment="Cán bộ Nguyễn Văn B rất nhiệt tình")
    surveys.record_paper(dossier_id=d.pk, actor=staff[Role.CLERK], answer=answer)
    rows = list(OutboxEntry.objects.filter(dossier=d).order_by("sequence", "id"))
    assert [r.kind for r in rows] == [Kind.DOSSIER] * 4 + [Kind.RATING]
    assert drain.drain_once().acknowledged == 5
    (rating,) = stand_in.inspect(d.code)["ratings"]
    assert rating["MaHoSo"] == d.code and rating["MucDoHaiLong"] == 4 and rating["TenMucDoHaiLong"] == "Hài lòng"
    assert "Nguyễn Văn B" not in str(rating)  # the free comment stays with the ward


def test_a_row_waits_visibly_for_its_sender(stand_in, with_id_number, agency, staff, procedure, monkeypatch):
    monkeypatch.delitem(drain.SENDERS, Kind.FEE)  # a kind without a sender (a fee row, for the test)
    d = bring_to(Status.RECEIVED, agency, staff, procedure)
    row = outbox.queue_row(d, Kind.FEE, {"fee": {"SoTien": 50000}}, [])
    assert row.state == State.PENDING and row.sequence == d.events.get().pk
    result = drain.drain_once()
    assert result.acknowledged == 1 and result.blocked == 1
    row.refresh_from_db()
    assert row.state == State.BLOCKED and "Phí, lệ phí" in row.last_error
    sent = []
    drain.register_sender(Kind.FEE, lambda portal, r, known: sent.append(r.payload["fee"]))
    assert outbox.retry([row]) == (1, 0)
    assert drain.drain_once().acknowledged == 1 and sent == [{"SoTien": 50000}]
