"""Our dossiers and events as the national portal's records (``DongBoHoSoMC``) and progress steps
(``CapNhatTienDoHoSoMC``); the status codes come from the one table in ``hoso.constants.NATIONAL_STATUS``.

Everything here reads the dossier row, its procedure snapshot and the event only (no query), so the
workflow's hook can build the payload inside the action. What needs the agency (the processing
unit's name) is added when sending (``with_unit``). A value we do not have is never invented: the
reasons are returned by ``missing`` and the row is blocked with them.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.utils import timezone

from hoso.constants import NATIONAL_STATUS, ApplicantKind, IdKind, SatisfactionLevel, Status
from hoso.models import Dossier, DossierEvent, SatisfactionRating
from hoso.workcalendar import VN_TZ

# Raise when a field's meaning or format changes: each outbox row records the version it was built with.
# 2: NgayTuChoi is the refusal's instant; PhongBanXuLy (the partner of a hand-over); the record is
#    completed when sending (lienthong.record: MaLinhVuc and the lists).
# 3: DanhSachLePhi lists the fee request's lines with their payment (lienthong.fees), completed when
#    sending; a payment's row is of kind "fee".
MAPPING_VERSION = 3

# LoaiDoiTuong: 1 citizen, 2 enterprise, 3 state agency, 4 organisation (docs/national-link.md §2).
CITIZEN, ENTERPRISE, ORGANISATION = 1, 2, 4


def national_instant(moment: datetime | None) -> str:
    """yyyyMMddHHmmss in Asia/Ho_Chi_Minh; "" when there is no such instant yet."""
    if moment is None:
        return ""
    return timezone.localtime(moment, VN_TZ).strftime("%Y%m%d%H%M%S")


def national_status(status: str) -> int:
    return NATIONAL_STATUS[Status(status)]


def subject_kind(dossier: Dossier) -> int:
    if dossier.applicant_kind == ApplicantKind.CITIZEN:
        return CITIZEN
    return ENTERPRISE if dossier.applicant_id_kind == IdKind.TAX_CODE else ORGANISATION


def dossier_record(dossier: Dossier, event: DossierEvent | None = None) -> dict[str, Any]:
    """The dossier's record as of `event` (the dossier is the workflow's object, already changed)."""
    snapshot = dossier.procedure_snapshot or {}
    finished = dossier.result_ready_at
    if finished is None and event is not None and event.to_status == Status.RESULT_READY:
        finished = event.at  # the workflow stores result_ready_at after writing the event
    return {
        "MaHoSo": dossier.code or "",
        "MaTTHC": snapshot.get("code", ""),
        "TenTTHC": snapshot.get("name", ""),
        "TenLinhVuc": snapshot.get("field", ""),
        "ChuHoSo": dossier.applicant_name,
        "LoaiDoiTuong": subject_kind(dossier),
        "MaDoiTuong": dossier.applicant_id_number,
        "SoGiayToChuHoSo": dossier.applicant_id_number,
        "Email": dossier.applicant_email,
        "SoDienThoai": dossier.applicant_phone,
        "TrichYeuHoSo": f"{snapshot.get('name', '')} — {dossier.applicant_name}".strip(" —"),
        "NgayNopHoSo": national_instant(dossier.submitted_at or dossier.received_at or dossier.created_at),
        "NgayTiepNhan": national_instant(dossier.received_at),
        "NgayHenTra": national_instant(dossier.shown_due_at),
        "TrangThaiHoSo": national_status(dossier.status),
        "NgayTra": national_instant(dossier.returned_at),
        "NgayKetThucXuLy": national_instant(finished),
        "NgayTuChoi": national_instant(refused_at(dossier, event)),
        "KenhThucHien": dossier.channel,
        "HoSoCoThanhPhanSoHoa": int(dossier.digitised),
        "DuocThanhToanTrucTuyen": int(dossier.paid_online),
        "DanhSachLePhi": [],  # from the fee request's rows, when sending (lienthong.fees)
    }


def refused_at(dossier: Dossier, event: DossierEvent | None) -> datetime | None:
    """When the dossier was refused, if it was and we know without a query: the refusing event, or
    the intake itself for a counter refusal (the dossier row is written by it). An online dossier
    refused later, sent without its event, gets it when the record is completed (lienthong.record)."""
    if dossier.status != Status.REFUSED:
        return None
    if event is not None and event.to_status == Status.REFUSED:
        return event.at
    return dossier.created_at if dossier.submitted_at is None else None


def progress_step(event: DossierEvent) -> dict[str, Any]:
    """The event as one progress step (the actor is the workflow's object: no query)."""
    actor = event.actor
    dossier = event.dossier
    return {
        "MaHoSo": dossier.code or "",
        "NguoiXuLy": (actor.get_full_name() or actor.username) if actor is not None else "",
        "ChucDanh": actor.get_role_display() if actor is not None else "",
        "ThoiDiemXuLy": national_instant(event.at),
        # The hand-over's partner; every other step is the owner's unit, filled in when sending.
        "PhongBanXuLy": str((event.data or {}).get("to_agency", "")),
        "NoiDungXuLy": event.get_action_display() + (f": {event.note}" if event.note else ""),
        "TrangThai": national_status(event.to_status),
        "NgayBatDau": national_instant(event.at),
        "NgayKetThucTheoQuyDinh": national_instant(event.due_at or dossier.due_at),
    }


# MucDoHaiLong: 5 very satisfied … 1 very dissatisfied, whatever scale the ward asks on (3 or 5 levels).
SATISFACTION_SCORE = {
    SatisfactionLevel.VERY_SATISFIED: 5,
    SatisfactionLevel.SATISFIED: 4,
    SatisfactionLevel.NEUTRAL: 3,
    SatisfactionLevel.DISSATISFIED: 2,
    SatisfactionLevel.VERY_DISSATISFIED: 1,
}


def rating_record(rating: SatisfactionRating, dossier: Dossier) -> dict[str, Any]:
    """One satisfaction rating (``DongBoDanhGia``): the level and the criteria's answers; the free
    comment stays with the ward (it may name people)."""
    return {
        "MaHoSo": dossier.code or "",
        "MaTTHC": (dossier.procedure_snapshot or {}).get("code", ""),
        "MucDoHaiLong": SATISFACTION_SCORE[SatisfactionLevel(rating.level)],
        "TenMucDoHaiLong": rating.get_level_display(),
        "ThangDo": rating.scale,
        "TraLoiTieuChi": dict(rating.answers or {}),
        "KenhDanhGia": rating.get_channel_display(),
        "ThoiDiemDanhGia": national_instant(rating.created_at),
    }


def missing(record: dict[str, Any]) -> list[str]:
    """Why the record cannot be sent as it is (Vietnamese), or []: no value is ever made up."""
    reasons = []
    if not record["MaHoSo"]:
        reasons.append("hồ sơ chưa có mã (không được tiếp nhận nên không cấp mã)")
    if not record["MaTTHC"]:
        reasons.append("thiếu mã thủ tục hành chính")
    if not record["MaDoiTuong"]:
        reasons.append("chủ hồ sơ chưa có số giấy tờ tùy thân / mã số thuế")
    return reasons


def blocked_text(reasons: list[str]) -> str:
    return "Không đồng bộ được: " + "; ".join(reasons) + "."


def with_unit(record: dict[str, Any], unit_name: str) -> dict[str, Any]:
    """The record with the processing unit, known when sending (the agency's name)."""
    return {**record, "DonViXuLy": unit_name}
