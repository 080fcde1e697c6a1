"""Reading an identity out of verified ID-token claims (VNeID / national portal vocabulary), no I/O.

Claims seen (docs/online-dossiers.md §1): `sub` or `TechID` (stable subject), `SoDinhDanh` (12-digit ID),
`HoVaTen` / `name`, `NgayThangNamSinh` / `birthdate`, `loAs` / `IAL` / `acr` (level of assurance),
`LoaiTaiKhoan` (1 = citizen), and the standard `email`, `phone_number`, `address`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.core.exceptions import ValidationError

from motcua.lib.text import normalise_spaces

from .models import validate_id_number


class ClaimsError(Exception):
    """The provider's answer cannot identify a citizen; the message is shown to them in Vietnamese."""


@dataclass(frozen=True)
class Identity:
    issuer: str
    subject: str
    id_number: str
    full_name: str
    date_of_birth: date | None
    assurance_level: str
    email: str
    phone: str
    address: str


def _text(claims: Mapping[str, Any], *names: str) -> str:
    for name in names:
        value = claims.get(name)
        if isinstance(value, str | int) and str(value).strip():
            return normalise_spaces(str(value))
    return ""


def _birth_date(claims: Mapping[str, Any]) -> date | None:
    raw = _text(claims, "NgayThangNamSinh", "birthdate")
    for form in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%Y%m%d"):
        try:
            return datetime.strptime(raw, form).date()  # noqa: DTZ007 - a calendar date, no instant
        except ValueError:
            continue
    return None


def _address(claims: Mapping[str, Any]) -> str:
    value = claims.get("address")
    if isinstance(value, Mapping):
        return _text(value, "formatted")
    return _text(claims, "address", "DiaChi", "NoiThuongTru")


def identity_from_claims(issuer: str, claims: Mapping[str, Any]) -> Identity:
    """The citizen the verified claims describe; ClaimsError when a needed claim is missing or wrong."""
    account_kind = _text(claims, "LoaiTaiKhoan")
    if account_kind and account_kind != "1":
        raise ClaimsError(
            "Tài khoản tổ chức, doanh nghiệp chưa dùng được ở đây: vui lòng đăng nhập bằng tài khoản công dân."
        )
    subject = _text(claims, "sub", "TechID")
    if not subject:
        raise ClaimsError("Nhà cung cấp định danh không trả về mã tài khoản.")
    number = _text(claims, "SoDinhDanh", "so_dinh_danh")
    try:
        validate_id_number(number)
    except ValidationError as error:
        raise ClaimsError("Tài khoản định danh không có số định danh cá nhân hợp lệ (12 chữ số).") from error
    name = _text(claims, "HoVaTen", "name")
    if not name:
        raise ClaimsError("Nhà cung cấp định danh không trả về họ và tên.")
    return Identity(
        issuer=issuer,
        subject=subject[:255],
        id_number=number,
        full_name=name[:200],
        date_of_birth=_birth_date(claims),
        assurance_level=_text(claims, "loAs", "IAL", "acr")[:40],
        email=_text(claims, "email")[:254],
        phone=_text(claims, "phone_number", "SoDienThoai")[:20],
        address=_address(claims)[:300],
    )
