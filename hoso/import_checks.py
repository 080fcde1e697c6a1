"""Dossier import, row by row: the checks on each row of a file and the report of rejected rows.

``parse_dossier_file`` reads a file in the columns of ``hoso.interchange`` and checks every row
on its own, without the database (formats, orders of instants, duplicates in the file);
``hoso.importing`` checks the rest against the database. ``DossierImportRejected`` lists every
bad row with its line number and the reasons in Vietnamese; nothing is written then.

Every instant lies from 2000-01-01 to five years after the import's clock (year 1 or 9999 is a
typing error, and would overflow the calendar); all but ``due_at`` and an extension's new
appointment also not in the future.

Identifiers, numbers and instants (every column but the name and the address) typed with
full-width characters (``２０２５``, an East Asian input method's) are refused with the row, not
normalised: the file was not produced by a system that could be trusted with them. ``code`` holds no
space, control or invisible character. Text holding a control character is refused. A file is bounded
(``settings.MOTCUA_IMPORT_LIMITS["dossiers"]``: size, inflated XLSX size, rows) and a CSV with an
unterminated quote is refused naming the line where it opens (``motcua.lib.tabular``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from itertools import pairwise

from django.utils import timezone

from motcua.lib.tabular import import_limits, read_rows
from motcua.lib.text import has_control_character, has_full_width, has_space_or_invisible, normalise_spaces
from thutuc.constants import Channel
from thutuc.importing import RowError

from . import workcalendar as wc
from .constants import Delivery
from .interchange import REQUIRED_COLUMNS, DossierRecord, Extension, Pause, parse_instant

MAX_SUPPLEMENT_REQUESTS = 50
EARLIEST = datetime(2000, 1, 1, tzinfo=wc.VN_TZ)
#: The latest instant a row may hold (an appointment, an extension's new appointment), counted
#: from the import's clock: year 9999 and the like are typing errors, and would overflow the
#: calendar's arithmetic.
LATEST_AHEAD = timedelta(days=5 * 365)

_DATE_COLUMNS = ("received_at", "due_at", "result_ready_at", "returned_at", "withdrawn_at", "stopped_at")
_CHANNELS = {str(c.value): c.value for c in Channel}
# Columns of identifiers, numbers and instants: full-width characters there are refused by name.
_ASCII_COLUMNS = (
    "code",
    "agency",
    "procedure_code",
    "channel",
    "applicant_id",
    "applicant_phone",
    *_DATE_COLUMNS,
    "supplement_requests",
    "pauses",
    "extensions",
    "delivery",
    "digitised",
    "electronic_result",
    "fee_amount",
    "paid_online",
)
# The spellings a yes/no column accepts (case-insensitive); anything else is refused by name.
_YES = frozenset({"yes", "y", "x", "1", "true", "có", "co"})
_NO = frozenset({"", "no", "n", "0", "false", "không", "khong"})


@dataclass
class ParsedDossiers:
    records: list[DossierRecord]
    errors: list[RowError]


class DossierImportRejected(Exception):
    """The file has invalid rows; nothing was written. ``errors`` are sorted by line."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.line)
        super().__init__("\n".join(str(e) for e in self.errors))


def out_of_window(value: datetime, now: datetime) -> str | None:
    """Why ``value`` lies outside what an import accepts ([2000-01-01, now + 5 years]), or None."""
    if value < EARLIEST:
        return "trước năm 2000, không hợp lý"
    if value > now + LATEST_AHEAD:
        return f"quá 5 năm sau hôm nay (sau {now + LATEST_AHEAD:%d/%m/%Y}), không hợp lý"
    return None


def _text(values: dict[str, str], name: str, label: str, limit: int, reasons: list[str], *, required: bool) -> str:
    raw = values.get(name, "")
    value = normalise_spaces(raw)
    if has_control_character(raw):
        reasons.append(f"{label} ({name}) có ký tự điều khiển không in được")
    elif required and not value:
        reasons.append(f"thiếu {label} ({name})")
    elif len(value) > limit:
        reasons.append(f"{label} ({name}) dài quá {limit} ký tự")
    return value


def _instant(values: dict[str, str], name: str, now: datetime, reasons: list[str]) -> datetime | None:
    """The column's instant, or None when blank or bad (then a reason is added).

    Every column but ``due_at`` records something that happened, so it may not be in the future.
    """
    raw = values.get(name, "").strip()
    if not raw:
        return None
    try:
        value = parse_instant(raw)
    except ValueError:
        year = raw[:4]
        if year.isascii() and year.isdigit() and not EARLIEST.year <= int(year) <= (now + LATEST_AHEAD).year:
            # Year 1 or 9999 with an offset overflows: say what is wrong with it, not "bad format".
            reasons.append(f"{name} “{raw[:40]}” năm {int(year)} ngoài khoảng từ năm 2000 đến 5 năm sau hôm nay")
        else:
            reasons.append(
                f"{name} “{raw[:40]}” không phải ngày giờ hợp lệ theo ISO 8601 "
                "(ví dụ 2025-03-03T09:00 hoặc 2025-03-03T09:00:00+07:00)"
            )
        return None
    if value > now and name != "due_at":
        reasons.append(f"{name} {_when(value)} ở tương lai")
        return None
    why = out_of_window(value, now)
    if why:
        reasons.append(f"{name} “{raw[:40]}” {why}")
        return None
    return value


def _when(value: datetime) -> str:
    return f"{value.astimezone(wc.VN_TZ):%H:%M %d/%m/%Y}"


def _instant_pairs(
    raw: str, *, what: str, shape: str, reasons: list[str], open_end: bool
) -> list[tuple[int, datetime, datetime | None]] | None:
    """``a/b`` pairs of instants separated by ``;`` with their numbers (the second may be blank
    when ``open_end``); None, with a reason, at the first one that does not read."""
    pairs: list[tuple[int, datetime, datetime | None]] = []
    for number, chunk in enumerate((c.strip() for c in raw.split(";")), start=1):
        if not chunk:
            continue
        first_text, slash, second_text = chunk.partition("/")
        try:
            if not slash or (not open_end and not second_text.strip()):
                raise ValueError(chunk)
            first = parse_instant(first_text)
            second = parse_instant(second_text) if second_text.strip() else None
        except ValueError:
            reasons.append(f"{what} thứ {number} “{chunk[:60]}” không đúng dạng {shape}")
            return None
        if first < EARLIEST or (second is not None and second < EARLIEST):
            reasons.append(f"{what} thứ {number} “{chunk[:60]}” trước năm 2000, không hợp lý")
            return None
        pairs.append((number, first, second))
    return pairs


def _parse_pauses(raw: str, now: datetime, reasons: list[str]) -> list[Pause] | None:
    pauses: list[Pause] = []
    pairs = _instant_pairs(
        raw,
        what="lần tạm dừng",
        shape="bắt đầu/kết thúc (ví dụ 2025-03-03T10:00/2025-03-04T10:00)",
        reasons=reasons,
        open_end=True,
    )
    if pairs is None:
        return None
    for number, start, end in pairs:
        if end is not None and end < start:
            reasons.append(f"lần tạm dừng thứ {number} kết thúc ({_when(end)}) trước khi bắt đầu ({_when(start)})")
            return None
        if (end or start) > now:
            reasons.append(f"lần tạm dừng thứ {number} ở tương lai")
            return None
        pauses.append(Pause(start, end))
    pauses.sort(key=lambda p: p.start)
    for before, after in pairwise(pauses):
        if before.end is None or after.start < before.end:
            reasons.append(
                f"các lần tạm dừng chồng lên nhau (từ {_when(before.start)} và từ {_when(after.start)}); "
                "chỉ lần cuối được để trống thời điểm kết thúc"
            )
            return None
    return pauses


def _parse_extensions(raw: str, now: datetime, reasons: list[str]) -> list[Extension]:
    extensions: list[Extension] = []
    pairs = _instant_pairs(
        raw,
        what="lần gia hạn",
        shape="thời điểm xin lỗi/ngày hẹn mới (ví dụ 2025-03-05T09:00/2025-03-12T17:00)",
        reasons=reasons,
        open_end=False,
    )
    for number, at, second in pairs or []:
        assert second is not None  # open_end=False
        new_due = second
        if at > now:
            reasons.append(f"lần gia hạn thứ {number} ở tương lai")
            return []
        if new_due > now + LATEST_AHEAD:
            reasons.append(f"lần gia hạn thứ {number}: ngày hẹn mới ({_when(new_due)}) {out_of_window(new_due, now)}")
            return []
        if new_due <= at:
            reasons.append(f"lần gia hạn thứ {number}: ngày hẹn mới ({_when(new_due)}) phải sau lúc xin lỗi")
            return []
        extensions.append(Extension(at, new_due))
    extensions.sort(key=lambda e: e.at)
    for before, after in pairwise(extensions):
        if after.new_due <= before.new_due:
            reasons.append(f"lần gia hạn từ {_when(after.at)} phải hẹn muộn hơn lần trước ({_when(before.new_due)})")
            return []
    return extensions


_DELIVERIES = {"": Delivery.DESK, "desk": Delivery.DESK, "post": Delivery.POST, "electronic": Delivery.ELECTRONIC}


def _validate(
    row_line: int, v: dict[str, str], seen: dict[str, int], now: datetime, *, numeric: frozenset[str] = frozenset()
) -> DossierRecord | RowError:
    reasons: list[str] = _full_width_reasons(v)
    if reasons:
        # One clear reason; the other checks would only repeat it in their own words.
        return RowError(line=row_line, reasons=reasons)
    for name in ("code", "applicant_id", "applicant_phone"):
        if name in numeric:
            # CCCD numbers (province 001–096) and phones all start with 0, which a number cell drops.
            reasons.append(
                f"cột {name} được lưu dạng số trong Excel (mất số 0 đầu: “{v.get(name, '')}”): "
                "hãy định dạng cột là Văn bản (Text) rồi nhập lại"
            )
    code = v.get("code", "").strip()
    if not code:
        reasons.append("thiếu mã hồ sơ (code)")
    elif len(code) > 60 or has_space_or_invisible(code):
        reasons.append(
            f"mã hồ sơ “{code[:70]}” không hợp lệ (tối đa 60 ký tự, không có dấu cách hay ký tự điều khiển, ký tự ẩn)"
        )
    elif code in seen:
        reasons.append(f"mã hồ sơ {code} trùng với dòng {seen[code]}")
    else:
        seen[code] = row_line
    agency_code = v.get("agency", "").strip()
    if not agency_code:
        reasons.append("thiếu mã cơ quan (agency)")
    procedure_code = v.get("procedure_code", "").strip()
    if not procedure_code:
        reasons.append("thiếu mã thủ tục (procedure_code)")
    raw_channel = v.get("channel", "").strip()
    channel = _CHANNELS.get(raw_channel, 0)
    if not channel:
        reasons.append(f"kênh nộp “{raw_channel}” không hợp lệ (1 trực tiếp, 2 trực tuyến, 3 bưu chính công ích)")
    name = _text(v, "applicant_name", "họ tên người nộp", 200, reasons, required=True)
    id_number = _text(v, "applicant_id", "số giấy tờ", 20, reasons, required=False)
    phone = _text(v, "applicant_phone", "điện thoại", 15, reasons, required=False)
    address = _text(v, "applicant_address", "địa chỉ", 300, reasons, required=False)

    at = {name: _instant(v, name, now, reasons) for name in _DATE_COLUMNS}
    received, due, ready = at["received_at"], at["due_at"], at["result_ready_at"]
    returned, withdrawn, stopped = at["returned_at"], at["withdrawn_at"], at["stopped_at"]
    if received is None and not v.get("received_at", "").strip():
        reasons.append("thiếu thời điểm tiếp nhận (received_at)")
    if received is not None:
        if due is not None and due <= received:
            reasons.append("hạn trả (due_at) phải sau thời điểm tiếp nhận (received_at)")
        if ready is not None and ready < received:
            reasons.append(
                f"có kết quả (result_ready_at {_when(ready)}) trước khi tiếp nhận (received_at {_when(received)})"
            )
        for value, label in ((withdrawn, "rút hồ sơ (withdrawn_at)"), (stopped, "dừng xử lý (stopped_at)")):
            if value is not None and value < received:
                reasons.append(f"{label} trước khi tiếp nhận (received_at)")
    if returned is not None:
        if ready is None and not v.get("result_ready_at", "").strip():
            reasons.append(
                "có thời điểm trả kết quả (returned_at) nhưng không có thời điểm có kết quả (result_ready_at)"
            )
        elif ready is not None and returned < ready:
            reasons.append(
                f"trả kết quả (returned_at {_when(returned)}) trước khi có kết quả (result_ready_at {_when(ready)})"
            )
    if withdrawn is not None and stopped is not None:
        reasons.append("hồ sơ không thể vừa rút (withdrawn_at) vừa dừng xử lý (stopped_at)")
    if ready is not None and (withdrawn is not None or stopped is not None):
        reasons.append("hồ sơ đã có kết quả (result_ready_at) không thể rút hoặc dừng xử lý")

    pauses = _parse_pauses(v.get("pauses", ""), now, reasons) or []
    if received is not None and pauses:
        window_end = ready or withdrawn or stopped or now
        first, last = pauses[0], pauses[-1]
        if first.start < received:
            reasons.append(f"tạm dừng từ {_when(first.start)}, trước khi tiếp nhận (received_at)")
        if (last.end or last.start) > window_end:
            reasons.append(
                f"tạm dừng đến {_when(last.end or last.start)}, sau khi hồ sơ đã có kết quả, bị rút hoặc dừng xử lý"
            )
        if last.end is None and ready is not None:
            reasons.append("hồ sơ đã có kết quả (result_ready_at) nhưng lần tạm dừng cuối chưa kết thúc")

    extensions = _parse_extensions(v.get("extensions", ""), now, reasons)
    if received is not None and extensions:
        window_end = ready or withdrawn or stopped or now
        if extensions[0].at < received or extensions[-1].at > window_end:
            reasons.append(
                "lần gia hạn (extensions) phải trong thời gian giải quyết, từ khi tiếp nhận đến khi có kết quả"
            )
    raw_delivery = v.get("delivery", "").strip().lower()
    delivery = _DELIVERIES.get(raw_delivery)
    if delivery is None:
        reasons.append(
            f"nơi nhận kết quả “{raw_delivery[:20]}” không hợp lệ "
            "(desk: tại bộ phận một cửa, post: bưu chính, electronic: điện tử)"
        )

    digitised = _flag(v, "digitised", "đã số hóa", reasons)
    electronic_result = _flag(v, "electronic_result", "trả kết quả điện tử", reasons)
    paid_online = _flag(v, "paid_online", "thanh toán trực tuyến", reasons)
    raw_fee = v.get("fee_amount", "").strip().replace(".", "")
    fee_amount = int(raw_fee) if re.fullmatch(r"[0-9]{1,10}", raw_fee) else None
    if raw_fee and fee_amount is None:
        reasons.append(f"lệ phí (fee_amount) “{raw_fee[:20]}” phải là số đồng, ví dụ 50000, hoặc để trống")
    elif paid_online and not fee_amount:
        reasons.append("thanh toán trực tuyến (paid_online) cần lệ phí (fee_amount) lớn hơn 0")

    raw_count = v.get("supplement_requests", "").strip()
    requests = len(pauses)
    if raw_count:
        if not re.fullmatch(r"[0-9]{1,4}", raw_count):
            reasons.append(f"số lần yêu cầu bổ sung “{raw_count[:20]}” không phải số nguyên không âm")
        else:
            requests = int(raw_count)
            if requests > MAX_SUPPLEMENT_REQUESTS:
                reasons.append(f"số lần yêu cầu bổ sung {requests} quá lớn (tối đa {MAX_SUPPLEMENT_REQUESTS})")
            elif requests < len(pauses):
                reasons.append(f"số lần yêu cầu bổ sung ({requests}) ít hơn số lần tạm dừng ({len(pauses)})")

    if reasons or received is None:
        return RowError(line=row_line, reasons=reasons)
    return DossierRecord(
        line=row_line,
        code=code,
        agency_code=agency_code,
        procedure_code=procedure_code,
        channel=channel,
        applicant_name=name,
        applicant_id=id_number,
        applicant_phone=phone,
        applicant_address=address,
        received_at=received,
        due_at=due,
        result_ready_at=ready,
        returned_at=returned,
        withdrawn_at=withdrawn,
        stopped_at=stopped,
        supplement_requests=requests,
        pauses=tuple(pauses),
        extensions=tuple(extensions),
        delivery=delivery or Delivery.DESK,
        digitised=digitised,
        electronic_result=electronic_result,
        fee_amount=fee_amount or None,
        paid_online=paid_online,
    )


def _flag(values: dict[str, str], name: str, label: str, reasons: list[str]) -> bool:
    """A yes/no column: ``yes`` (or y, x, 1, true, có) is true, blank (or no, 0, false, không) false."""
    raw = values.get(name, "").strip().lower()
    if raw in _YES:
        return True
    if raw not in _NO:
        reasons.append(f"cột {name} ({label}) “{raw[:20]}” không hợp lệ: ghi yes hoặc để trống")
    return False


def _full_width_reasons(values: dict[str, str]) -> list[str]:
    """A reason per identifier, number or instant column typed with full-width characters."""
    return [
        f"cột {name} “{values[name][:40]}” có chữ số hoặc ký tự toàn khổ (full-width, như “２０２５”): "
        "hãy gõ lại bằng bàn phím thường"
        for name in _ASCII_COLUMNS
        if has_full_width(values.get(name, ""))
    ]


def parse_dossier_file(data: bytes, filename: str, *, now: datetime | None = None) -> ParsedDossiers:
    """Check every row on its own (formats, orders of instants, duplicates in the file).

    Pure: no database. What needs the database (agencies, procedures, due dates, codes already
    used) is checked by ``import_dossiers``. Raises motcua.lib.tabular.TabularError when the file
    itself cannot be read or lacks a required column.
    """
    now = now or timezone.now()
    _, rows = read_rows(data, filename, required=REQUIRED_COLUMNS, limits=import_limits("dossiers"))
    seen: dict[str, int] = {}
    parsed = ParsedDossiers(records=[], errors=[])
    for row in rows:
        result = _validate(row.line, row.values, seen, now, numeric=row.numeric)
        if isinstance(result, RowError):
            parsed.errors.append(result)
        else:
            parsed.records.append(result)
    return parsed
