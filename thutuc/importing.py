"""Reading and validating a procedure list (the columns of data/procedures_cap_xa.csv).

Pure parsing: no database. `thutuc.services.import_procedures` writes what this returns.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import time

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator

from motcua.lib.tabular import Row, import_limits, read_rows
from motcua.lib.text import fold, has_control_character, has_full_width, normalise_spaces

from .constants import PROCEDURE_CODE_PATTERN, OnlineLevel, TimeUnit

REQUIRED_COLUMNS = ("code", "name", "field", "time_limit_text", "time_limit_working_days", "fee_text")
OPTIONAL_COLUMNS = ("online_level", "source_url", "unit", "cutoff")
EXPORT_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS

_CODE = re.compile(PROCEDURE_CODE_PATTERN)
MAX_TIME_LIMIT = 999  # days or hours; more is a typing error (and years of calendar to compute)
_INTEGER = re.compile(r"-?[0-9]{1,6}")  # ASCII digits only: int() would take "５" and "1_0"
_ASCII_COLUMNS = ("code", "time_limit_working_days", "unit", "cutoff", "source_url")
_CUTOFF_IN_TEXT = re.compile(r"sau (\d{1,2}) gio(?: (\d{1,2}) phut)?")
_HHMM = re.compile(r"^(\d{1,2}):(\d{2})(?::00)?$")
_AMOUNT = re.compile(r"(\d{1,3}(?:[.,]\d{3})+|\d+)\s*(?:đồng|đ\b|vnđ)", re.IGNORECASE)
_CHANNEL_LIMIT = re.compile(
    r"(truc tiep|truc tuyen|buu chinh)\s*:\s*(\d+)\s*(ngay lam viec|gio lam viec|ngay)"
)  # on the folded text
_LIMIT_UNIT_WORDS = {
    TimeUnit.WORKING_DAYS: "ngay lam viec",
    TimeUnit.WORKING_HOURS: "gio lam viec",
    TimeUnit.CALENDAR_DAYS: "ngay",
}
_CHANNEL_FEE = re.compile(r"(trực tiếp|trực tuyến|bưu chính)\s*:\s*(\d{1,3}(?:[.,]\d{3})+|\d+)\s*đồng", re.IGNORECASE)

# Accepted spellings of the optional `unit` column (English value or the Vietnamese label).
UNIT_ALIASES = {
    **{u.value: u.value for u in TimeUnit},
    "ngay lam viec": TimeUnit.WORKING_DAYS,
    "ngay": TimeUnit.CALENDAR_DAYS,
    "ngay lich": TimeUnit.CALENDAR_DAYS,
    "gio lam viec": TimeUnit.WORKING_HOURS,
    "gio": TimeUnit.WORKING_HOURS,
    "trong ngay": TimeUnit.SAME_DAY,
}
ONLINE_LEVELS = {
    "": OnlineLevel.NONE,
    "toan trinh": OnlineLevel.FULL,
    "mot phan": OnlineLevel.PARTIAL,
    "full": OnlineLevel.FULL,
    "partial": OnlineLevel.PARTIAL,
}


@dataclass
class ProcedureRecord:
    """One valid row, ready to be written."""

    line: int
    code: str
    name: str
    field: str
    time_limit_text: str
    time_limit_value: int | None
    time_limit_unit: str
    cutoff: time | None
    fee_text: str
    online_level: str
    source_url: str
    fees: dict[str, int | None] = field(default_factory=dict)
    time_limit_online: int | None = None
    time_limit_post: int | None = None


@dataclass
class RowError:
    line: int
    reasons: list[str]

    def __str__(self) -> str:
        return f"Dòng {self.line}: " + "; ".join(self.reasons) + "."


@dataclass
class ParsedFile:
    records: list[ProcedureRecord]
    errors: list[RowError]


def _amount(text: str) -> int:
    return int(re.sub(r"[.,]", "", text))


def parse_fees(fee_text: str) -> dict[str, int | None]:
    """Fee per channel in đồng from the published text; None where the text needs a person.

    'Miễn phí' → 0 everywhere; 'trực tiếp: 50,000 đồng; trực tuyến: 150,000 đồng' → per channel;
    a single amount applies to every channel; anything else (per page, per copy caps) → None.
    """
    folded = fold(fee_text)
    if folded.startswith("mien phi") or folded in {"khong", "0", "0 dong"}:
        return {"fee_counter": 0, "fee_online": 0, "fee_post": 0}
    per_channel = {fold(label): _amount(value) for label, value in _CHANNEL_FEE.findall(fee_text)}
    if per_channel:
        return {
            "fee_counter": per_channel.get("truc tiep"),
            "fee_online": per_channel.get("truc tuyen"),
            "fee_post": per_channel.get("buu chinh"),
        }
    amounts = _AMOUNT.findall(fee_text)
    single = _amount(amounts[0]) if len(amounts) == 1 else None
    return {"fee_counter": single, "fee_online": single, "fee_post": single}


def parse_channel_limits(text: str, value: int | None, unit: str) -> tuple[int | None, int | None]:
    """(online, post) limits from a text that lists them per channel, in the limit's own unit.

    'trực tiếp: 13 ngày làm việc; trực tuyến: 3 ngày làm việc; bưu chính: 3 ngày làm việc' with
    13 working days → (3, 3). Only when the counter figure is the limit itself (the data's
    convention: the column holds the in-person value) and every unit word is the limit's unit;
    otherwise (None, None) and the one limit applies to every channel.
    """
    word = _LIMIT_UNIT_WORDS.get(unit)
    if value is None or word is None:
        return None, None
    found = {channel: (int(number), unit_word) for channel, number, unit_word in _CHANNEL_LIMIT.findall(fold(text))}
    if found.get("truc tiep") != (value, word) or any(unit_word != word for _, unit_word in found.values()):
        return None, None
    online, post = found.get("truc tuyen"), found.get("buu chinh")
    return (online[0] if online else None), (post[0] if post else None)


def cutoff_from_text(text: str) -> time | None:
    """'… nhận hồ sơ sau 15 giờ thì trả …' → 15:00."""
    match = _CUTOFF_IN_TEXT.search(fold(text))
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _validate(row: Row, seen: dict[str, int]) -> ProcedureRecord | RowError:
    v = row.values
    reasons: list[str] = [
        f"cột {name} “{v[name][:40]}” có chữ số hoặc ký tự toàn khổ (full-width, như “２０２５”): "
        "hãy gõ lại bằng bàn phím thường"
        for name in _ASCII_COLUMNS
        if has_full_width(v.get(name, ""))
    ]
    if reasons:
        return RowError(line=row.line, reasons=reasons)
    reasons = [
        f"cột {name} có ký tự điều khiển không in được"
        for name in EXPORT_COLUMNS
        if has_control_character(v.get(name, "") or "")
    ]
    code = v.get("code", "").strip()
    name = normalise_spaces(v.get("name", ""))
    field_name = normalise_spaces(v.get("field", ""))
    if not code:
        reasons.append("thiếu mã thủ tục")
    elif "code" in row.numeric:
        reasons.append(
            f"mã thủ tục “{code}” được lưu dạng số trong Excel (mất số 0 cuối, như 2.000510 → 2.00051): "
            "hãy định dạng cột code là Văn bản (Text)"
        )
    elif not _CODE.match(code):
        reasons.append(f"mã thủ tục “{code}” không đúng dạng (ví dụ 1.001193)")
    elif code in seen:
        reasons.append(f"mã thủ tục {code} trùng với dòng {seen[code]}")
    if not name:
        reasons.append("thiếu tên thủ tục")
    elif len(name) > 1500:
        reasons.append("tên thủ tục dài quá 1500 ký tự")
    if not field_name:
        reasons.append("thiếu lĩnh vực")
    elif len(field_name) > 200:
        reasons.append("tên lĩnh vực dài quá 200 ký tự")

    raw_value = v.get("time_limit_working_days", "").strip()
    raw_unit = v.get("unit", "").strip()
    raw_cutoff = v.get("cutoff", "").strip()
    text = normalise_spaces(v.get("time_limit_text", ""))
    value: int | None = None
    if raw_value:
        if not _INTEGER.fullmatch(raw_value):
            reasons.append(f"thời hạn “{raw_value[:20]}” không phải số nguyên")
        else:
            value = int(raw_value)
            if value < 0:
                reasons.append(f"thời hạn không được âm ({value})")
            elif value > MAX_TIME_LIMIT:
                reasons.append(f"thời hạn {value} quá lớn (tối đa {MAX_TIME_LIMIT})")
    unit = ""
    if raw_unit:
        unit = UNIT_ALIASES.get(fold(raw_unit), "")
        if not unit:
            reasons.append(
                f"đơn vị thời hạn “{raw_unit}” không hợp lệ (working_days, calendar_days, working_hours hoặc same_day)"
            )
    elif value is not None:
        unit = TimeUnit.SAME_DAY if value == 0 else TimeUnit.WORKING_DAYS
    if unit == TimeUnit.SAME_DAY:
        if value not in (None, 0):
            reasons.append("thủ tục trong ngày phải có thời hạn 0")
        value = 0
    elif unit and value is None:
        reasons.append("có đơn vị thời hạn nhưng thiếu số")
    elif unit and value == 0:
        reasons.append("thời hạn 0 chỉ dùng với đơn vị trong ngày (same_day)")

    cutoff: time | None = None
    if raw_cutoff:
        match = _HHMM.match(raw_cutoff)
        if match and int(match.group(1)) < 24 and int(match.group(2)) < 60:
            cutoff = time(int(match.group(1)), int(match.group(2)))
        else:
            reasons.append(f"giờ chốt “{raw_cutoff}” không đúng dạng HH:MM")
    elif unit == TimeUnit.SAME_DAY:
        cutoff = cutoff_from_text(text)
    if cutoff is not None and unit != TimeUnit.SAME_DAY:
        reasons.append("giờ chốt chỉ áp dụng cho thủ tục trong ngày")

    raw_level = v.get("online_level", "").strip()
    online_level = ONLINE_LEVELS.get(fold(raw_level))
    if online_level is None:
        reasons.append(f"mức độ trực tuyến “{raw_level}” không hợp lệ (Toàn trình, Một phần hoặc để trống)")
    source_url = v.get("source_url", "").strip()
    if source_url:
        try:
            URLValidator()(source_url)
        except ValidationError:
            reasons.append(f"địa chỉ nguồn “{source_url[:60]}” không hợp lệ")
        if len(source_url) > 500:
            reasons.append("địa chỉ nguồn dài quá 500 ký tự")

    if code and code not in seen:
        seen[code] = row.line
    if reasons:
        return RowError(line=row.line, reasons=reasons)
    fee_text = normalise_spaces(v.get("fee_text", ""))
    online_limit, post_limit = parse_channel_limits(text, value, unit)
    return ProcedureRecord(
        line=row.line,
        code=code,
        name=name,
        field=field_name,
        time_limit_text=text,
        time_limit_value=value,
        time_limit_unit=unit,
        cutoff=cutoff,
        fee_text=fee_text,
        online_level=online_level or "",
        source_url=source_url,
        fees=parse_fees(fee_text),
        time_limit_online=online_limit,
        time_limit_post=post_limit,
    )


def parse_procedure_file(data: bytes, filename: str) -> ParsedFile:
    """Validate every row; the caller writes nothing unless `errors` is empty.

    Raises motcua.lib.tabular.TabularError when the file itself cannot be read.
    """
    _, rows = read_rows(data, filename, required=REQUIRED_COLUMNS, limits=import_limits("procedures"))
    seen: dict[str, int] = {}
    records: list[ProcedureRecord] = []
    errors: list[RowError] = []
    for row in rows:
        result = _validate(row, seen)
        (errors if isinstance(result, RowError) else records).append(result)  # type: ignore[arg-type]
    return ParsedFile(records=records, errors=errors)
