"""``import_petitions``: petitions from an old system, all or nothing (docs/petitions.md §6).

Every row is checked first, in the style of the dossier import (``hoso.import_checks``): each bad
row is reported with its line number and its reasons in Vietnamese (``thutuc.importing.RowError``),
and nothing is written unless every row is valid. The due columns come from the same
``deadlines.schedule`` as live petitions, so imported history counts in the reports.
"""

from __future__ import annotations

import dataclasses
import secrets
from dataclasses import dataclass
from datetime import datetime
from itertools import pairwise

from django.db import transaction

from hoso import workcalendar as wc
from hoso.import_checks import out_of_window
from hoso.interchange import parse_instant
from motcua.lib.tabular import Limits, import_limits, read_rows
from motcua.lib.text import has_space_or_invisible
from motcua.models import Agency
from thutuc.importing import RowError

from .constants import Action, Channel, Decision, Kind, Status
from .models import Petition, PetitionEvent
from .services import reschedule

COLUMNS = (
    "code",
    "agency",
    "kind",
    "channel",
    "received_at",
    "decided_at",
    "decision",
    "more_info_requested_at",
    "more_info_received_at",
    "answered_at",
    "published_at",
)
INSTANTS = COLUMNS[4:6] + COLUMNS[7:]
IMPORTED_REFUSAL = "Từ chối tiếp nhận (nhập từ hệ thống cũ)."


class PetitionImportRejected(Exception):
    """The file has invalid rows; nothing was written. ``errors`` are sorted by line."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = sorted(errors, key=lambda e: e.line)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass
class Record:
    line: int
    code: str
    agency_id: int
    kind: str
    channel: str
    decision: str
    instants: dict[str, datetime | None]


def limits() -> Limits:
    return dataclasses.replace(import_limits("dossiers"), label="phản ánh, kiến nghị")


def _instant(raw: str, name: str, now: datetime, reasons: list[str]) -> datetime | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = parse_instant(raw)
    except ValueError:
        try:
            value = datetime.strptime(raw, "%d/%m/%Y %H:%M").replace(tzinfo=wc.VN_TZ)
        except ValueError:
            reasons.append(f"{name} “{raw[:40]}” không phải ngày giờ (dd/mm/yyyy HH:MM hoặc ISO 8601)")
            return None
    why = "ở tương lai" if value > now else out_of_window(value, now)
    if why:
        reasons.append(f"{name} “{raw[:40]}” {why}")
        return None
    return value


def _check(values: dict[str, str], agencies: dict[str, int], now: datetime, reasons: list[str]) -> Record | None:
    code = values.get("code", "").strip()
    if not code or has_space_or_invisible(code) or len(code) > 60:
        reasons.append("mã (code) trống, có dấu cách hoặc dài quá 60 ký tự")
    agency_id = agencies.get(values.get("agency", "").strip())
    if agency_id is None:
        reasons.append(f"không có phường, xã mã “{values.get('agency', '')[:30]}” (agency)")
    kind, channel, decision = (values.get(k, "").strip() for k in ("kind", "channel", "decision"))
    if kind not in Kind.values:
        reasons.append(f"loại (kind) phải là một trong {', '.join(Kind.values)}")
    if channel not in Channel.values:
        reasons.append(f"kênh (channel) phải là một trong {', '.join(Channel.values)}")
    if decision not in ("", *Decision.values):
        reasons.append("quyết định (decision) phải là accepted, refused hoặc để trống")
    at = {name: _instant(values.get(name, ""), name, now, reasons) for name in INSTANTS}
    if at["received_at"] is None and not values.get("received_at", "").strip():
        reasons.append("thiếu thời điểm tiếp nhận (received_at)")
    if bool(decision) != bool(values.get("decided_at", "").strip()):
        reasons.append("decision và decided_at phải cùng có hoặc cùng trống")
    if at["more_info_received_at"] is not None and at["more_info_requested_at"] is None:
        reasons.append("có more_info_received_at mà không có more_info_requested_at")
    if (at["answered_at"] or at["more_info_requested_at"]) is not None and decision != Decision.ACCEPTED:
        reasons.append("chỉ phản ánh đã tiếp nhận (decision accepted) mới đề nghị bổ sung hoặc trả lời")
    if at["published_at"] is not None and at["answered_at"] is None:
        reasons.append("có published_at mà chưa có answered_at")
    present = [(name, value) for name, value in at.items() if value is not None]
    for (first, a), (second, b) in pairwise(present):
        if b < a:
            reasons.append(f"{second} trước {first}")
    if reasons or agency_id is None:
        return None
    return Record(0, code, agency_id, kind, channel, decision, at)


def parse_file(data: bytes, filename: str, *, now: datetime) -> list[Record]:
    """Every row checked; PetitionImportRejected with every bad row (nothing written)."""
    _header, rows = read_rows(data, filename, required=COLUMNS, limits=limits())
    agencies = dict(Agency.objects.values_list("code", "pk"))
    errors: list[RowError] = []
    records: list[Record] = []
    seen: dict[str, int] = {}
    existing = set(
        Petition.objects.filter(code__in=[r.values.get("code", "").strip() for r in rows]).values_list(
            "code", flat=True
        )
    )
    for row in rows:
        if not any(value.strip() for value in row.values.values()):
            continue  # a blank line
        reasons: list[str] = []
        record = _check(row.values, agencies, now, reasons)
        code = row.values.get("code", "").strip()
        if code in seen:
            reasons.append(f"mã {code} trùng với dòng {seen[code]}")
        elif code in existing:
            reasons.append(f"mã {code} đã có trong hệ thống")
        seen.setdefault(code, row.line)
        if reasons or record is None:
            errors.append(RowError(row.line, reasons))
            continue
        record.line = row.line
        records.append(record)
    if errors:
        raise PetitionImportRejected(errors)
    return records


def _status(record: Record) -> str:
    at = record.instants
    if record.decision == Decision.REFUSED:
        return Status.REFUSED
    if at["published_at"] is not None:
        return Status.PUBLISHED
    if at["answered_at"] is not None:
        return Status.ANSWERED
    if at["more_info_requested_at"] is not None and at["more_info_received_at"] is None:
        return Status.MORE_INFO
    return Status.ACCEPTED if record.decision == Decision.ACCEPTED else Status.RECEIVED


def import_petitions(records: list[Record], *, now: datetime) -> int:
    """Write every record with its due columns and one import event, in one transaction."""
    petitions = []
    for record in records:
        at = record.instants
        petition = Petition(
            agency_id=record.agency_id,
            code=record.code,
            kind=record.kind,
            channel=record.channel,
            status=_status(record),
            token=secrets.token_urlsafe(24),
            received_at=at["received_at"],
            decided_at=at["decided_at"],
            decision=record.decision,
            refusal_reason=IMPORTED_REFUSAL if record.decision == Decision.REFUSED else "",
            more_info_requested_at=at["more_info_requested_at"],
            more_info_received_at=at["more_info_received_at"],
            answered_at=at["answered_at"],
            published_at=at["published_at"],
            imported=True,
        )
        try:
            reschedule(petition)
        except ValueError as exc:
            raise PetitionImportRejected([RowError(record.line, [str(exc)])]) from exc
        petitions.append(petition)
    with transaction.atomic():
        created = Petition.objects.bulk_create(petitions, batch_size=1000)
        PetitionEvent.objects.bulk_create(
            (
                PetitionEvent(petition=p, action=Action.IMPORT, at=now, data={"line": r.line})
                for p, r in zip(created, records, strict=True)
            ),
            batch_size=1000,
        )
    return len(created)
