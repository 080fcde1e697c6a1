"""Dossier import and export: wards moving from another system, and the way back out.

``python manage.py import_dossiers FILE`` (CSV in UTF-8, or XLSX; first sheet) and
``python manage.py export_dossiers --agency CODE --from DATE --to DATE [--format csv|xlsx] [-o FILE]``
use the same columns, so an export imports back into an empty database unchanged.

Columns (a header row names them; order free; extra columns ignored):

=====================  =====================================================================
``code``               Official dossier code (mã hồ sơ), unique. **Required.** At most 60 characters.
``agency``             The ward's national code (``Agency.code``, e.g. ``000.25.31.H26``). **Required.**
``procedure_code``     The procedure's code in the catalogue (``1.001193``). **Required.** A procedure
                       the ward no longer offers (or an inactive one) is accepted: the ward handled
                       it in the old system.
``channel``            ``1`` counter (trực tiếp), ``2`` online (trực tuyến), ``3`` public post. **Required.**
``applicant_name``     **Required.** At most 200 characters.
``applicant_id``       ID number (optional). 12 digits → căn cước/CCCD, 9 digits → CMND, 10 or 13 digits
                       → tax code (the applicant is then an organisation), anything else → passport.
``applicant_phone``    Optional, at most 15 characters, kept as written.
``applicant_address``  Optional, at most 300 characters.
``received_at``        Receipt instant. **Required.**
``due_at``             The appointment given at receipt (before any pause). Blank → computed by the
                       ward's working calendar for the procedure's limit (the ward's override first)
                       at ``received_at``; a procedure without a computable limit then needs it.
                       When given and different from the computed one (or with no computable
                       limit) it is kept as the manually entered appointment (``manual_due_at``).
``result_ready_at``    When the result was ready (đã xử lý xong); timeliness is judged here.
``returned_at``        When the result was handed over; needs ``result_ready_at``.
``withdrawn_at``       Withdrawn at the applicant's request; not with a result, not with ``stopped_at``.
``stopped_at``         Processing stopped (dừng xử lý); not with a result, not with ``withdrawn_at``.
``supplement_requests``  How many supplement requests during processing (a count ≥ the number of
                       pauses; blank = the number of pauses; at most 50).
``pauses``             Supplement waits as ``start/end`` pairs separated by ``;``, e.g.
                       ``2025-03-03T10:00/2025-03-04T10:00;2025-03-05T08:00/``. An empty end (only the
                       last pause) = still waiting. Pauses may not overlap and lie within
                       [received_at, result_ready_at or withdrawn_at or stopped_at or now].
``extensions``         Apologies with a new appointment (form 04) as ``issued/new appointment`` pairs
                       separated by ``;``, e.g. ``2025-03-05T09:00/2025-03-12T17:00``. Optional. Each
                       was issued within [received_at, result_ready_at or withdrawn_at or stopped_at
                       or now], each new appointment after its issue and after the one before.
``delivery``           Where the result goes: ``desk`` (blank too) or ``post`` (public post). Optional.
=====================  =====================================================================

Instants are ISO 8601 with date and time (``2025-03-03T09:00``, ``2025-03-03 09:00:00``,
``2025-03-03T09:00:00+07:00``); without an offset they are Vietnam time. Every instant lies from
2000-01-01 to five years after the import's clock (year 1 or 9999 is a typing error, and would
overflow the calendar); all but ``due_at`` and an extension's new appointment also not in the
future. The export writes every instant with its ``+07:00`` offset.

Identifiers, numbers and instants (every column but the name and the address) typed with
full-width characters (``２０２５``, an East Asian input method's) are refused with the row, not
normalised: the file was not produced by a system that could be trusted with them. ``code`` holds no
space, control or invisible character. Text holding a control character is refused. A file is bounded
(``settings.MOTCUA_IMPORT_LIMITS["dossiers"]``: size, inflated XLSX size, rows) and a CSV with an
unterminated quote is refused naming the line where it opens (``motcua.lib.tabular``).

Formula-like text (issue 10.3): the export writes every value through
``motcua.lib.tabular.escape_text`` (an apostrophe before text starting with ``= + - @``, a tab, a
carriage return, a line feed, or an apostrophe), in the CSV and in the XLSX alike, and the import
removes one leading apostrophe from every cell, so ``=1+2`` travels as ``'=1+2`` and comes back
exactly.

What the import does (``import_dossiers``), all or nothing:

* Every row is validated first; if any row is bad nothing is written and every bad row is listed
  with its line number and the reasons in Vietnamese (``DossierImportRejected``).
* A code already in the database with the same data (the row the export would write for it) is
  "unchanged" and left alone, so re-importing a file changes nothing. A code already used with
  other data (or by another ward) is **rejected**, never updated: the history of a dossier is
  made of append-only events, and rewriting it from a file would falsify the control slip.
* Each new dossier gets the events its dates imply, so it counts in reports exactly as a native
  one: RECEIVE at ``received_at``; REQUEST_SUPPLEMENT / COMPLETE_SUPPLEMENT per pause;
  MARK_RESULT_READY, RETURN_RESULT, WITHDRAW or STOP at their instants. Actor empty, note
  "Nhập từ hệ thống cũ", ``data["imported"] = True``. Supplement requests beyond the pauses
  (the old system kept the count but not the times) become REQUEST + COMPLETE pairs of zero length
  at ``received_at`` marked ``data["count_only"] = True``: they count (more than one request makes
  a dossier late, docs/timeliness.md §1) and move no due date; the export leaves them out of ``pauses``
  and keeps them in ``supplement_requests``.
* Clock columns are set as the workflow sets them, by the same ``clock.compute_clock`` over the
  events, each event recording the due time it leaves in force;
  base_due_at = the given or computed ``due_at``; procedure_snapshot by
  ``workflow.procedure_snapshot`` with the ward's limit and fee; a new random lookup key. Status
  is the last event's: received, processing (after a completed supplement), waiting for
  supplement, result ready, returned, withdrawn or stopped. No officer is assigned. Each
  extension is an EXTEND event (``data["new_due_at"]``), as form 04 writes it: the citizen's
  appointment moves, the dossier counts as late (docs/timeliness.md §1), apologies are counted.
* An imported event sends no message (the old system told the applicant at the time) and its
  note "Nhập từ hệ thống cũ" is never shown to the citizen.
* The clerk of an imported dossier is the ward's system user ``nhap-du-lieu-<agency code>``
  (inactive, role clerk, no usable password), created on demand; the export logs its
  ``AccessLog`` under the same user, since a command has no logged-in user.
* ``DossierCounter``: for every imported code that matches the ward's code pattern exactly (the
  pattern formatted with the code's day and sequence gives the code back), the counter of that
  day is raised to at least the imported sequence, so intake never reuses a code. Codes in
  another shape (the old system's own) need no counter: intake can never produce them.
* The bulk path does not call ``full_clean()`` per dossier: the row checks enforce the same
  limits (lengths, choices, orders of instants) and the database constraints back them.

Speed: rows are validated in Python, the calendar is read once per ward, existing codes are read
in chunks, and dossiers and events are written inside one transaction with COPY on PostgreSQL
(ids drawn from the sequence in one query) or bulk_create elsewhere; no query is made per row.
``bench/bench_import.py`` measures it on 100,000 rows.
"""

from __future__ import annotations

import csv
import io
import json
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from itertools import pairwise
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from motcua.constants import Role
from motcua.lib.codepattern import pattern_for
from motcua.lib.tabular import escape_text, import_limits, read_rows, write_only_row
from motcua.lib.text import has_control_character, has_full_width, has_space_or_invisible, normalise_spaces
from motcua.models import Agency, User
from thutuc.constants import Channel
from thutuc.importing import RowError
from thutuc.models import AgencyProcedure, Procedure

from . import clock, survey_links
from . import workcalendar as wc
from .calendar_store import calendar_for
from .constants import Action, ApplicantKind, Delivery, IdKind
from .limits import offer_limit
from .models import AccessLog, Dossier, DossierCounter, DossierEvent, dossier_search_text
from .workflow import LOOKUP_ALPHABET, LOOKUP_KEY_LENGTH, procedure_snapshot

COLUMNS = (
    "code",
    "agency",
    "procedure_code",
    "channel",
    "applicant_name",
    "applicant_id",
    "applicant_phone",
    "applicant_address",
    "received_at",
    "due_at",
    "result_ready_at",
    "returned_at",
    "withdrawn_at",
    "stopped_at",
    "supplement_requests",
    "pauses",
    "extensions",
    "delivery",
)
REQUIRED_COLUMNS = ("code", "agency", "procedure_code", "channel", "applicant_name", "received_at")
IMPORT_NOTE = "Nhập từ hệ thống cũ"
COUNT_ONLY_NOTE = "Nhập từ hệ thống cũ: chỉ có số lần yêu cầu bổ sung, không có thời gian"
SYSTEM_USERNAME = "nhap-du-lieu-{agency}"
MAX_SUPPLEMENT_REQUESTS = 50
EARLIEST = datetime(2000, 1, 1, tzinfo=wc.VN_TZ)
#: The latest instant a row may hold (an appointment, an extension's new appointment), counted
#: from the import's clock: year 9999 and the like are typing errors, and would overflow the
#: calendar's arithmetic.
LATEST_AHEAD = timedelta(days=5 * 365)
BATCH_SIZE = 2_000
EVENT_BATCH_SIZE = 5_000
_CHUNK = 5_000  # codes per `IN (…)` lookup

_DATE_COLUMNS = ("received_at", "due_at", "result_ready_at", "returned_at", "withdrawn_at", "stopped_at")
_CHANNELS = {str(c.value): c.value for c in Channel}
_TAX_CODE = re.compile(r"\d{10}(-?\d{3})?")
# Columns of identifiers, numbers and instants: full-width characters there are refused by name.
_ASCII_COLUMNS = (
    "code",
    "agency",
    "procedure_code",
    "channel",
    "applicant_id",
    "applicant_phone",
    *("received_at", "due_at", "result_ready_at", "returned_at", "withdrawn_at", "stopped_at"),
    "supplement_requests",
    "pauses",
    "extensions",
    "delivery",
)


# -- records ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pause:
    """One supplement wait; ``end`` None = still waiting."""

    start: datetime
    end: datetime | None


@dataclass(frozen=True)
class Extension:
    """One apology with a new appointment (form 04)."""

    at: datetime
    new_due: datetime


@dataclass
class DossierRecord:
    """One syntactically valid row; instants are aware datetimes in Vietnam time."""

    line: int
    code: str
    agency_code: str
    procedure_code: str
    channel: int
    applicant_name: str
    applicant_id: str
    applicant_phone: str
    applicant_address: str
    received_at: datetime
    due_at: datetime | None
    result_ready_at: datetime | None
    returned_at: datetime | None
    withdrawn_at: datetime | None
    stopped_at: datetime | None
    supplement_requests: int
    pauses: tuple[Pause, ...]
    extensions: tuple[Extension, ...] = ()
    delivery: str = Delivery.DESK


@dataclass
class ParsedDossiers:
    records: list[DossierRecord]
    errors: list[RowError]


class DossierImportRejected(Exception):
    """The file has invalid rows; nothing was written. ``errors`` are sorted by line."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.line)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class DossierImportSummary:
    created: int = 0
    unchanged: int = 0
    events: int = 0
    counters_raised: int = 0
    users_created: int = 0
    created_codes: list[str] = field(default_factory=list)

    def as_text(self) -> str:
        return (
            f"Tạo mới: {self.created} hồ sơ ({self.events} sự kiện), không đổi: {self.unchanged}, "
            f"bị từ chối: 0. Bộ đếm mã hồ sơ được nâng: {self.counters_raised} ngày."
        )


# -- parsing (pure: no database) ----------------------------------------------------------------
def parse_instant(text: str) -> datetime:
    """An ISO 8601 date and time; without an offset it is Vietnam time. Raises ValueError."""
    text = text.strip()
    # A bare date would silently mean midnight: the time of a receipt matters to its due date.
    if len(text) < 16 or text[10] not in "Tt " or not text.isascii():
        raise ValueError(text)
    try:
        value = datetime.fromisoformat(text)
        return value.replace(tzinfo=wc.VN_TZ) if value.tzinfo is None else value.astimezone(wc.VN_TZ)
    except OverflowError as exc:  # year 1 or 9999 with an offset: out of datetime's range in our zone
        raise ValueError(text) from exc


def out_of_window(value: datetime, now: datetime) -> str | None:
    """Why ``value`` lies outside what an import accepts ([2000-01-01, now + 5 years]), or None."""
    if value < EARLIEST:
        return "trước năm 2000, không hợp lý"
    if value > now + LATEST_AHEAD:
        return f"quá 5 năm sau hôm nay (sau {now + LATEST_AHEAD:%d/%m/%Y}), không hợp lý"
    return None


def iso(value: datetime | None) -> str:
    """The export's spelling of an instant: ISO 8601 in Vietnam time with its +07:00 offset."""
    return "" if value is None else value.astimezone(wc.VN_TZ).isoformat()


def format_pauses(pauses: Iterable[Pause]) -> str:
    return ";".join(f"{iso(p.start)}/{iso(p.end)}" for p in pauses)


def format_extensions(extensions: Iterable[Extension]) -> str:
    return ";".join(f"{iso(e.at)}/{iso(e.new_due)}" for e in extensions)


def id_kind(number: str) -> tuple[str, str]:
    """(IdKind, ApplicantKind) guessed from an ID number's shape; see the module docstring."""
    compact = re.sub(r"[\s.]", "", number)
    if not compact or re.fullmatch(r"\d{12}", compact):
        return IdKind.CCCD, ApplicantKind.CITIZEN
    if re.fullmatch(r"\d{9}", compact):
        return IdKind.CMND, ApplicantKind.CITIZEN
    if _TAX_CODE.fullmatch(compact):
        return IdKind.TAX_CODE, ApplicantKind.ORGANISATION
    return IdKind.PASSPORT, ApplicantKind.CITIZEN


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


_DELIVERIES = {"": Delivery.DESK, "desk": Delivery.DESK, "post": Delivery.POST}


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
            f"nơi nhận kết quả “{raw_delivery[:20]}” không hợp lệ (desk: tại bộ phận một cửa, post: bưu chính)"
        )

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
    )


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


# -- the canonical row (what the export writes, what "unchanged" compares) -----------------------
def record_row(record: DossierRecord, base_due: datetime) -> dict[str, str]:
    """The export's row for a record whose appointment at receipt is ``base_due``."""
    return {
        "code": record.code,
        "agency": record.agency_code,
        "procedure_code": record.procedure_code,
        "channel": str(record.channel),
        "applicant_name": record.applicant_name,
        "applicant_id": record.applicant_id,
        "applicant_phone": record.applicant_phone,
        "applicant_address": record.applicant_address,
        "received_at": iso(record.received_at),
        "due_at": iso(base_due),
        "result_ready_at": iso(record.result_ready_at),
        "returned_at": iso(record.returned_at),
        "withdrawn_at": iso(record.withdrawn_at),
        "stopped_at": iso(record.stopped_at),
        "supplement_requests": str(record.supplement_requests),
        "pauses": format_pauses(record.pauses),
        "extensions": format_extensions(record.extensions),
        "delivery": record.delivery,
    }


# The columns `dossier_row` reads, for `.values(*ROW_FIELDS)`.
ROW_FIELDS = (
    "pk",
    "code",
    "agency__code",
    "procedure__code",
    "channel",
    "applicant_name",
    "applicant_id_number",
    "applicant_phone",
    "applicant_address",
    "received_at",
    "base_due_at",
    "result_ready_at",
    "returned_at",
    "withdrawn_at",
    "stopped_at",
    "supplement_requests",
    "delivery",
)


def dossier_row(
    values: dict[str, Any], pauses: Sequence[Pause], extensions: Sequence[Extension] = ()
) -> dict[str, str]:
    """The export's row of a dossier read with ``.values(*ROW_FIELDS)``, with its timed pauses
    and its extensions."""
    return {
        "code": values["code"] or "",
        "agency": values["agency__code"],
        "procedure_code": values["procedure__code"],
        "channel": str(values["channel"]),
        "applicant_name": values["applicant_name"],
        "applicant_id": values["applicant_id_number"],
        "applicant_phone": values["applicant_phone"],
        "applicant_address": values["applicant_address"],
        "received_at": iso(values["received_at"]),
        "due_at": iso(values["base_due_at"]),
        "result_ready_at": iso(values["result_ready_at"]),
        "returned_at": iso(values["returned_at"]),
        "withdrawn_at": iso(values["withdrawn_at"]),
        "stopped_at": iso(values["stopped_at"]),
        "supplement_requests": str(values["supplement_requests"]),
        "pauses": format_pauses(pauses),
        "extensions": format_extensions(extensions),
        "delivery": values["delivery"],
    }


def _clock_history(dossier_ids: Sequence[int]) -> tuple[dict[int, list[Pause]], dict[int, list[Extension]]]:
    """The timed pauses (count-only placeholders left out) and the extensions of each dossier,
    from its events, in one query."""
    result: dict[int, list[Pause]] = defaultdict(list)
    extensions: dict[int, list[Extension]] = defaultdict(list)
    rows = (
        DossierEvent.objects.filter(
            dossier_id__in=dossier_ids,
            action__in=[Action.REQUEST_SUPPLEMENT, Action.COMPLETE_SUPPLEMENT, Action.EXTEND],
        )
        .order_by("dossier_id", "at", "id")
        .values_list("dossier_id", "action", "at", "data")
    )
    for dossier_id, action, at, data in rows:
        if data and data.get("count_only"):
            continue
        if action == Action.EXTEND:
            new_due = datetime.fromisoformat(data["new_due_at"]).astimezone(wc.VN_TZ)
            extensions[dossier_id].append(Extension(at, new_due))
            continue
        pauses = result[dossier_id]
        if action == Action.REQUEST_SUPPLEMENT:
            pauses.append(Pause(at, None))
        elif pauses and pauses[-1].end is None:
            pauses[-1] = Pause(pauses[-1].start, at)
    return result, extensions


# -- helpers that read the database once per ward -------------------------------------------------
def system_user(agency: Agency) -> tuple[User, bool]:
    """The ward's inactive clerk account that owns imported dossiers and command exports; (user, created)."""
    username = SYSTEM_USERNAME.format(agency=agency.code)
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user, False
    user = User(username=username, agency=agency, role=Role.CLERK, is_active=False, last_name=IMPORT_NOTE)
    user.set_unusable_password()
    user.full_clean()
    user.save()
    return user, True


def code_parser(agency: Agency) -> Callable[[str], tuple[date, int] | None]:
    """A function giving (day, sequence) of a code made by the ward's pattern, else None.

    The pattern is the one intake uses (``motcua.lib.codepattern.pattern_for``). A code matches
    only if rendering the pattern with that day and sequence gives it back exactly, which is the
    condition for intake ever producing the same code.
    """
    pattern = pattern_for(agency.dossier_code_pattern)
    compiled = re.compile(pattern.regex(agency.code))
    days: dict[str, date] = {}  # strptime is slow and a file holds few distinct days

    def parse(code: str) -> tuple[date, int] | None:
        match = compiled.fullmatch(code)
        if match is None:
            return None
        try:
            text = match.group("date")
            day = days.get(text)
            if day is None:
                day = days[text] = datetime.strptime(text, pattern.date_format).date()  # noqa: DTZ007 — a date, no zone
            seq = int(match.group("seq"))
        except ValueError:
            return None
        if pattern.render(agency.code, day, seq) != code:
            return None
        return day, seq

    return parse


@dataclass
class _ProcedureTerms:
    limit: wc.Limit | None
    snapshot: dict[str, Any]


def _terms(
    agency: Agency, procedure: Procedure, offers: dict[tuple[int, int], AgencyProcedure], channel: int
) -> _ProcedureTerms:
    offer = offers.get((agency.pk, procedure.pk))
    limit = offer_limit(procedure, offer, channel)
    fee_text = offer.effective_fee_text() if offer else procedure.fee_text
    limit_text = offer.effective_limit_text() if offer else None
    return _ProcedureTerms(limit, procedure_snapshot(procedure, limit, fee_text, limit_text))


# -- building a dossier and its events ---------------------------------------------------------
# Event data, shared by every imported event of the kind (never mutated), so each is serialised once.
_DATA = {"imported": True}
_COUNT_ONLY_DATA = {"imported": True, "count_only": True}
_RETURN_DATA = {"imported": True, "collector": "", "tracking_number": ""}


def _timeline(record: DossierRecord) -> list[tuple[Action, datetime, dict[str, Any]]]:
    """The record's events in time order (the row's checks guarantee the order)."""
    received = record.received_at
    events: list[tuple[Action, datetime, dict[str, Any]]] = [(Action.RECEIVE, received, _DATA)]
    for _ in range(record.supplement_requests - len(record.pauses)):
        events.append((Action.REQUEST_SUPPLEMENT, received, _COUNT_ONLY_DATA))
        events.append((Action.COMPLETE_SUPPLEMENT, received, _COUNT_ONLY_DATA))
    for pause in record.pauses:
        events.append((Action.REQUEST_SUPPLEMENT, pause.start, _DATA))
        if pause.end is not None:
            events.append((Action.COMPLETE_SUPPLEMENT, pause.end, _DATA))
    for extension in record.extensions:
        events.append((Action.EXTEND, extension.at, {"imported": True, "new_due_at": extension.new_due.isoformat()}))
    # In time order; at equal instants the order written above (a stable sort).
    events[1:] = sorted(events[1:], key=lambda event: event[1])
    if record.result_ready_at is not None:
        events.append((Action.MARK_RESULT_READY, record.result_ready_at, _DATA))
    if record.returned_at is not None:
        events.append((Action.RETURN_RESULT, record.returned_at, _RETURN_DATA))
    if record.withdrawn_at is not None:
        events.append((Action.WITHDRAW, record.withdrawn_at, _DATA))
    if record.stopped_at is not None:
        events.append((Action.STOP, record.stopped_at, _DATA))
    return events


def lookup_keys(count: int) -> list[str]:
    """``count`` random lookup keys like ``workflow.new_lookup_key`` makes, drawn in one go.

    Bytes from the OS's cryptographic source; those ≥ 250 are dropped so every letter of the
    25-letter alphabet is equally likely.
    """
    alphabet, size = LOOKUP_ALPHABET, len(LOOKUP_ALPHABET)
    limit = 256 - 256 % size
    letters: list[str] = []
    need = count * LOOKUP_KEY_LENGTH
    while len(letters) < need:
        letters.extend(alphabet[b % size] for b in secrets.token_bytes(need - len(letters) + 64) if b < limit)
    return ["".join(letters[i : i + LOOKUP_KEY_LENGTH]) for i in range(0, need, LOOKUP_KEY_LENGTH)]


def build_dossier(
    record: DossierRecord,
    *,
    agency: Agency,
    procedure: Procedure,
    snapshot: dict[str, Any],
    calendar: wc.WorkCalendar,
    base_due: datetime,
    manual_due: datetime | None,
    lookup_key: str,
    now: datetime,
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Column values (by attribute name) of a new dossier and of its events, in time order.

    The clock columns and each event's due time come from ``clock.compute_clock``, the function
    ``workflow._transition`` calls, with statuses from the transition table. The clerk and
    the dossier id are left to the writer. Plain values rather than model instances: building
    200,000 model objects would cost more than writing them.
    """
    kind, applicant_kind = id_kind(record.applicant_id)
    timeline = _timeline(record)
    state = clock.compute_clock(calendar, received_at=record.received_at, base_due=base_due, events=timeline)
    statuses = ("", *state.event_status)
    events = [
        {
            "action": action.value,
            "from_status": statuses[i],
            "to_status": statuses[i + 1],
            "actor_id": None,
            "at": at,
            "note": COUNT_ONLY_NOTE if data.get("count_only") else IMPORT_NOTE,
            "data": data,
            "due_at": state.event_due_at[i],
        }
        for i, (action, at, data) in enumerate(timeline)
    ]
    values: dict[str, Any] = {
        "agency_id": agency.pk,
        "code": record.code,
        "lookup_key": lookup_key,
        "procedure_id": procedure.pk,
        "field_id": procedure.field_id,
        "procedure_snapshot": snapshot,
        "channel": record.channel,
        "delivery": record.delivery,
        "applicant_kind": applicant_kind.value,
        "applicant_name": record.applicant_name,
        "applicant_id_kind": kind.value,
        "applicant_id_number": record.applicant_id,
        "applicant_phone": record.applicant_phone,
        "applicant_address": record.applicant_address,
        "created_at": now,
        "received_at": record.received_at,
        "manual_due_at": manual_due,
        **state.columns(),
    }
    return values, events


# -- the import ---------------------------------------------------------------------------------
@dataclass
class _Prepared:
    dossiers: list[dict[str, Any]] = field(default_factory=list)
    events: list[list[dict[str, Any]]] = field(default_factory=list)
    agencies: dict[int, Agency] = field(default_factory=dict)
    top_sequences: dict[tuple[int, date], int] = field(default_factory=dict)
    unchanged: int = 0


def _existing(codes: Sequence[str]) -> tuple[dict[str, dict[str, str]], set[str]]:
    """Export rows of the dossiers already holding some of ``codes``, and those of them whose
    appointment was given (``manual_due_at``) rather than computed."""
    rows: dict[str, dict[str, str]] = {}
    given: set[str] = set()
    for i in range(0, len(codes), _CHUNK):
        chunk = codes[i : i + _CHUNK]
        dossiers = list(Dossier.objects.filter(code__in=chunk).values(*ROW_FIELDS, "manual_due_at"))
        if not dossiers:
            continue
        pauses, extensions = _clock_history([d["pk"] for d in dossiers])
        for d in dossiers:
            rows[d["code"]] = dossier_row(d, pauses.get(d["pk"], []), extensions.get(d["pk"], []))
            if d["manual_due_at"] is not None:
                given.add(d["code"])
    return rows, given


def _prepare(records: Sequence[DossierRecord], now: datetime, errors: list[RowError]) -> _Prepared:
    """Resolve agencies, procedures and due dates; sort rows into new, unchanged and bad."""
    prepared = _Prepared()
    agencies = {a.code: a for a in Agency.objects.filter(code__in={r.agency_code for r in records})}
    procedures = {
        p.code: p
        for p in Procedure.objects.filter(code__in={r.procedure_code for r in records})
        .select_related("field")
        .prefetch_related("documents")
    }
    offers = {
        (o.agency_id, o.procedure_id): o
        for o in AgencyProcedure.objects.filter(
            agency__in=agencies.values(), procedure__in=procedures.values()
        ).select_related("procedure")
    }
    existing, given_due = _existing([r.code for r in records])
    calendars: dict[int, wc.WorkCalendar] = {}
    terms: dict[tuple[int, int, int], _ProcedureTerms] = {}
    parsers: dict[int, Callable[[str], tuple[date, int] | None]] = {}
    keys: list[str] = []
    for record in records:
        reasons: list[str] = []
        agency = agencies.get(record.agency_code)
        procedure = procedures.get(record.procedure_code)
        if agency is None:
            reasons.append(f"không có cơ quan mã “{record.agency_code[:30]}”")
        if procedure is None:
            reasons.append(f"không có thủ tục mã “{record.procedure_code[:40]}” trong danh mục")
        if agency is None or procedure is None:
            errors.append(RowError(record.line, reasons))
            continue
        calendar = calendars.get(agency.pk)
        if calendar is None:
            calendar = calendars[agency.pk] = calendar_for(agency.pk)
        key = (agency.pk, procedure.pk, record.channel)
        term = terms.get(key)
        if term is None:
            term = terms[key] = _terms(agency, procedure, offers, record.channel)
        computed: datetime | None = None
        if term.limit is not None:
            try:
                computed = wc.compute_due(calendar, record.received_at, term.limit)
            except ValueError as exc:
                if record.due_at is None:  # a given appointment does not need the computed one
                    reasons.append(f"không tính được hạn trả: {exc}")
        elif record.due_at is None:
            reasons.append(f"thủ tục {procedure.code} không có thời hạn tính tự động: hãy ghi hạn trả kết quả (due_at)")
        if reasons:
            errors.append(RowError(record.line, reasons))
            continue
        base_due = record.due_at or computed
        assert base_due is not None  # one of the two is set, checked just above
        row = existing.get(record.code)
        if row is not None:
            if row["agency"] != agency.code:
                errors.append(
                    RowError(record.line, [f"mã hồ sơ {record.code} đã được dùng cho hồ sơ của cơ quan khác"])
                )
                continue
            # A blank due_at is computed by today's calendar: an edit since the first import (a
            # ward holiday) may move it, and the row is still the same row — unless the dossier
            # holds a given appointment, which a blank cell does not match.
            skip = {"due_at"} if record.due_at is None and record.code not in given_due else set()
            different = [
                name for name, value in record_row(record, base_due).items() if name not in skip and row[name] != value
            ]
            if different:
                errors.append(
                    RowError(
                        record.line,
                        [
                            f"mã hồ sơ {record.code} đã có trong hệ thống với dữ liệu khác "
                            f"(cột {', '.join(different)}); không nhập đè lên hồ sơ đã có"
                        ],
                    )
                )
            else:
                prepared.unchanged += 1
            continue
        manual_due = record.due_at if record.due_at is not None and record.due_at != computed else None
        if not keys:
            keys = lookup_keys(BATCH_SIZE)
        try:
            dossier, events = build_dossier(
                record,
                agency=agency,
                procedure=procedure,
                snapshot=term.snapshot,
                calendar=calendar,
                base_due=base_due,
                manual_due=manual_due,
                lookup_key=keys.pop(),
                now=now,
            )
        except ValueError as exc:  # the calendar ran out of working days: a far-off date
            errors.append(RowError(record.line, [f"không tính được hạn trả: {exc}"]))
            continue
        prepared.dossiers.append(dossier)
        prepared.events.append(events)
        prepared.agencies[agency.pk] = agency
        parser = parsers.get(agency.pk)
        if parser is None:
            parser = parsers[agency.pk] = code_parser(agency)
        parsed_code = parser(record.code)
        if parsed_code is not None:
            day_key = (agency.pk, parsed_code[0])
            prepared.top_sequences[day_key] = max(prepared.top_sequences.get(day_key, 0), parsed_code[1])
    return prepared


def _locked_counters(keys: Iterable[tuple[int, date]]) -> list[DossierCounter]:
    by_agency: dict[int, list[date]] = defaultdict(list)
    for agency_id, day in keys:
        by_agency[agency_id].append(day)
    counters: list[DossierCounter] = []
    for agency_id, days in by_agency.items():
        for i in range(0, len(days), _CHUNK):
            chunk = days[i : i + _CHUNK]
            counters += DossierCounter.objects.select_for_update().filter(agency_id=agency_id, day__in=chunk)
    return counters


def _raise_counters(top_sequences: dict[tuple[int, date], int]) -> int:
    """Raise each (agency, day) counter to at least the top imported sequence; returns how many rose.

    Existing counters are locked (as intake locks them) and raised where lower; missing ones are
    created at their top value. One created meanwhile by an intake is locked and raised too.
    """
    if not top_sequences:
        return 0
    existing = _locked_counters(top_sequences)
    have = {(c.agency_id, c.day) for c in existing}
    missing = [key for key in top_sequences if key not in have]
    DossierCounter.objects.bulk_create(
        [DossierCounter(agency_id=a, day=d, last=top_sequences[(a, d)]) for a, d in missing],
        batch_size=BATCH_SIZE,
        ignore_conflicts=True,
    )
    if missing:
        existing += _locked_counters(missing)
    raised = [c for c in existing if c.last < top_sequences[(c.agency_id, c.day)]]
    for counter in raised:
        counter.last = top_sequences[(counter.agency_id, counter.day)]
    DossierCounter.objects.bulk_update(raised, ["last"], batch_size=BATCH_SIZE)
    return len(missing) + len([c for c in raised if (c.agency_id, c.day) in have])


def import_dossiers(
    *, parsed: ParsedDossiers, now: datetime | None = None, dry_run: bool = False
) -> DossierImportSummary:
    """Create the parsed dossiers with their events in one transaction, or write nothing.

    Raises DossierImportRejected listing every bad row (those ``parse_dossier_file`` found and
    those found against the database: unknown ward or procedure, no computable appointment, code
    already used with other data). Rows whose code exists with identical data are counted as
    unchanged. With ``dry_run`` everything is computed and rolled back.
    """
    now = now or timezone.now()
    errors = list(parsed.errors)
    prepared = _prepare(parsed.records, now, errors)
    if errors:
        raise DossierImportRejected(errors)
    summary = DossierImportSummary(unchanged=prepared.unchanged)
    with transaction.atomic():
        clerks: dict[int, int] = {}
        for agency_id, agency in prepared.agencies.items():
            user, created = system_user(agency)
            clerks[agency_id] = user.pk
            summary.users_created += int(created)
        for values in prepared.dossiers:
            values["clerk_id"] = clerks[values["agency_id"]]
        # Counters first: an intake on an imported day waits for this transaction, then follows its codes.
        summary.counters_raised = _raise_counters(prepared.top_sequences)
        summary.events = _write(prepared.dossiers, prepared.events)
        summary.created = len(prepared.dossiers)
        summary.created_codes = [values["code"] for values in prepared.dossiers]
        survey_links.issue_missing_tokens(Dossier.objects.filter(created_at=now), now=now)  # the ratable ones
        if dry_run:
            transaction.set_rollback(True)
    return summary


def _write(dossiers: list[dict[str, Any]], events: list[list[dict[str, Any]]]) -> int:
    """Insert the dossiers and their events; returns the number of events. Inside a transaction.

    PostgreSQL: ids are drawn from the dossier sequence in one query and both tables are filled
    with COPY, several times faster than INSERT for this volume. Other databases: bulk_create
    in batches (which sets the pks the events need).
    """
    if not dossiers:
        return 0
    for values in dossiers:  # COPY bypasses Dossier.save(): fill the search column here
        values["search_text"] = dossier_search_text(
            values.get("code"),
            values.get("applicant_name", ""),
            values.get("applicant_phone", ""),
            values.get("applicant_id_number", ""),
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [Dossier._meta.db_table, len(dossiers)],
            )
            ids = [pk for (pk,) in cursor.fetchall()]
        rows: list[dict[str, Any]] = []
        for values, dossier_events, pk in zip(dossiers, events, ids, strict=True):
            values["id"] = pk
            rows.extend({**event, "dossier_id": pk} for event in dossier_events)
        _copy(Dossier, dossiers)
        _copy(DossierEvent, rows, skip=("id",))
        return len(rows)
    objects = [Dossier(**values) for values in dossiers]
    Dossier.objects.bulk_create(objects, batch_size=BATCH_SIZE)
    event_objects = [
        DossierEvent(dossier_id=dossier.pk, **event)
        for dossier, dossier_events in zip(objects, events, strict=True)
        for event in dossier_events
    ]
    DossierEvent.objects.bulk_create(event_objects, batch_size=EVENT_BATCH_SIZE)
    return len(event_objects)


def _copy(model: type[models.Model], rows: list[dict[str, Any]], skip: tuple[str, ...] = ()) -> None:
    """COPY ``rows`` (attribute name → value) into the model's table (PostgreSQL with psycopg 3).

    A field missing from a row gets its default; JSON fields are serialised as Django does.
    """
    fields = [f for f in model._meta.concrete_fields if f.attname not in skip]
    names = [f.attname for f in fields]
    json_positions = [i for i, f in enumerate(fields) if isinstance(f, models.JSONField)]
    defaults = {f.attname: f.get_default() for f in fields}
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    sql = f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN"
    # Snapshots and event data are shared objects: serialise each once (by identity; the rows
    # keep them alive for the whole call, so an id cannot be reused meanwhile).
    serialised: dict[int, str] = {}
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for row in rows:
            values = [row.get(name, defaults[name]) for name in names]
            for i in json_positions:
                value = values[i]
                text = serialised.get(id(value))
                if text is None:
                    text = serialised[id(value)] = json.dumps(value)
                values[i] = text
            copy.write_row(values)


# -- the export ---------------------------------------------------------------------------------
def export_rows(*, agency: Agency, start: date, end: date) -> Iterator[dict[str, str]]:
    """The rows of the ward's dossiers received from ``start`` to ``end`` inclusive (Vietnam days).

    Ordered by receipt; read in chunks, so a large range does not hold every dossier in memory.
    """
    since = datetime.combine(start, time(0), tzinfo=wc.VN_TZ)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=wc.VN_TZ)
    ids = list(
        Dossier.objects.filter(agency=agency, code__isnull=False, received_at__gte=since, received_at__lt=until)
        .order_by("received_at", "id")
        .values_list("pk", flat=True)
    )
    for i in range(0, len(ids), _CHUNK):
        chunk = ids[i : i + _CHUNK]
        dossiers = Dossier.objects.filter(pk__in=chunk).order_by("received_at", "id").values(*ROW_FIELDS)
        pauses, extensions = _clock_history(chunk)
        for dossier in dossiers:
            yield dossier_row(dossier, pauses.get(dossier["pk"], []), extensions.get(dossier["pk"], []))


def rows_to_csv(rows: Iterable[dict[str, str]]) -> tuple[str, int]:
    """CSV text in the import's columns and the number of rows written; every value escaped
    (``motcua.lib.tabular.escape_text``: no cell starts like a formula), as the import reverses."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    count = 0
    for row in rows:
        writer.writerow([escape_text(row[name]) for name in COLUMNS])
        count += 1
    return buffer.getvalue(), count


def rows_to_xlsx(rows: Iterable[dict[str, str]]) -> tuple[bytes, int]:
    """An XLSX workbook (one sheet, text cells) in the import's columns and the number of rows;
    values escaped as in the CSV, so either file imports back the same."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Hồ sơ")
    sheet.append(write_only_row(sheet, list(COLUMNS)))
    count = 0
    for row in rows:
        sheet.append(write_only_row(sheet, [escape_text(row[name]) for name in COLUMNS]))
        count += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), count


@dataclass
class Export:
    data: bytes
    count: int


def export_dossiers(*, agency: Agency, start: date, end: date, fmt: str = "csv", user: User | None = None) -> Export:
    """The ward's dossiers received in [start, end] as CSV (UTF-8) or XLSX, logged in AccessLog.

    The log's user is ``user`` or, for commands (no logged-in user), the ward's system user.
    Raises ValueError for an unknown format or ``end`` before ``start``.
    """
    if fmt not in ("csv", "xlsx"):
        raise ValueError(f"Định dạng “{fmt}” không hỗ trợ (csv hoặc xlsx).")
    if end < start:
        raise ValueError("Ngày kết thúc phải từ ngày bắt đầu trở đi.")
    rows = export_rows(agency=agency, start=start, end=end)
    if fmt == "csv":
        text, count = rows_to_csv(rows)
        data = text.encode("utf-8")
    else:
        data, count = rows_to_xlsx(rows)
    with transaction.atomic():
        actor = user if user is not None else system_user(agency)[0]
        AccessLog.objects.create(
            user=actor,
            agency=agency,
            dossier=None,
            kind=AccessLog.Kind.EXPORT,
            detail=f"Xuất {count} hồ sơ tiếp nhận từ {start:%d/%m/%Y} đến {end:%d/%m/%Y} ({fmt.upper()})",
        )
    return Export(data=data, count=count)
