"""The report's PDF and XLSX: header, totals, period wording, and tables that add up.

One test reads a real PDF back with poppler and two check its pages (the long table, the landscape
appendix); the others read the HTML the PDF is laid out from (tests/printed.py), which is faster.
"""

from __future__ import annotations

import io
import re
import struct
import subprocess
from datetime import UTC, datetime
from xml.etree import ElementTree

import pytest
from openpyxl import load_workbook

from baocao import charts
from baocao.constants import TABLE_KEYS
from baocao.exports import period_phrase, render_pdf, render_report_html, render_xlsx, report_context
from baocao.models import Report
from tests.factories import AgencyFactory
from tests.printed import html_text

from .figures import KEYS, empty_figures, row, sample_figures, total_of

pytestmark = pytest.mark.django_db
NUMBER = re.compile(r"^\d{1,3}(?:\.\d{3})*$")


@pytest.fixture
def ward(db):
    return AgencyFactory(
        code="000.25.31.H26",
        name="Phường Hoàn Kiếm",
        parent_name="Thành phố Hà Nội",
        place_name="Hà Nội",
        leader_name="Nguyễn Văn An",
        leader_title="Chủ tịch",
    )


@pytest.fixture
def report(ward):
    figures = sample_figures()
    return Report(
        agency=ward,
        period_kind="decree_half_year",
        start="2025-12-15",
        end="2026-06-14",
        label=figures["period"]["label"],
        number="125",
        direction="Ban hành Kế hoạch cải cách hành chính năm 2026.\nTổ chức 02 hội nghị quán triệt.",
        proposals="Đề nghị cấp trên nâng cấp đường truyền.",
        figures=figures,
    )


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "bao-cao.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout


def printed(figures, **kwargs) -> str:
    """The text of the report's HTML, one line per table row (what ``render_pdf`` lays out)."""
    document = render_report_html(report_context(figures, **kwargs))
    return "\n".join(html_text(chunk) for chunk in document.split("<tr"))


def table_lines(text: str) -> tuple[list[list[int]], list[int]]:
    """The 06a rows read back from the appendix page: (field rows, total row), 11 numbers each."""
    appendix = text.split("PHỤ LỤC", 1)[1]
    rows, total = [], None
    for line in appendix.splitlines():
        numbers = [int(token.replace(".", "")) for token in line.split() if NUMBER.match(token)]
        if len(numbers) < len(TABLE_KEYS):
            continue
        values = numbers[-len(TABLE_KEYS) :]
        if "Tổng số" in line and not line.strip().startswith(tuple("0123456789")):
            total = values
        else:
            rows.append(values)
    assert total is not None, appendix
    return rows, total


def test_the_pdf_has_the_national_header_the_title_and_the_totals(report, tmp_path):
    text = pdf_text(render_pdf(report.figures, report=report), tmp_path)
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    assert "Độc lập - Tự do - Hạnh phúc" in text
    assert "ỦY BAN NHÂN DÂN" in text and "PHƯỜNG HOÀN KIẾM" in text
    assert "Số: 125/BC-UBND" in text
    assert "Kết quả công tác cải cách hành chính 6 tháng đầu năm 2026" in text
    assert "từ ngày 15/12/2025 đến ngày 14/06/2026" in text
    assert re.search(r"Hà Nội, ngày \d{2} tháng \d{1,2} năm \d{4}", text)
    # The one-stop sentence of section I.3 with the totals of the fixture.
    assert "Tổng số hồ sơ tiếp nhận trong kỳ: 8.124 hồ sơ" in text
    assert "đạt tỷ lệ 27,3%" in text  # 2.199 online of 8.055 new
    assert "quá hạn 42 (0,5%)" in text
    flat = " ".join(text.split())  # sentences wrap over lines
    assert "Số hồ sơ có văn bản xin lỗi, hẹn lại ngày trả kết quả: 42 (45 văn bản ban hành trong kỳ)" in flat
    assert "Số thủ tục hành chính được công khai, tiếp nhận: 148." in flat
    assert "phát sinh trong kỳ: 10, đã xử lý xong 7." in flat
    assert "820 lượt đánh giá" in text and "tỷ lệ hài lòng 98,8%" in text
    assert "Chỉ số hài lòng 5.4 (Quyết định 766/QĐ-TTg): 98,2%." in flat  # indicator_5_4["value"]
    # The leader's narrative, the comparison, the signature block.
    assert "Ban hành Kế hoạch cải cách hành chính năm 2026." in text
    assert "Đề nghị cấp trên nâng cấp đường truyền." in text
    assert "So sánh với cùng kỳ năm trước" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text and "Nguyễn Văn An" in text and "Nơi nhận:" in text
    assert "Biểu II.06a/VPCP/KSTT" in text


def test_only_a_final_report_goes_without_the_draft_mark(report):
    assert "DỰ THẢO" in printed(report.figures, report=report)
    assert "DỰ THẢO" in printed(report.figures, agency=report.agency)
    report.finalized_at = datetime(2026, 6, 20, 9, 0, tzinfo=UTC)
    assert report.is_final
    assert "DỰ THẢO" not in printed(report.figures, report=report)


def test_a_long_06a_table_never_splits_a_field_row_across_pages(agency, tmp_path):
    # 45 fields with names long enough to wrap over three lines: the appendix spans pages, and
    # every row's number, name and figures must stay together on one of them.
    name = "Lĩnh vực {} về quản lý, cấp phép và giải quyết khiếu nại, tố cáo của công dân, tổ chức tại cơ sở"
    rows = [row(i, name.format(i), 1, 2, 0, 1, 1, 0, 1, 0) for i in range(1, 46)]
    figures = {**sample_figures(), "rows": rows, "total": total_of(rows)}
    path = tmp_path / "dai.pdf"
    path.write_bytes(render_pdf(figures, agency=agency))
    pages = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    appendix = pages.stdout.split("PHỤ LỤC", 1)[1].split("\f")
    assert len(appendix) > 2  # the table really runs over several pages
    seen = []
    for page in appendix:
        starts = [int(n) for n in re.findall(r"Lĩnh vực (\d+) về", page)]
        figures_lines = re.findall(
            r"^\s*\d+\s+giải quyết khiếu nại.*?3\s+1\s+2\s+0\s+2\s+1\s+1\s+0\s+1\s+1\s+0$", page, re.M
        )
        assert len(starts) == len(figures_lines) == page.count("tổ chức tại cơ sở"), page
        seen += starts
    assert seen == list(range(1, 46))


def test_the_06a_table_in_the_pdf_adds_up(report):
    rows, total = table_lines(printed(report.figures, report=report))
    expected = [[r[k] for k in TABLE_KEYS] for r in report.figures["rows"]]
    assert rows == expected
    assert total == [sum(column) for column in zip(*rows, strict=True)]
    for values in [*rows, total]:
        received, online, counter, carried, resolved, early, on_time, late, in_progress, within, overdue = values
        assert received == online + counter + carried
        assert resolved == early + on_time + late
        assert in_progress == within + overdue
    withdrawn = report.figures["total"]["withdrawn_or_stopped"]
    assert total[0] == total[4] + total[8] + withdrawn


def test_the_appendix_is_on_a_landscape_page(report, tmp_path):
    (tmp_path / "r.pdf").write_bytes(render_pdf(report.figures, report=report))
    subprocess.run(["pdftoppm", "-r", "50", "-png", str(tmp_path / "r.pdf"), str(tmp_path / "p")], check=True)
    pages = sorted(tmp_path.glob("p-*.png"))
    sizes = [struct.unpack(">II", page.read_bytes()[16:24]) for page in pages]
    assert len(pages) >= 3
    assert all(w < h for w, h in sizes[:-1])  # the report: portrait
    assert sizes[-1][0] > sizes[-1][1]  # the 06a appendix: landscape


def test_a_period_without_dossiers_still_prints(ward):
    text = printed(empty_figures(), agency=ward)
    assert "Tổng số hồ sơ tiếp nhận trong kỳ: 0 hồ sơ" in text
    assert "Không có hồ sơ trong kỳ." in text


def test_the_context_is_what_the_template_prints(report):
    context = report_context(report.figures, report=report)
    assert context["period_phrase"] == "6 tháng đầu năm 2026"
    assert context["narrative_sections"][0]["paragraphs"] == [
        "Ban hành Kế hoạch cải cách hành chính năm 2026.",
        "Tổ chức 02 hội nghị quán triệt.",
    ]
    assert context["total"]["cells"][0] == "8.124"
    assert context["signature_lines"] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]


@pytest.mark.parametrize(
    ("kind", "start", "end", "phrase"),
    [
        ("decree_half_year", "2025-06-15", "2025-12-14", "6 tháng cuối năm 2025"),
        ("decree_year", "2024-12-15", "2025-12-14", "năm 2025"),
        ("calendar_quarter", "2025-04-01", "2025-06-30", "quý II năm 2025"),
        ("decree_month", "2025-04-15", "2025-05-14", "tháng 5 năm 2025"),
        ("custom", "2025-01-05", "2025-02-07", "từ ngày 05/01/2025 đến ngày 07/02/2025"),
    ],
)
def test_the_title_names_the_period_in_vietnamese(kind, start, end, phrase):
    from datetime import date

    assert period_phrase(kind, date.fromisoformat(start), date.fromisoformat(end)) == phrase


def test_the_charts_are_well_formed_svg_with_vietnamese_text():
    for svg in (
        charts.received_resolved_bars(sample_figures()["rows"]),
        charts.timeliness_bar(sample_figures()["total"]),
        charts.received_resolved_bars([]),
        charts.timeliness_bar(empty_figures()["total"]),
    ):
        root = ElementTree.fromstring(svg)  # noqa: S314 — our own output
        assert root.tag.endswith("svg")
    assert "Chứng thực" in charts.received_resolved_bars(sample_figures()["rows"])
    assert "Trước hạn: 500 (6,3%)" in charts.timeliness_bar(sample_figures()["total"])


def test_the_xlsx_has_the_06a_layout_and_its_totals_add_up(ward):
    figures = sample_figures()
    book = load_workbook(io.BytesIO(render_xlsx(figures, agency=ward)))
    sheet = book.active
    merged = {str(r) for r in sheet.merged_cells.ranges}
    assert {"A5:A6", "B5:B6", "C5:F5", "G5:J5", "K5:M5"} <= merged
    assert sheet["C5"].value == "Số hồ sơ nhận giải quyết"
    assert sheet["A3"].value == "Kỳ báo cáo: 6 tháng đầu năm 2026 (từ ngày 15/12/2025 đến ngày 14/06/2026)"
    assert [sheet.cell(7, c).value for c in range(1, 14)] == [f"({n})" for n in range(1, 14)]
    n = len(figures["rows"])
    data = [[sheet.cell(r, c).value for c in range(3, 14)] for r in range(8, 8 + n)]
    total = [sheet.cell(8 + n, c).value for c in range(3, 14)]
    assert sheet.cell(8 + n, 2).value == "Tổng số"
    assert data == [[row[k] for k in TABLE_KEYS] for row in figures["rows"]]
    assert total == [sum(col) for col in zip(*data, strict=True)]
    assert sheet.cell(8, 3).border.left.style == "thin"
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    assert sheet.print_title_rows == "$5:$7"


def test_a_custom_period_line_names_its_dates_once(ward):
    figures = {**sample_figures(), "period": {"start": "2026-01-05", "end": "2026-03-31", "label": custom_label}}
    sheet = load_workbook(io.BytesIO(render_xlsx(figures, agency=ward))).active
    assert sheet["A3"].value == "Kỳ báo cáo: Từ ngày 05/01/2026 đến ngày 31/03/2026"


custom_label = "Từ ngày 05/01/2026 đến ngày 31/03/2026"


def test_the_fixture_itself_adds_up():
    figures = sample_figures()
    for key in KEYS:
        assert figures["total"][key] == sum(r[key] for r in figures["rows"])
