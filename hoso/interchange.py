"""The dossier interchange file: its columns, the spelling of its values, its canonical row.

``python manage.py import_dossiers FILE`` (CSV in UTF-8, or XLSX; first sheet) and
``python manage.py export_dossiers --agency CODE --from DATE --to DATE [--format csv|xlsx] [-o FILE]``
use the same columns, so an export imports back into an empty database unchanged.
The row checks are in ``hoso.import_checks``, the import in ``hoso.importing``, the export in
``hoso.exporting``; this module holds what they share: the columns, the record of a row, the
spelling of instants, pauses and extensions, the canonical row (what the export writes, what an
"unchanged" re-import compares), the pauses and extensions read back from the events, and the
ward's system user.

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
``delivery``           Where the result goes: ``desk`` (blank too), ``post`` (public post) or
                       ``electronic`` (a file the citizen downloads). Optional.
``digitised``          ``yes`` when the papers were digitised at intake (số hóa; QĐ 766 indicator 4.2),
                       blank otherwise. Optional.
``electronic_result``  ``yes`` when the result was issued electronically (QĐ 766 indicator 4.1),
                       blank otherwise. Optional.
``fee_amount``         The fee (phí, lệ phí) in đồng, a whole number (``50000`` or ``50.000``); blank
                       when none is due. It becomes the dossier's fee request, paid at receipt
                       (docs/payments.md §1). Optional.
``paid_online``        ``yes`` when the fee was paid online (QĐ 766 indicator 3.6; needs
                       ``fee_amount``), blank when paid at the desk or not due. Optional.
=====================  =====================================================================

Instants are ISO 8601 with date and time (``2025-03-03T09:00``, ``2025-03-03 09:00:00``,
``2025-03-03T09:00:00+07:00``); without an offset they are Vietnam time. The export writes every
instant with its ``+07:00`` offset.

Formula-like text (issue 10.3): the export writes every value through
``motcua.lib.tabular.escape_text`` (an apostrophe before text starting with ``= + - @``, a tab, a
carriage return, a line feed, or an apostrophe), in the CSV and in the XLSX alike, and the import
removes one leading apostrophe from every cell, so ``=1+2`` travels as ``'=1+2`` and comes back
exactly.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from motcua.constants import Role
from motcua.models import Agency, User

from . import workcalendar as wc
from .constants import Action, ApplicantKind, Delivery, IdKind
from .models import DossierEvent

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
    "digitised",
    "electronic_result",
    "fee_amount",
    "paid_online",
)
REQUIRED_COLUMNS = ("code", "agency", "procedure_code", "channel", "applicant_name", "received_at")
IMPORT_NOTE = "Nhập từ hệ thống cũ"
SYSTEM_USERNAME = "nhap-du-lieu-{agency}"
CHUNK = 5_000  # codes per `IN (…)` lookup
_TAX_CODE = re.compile(r"\d{10}(-?\d{3})?")


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
    digitised: bool = False
    electronic_result: bool = False
    fee_amount: int | None = None
    paid_online: bool = False


# -- the spelling of values ---------------------------------------------------------------------
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


def iso(value: datetime | None) -> str:
    """The export's spelling of an instant: ISO 8601 in Vietnam time with its +07:00 offset."""
    return "" if value is None else value.astimezone(wc.VN_TZ).isoformat()


def flag(value: bool) -> str:
    """The spelling of a yes/no column: ``yes`` or blank."""
    return "yes" if value else ""


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
        "digitised": flag(record.digitised),
        "electronic_result": flag(record.electronic_result),
        "fee_amount": str(record.fee_amount) if record.fee_amount else "",
        "paid_online": flag(record.paid_online),
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
    "digitised",
    "electronic_result",
    "fee_request__amount_due",  # the fees app's request (docs/payments.md)
    "fee_request__exempt",
    "paid_online",
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
        "digitised": flag(values["digitised"]),
        "electronic_result": flag(values["electronic_result"]),
        "fee_amount": fee_text(values["fee_request__amount_due"], values["fee_request__exempt"]),
        "paid_online": flag(values["paid_online"]),
    }


def fee_text(amount_due: int | None, exempt: bool | None) -> str:
    """The ``fee_amount`` cell: the đồng due, blank when none (no request, nothing owed, or exempt)."""
    return str(amount_due) if amount_due and not exempt else ""


def clock_history(dossier_ids: Sequence[int]) -> tuple[dict[int, list[Pause]], dict[int, list[Extension]]]:
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


# -- the ward's system user ---------------------------------------------------------------------
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
