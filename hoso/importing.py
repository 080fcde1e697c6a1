"""Dossier import (``import_dossiers``): new dossiers with their events from checked rows, all or nothing.

The rows come from ``hoso.import_checks.parse_dossier_file``; their columns are described in
``hoso.interchange``.

What the import does:

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
  ``creation.procedure_snapshot`` with the ward's limit and fee; a new random lookup key. Status
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

import json
import re
import secrets
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db import connection, models, transaction
from django.utils import timezone

from motcua.lib.codepattern import pattern_for
from motcua.models import Agency
from thanhtoan import history
from thutuc.importing import RowError
from thutuc.models import AgencyProcedure, Procedure

from . import clock, survey_links
from . import workcalendar as wc
from .calendar_store import calendar_for
from .constants import Action
from .creation import LOOKUP_ALPHABET, LOOKUP_KEY_LENGTH, procedure_snapshot
from .import_checks import DossierImportRejected, ParsedDossiers
from .interchange import (
    CHUNK,
    IMPORT_NOTE,
    ROW_FIELDS,
    DossierRecord,
    clock_history,
    dossier_row,
    id_kind,
    record_row,
    system_user,
)
from .limits import offer_limit
from .models import Dossier, DossierCounter, DossierEvent, dossier_search_text

COUNT_ONLY_NOTE = "Nhập từ hệ thống cũ: chỉ có số lần yêu cầu bổ sung, không có thời gian"
BATCH_SIZE = 2_000
EVENT_BATCH_SIZE = 5_000


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


# -- helpers that read the database once per ward -------------------------------------------------
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
    """``count`` random lookup keys like ``creation.new_lookup_key`` makes, drawn in one go.

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
        "digitised": record.digitised,
        "electronic_result": record.electronic_result,
        "fee_amount": record.fee_amount or 0,  # the summary of the fee request written after (docs/payments.md)
        "paid_online": record.paid_online,
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
    for i in range(0, len(codes), CHUNK):
        chunk = codes[i : i + CHUNK]
        dossiers = list(Dossier.objects.filter(code__in=chunk).values(*ROW_FIELDS, "manual_due_at"))
        if not dossiers:
            continue
        pauses, extensions = clock_history([d["pk"] for d in dossiers])
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
        for i in range(0, len(days), CHUNK):
            chunk = days[i : i + CHUNK]
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
        history.import_fees(prepared.dossiers)
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
