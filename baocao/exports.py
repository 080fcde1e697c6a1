"""The report as a PDF (weasyprint) and as an XLSX in the 06a layout (openpyxl).

One context builder, ``report_context``, feeds the PDF template; the compilation task, the HTML
preview and the tests all call it (through ``render_report_html`` / ``render_pdf``), so what a
test inspects is what gets printed. ``render_xlsx`` reads the same figures. Both take the figures
frozen on the report (``baocao.figures.ReportFigures``, read by its declared keys), never the
database.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.safestring import mark_safe
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter

from hoso.constants import SatisfactionLevel
from hoso.paper import PAPERS, balanced_lines, committee_in_sentence, text_lines
from motcua.lib.dates import date_short, date_words
from motcua.lib.numbers import group_thousands
from motcua.lib.pdf import html_to_pdf, render_html
from motcua.lib.tabular import PRINT_FONT, print_on_a4_landscape, protect_sheet, xlsx_safe_string
from motcua.models import Agency
from phananh.figures import PetitionFigures

from . import charts
from .constants import (
    BLANK_NUMBER,
    DOCUMENT_SUFFIX,
    FORM_CODE,
    NARRATIVE_SECTIONS,
    TABLE_COLUMNS,
    TABLE_GROUPS,
    TABLE_KEYS,
    WITHDRAWN_KEY,
    PeriodKind,
)
from .figures import ReportFigures
from .models import Report
from .queries import ColumnCounts, column_value
from .satisfaction import SatisfactionSummary

PDF_TEMPLATE = "pdf/bao_cao.html"
ROMAN_QUARTERS = ("I", "II", "III", "IV")


# -- small formatting helpers --------------------------------------------------------------------
def number(value: Any) -> str:
    """59010 → '59.010' (Vietnamese thousands separator); None → '–'."""
    if value is None:
        return "–"
    if isinstance(value, float) and not value.is_integer():
        return group_thousands(value, decimals=1)
    return group_thousands(value)


def percent(part: float, whole: float) -> str:
    """'54,5%' (one decimal, Vietnamese comma); '–' when the whole is zero."""
    if not whole:
        return "–"
    return f"{part * 100 / whole:.1f}%".replace(".", ",")


def share_text(value: float | None) -> str:
    """An indicator share (a percentage, 0–100, as the figures hold it) as '78,3%'; '–' when unknown."""
    if value is None:
        return "–"
    return f"{float(value):.1f}%".replace(".", ",")


def _date(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def period_phrase(kind: str | None, start: date, end: date) -> str:
    """The period as the report's title says it: '6 tháng đầu năm 2026', 'quý II năm 2026'…

    A Nghị định 09 period ending in June is the first half of the year of its end date; a custom
    range (or an unknown kind) is written out with both dates.
    """
    year = end.year
    if kind in (PeriodKind.DECREE_HALF_YEAR, PeriodKind.CALENDAR_HALF_YEAR):
        return f"6 tháng {'đầu' if end.month <= 6 else 'cuối'} năm {year}"
    if kind in (PeriodKind.DECREE_YEAR, PeriodKind.CALENDAR_YEAR):
        return f"năm {year}"
    if kind in (PeriodKind.DECREE_QUARTER, PeriodKind.CALENDAR_QUARTER):
        return f"quý {ROMAN_QUARTERS[(end.month - 1) // 3]} năm {year}"
    if kind in (PeriodKind.DECREE_MONTH, PeriodKind.CALENDAR_MONTH):
        return f"tháng {end.month} năm {year}"
    return f"từ ngày {date_short(start)} đến ngày {date_short(end)}"


def period_line(label: str, start: date, end: date) -> str:
    """'6 tháng đầu năm 2026 (từ ngày 16/12/2025 đến ngày 15/06/2026)': the label's name, the dates once."""
    dates = f"từ ngày {date_short(start)} đến ngày {date_short(end)}"
    name = label.rsplit(" (", 1)[0] if label.endswith(")") else label
    if not name or name.lower().startswith("từ ngày"):
        return dates[0].upper() + dates[1:]
    return f"{name} ({dates})"


def signature_lines(leader_title: str) -> list[str]:
    """'TM. ỦY BAN NHÂN DÂN' then the position; a deputy signs 'KT. CHỦ TỊCH' / 'PHÓ CHỦ TỊCH'."""
    title = (leader_title or "Chủ tịch").strip()
    lines = ["TM. ỦY BAN NHÂN DÂN"]
    if title.lower().startswith("phó "):
        lines.append("KT. CHỦ TỊCH")
    lines.append(title.upper())
    return lines


# -- the table and the sentences -----------------------------------------------------------------
def _values(counts: ColumnCounts) -> list[int]:
    return [column_value(counts, key) for key in TABLE_KEYS]


def table_rows(figures: ReportFigures) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The 06a rows in column order: ([{no, field, field_id, values, cells, withdrawn}], total row).

    ``values`` are ints (XLSX), ``cells`` the same numbers formatted for print ("1.234").
    """
    rows: list[dict[str, Any]] = [
        {
            "no": index,
            "field": row["field"],
            "field_id": row["field_id"],
            "values": _values(row),
            "withdrawn": column_value(row, WITHDRAWN_KEY),
        }
        for index, row in enumerate(figures["rows"], start=1)
    ]
    total = figures["total"]
    total_row: dict[str, Any] = {
        "no": "",
        "field": total["field"],
        "field_id": None,
        "values": _values(total),
        "withdrawn": column_value(total, WITHDRAWN_KEY),
    }
    for row in [*rows, total_row]:
        row["cells"] = [number(value) for value in row["values"]]
    return rows, total_row


def one_stop_sentences(figures: ReportFigures) -> list[str]:
    """The one-stop figures of section I.3 in prose (docs/report-06a.md §6), from the total row and indicators."""
    t = {key: column_value(figures["total"], key) for key in (*TABLE_KEYS, WITHDRAWN_KEY)}
    ind = figures["indicators"]
    new = t["received_online"] + t["received_counter_post"]
    resolved = t["resolved_total"]
    sentences = [
        f"Tổng số hồ sơ tiếp nhận trong kỳ: {number(t['received_total'])} hồ sơ "
        f"(kỳ trước chuyển sang {number(t['carried_over'])}; tiếp nhận mới {number(new)}, trong đó trực tuyến "
        f"{number(t['received_online'])} hồ sơ, đạt tỷ lệ {percent(t['received_online'], new)}; trực tiếp và qua "
        f"dịch vụ bưu chính công ích {number(t['received_counter_post'])} hồ sơ).",
        f"Số hồ sơ đã giải quyết: {number(resolved)} hồ sơ, trong đó trước hạn {number(t['early'])} "
        f"({percent(t['early'], resolved)}), đúng hạn {number(t['on_time'])} ({percent(t['on_time'], resolved)}), "
        f"quá hạn {number(t['late'])} ({percent(t['late'], resolved)}); tỷ lệ giải quyết trước hạn và đúng hạn "
        f"đạt {percent(t['early'] + t['on_time'], resolved)}.",
        f"Số hồ sơ đang giải quyết{' (' + provisional_text(figures) + ')' if provisional_text(figures) else ''}: "
        f"{number(t['in_progress_total'])} hồ sơ, trong đó trong hạn "
        f"{number(t['within_deadline'])}, quá hạn {number(t['overdue'])}.",
    ]
    if t[WITHDRAWN_KEY]:
        sentences.append(f"Số hồ sơ công dân rút hoặc dừng xử lý trong kỳ: {number(t[WITHDRAWN_KEY])} hồ sơ.")
    sentences.insert(0, f"Số thủ tục hành chính được công khai, tiếp nhận: {number(ind['procedures_published'])}.")
    extras = [
        f"số hồ sơ có văn bản xin lỗi, hẹn lại ngày trả kết quả: {number(ind['apologies'])}"
        f" ({number(ind['apology_letters'])} văn bản ban hành trong kỳ)",
        f"số kết quả trả qua dịch vụ bưu chính công ích: {number(ind['results_by_post'])}",
        f"tỷ lệ hồ sơ thanh toán trực tuyến: {share_text(ind['paid_online_share'])}",
        f"tỷ lệ cấp kết quả điện tử: {share_text(ind['electronic_result_share'])}",
        f"tỷ lệ số hóa hồ sơ: {share_text(ind['digitised_share'])}",
    ]
    sentences.append(extras[0][0].upper() + "; ".join(extras)[1:] + ".")
    collected = ind.get("fees_collected") or {}  # figures compiled before the fees app have none
    if collected.get("total"):
        sentences.append(
            f"Phí, lệ phí đã thu trong kỳ: {number(collected['total'])} đồng (trực tuyến "
            f"{number(collected['online'])} đồng, tại bộ phận một cửa {number(collected['counter'])} đồng)."
        )
    sentences.append(f"Mức độ hài lòng của người dân, tổ chức: {satisfaction_text(ind['satisfaction'])}.")
    feedback = ind["feedback"]
    sentences.append(
        f"Ý kiến không hài lòng, phản ánh của người dân, tổ chức phát sinh trong kỳ: "
        f"{number(feedback['received'])}, đã xử lý xong {number(feedback['resolved'])}."
    )
    petitions = figures.get("petitions")
    if petitions is not None:
        sentences.append(petition_sentence(petitions))
    copies = figures.get("certified_copies")
    if copies and copies["total"]:
        share = f"{copies['electronic_share']:.2f}%".replace(".", ",")
        sentences.append(
            f"Chứng thực bản sao điện tử từ bản chính: {number(copies['electronic'])}/{number(copies['total'])} "
            f"bản sao được chứng thực trong kỳ, đạt tỷ lệ {share}."
        )
    indicator_5_4 = ind["indicator_5_4"]["value"]
    if indicator_5_4 is not None:
        sentences.append(f"Chỉ số hài lòng 5.4 (Quyết định 766/QĐ-TTg): {share_text(indicator_5_4)}.")
    return sentences


def petition_sentence(p: PetitionFigures) -> str:
    """Feedback and petitions of the period and QĐ 766 group 5, in one sentence (docs/petitions.md §5)."""
    g = p["group_5"]
    return (
        f"Phản ánh, kiến nghị: tiếp nhận {number(p['received'])}, từ chối {number(p['refused'])}, đã trả lời "
        f"{number(p['answered'])} (đúng hạn {number(p['answered_on_time'])}, quá hạn {number(p['answered_late'])}), "
        f"đã công khai {number(p['published'])}; đang xử lý {number(p['open'])}, trong đó quá hạn "
        f"{number(p['open_overdue'])}. Nhóm chỉ số 5 (Quyết định 766/QĐ-TTg): phân loại "
        f"{share_text(g['classified_share'])}, xử lý đúng hạn {share_text(g['on_time_share'])}, "
        f"hài lòng {share_text(g['satisfied_share'])}."
    )


def satisfaction_text(satisfaction: SatisfactionSummary) -> str:
    """'820 lượt đánh giá; rất hài lòng 600; hài lòng 210; …; tỷ lệ hài lòng 98,8%'.

    Reads ``baocao.satisfaction.SatisfactionSummary`` (ratings, by_level, satisfied_percent);
    levels nobody chose are left out.
    """
    ratings = satisfaction["ratings"]
    if not ratings:
        return "chưa có lượt đánh giá"
    labels = dict(SatisfactionLevel.choices)
    parts = [f"{number(ratings)} lượt đánh giá"]
    for level, count in satisfaction["by_level"].items():
        if count:
            parts.append(f"{labels.get(level, level).lower()} {number(count)}")
    if satisfaction["satisfied_percent"] is not None:
        parts.append(f"tỷ lệ hài lòng {share_text(satisfaction['satisfied_percent'])}")
    return "; ".join(parts)


COMPARISON_KEYS = (
    ("received_total", "Hồ sơ tiếp nhận"),
    ("received_online", "Trong đó trực tuyến"),
    ("resolved_total", "Hồ sơ đã giải quyết"),
    ("late", "Giải quyết quá hạn"),
    ("in_progress_total", "Đang giải quyết"),
    ("overdue", "Đang giải quyết quá hạn"),
)


def comparison_rows(figures: ReportFigures) -> list[dict[str, str]]:
    """This period against the same period of last year ('previous_year'); [] when absent."""
    if not figures["previous_year"]:
        return []
    previous = figures["previous_year"]["total"]
    current = figures["total"]
    rows = []
    for key, label in COMPARISON_KEYS:
        now, before = column_value(current, key), column_value(previous, key)
        change = now - before
        rows.append(
            {
                "label": label,
                "current": number(now),
                "previous": number(before),
                # The column is headed "Tăng (+), giảm (−)": the same signs, a true minus.
                "change": ("+" + number(change) if change > 0 else "−" + number(-change)) if change else "0",
                "ratio": percent(now, before) if before else "–",
            }
        )
    return rows


# -- the context builder -------------------------------------------------------------------------
def report_context(
    figures: ReportFigures,
    *,
    report: Report | None = None,
    agency: Agency | None = None,
    today: date | None = None,
    period_kind: str | None = None,
) -> dict[str, Any]:
    """Everything ``pdf/bao_cao.html`` shows, from the frozen figures and (optionally) the report.

    Without a report (a preview of bare figures) ``agency`` names the issuer, ``period_kind``
    names the period in the title, the number is left blank to fill by hand and the narrative is
    empty. The date line is the report's ``issued_on``, else ``today`` (default: the local date).
    Anything but a final report is marked "DỰ THẢO" (draft), so no draft passes for the signed one.
    """
    if report is not None:
        agency = report.agency
    if agency is None:
        raise ValueError("report_context needs a report or an agency")
    period = figures["period"]
    start, end = _date(period["start"]), _date(period["end"])
    kind = report.period_kind if report is not None else period_kind
    rows, total = table_rows(figures)
    committee = balanced_lines(agency.committee_name)
    when = (report.issued_on if report is not None else None) or today or timezone.localdate()
    narrative = [
        {
            "number": section.number,
            "title": section.title,
            "paragraphs": text_lines(getattr(report, section.field, "") or "") if report is not None else [],
            "field": section.field,
        }
        for section in NARRATIVE_SECTIONS
    ]
    previous = figures["previous_year"]
    previous_period = previous["period"] if previous else None
    previous_label = previous_period["label"] if previous_period else "cùng kỳ năm trước"
    previous_until = previous_period.get("counted_until_text", "") if previous_period else ""
    until_text = provisional_text(figures)
    return {
        "title": "Báo cáo kết quả công tác cải cách hành chính",
        "paper": PAPERS["A4"],
        "agency": agency,
        "committee_name": agency.committee_name,
        "committee_text": committee_in_sentence(agency.name),
        "parent_lines": [],
        "issuer_lines": committee,
        "number": report.document_number if report is not None else f"{BLANK_NUMBER}{DOCUMENT_SUFFIX}",
        "place_name": agency.place_name or agency.name,
        "date_words": date_words(when),
        "period_phrase": period_phrase(kind, start, end),
        "period_label": period["label"],
        "start_short": date_short(start),
        "end_short": date_short(end),
        "narrative_sections": narrative[:7],
        "closing_sections": narrative[7:],
        "one_stop_sentences": one_stop_sentences(figures),
        "columns": TABLE_COLUMNS,
        "groups": TABLE_GROUPS,
        "form_code": FORM_CODE,
        "rows": rows,
        "total": total,
        "comparison": comparison_rows(figures),
        "previous_label": previous_label + (f", {previous_until}" if previous_until else ""),
        "provisional": bool(until_text),
        "counted_until_text": until_text,
        "chart_fields": mark_safe(charts.received_resolved_bars(figures["rows"])),  # noqa: S308 — built from escaped text
        "chart_timeliness": mark_safe(charts.timeliness_bar(figures["total"])),  # noqa: S308
        "signature_lines": signature_lines(agency.leader_title),
        "leader_name": agency.leader_name,
        "recipients": [
            f"UBND {agency.parent_name}" if agency.parent_name else "UBND cấp trên",
            "Sở Nội vụ",
            "Văn phòng UBND cấp trên (Phòng Kiểm soát TTHC)",
            f"{agency.leader_title or 'Chủ tịch'}, các Phó Chủ tịch UBND",
            "Lưu: VT",
        ],
        "final": bool(report is not None and report.is_final),
        "draft": not (report is not None and report.is_final),
        "table_note": table_note(figures, total["withdrawn"]),
    }


def provisional_text(figures: ReportFigures) -> str:
    """'tính đến 10:15 ngày 05/12/2026' when the figures were counted before the period ended, else ''.

    (Figures frozen before provisional reports existed have neither key: they were final counts.)
    """
    return figures.get("counted_until_text", "") if figures.get("provisional", False) else ""


def table_note(figures: ReportFigures, withdrawn: int) -> str:
    """The note under the 06a table (PDF and XLSX): the sums, and the instant of provisional figures."""
    note = (
        "Ghi chú: (3) = (4) + (5) + (6); (7) = (8) + (9) + (10); (11) = (12) + (13); "
        f"(3) = (7) + (11) + số hồ sơ rút hoặc dừng xử lý trong kỳ ({number(withdrawn)} hồ sơ)."
    )
    until = provisional_text(figures)
    if until:
        note += (
            f" Số liệu tạm tính, {until} (kỳ báo cáo chưa kết thúc): hồ sơ đang giải quyết được xét "
            "trong hạn hoặc quá hạn tại thời điểm này."
        )
    return note


def render_report_html(context: Mapping[str, Any]) -> str:
    """The report's HTML (the preview page shows it; ``render_pdf`` prints it)."""
    return render_html(PDF_TEMPLATE, dict(context))


def render_pdf(
    figures: ReportFigures,
    *,
    report: Report | None = None,
    agency: Agency | None = None,
    today: date | None = None,
    period_kind: str | None = None,
) -> bytes:
    """The report as PDF bytes (A4 portrait, the 06a appendix on a landscape page)."""
    context = report_context(figures, report=report, agency=agency, today=today, period_kind=period_kind)
    return html_to_pdf(render_report_html(context))


# -- XLSX ------------------------------------------------------------------------------------------
def render_xlsx(figures: ReportFigures, *, agency: Agency | None = None, report: Report | None = None) -> bytes:
    """The 06a table as an XLSX ready to send: merged two-row headers, column numbers, borders,
    one row per field and the total (values that add up, checked by the tests), A4 landscape,
    fitted to the page width, header rows repeated on every printed page.

    With a ``report``: a draft's sheet says "DỰ THẢO" (A4); a final report's names the report
    it goes with ("Kèm theo Báo cáo số 125/BC-UBND ngày …"). Provisional figures say "tính đến …"
    in the period line and the note.
    """
    rows, total = table_rows(figures)
    period = figures["period"]
    start, end = _date(period["start"]), _date(period["end"])
    last_col = 2 + len(TABLE_KEYS)  # 13
    last = get_column_letter(last_col)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Biểu II.06a"
    font = PRINT_FONT
    thin = Side(style="thin", color="000000")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    centre = Alignment(horizontal="center", vertical="center", wrap_text=True)

    sheet["A1"] = xlsx_safe_string(agency.committee_name) if agency else ""
    sheet["A1"].font = Font(name=font, bold=True, size=11)
    sheet.merge_cells("A1:E1")
    sheet["K1"] = FORM_CODE
    sheet["K1"].font = Font(name=font, bold=True, size=11)
    sheet["K1"].alignment = Alignment(horizontal="right")
    sheet.merge_cells(f"K1:{last}1")
    sheet["A2"] = "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    sheet["A2"].font = Font(name=font, bold=True, size=13)
    sheet.merge_cells(f"A2:{last}2")
    until = provisional_text(figures)
    sheet["A3"] = f"Kỳ báo cáo: {period_line(period['label'], start, end)}" + (f"; số liệu {until}" if until else "")
    sheet["A3"].font = Font(name=font, italic=True, size=12)
    sheet.merge_cells(f"A3:{last}3")
    for cell in ("A2", "A3"):
        sheet[cell].alignment = Alignment(horizontal="center")
    if report is not None:
        if report.is_final:
            when = f" {date_words(report.issued_on)}" if report.issued_on else ""
            sheet["A4"] = f"Kèm theo Báo cáo số {report.document_number}{when}"
            sheet["A4"].font = Font(name=font, italic=True, size=11)
        else:
            sheet["A4"] = "DỰ THẢO"
            sheet["A4"].font = Font(name=font, bold=True, size=12)
        sheet.merge_cells("A4:H4")
    sheet["K4"] = "Đơn vị tính: Số hồ sơ TTHC"
    sheet["K4"].font = Font(name=font, italic=True, size=11)
    sheet["K4"].alignment = Alignment(horizontal="right")
    sheet.merge_cells(f"K4:{last}4")

    head, sub, numbers = 5, 6, 7
    sheet.cell(head, 1, "STT")
    sheet.cell(head, 2, "Lĩnh vực, công việc giải quyết theo cấp")
    sheet.merge_cells(start_row=head, end_row=sub, start_column=1, end_column=1)
    sheet.merge_cells(start_row=head, end_row=sub, start_column=2, end_column=2)
    col = 3
    for label, width in TABLE_GROUPS:
        sheet.cell(head, col, label)
        sheet.merge_cells(start_row=head, end_row=head, start_column=col, end_column=col + width - 1)
        col += width
    for offset, (column_no, _, label) in enumerate(TABLE_COLUMNS):
        sheet.cell(sub, 3 + offset, label)
        sheet.cell(numbers, 3 + offset, f"({column_no})")
    sheet.cell(numbers, 1, "(1)")
    sheet.cell(numbers, 2, "(2)")
    for r in (head, sub, numbers):
        for c in range(1, last_col + 1):
            cell = sheet.cell(r, c)
            cell.font = Font(name=font, bold=r != numbers, italic=r == numbers, size=11)
            cell.alignment = centre
            cell.border = box

    r = numbers + 1
    for row in [*rows, total]:
        is_total = row is total
        sheet.cell(r, 1, row["no"] if not is_total else "")
        sheet.cell(r, 2, xlsx_safe_string(row["field"]))
        for offset, value in enumerate(row["values"]):
            sheet.cell(r, 3 + offset, value)
        for c in range(1, last_col + 1):
            cell = sheet.cell(r, c)
            cell.border = box
            cell.font = Font(name=font, bold=is_total, size=11)
            cell.alignment = Alignment(horizontal="left" if c == 2 else "center", vertical="center", wrap_text=c == 2)
            if c > 2:
                cell.number_format = "#,##0"
        r += 1
    note = sheet.cell(r + 1, 1, table_note(figures, total["withdrawn"]))
    note.font = Font(name=font, italic=True, size=11)
    sheet.merge_cells(start_row=r + 1, end_row=r + 1, start_column=1, end_column=last_col)

    sheet.column_dimensions["A"].width = 6
    sheet.column_dimensions["B"].width = 34
    for c in range(3, last_col + 1):
        sheet.column_dimensions[get_column_letter(c)].width = 11
    sheet.row_dimensions[sub].height = 45
    sheet.freeze_panes = sheet.cell(numbers + 1, 3)
    print_on_a4_landscape(sheet, title_rows=(head, numbers), side_margin=0.5)

    protect_sheet(sheet)  # names of the ward and of fields are text cells, never formulas
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
