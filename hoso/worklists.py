"""Reads behind the desk's worklists: the clerk's day, the officer's queue, the leader's board, search.

Every function takes the agency id (staff only ever see their own ward) and the request's single
``now``. Lists are querysets with their foreign keys joined, counts are one aggregate each, and the
remaining time (``hoso.remaining``) comes from the cached working calendar: the number of queries of a page never
depends on the number of dossiers it shows.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from urllib.parse import urlencode

from django.db.models import Case, Count, F, FilteredRelation, IntegerField, Q, QuerySet, TextField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Coalesce
from django.utils import timezone

from motcua.constants import Role
from motcua.lib.identity import national_phone
from motcua.lib.text import code_spelling, fold, normalise_spaces, vi_sort_key
from motcua.models import User
from thutuc.models import Procedure

from . import workcalendar as wc
from .calendar_store import calendar_for
from .constants import OPEN_STATUSES, Status
from .models import Dossier
from .remaining import remaining

#: Rows shown per section of the clerk's day and the leader's board; the search page lists the rest.
SECTION_LIMIT = 50

#: Value of the status filter that means "any status still being worked on".
OPEN = "open"


class Deadline(StrEnum):
    """Values of the search page's deadline filter."""

    OVERDUE = "overdue"
    DUE_TODAY = "due_today"


# -- rows -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Row:
    """A dossier as a worklist shows it: the remaining time in words and its colour."""

    dossier: Dossier
    remaining: str = ""
    tone: str = ""


def rows(dossiers: Iterable[Dossier], *, now: datetime, agency_id: int | None) -> list[Row]:
    """The dossiers with their remaining time, from the agency's cached calendar."""
    calendar = calendar_for(agency_id)
    ahead = wc.add_working_days(calendar, now, 1)
    return [Row(d, *remaining(d, now=now, calendar=calendar, one_day_ahead=ahead)) for d in dossiers]


# -- building blocks --------------------------------------------------------------------------
# The columns a worklist row shows (templates/hoso/_dossier_table.html) and its remaining time
# reads (hoso.remaining), with the officer's name: a row reads nothing else. The procedure's name
# is the one the applicant was told (the snapshot's), read in SQL rather than the whole snapshot.
ROW_FIELDS = (
    "code",
    "applicant_name",
    "received_at",
    "shown_due_at",
    "due_at",
    "extensions",
    "status",
    "paused_at",
    "timeliness",
    "officer",
    "officer__username",
    "officer__first_name",
    "officer__last_name",
)


def agency_dossiers(agency_id: int | None) -> QuerySet[Dossier]:
    """An agency's dossiers as a worklist row shows them: ``ROW_FIELDS`` and ``snapshot_name``."""
    return (
        Dossier.objects.filter(agency_id=agency_id)
        .select_related("officer")
        .only(*ROW_FIELDS)
        .annotate(snapshot_name=Coalesce(KT("procedure_snapshot__name"), Value(""), output_field=TextField()))
    )


def _open() -> Q:
    return Q(status__in=OPEN_STATUSES)


def _overdue(now: datetime) -> Q:
    # A paused dossier's clock is stopped: its due date will move, so it is not overdue.
    return _open() & Q(paused_at__isnull=True, due_at__lt=now)


def day_bounds(now: datetime) -> tuple[datetime, datetime]:
    """Local midnight of `now`'s day and of the next day."""
    local = timezone.localtime(now)
    return _midnight(local.date(), local), _midnight(local.date() + timedelta(days=1), local)


def _midnight(day: date, like: datetime) -> datetime:
    return datetime.combine(day, time.min, tzinfo=like.tzinfo)


def _due_today(now: datetime) -> Q:
    start, end = day_bounds(now)
    return _open() & Q(paused_at__isnull=True, due_at__gte=start, due_at__lt=end)


@dataclass(frozen=True)
class Section:
    """One block of a worklist page: a title, how many dossiers in all, the first rows."""

    key: str
    title: str
    count: int
    rows: list[Row]
    note: str = ""
    # Query string of the search page that lists all of them ("" when it cannot).
    search_params: str = ""

    @property
    def truncated(self) -> bool:
        return self.count > len(self.rows)


def _section(
    key: str, title: str, count: int, queryset: QuerySet[Dossier], *, now: datetime, agency_id: int | None, **kw: str
) -> Section:
    # Always one list query, even for an empty section: a page's query count is then fixed.
    shown = rows(queryset[:SECTION_LIMIT], now=now, agency_id=agency_id)
    return Section(key=key, title=title, count=count, rows=shown, **kw)


# -- the clerk's day --------------------------------------------------------------------------
def clerk_day(agency_id: int | None, *, now: datetime) -> list[Section]:
    """Received today, due today, results to hand back, overdue: one count query, four lists."""
    start, end = day_bounds(now)
    received_today = Q(received_at__gte=start, received_at__lt=end)
    ready = Q(status=Status.RESULT_READY)
    counts = (
        Dossier.objects.filter(agency_id=agency_id)
        .filter(received_today | ready | _open())
        .aggregate(
            received=Count("pk", filter=received_today),
            due=Count("pk", filter=_due_today(now)),
            ready=Count("pk", filter=ready),
            overdue=Count("pk", filter=_overdue(now)),
        )
    )
    base = agency_dossiers(agency_id)
    today = timezone.localtime(now).date().isoformat()
    common = {"now": now, "agency_id": agency_id}
    return [
        _section(
            "received",
            "Tiếp nhận hôm nay",
            counts["received"],
            base.filter(received_today).order_by("-received_at", "-id"),
            search_params=urlencode({"tu_ngay": today, "den_ngay": today}),
            **common,
        ),
        _section(
            "due",
            "Đến hạn hôm nay",
            counts["due"],
            base.filter(_due_today(now)).order_by("due_at", "id"),
            note="Hồ sơ chưa có kết quả, hạn giải quyết trong hôm nay (không tính hồ sơ đang tạm dừng).",
            search_params=urlencode({"han": Deadline.DUE_TODAY}),
            **common,
        ),
        _section(
            "ready",
            "Có kết quả, chờ trả",
            counts["ready"],
            base.filter(ready).order_by("shown_due_at", "id"),
            note="Liên hệ công dân đến nhận hoặc gửi qua bưu chính.",
            search_params=urlencode({"trang_thai": Status.RESULT_READY}),
            **common,
        ),
        _section(
            "overdue",
            "Quá hạn",
            counts["overdue"],
            base.filter(_overdue(now)).order_by("due_at", "id"),
            note="Chưa có kết quả và đã quá hạn giải quyết; trễ lâu nhất ở đầu danh sách.",
            search_params=urlencode({"han": Deadline.OVERDUE}),
            **common,
        ),
    ]


# -- the officer's queue ----------------------------------------------------------------------
def officers(agency_id: int | None) -> list[User]:
    """The ward's active processing officers, in Vietnamese order of their names."""
    staff = User.objects.filter(agency_id=agency_id, role=Role.OFFICER, is_active=True)
    return sorted(staff, key=lambda u: vi_sort_key(str(u)))


def open_queue(agency_id: int | None, *, officer_id: int | None = None) -> QuerySet[Dossier]:
    """Open dossiers by due time, paused ones last; one officer's when `officer_id` is given."""
    queryset = agency_dossiers(agency_id).filter(_open())
    if officer_id is not None:
        queryset = queryset.filter(officer_id=officer_id)
    paused_last = Case(When(paused_at__isnull=False, then=Value(1)), default=Value(0), output_field=IntegerField())
    return queryset.annotate(paused_last=paused_last).order_by("paused_last", "due_at", "id")


@dataclass(frozen=True)
class QueueCounts:
    open: int
    overdue: int
    close: int
    paused: int


def queue_counts(queue: QuerySet[Dossier], *, now: datetime, agency_id: int | None) -> QueueCounts:
    """How many dossiers of the queue are open, overdue, due within a working day, paused."""
    soon = wc.add_working_days(calendar_for(agency_id), now, 1)
    counts = queue.order_by().aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(paused_at__isnull=True, due_at__lt=now)),
        close=Count("pk", filter=Q(paused_at__isnull=True, due_at__gte=now, due_at__lte=soon)),
        paused=Count("pk", filter=Q(paused_at__isnull=False)),
    )
    return QueueCounts(**counts)


# -- the leader's board -----------------------------------------------------------------------
@dataclass(frozen=True)
class OfficerLoad:
    officer: User
    open: int
    overdue: int
    paused: int


@dataclass(frozen=True)
class LeaderBoard:
    open: int
    unassigned: int
    sections: list[Section]
    load: list[OfficerLoad] = field(default_factory=list)


def officer_load(agency_id: int | None, *, now: datetime) -> list[OfficerLoad]:
    """Open and overdue dossiers per officer of the ward, in one aggregate query, busiest first."""
    # The open-status condition sits in the JOIN (not in the aggregate's FILTER), so the database
    # reads only open dossiers through the (officer, status, due_at) index, not every dossier ever.
    mine = Q(assigned_dossiers__agency_id=agency_id, assigned_dossiers__status__in=OPEN_STATUSES)
    staff = (
        User.objects.filter(agency_id=agency_id, role=Role.OFFICER)
        .annotate(open_dossiers=FilteredRelation("assigned_dossiers", condition=mine))
        .annotate(
            open_count=Count("open_dossiers"),
            overdue_count=Count(
                "open_dossiers", filter=Q(open_dossiers__paused_at__isnull=True, open_dossiers__due_at__lt=now)
            ),
            paused_count=Count("open_dossiers", filter=Q(open_dossiers__paused_at__isnull=False)),
        )
        # A deactivated officer still shows while dossiers wait on them.
        .filter(Q(is_active=True) | Q(open_count__gt=0))
    )
    loads = [OfficerLoad(u, u.open_count, u.overdue_count, u.paused_count) for u in staff]
    return sorted(loads, key=lambda x: (-x.overdue, -x.open, vi_sort_key(str(x.officer))))


def leader_board(agency_id: int | None, *, now: datetime) -> LeaderBoard:
    """Awaiting approval, overdue across the ward, each officer's load."""
    awaiting = Q(status=Status.PENDING_APPROVAL)
    counts = (
        Dossier.objects.filter(agency_id=agency_id)
        .filter(_open())
        .aggregate(
            open=Count("pk"),
            awaiting=Count("pk", filter=awaiting),
            overdue=Count("pk", filter=_overdue(now)),
            unassigned=Count("pk", filter=Q(officer__isnull=True)),
        )
    )
    base = agency_dossiers(agency_id)
    common = {"now": now, "agency_id": agency_id}
    sections = [
        _section(
            "awaiting",
            "Chờ lãnh đạo phê duyệt",
            counts["awaiting"],
            base.filter(awaiting).order_by("due_at", "id"),
            note="Hạn gần nhất ở đầu danh sách.",
            search_params=urlencode({"trang_thai": Status.PENDING_APPROVAL}),
            **common,
        ),
        _section(
            "overdue",
            "Quá hạn toàn phường",
            counts["overdue"],
            base.filter(_overdue(now)).order_by("due_at", "id"),
            note="Chưa có kết quả và đã quá hạn giải quyết; trễ lâu nhất ở đầu danh sách.",
            search_params=urlencode({"han": Deadline.OVERDUE}),
            **common,
        ),
    ]
    return LeaderBoard(
        open=counts["open"],
        unassigned=counts["unassigned"],
        sections=sections,
        load=officer_load(agency_id, now=now),
    )


# -- search -----------------------------------------------------------------------------------
def offered_procedures(agency_id: int | None) -> list[Procedure]:
    """The procedures the ward offers (for the search filters), with their field, in one query."""
    return list(
        Procedure.objects.filter(offers__agency_id=agency_id)
        .select_related("field")
        .only("id", "code", "name", "field__id", "field__name")
        .order_by("code")
    )


@dataclass(frozen=True)
class Criteria:
    """What the search form asked for (already validated)."""

    query: str = ""
    status: str = ""
    field_id: int | None = None
    procedure_id: int | None = None
    received_from: date | None = None
    received_to: date | None = None
    deadline: str = ""


def search_dossiers(agency_id: int | None, criteria: Criteria, *, now: datetime) -> QuerySet[Dossier]:
    """The ward's dossiers matching every criterion, newest receipt first.

    The text matches the code (whole or part), the applicant's name (case and diacritics
    ignored, each word the start of a word of the name), the phone or the ID number (whole, or
    part from 4 digits; a whole code, or a 9-, 10- or 12-digit number, is looked up exactly
    through its index). When the text carries diacritics, names spelt exactly so come first
    ("Lân" before "Lan").
    """
    queryset = agency_dossiers(agency_id)
    if criteria.status == OPEN:
        queryset = queryset.filter(_open())
    elif criteria.status:
        queryset = queryset.filter(status=criteria.status)
    if criteria.field_id is not None:
        queryset = queryset.filter(field_id=criteria.field_id)
    if criteria.procedure_id is not None:
        queryset = queryset.filter(procedure_id=criteria.procedure_id)
    local = timezone.localtime(now)
    if criteria.received_from is not None:
        queryset = queryset.filter(received_at__gte=_midnight(criteria.received_from, local))
    if criteria.received_to is not None:
        queryset = queryset.filter(received_at__lt=_midnight(criteria.received_to + timedelta(days=1), local))
    if criteria.deadline == Deadline.OVERDUE:
        queryset = queryset.filter(_overdue(now))
    elif criteria.deadline == Deadline.DUE_TODAY:
        queryset = queryset.filter(_due_today(now))
    order: list[object] = [F("received_at").desc(nulls_last=True), "-id"]
    text = normalise_spaces(unicodedata.normalize("NFC", criteria.query))
    if text:
        queryset = queryset.filter(_text_match(text))
        strict = _name_match(text, strict=True)
        if strict is not None and fold(text) != text.lower():
            exact_first = Case(When(strict, then=Value(0)), default=Value(1), output_field=IntegerField())
            queryset = queryset.annotate(exact_first=exact_first)
            order.insert(0, "exact_first")
    return queryset.order_by(*order)


_MIN_NUMBER_PART = 4  # digits typed before phone and ID numbers are matched by part
# A whole code in the default pattern ({agency}-{yymmdd}-{seq}), e.g. 000.25.31.H49-250714-0012.
_WHOLE_CODE = re.compile(r"^[0-9A-Za-z.]+-\d{6}-\d{4,}$")
# Lengths of a whole number: CMND 9, mobile or tax code 10, fixed line 11, CCCD 12 digits.
_WHOLE_NUMBER_LENGTHS = (9, 10, 11, 12)


def _text_match(text: str) -> Q:
    """Whole codes, phones and ID numbers use their indexes; anything else is matched by part.

    Parts are matched in `Dossier.search_text` (folded name words, phone, ID number, code; one
    trigram index on PostgreSQL).
    """
    # Typed with spaces or underscores for its dashes, a code is read as printed.
    code = code_spelling(text)
    code_part = Q(search_text__contains=fold(code))  # "H26-261122-0003", "261122-0003": the end of a code
    if _WHOLE_CODE.match(code):
        return Q(code=code.upper()) | code_part
    number = national_phone(text)
    if number.isdigit() and len(number) in _WHOLE_NUMBER_LENGTHS:
        whole = Q(applicant_phone=number) | Q(applicant_id_number=number)
        return whole | code_part if "-" in code else whole
    condition = Q(pk__in=[])  # matches nothing; each reading of the text below adds its matches
    if any(ch.isdigit() for ch in text):
        condition |= code_part  # a part of a code (they all have digits)
    if number.isdigit() and len(number) >= _MIN_NUMBER_PART:
        condition |= Q(search_text__contains=number)
    elif number.isalnum() and len(number) >= 6 and any(ch.isdigit() for ch in number):
        condition |= Q(search_text__contains=f" {number.lower()} ")  # a whole passport number
    words = _query_words(text)
    if words:
        name = Q()
        for word in words:
            name &= Q(search_text__contains=" " + fold(word))
        condition |= name
    return condition


def _query_words(text: str) -> list[str]:
    """The words of a query that has letters (a name), at most _MAX_WORDS; [] otherwise."""
    words = re.findall(r"[^\W_]+", text.lower())[:_MAX_WORDS]
    return words if any(ch.isalpha() for word in words for ch in word) else []


# --- names spelt exactly as typed (the order of the results, not the match) ---
# A regular expression that both PostgreSQL (ARE) and SQLite (Django's Python REGEXP) read the
# same way: every letter becomes a bracket of its Vietnamese variants in both cases, so neither
# LOWER() (ASCII-only on SQLite) nor an unaccent extension is needed.
_VARIANTS = {
    "a": "aàáảãạăằắẳẵặâầấẩẫậ",
    "d": "dđ",
    "e": "eèéẻẽẹêềếểễệ",
    "i": "iìíỉĩị",
    "o": "oòóỏõọôồốổỗộơờớởỡợ",
    "u": "uùúủũụưừứửữự",
    "y": "yỳýỷỹỵ",
}
# Marks a decomposed (NFD) name may carry after a vowel: the five tones, circumflex, breve, horn.
_MARKS = "\u0300\u0301\u0303\u0309\u0323\u0302\u0306\u031b"
# A word of the query must start a word of the name (so "an" does not find every "Lan").
_WORD_START = "(^|[\\s(/.,\"'“‘-])"
_MAX_WORDS = 8


def _name_match(text: str, *, strict: bool = False) -> Q | None:
    """Every word of `text` starts a word of the name, in any order; None when `text` has no letters.

    Folded (default): any diacritics, any case. Strict: the letters exactly as typed, any case.
    """
    words = re.findall(r"[^\W_]+", text.lower())[:_MAX_WORDS]
    if not any(ch.isalpha() for word in words for ch in word):
        return None
    condition = Q()
    for word in words:
        letters = word if strict else fold(word)
        condition &= Q(applicant_name__regex=_WORD_START + "".join(_letter(ch, strict=strict) for ch in letters))
    return condition


def _letter(ch: str, *, strict: bool) -> str:
    if not ch.isalpha():
        return ch  # a digit: literal in both engines
    if strict or ch not in _VARIANTS:
        return f"[{ch}{ch.upper()}]"
    variants = _VARIANTS[ch]
    return f"[{variants}{variants.upper()}][{_MARKS}]*"
