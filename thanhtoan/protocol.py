"""The national payment platform's message format (protocol 1.0.6, docs/payments.md §2). Pure: no ORM, no I/O.

Shared by the adapter (``thanhtoan.providers``) and the local stand-in (``thanhtoan.simulator``), so
both sides compute the check code (``MaXacThuc``) the same way: SHA-256, hex, of the listed fields'
values joined by ``|`` with the partner's secret key as the last part. Instants travel as
``yyyyMMddHHmmss`` in Vietnam time, 24-hour clock.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
VERSION = "1.0.6"

INIT_FIELDS = (
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "LoaiHinhThanhToan",
    "MaKenhThanhToan",
    "MaThietBi",
    "NgonNgu",
    "MaTienTe",
    "MaNganHang",
    "ThongTinGiaoDich",
    "ThoiGianGD",
    "Ip",
)
CALLBACK_FIELDS = (
    "LoaiBanTin",
    "MaLoi",
    "MaDoiTac",
    "MaThamChieu",
    "SoTien",
    "MaTienTe",
    "MaGiaoDich",
    "MaNganHang",
    "ThoiGianGD",
    "ThongTinGiaoDich",
)
REPLY_FIELDS = ("MaLoi", "MaDoiTac", "MaThamChieu", "ThoiGianGD")
QUERY_FIELDS = ("MaDoiTac", "MaThamChieu", "LoaiHinhThanhToan", "ThoiGianGD")
QUERY_ANSWER_FIELDS = ("MaDoiTac", "MaThamChieu", "TrangThai", "SoTien", "MaTienTe", "MaGiaoDich")

# The callback's MaLoi: "00" paid; anything else: the payment failed.
PAID = "00"
# Our reply's MaLoi to a callback (docs/payments.md §3).
REPLY_OK = "00"
REPLY_BAD_HASH = "01"
REPLY_UNKNOWN_REFERENCE = "02"
REPLY_AMOUNT_MISMATCH = "03"
REPLY_MALFORMED = "04"
REPLY_TEXT = {
    REPLY_OK: "Đã ghi nhận",
    REPLY_BAD_HASH: "Sai mã xác thực",
    REPLY_UNKNOWN_REFERENCE: "Không tìm thấy mã tham chiếu",
    REPLY_AMOUNT_MISMATCH: "Số tiền hoặc loại tiền không khớp",
    REPLY_MALFORMED: "Thiếu thông tin",
}
# The QUERY answer's TrangThai.
QUERY_PAID, QUERY_PENDING, QUERY_FAILED = "1", "3", "4"


def check_code(message: Mapping[str, object], fields: Sequence[str], secret: str) -> str:
    """MaXacThuc of ``message`` over ``fields``: sha256(v1|v2|…|vn|secret), lowercase hex."""
    text = "|".join(str(message.get(name, "")) for name in fields) + "|" + secret
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def signed(message: dict[str, object], fields: Sequence[str], secret: str) -> dict[str, object]:
    return {**message, "MaXacThuc": check_code(message, fields, secret)}


def verify(message: Mapping[str, object], fields: Sequence[str], secret: str) -> bool:
    """The message's MaXacThuc matches (constant-time comparison); False when it has none or no secret is set."""
    given = str(message.get("MaXacThuc", "")).strip().lower()
    if not given or not secret:
        return False
    return hmac.compare_digest(given, check_code(message, fields, secret))


def stamp(instant: datetime) -> str:
    """``yyyyMMddHHmmss`` in Vietnam time, 24-hour clock: 14:05:09 stays 140509."""
    return instant.astimezone(VIETNAM).strftime("%Y%m%d%H%M%S")


def parse_stamp(text: str) -> datetime | None:
    try:
        return datetime.strptime(text.strip(), "%Y%m%d%H%M%S").replace(tzinfo=VIETNAM)
    except (ValueError, AttributeError):
        return None


def shown(instant: datetime | None) -> str:
    """'14:05:09 ngày 06/12/2026': how pages and lists show a payment instant (Vietnam time, 24-hour)."""
    if instant is None:
        return ""
    local = instant.astimezone(VIETNAM)
    return f"{local:%H:%M:%S} ngày {local:%d/%m/%Y}"
