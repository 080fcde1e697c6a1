"""The tracking book (Sổ theo dõi hồ sơ, form 07): the dossiers an agency received in a date range.

``book_dossiers`` is the one query (rows are annotated with the time the dossier was first sent
to an officer and with the hand-over details of the return, through subqueries); ``book_rows``
turns dossiers into plain ``BookRow`` values that the page, the XLSX and the PDF all show with
the same ``COLUMNS``. The columns follow docs/intake-and-forms.md §3 (common practice): No., code, procedure, sets,
applicant, address/phone, processing unit, received, appointment, sent to unit, result back,
returned, signature (left blank for the ink signature of whoever collects the result), note.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import JSONField, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from motcua.lib.dates import date_words
from motcua.lib.pdf import html_to_pdf, render_html
from motcua.lib.tabular import PRINT_FONT, print_on_a4_landscape, text_cell, xlsx_safe_string
from motcua.models import Agency

from .constants import OPEN_STATUSES, Action, Status
from .models import Dossier, DossierEvent
from .paper import PaperStyle, letterhead_lines, person_name
from .result_timing import result_timing
from .workcalendar import VN_TZ

#: Value of the status filter meaning "still being worked on".
OPEN = "open"
#: Statuses a received dossier can have (guided, refused and online-submitted dossiers were never received).
BOOK_STATUSES = [
    s for s in Status if s not in (Status.GUIDED, Status.REFUSED, Status.SUBMITTED, Status.AWAITING_PAPERS)
]


@dataclass(frozen=True)
class BookCriteria:
    """Inclusive dates in Vietnam time, and optional filters (already validated)."""

    start: date
    end: date
    field_id: int | None = None
    procedure_id: int | None = None
    status: str = ""

    @property
    def period_text(self) -> str:
        """'01/01/2025–30/06/2025'."""
        return f"{self.start:%d/%m/%Y}–{self.end:%d/%m/%Y}"

    @property
    def summary(self) -> str:
        """The period and the filters, for the access log: '01/01/2025–30/06/2025, lĩnh vực #3, …'."""
        parts = [self.period_text]
        if self.field_id is not None:
            parts.append(f"lĩnh vực #{self.field_id}")
        if self.procedure_id is not None:
            parts.append(f"thủ tục #{self.procedure_id}")
        if self.status:
            parts.append(f"trạng thái {self.status}")
        return ", ".join(parts)


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: float  # XLSX width in characters; the PDF uses it as a relative share


COLUMNS: tuple[Column, ...] = (
    Column("number", "STT", 6),
    Column("code", "Mã hồ sơ", 27),
    Column("procedure", "Tên thủ tục hành chính", 25),
    Column("sets", "Số lượng hồ sơ (bộ)", 7),
    Column("applicant", "Tên cá nhân, tổ chức", 16),
    Column("contact", "Địa chỉ, số điện thoại", 17),
    Column("unit", "Cơ quan, công chức chủ trì giải quyết", 15),
    Column("received_at", "Ngày, giờ nhận hồ sơ", 12),
    Column("due_at", "Ngày, giờ hẹn trả kết quả", 12),
    Column("sent_at", "Ngày, giờ chuyển hồ sơ đến công chức xử lý", 12),
    Column("result_at", "Ngày, giờ nhận kết quả từ công chức xử lý", 12),
    Column("returned_at", "Ngày, giờ trả kết quả", 12),
    Column("signature", "Ký nhận", 9),
    Column("note", "Ghi chú", 18),
)
_TOTAL_WIDTH = sum(c.width for c in COLUMNS)
DATETIME_KEYS = frozenset({"received_at", "due_at", "sent_at", "result_at", "returned_at"})


@dataclass(frozen=True)
class BookRow:
    """One line of the book; datetimes are aware (shown in Vietnam time, dd/mm/yyyy HH:MM)."""

    number: int
    code: str
    procedure: str
    sets: int
    applicant: str
    contact: str
    unit: str
    received_at: datetime | None
    due_at: datetime | None
    sent_at: datetime | None
    result_at: datetime | None
    returned_at: datetime | None
    signature: str
    note: str
    dossier_id: int

    def values(self) -> list[object]:
        """The cells in ``COLUMNS`` order."""
        return [getattr(self, column.key) for column in COLUMNS]


def day_start(day: date) -> datetime:
    """Midnight starting `day` in Vietnam time."""
    return datetime.combine(day, time.min, tzinfo=VN_TZ)


# -- the book's numbers -----------------------------------------------------------------------
# One volume (quyển) a year; a dossier's number (số thứ tự) counts the ward's dossiers received in
# that year up to it, by receipt time then id: the receipt prints it and the book shows it. It
# stays put as the year goes on; only an import of earlier dossiers of the same year (a ward
# moving in mid-year) shifts the numbers after them, so import before the desk opens on the system.
def book_volume(dossier: Dossier) -> int:
    return timezone.localtime(dossier.received_at).year


def _year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=VN_TZ)


def _before(dossier: Dossier) -> Q:
    return Q(received_at__lt=dossier.received_at) | Q(received_at=dossier.received_at, pk__lt=dossier.pk)


def book_position(dossier: Dossier) -> int:
    """The dossier's number in its year's book (one COUNT on the (agency, received_at) index)."""
    earlier = Dossier.objects.filter(
        _before(dossier), agency_id=dossier.agency_id, received_at__gte=_year_start(book_volume(dossier))
    )
    return earlier.count() + 1


def number_rows(dossiers: Sequence[Dossier]) -> dict[int, int]:
    """``book_position`` of each of one agency's dossiers, given in (received_at, id) order: per
    year among them, one COUNT of the dossiers before the first and one read of the (time, id)
    pairs from the first to the last, so the cost follows the span shown, not the year's length."""
    numbers: dict[int, int] = {}
    by_year: dict[int, list[Dossier]] = {}
    for dossier in dossiers:
        by_year.setdefault(book_volume(dossier), []).append(dossier)
    for group in by_year.values():
        first, last = group[0], group[-1]
        base = book_position(first)
        span = (
            Dossier.objects.filter(agency_id=first.agency_id, received_at__gte=first.received_at)
            .filter(Q(received_at__lt=last.received_at) | Q(received_at=last.received_at, pk__lte=last.pk))
            .order_by("received_at", "pk")
            .values_list("received_at", "pk")
        )
        rank = 0
        for received_at, pk in span:
            if received_at == first.received_at and pk < first.pk:
                continue  # received at the same instant as the first one shown, but before it
            numbers[pk] = base + rank
            rank += 1
    return numbers


def book_dossiers(agency_id: int | None, criteria: BookCriteria) -> QuerySet[Dossier]:
    """The agency's dossiers received from ``start`` 00:00 to ``end`` 24:00 (Vietnam time), oldest first.

    One query whatever the number of rows: the officer and field are joined, the first ASSIGN
    event time (``first_assigned_at``) and the data of the latest RETURN_RESULT event
    (``return_data``: collector, tracking number) come from subqueries.
    """
    events = DossierEvent.objects.filter(dossier=OuterRef("pk"))
    first_assign = events.filter(action=Action.ASSIGN).order_by("at", "id").values("at")[:1]
    last_return = events.filter(action=Action.RETURN_RESULT).order_by("-at", "-id").values("data")[:1]
    queryset = (
        Dossier.objects.filter(
            agency_id=agency_id,
            received_at__gte=day_start(criteria.start),
            received_at__lt=day_start(criteria.end + timedelta(days=1)),
        )
        .select_related("officer", "field")
        .annotate(first_assigned_at=Subquery(first_assign), return_data=Subquery(last_return, output_field=JSONField()))
    )
    if criteria.field_id is not None:
        queryset = queryset.filter(field_id=criteria.field_id)
    if criteria.procedure_id is not None:
        queryset = queryset.filter(procedure_id=criteria.procedure_id)
    if criteria.status == OPEN:
        queryset = queryset.filter(status__in=OPEN_STATUSES)
    elif criteria.status:
        queryset = queryset.filter(status=criteria.status)
    return queryset.order_by("received_at", "id")


def _contact(dossier: Dossier) -> str:
    return "; ".join(part for part in (dossier.applicant_address, dossier.applicant_phone) if part)


def _note(dossier: Dossier) -> str:
    """The status, then how the result left the desk (collector or postal tracking number)."""
    parts = [dossier.get_status_display()]
    data = getattr(dossier, "return_data", None) or {}
    if data.get("tracking_number"):
        parts.append(f"mã bưu gửi {data['tracking_number']}")
    elif data.get("collector"):
        parts.append(f"người nhận: {data['collector']}")
    if dossier.extensions:
        parts.append(f"xin lỗi, hẹn lại {dossier.extensions} lần")
    elif (timing := result_timing(dossier)) is not None and timing.reason:
        # Late by a rule the printed dates don't show (issue 17.3): say which, as the slips do.
        parts.append(f"tính quá hạn do {timing.reason}")
    return "; ".join(parts)


def book_rows(dossiers: Iterable[Dossier], *, chunk: int = 2_000) -> list[BookRow]:
    """The dossiers (from ``book_dossiers``, in its order) as book lines, each with its number in
    its year's book (as its receipt says: a filtered book keeps the numbers, gaps and all). Two
    queries per year per ``chunk`` rows for the numbers (``number_rows``)."""
    rows: list[BookRow] = []
    batch: list[Dossier] = []
    for dossier in dossiers:
        batch.append(dossier)
        if len(batch) == chunk:
            rows += _book_lines(batch)
            batch = []
    return rows + _book_lines(batch)


def _book_lines(dossiers: list[Dossier]) -> list[BookRow]:
    numbers = number_rows(dossiers) if dossiers else {}
    rows = []
    for dossier in dossiers:
        snapshot = dossier.procedure_snapshot
        procedure = snapshot.get("name", "")
        if snapshot.get("code"):
            procedure = f"{procedure} ({snapshot['code']})"
        rows.append(
            BookRow(
                number=numbers[dossier.pk],
                code=dossier.code or "",
                procedure=procedure,
                sets=dossier.sets,
                applicant=dossier.applicant_name,
                contact=_contact(dossier),
                unit=person_name(dossier.officer) if dossier.officer else dossier.field.name,
                received_at=dossier.received_at,
                due_at=dossier.shown_due_at,
                sent_at=getattr(dossier, "first_assigned_at", None),
                result_at=dossier.result_ready_at,
                returned_at=dossier.returned_at,
                signature="",
                note=_note(dossier),
                dossier_id=dossier.pk,
            )
        )
    return rows


# -- exports (the same rows as the page) --------------------------------------------------------
#: Beyond these, an export is refused with a request to narrow the range (a PDF of thousands of
#: pages takes minutes to lay out; the XLSX is streamed and stays small in memory).
PDF_MAX_ROWS = 1500
XLSX_MAX_ROWS = 100_000
XLSX_HEADER_ROW = 7


def _local_naive(value: datetime | None) -> datetime | None:
    # Excel has no time zones: the cell holds the Vietnam wall-clock time.
    return value.astimezone(VN_TZ).replace(tzinfo=None) if value is not None else None


def render_xlsx(rows: Iterable[BookRow], *, agency: Agency, criteria: BookCriteria, filters_text: str = "") -> bytes:
    """The book as an XLSX workbook: national header, title, period, then one bordered table.

    Printing: A4 landscape, fitted to one page wide, the column header repeated on every page,
    frozen under the header on screen. Dates are real Excel dates shown dd/mm/yyyy hh:mm.
    """
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Sổ theo dõi hồ sơ")
    last = get_column_letter(len(COLUMNS))
    for index, column in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    print_on_a4_landscape(sheet, title_rows=(XLSX_HEADER_ROW, XLSX_HEADER_ROW), side_margin=0.4)
    sheet.freeze_panes = f"A{XLSX_HEADER_ROW + 1}"

    font = PRINT_FONT
    thin = Side(style="thin")
    border = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)
    top_left = Alignment(horizontal="left", vertical="top", wrap_text=True)
    top_centre = Alignment(horizontal="center", vertical="top", wrap_text=True)

    def cell(
        value: object, *, bold: bool = False, italic: bool = False, size: int = 11, align: Alignment = centre
    ) -> WriteOnlyCell:
        # Text from the ward's data goes in as a text cell, never a formula (issue 10.3).
        c = text_cell(WriteOnlyCell(sheet, value=xlsx_safe_string(value) if isinstance(value, str) else value))
        c.font = Font(name=font, size=size, bold=bold, italic=italic)
        c.alignment = align
        return c

    split = 6  # the left block spans A–F, the motto G–N
    lines = letterhead_lines(agency)
    committee = " ".join(lines["parent_lines"])
    desk = " ".join(lines["issuer_lines"])
    sheet.append(
        [
            cell(committee, size=12),
            *[None] * (split - 1),
            cell("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", bold=True, size=12),
        ]
    )
    sheet.append(
        [cell(desk, bold=True, size=12), *[None] * (split - 1), cell("Độc lập - Tự do - Hạnh phúc", bold=True, size=12)]
    )
    sheet.append([])
    sheet.append([cell("SỔ THEO DÕI HỒ SƠ", bold=True, size=14)])
    period = f"Từ ngày {criteria.start:%d/%m/%Y} đến ngày {criteria.end:%d/%m/%Y}"
    sheet.append([cell(period, italic=True)])
    sheet.append([cell(filters_text, italic=True)] if filters_text else [])
    for row in (1, 2):
        sheet.merged_cells.add(f"A{row}:{get_column_letter(split)}{row}")
        sheet.merged_cells.add(f"{get_column_letter(split + 1)}{row}:{last}{row}")
    for row in (4, 5, 6):
        sheet.merged_cells.add(f"A{row}:{last}{row}")

    header = []
    for column in COLUMNS:
        c = cell(column.title, bold=True)
        c.border = border
        header.append(c)
    sheet.append(header)

    for book_row in rows:
        cells = []
        for column, value in zip(COLUMNS, book_row.values(), strict=True):
            if column.key in DATETIME_KEYS:
                c = cell(_local_naive(value), align=top_centre)  # type: ignore[arg-type]
                c.number_format = "dd/mm/yyyy hh:mm"
            elif column.key in ("number", "sets"):
                c = cell(value, align=top_centre)
            else:
                c = cell(value, align=top_left)
            c.border = border
            cells.append(c)
        sheet.append(cells)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def pdf_context(
    rows: list[BookRow], *, agency: Agency, criteria: BookCriteria, filters_text: str = "", today: date
) -> dict[str, object]:
    """What templates/pdf/so_theo_doi.html gets (also inspected by the tests)."""
    return {
        **letterhead_lines(agency),
        "title": "Sổ theo dõi hồ sơ",
        "agency": agency,
        "committee_name": agency.committee_name,
        "place_name": agency.place_name or agency.name,
        "date_words": date_words(today),
        "number": "",
        "period_text": f"Từ ngày {criteria.start:%d/%m/%Y} đến ngày {criteria.end:%d/%m/%Y}",
        "filters_text": filters_text,
        "columns": [{"title": c.title, "width": f"{100 * c.width / _TOTAL_WIDTH:.2f}%"} for c in COLUMNS],
        "rows": rows,
        # A4 landscape with small type: fourteen columns must fit across the page.
        "paper": PaperStyle(size="A4", margin="12mm 10mm 14mm 15mm", font_pt=12, small_pt=8.5, qr_mm=0, sign_mm=15),
    }


def render_pdf(context: dict[str, object]) -> bytes:
    """The book as PDF bytes (templates/pdf/so_theo_doi.html filled with ``pdf_context``)."""
    return html_to_pdf(render_html("pdf/so_theo_doi.html", context))
