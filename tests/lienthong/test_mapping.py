"""The national record and progress steps: every status's code from the one table, instants in Hanoi time."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hoso.constants import NATIONAL_STATUS, Status
from lienthong import mapping
from tests.hoso.test_workflow import bring_to

pytestmark = pytest.mark.django_db

EXPECTED = {
    Status.SUBMITTED: 1,
    Status.AWAITING_PAPERS: 5,
    Status.GUIDED: 3,
    Status.REFUSED: 3,
    Status.RECEIVED: 2,
    Status.PROCESSING: 4,
    Status.WAITING_SUPPLEMENT: 5,
    Status.PENDING_APPROVAL: 4,
    Status.TRANSFERRED: 4,
    Status.RESULT_READY: 9,
    Status.RETURNED: 10,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
}


def test_the_table_covers_every_status_and_keeps_5_6_8_apart_from_9():
    assert set(NATIONAL_STATUS) == set(Status) == set(EXPECTED)
    assert mapping.national_status(Status.WAITING_SUPPLEMENT) == 5
    assert mapping.national_status(Status.STOPPED) == 8


@pytest.mark.parametrize("status", list(Status))
def test_every_state_gives_its_national_code(with_id_number, agency, staff, procedure, status):
    d = bring_to(status, agency, staff, procedure)
    event = d.events.order_by("-at", "-id").first()
    record = mapping.dossier_record(d, event)
    assert record["TrangThaiHoSo"] == EXPECTED[status]
    assert mapping.progress_step(event)["TrangThai"] == EXPECTED[status]
    assert record["MaDoiTuong"] == "001090000123" and record["LoaiDoiTuong"] == mapping.CITIZEN
    assert record["MaTTHC"] == "1.000001" and record["MaHoSo"] == (d.code or "")
    if status in (Status.RESULT_READY, Status.RETURNED):
        assert record["NgayKetThucXuLy"]


def test_instants_are_hanoi_time_without_separators():
    assert mapping.national_instant(datetime(2025, 3, 3, 2, 5, 9, tzinfo=UTC)) == "20250303090509"
    assert mapping.national_instant(None) == ""


def test_missing_values_are_reasons_not_placeholders():
    record = {"MaHoSo": "", "MaTTHC": "1.0", "MaDoiTuong": ""}
    reasons = mapping.missing(record)
    assert len(reasons) == 2
    assert mapping.blocked_text(reasons).startswith("Không đồng bộ được: ")
