"""The desk's printable slips: dossiers made by the real workflow; each kind's PDF read back with poppler once,
other checks of the words on the HTML the PDF is laid out from (tests/printed.py)."""

from __future__ import annotations

import logging
import re
import subprocess
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import segno

from hoso import workflow
from hoso.documents import (
    DOCUMENTS,
    document_context,
    lookup_url,
    money,
    render_document,
    render_document_html,
    text_lines,
)
from hoso.workflow import Intake
from motcua.lib.pdf import html_to_pdf
from motcua.lib.qr import qr_svg
from tests.factories import load_holidays
from tests.printed import html_text
from thutuc.constants import DocumentForm
from thutuc.models import AgencyProcedure, Procedure

pytestmark = pytest.mark.django_db
VN = ZoneInfo("Asia/Ho_Chi_Minh")
APPLICANT = "Nguyễn Thị Hằng"
DOCUMENTS_RECEIVED = [
    (None, "Bản chính giấy khai sinh của người yêu cầu chứng thực", DocumentForm.ORIGINAL, 1),
    (None, "Bản sao giấy khai sinh cần chứng thực", DocumentForm.COPY, 3),
    (None, "Bản chính bằng tốt nghiệp trung học phổ thông", DocumentForm.ORIGINAL, 1),
    (None, "Bản sao bằng tốt nghiệp trung học phổ thông cần chứng thực", DocumentForm.COPY, 2),
    (None, "Căn cước của người yêu cầu chứng thực", DocumentForm.ORIGINAL_OR_CERTIFIED, 1),
]


def vn(year: int, month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN)


def pdf_text(pdf: bytes, path: Path) -> str:
    """The PDF's text as poppler lays it out, with runs of spaces inside a line collapsed."""
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True)
    # split("\n"), not splitlines(): the form feed between pages must stay.
    return "\n".join(re.sub(r" {2,}", "  ", line.strip(" ")) for line in out.stdout.split("\n"))


def flat(text: str) -> str:
    """All whitespace collapsed: for sentences the layout may wrap."""
    return " ".join(text.split())


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    return {key.strip(): value.strip() for key, _, value in (line.partition(":") for line in out.splitlines())}


# -- fixtures: a ward offering chứng thực bản sao (2.000815), its official holidays ----------------
@pytest.fixture
def ward(agency):
    agency.leader_name = "Lê Quang Huy"
    agency.leader_title = "Chủ tịch"
    agency.phone = "024 3825 0000"
    agency.save(update_fields=["leader_name", "leader_title", "phone"])
    return agency


@pytest.fixture
def minh(officer):
    """The processing officer, named so the slips can tell him from the clerk (Nguyễn Văn An)."""
    officer.last_name, officer.first_name = "Trần Văn", "Minh"
    officer.save(update_fields=["last_name", "first_name"])
    return officer


@pytest.fixture
def certification(ward, real_catalogue):
    load_holidays()
    procedure = Procedure.objects.get(code="2.000815")
    AgencyProcedure.objects.create(agency=ward, procedure=procedure)
    return procedure


def intake(procedure: Procedure, **overrides: object) -> Intake:
    fields: dict[str, object] = {
        "procedure": procedure,
        "applicant_name": APPLICANT,
        "applicant_id_number": "001190012345",
        "applicant_phone": "0912345678",
        "applicant_email": "hang.nguyen@example.vn",
        "applicant_address": "Số 12 phố Hàng Bạc, phường Hoàn Kiếm, Thành phố Hà Nội",
        "fee_amount": 14000,
        "documents": list(DOCUMENTS_RECEIVED),
    }
    fields.update(overrides)
    return Intake(**fields)  # type: ignore[arg-type]


@pytest.fixture
def received(ward, clerk, certification):
    # Friday 24/01/2025 16:20, after the 15:00 cut-off; Tết holidays 25/01–02/02/2025.
    return workflow.receive(agency=ward, actor=clerk, intake=intake(certification), now=vn(2025, 1, 24, 16, 20))


@pytest.fixture
def extended(received, clerk, minh):
    officer = minh
    workflow.assign(dossier_id=received.pk, actor=clerk, officer=officer, now=vn(2025, 2, 3, 8, 0))  # Monday
    return workflow.extend(
        dossier_id=received.pk,
        actor=officer,
        new_due_at=vn(2025, 2, 5, 17, 0),  # Wednesday
        reason="Bản chính bằng tốt nghiệp cần xác minh với trường cấp bằng.\nCơ quan cấp bằng chưa trả lời.",
        now=vn(2025, 2, 3, 10, 0),
    )


# -- form 01: the receipt ---------------------------------------------------------------------------
def test_the_receipt_prints_two_copies_with_code_applicant_and_appointment_in_words(received, tmp_path):
    path = tmp_path / "tiep-nhan.pdf"
    text = pdf_text(render_document(received, "tiep-nhan"), path)

    assert pdf_info(path)["Pages"] == "2"
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert "Liberation-Serif" in fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # every font embedded
    assert received.code == "000.25.31.H26-250124-0001"
    pages = text.split("\f")
    first, second = flat(pages[0]), flat(pages[1])
    assert "Liên 1: Lưu tại bộ phận một cửa" in first
    assert "Liên 2: Giao người nộp hồ sơ" in second
    for page in (first, second):
        assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in page
        assert "Độc lập - Tự do - Hạnh phúc" in page
        assert "ỦY BAN NHÂN DÂN" in page
        assert "PHƯỜNG HOÀN KIẾM" in page
        assert "TRUNG TÂM PHỤC VỤ" in page
        assert "HÀNH CHÍNH CÔNG" in page
        assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in page
        assert f"Số: {received.code}" in page
        assert "Hà Nội, ngày 24 tháng 01 năm 2025" in page
        assert APPLICANT in page
        assert "Số 12 phố Hàng Bạc, phường Hoàn Kiếm" in page
        assert "0912345678" in page
        assert "hang.nguyen@example.vn" in page
        assert "(mã thủ tục 2.000815)" in page
        assert "Bản sao giấy khai sinh cần chứng thực" in page
        assert "Số lượng hồ sơ: 01 bộ" in page
        assert "Thời gian nhận hồ sơ: 16 giờ 20 phút, ngày 24 tháng 01 năm 2025" in page
        assert "Thời gian trả kết quả: 17 giờ 00 phút, ngày 03 tháng 02 năm 2025" in page
        assert "Nơi nhận kết quả: Tại Trung tâm Phục vụ hành chính công" in page
        assert "Phí, lệ phí đã thu: 14.000 đồng" in page
        assert "Vào Sổ theo dõi hồ sơ: Quyển số 2025, Số thứ tự 1." in page  # the ward's first of 2025
        assert f"Mã tra cứu: {received.lookup_key}" in page
        assert "Quét mã QR để theo dõi tình trạng hồ sơ" in page
        assert "NGƯỜI NỘP HỒ SƠ" in page
        assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in page
        assert "(Ký, ghi rõ họ tên)" in page
        assert "Nguyễn Văn An" in page  # the clerk, family name first


def test_the_receipt_qr_holds_the_lookup_url_with_the_secret_key(received, settings):
    settings.MOTCUA_PUBLIC_URL = "https://motcua.hoankiem.hanoi.gov.vn"
    url = f"https://motcua.hoankiem.hanoi.gov.vn/tra-cuu/{received.code}/?k={received.lookup_key}"

    context = document_context(received, "tiep-nhan")
    html = render_document_html(received, "tiep-nhan")

    assert context["lookup_url"] == url == lookup_url(received)
    assert context["qr_svg"] == qr_svg(url, scale=3, title="Mã QR tra cứu hồ sơ")
    assert html.count(str(context["qr_svg"])) == 2  # one per copy
    assert modules_drawn(context["qr_svg"]) == dark_modules(segno.make(url, error="m"))


def test_the_lookup_url_encodes_the_code(received, settings):
    settings.MOTCUA_PUBLIC_URL = "http://127.0.0.1:8000"
    received.code = "H26 250124/0001"
    assert lookup_url(received) == f"http://127.0.0.1:8000/tra-cuu/H26%20250124%2F0001/?k={received.lookup_key}"


def test_the_receipt_on_a5_keeps_one_copy_per_page(received, tmp_path):
    path = tmp_path / "tiep-nhan-a5.pdf"
    text = flat(pdf_text(render_document(received, "tiep-nhan", paper="A5"), path))

    info = pdf_info(path)
    assert info["Pages"] == "2"
    assert info["Page size"].startswith("419.528 x 595.276 pts")  # 148 × 210 mm
    assert "17 giờ 00 phút, ngày 03 tháng 02 năm 2025" in text


def test_a_receipt_sent_by_post_names_the_delivery_address(ward, clerk, certification):
    dossier = workflow.receive(
        agency=ward,
        actor=clerk,
        intake=intake(certification, delivery="post", delivery_address="Số 5 ngõ Huế, phường Hai Bà Trưng"),
        now=vn(2025, 3, 3, 9, 0),
    )
    text = html_text(render_document_html(dossier, "tiep-nhan"))  # the receipt's PDF is read back above
    assert "Gửi qua dịch vụ bưu chính công ích đến địa chỉ: Số 5 ngõ Huế, phường Hai Bà Trưng" in text
    # Monday 03/03/2025 09:00 is before the cut-off: due at the end of the same working day.
    assert "Thời gian trả kết quả: 17 giờ 00 phút, ngày 03 tháng 3 năm 2025" in text


def test_the_receipt_context_costs_few_queries(received, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        context = document_context(received, "tiep-nhan")
    assert [d["quantity"] for d in context["documents"]] == [1, 3, 1, 2, 1]
    assert context["documents"][4]["form"] == "Bản chính hoặc bản sao có chứng thực"


# -- form 02: guidance at intake and supplement during processing ---------------------------------------
def test_an_incomplete_intake_gets_written_guidance_once_and_no_receipt(ward, clerk, certification, tmp_path):
    dossier = workflow.guide(
        agency=ward,
        actor=clerk,
        intake=intake(certification),
        missing="- Bản chính giấy tờ làm cơ sở chứng thực\n2) Bản sao cần chứng thực còn thiếu trang 2",
        now=vn(2025, 3, 4, 9, 30),
    )
    text = flat(pdf_text(render_document(dossier, "huong-dan"), tmp_path / "huong-dan.pdf"))

    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Hà Nội, ngày 04 tháng 3 năm 2025" in text
    assert APPLICANT in text
    assert "hướng dẫn một lần, đầy đủ bằng văn bản này" in text
    assert "1. Bản chính giấy tờ làm cơ sở chứng thực" in text
    assert "2. Bản sao cần chứng thực còn thiếu trang 2" in text
    assert "NGƯỜI HƯỚNG DẪN" in text
    assert "Số:" not in text  # not received: no code
    with pytest.raises(ValueError, match="chưa được tiếp nhận"):
        render_document(dossier, "tiep-nhan")


def test_a_supplement_request_during_processing_prints_the_latest_request(received, clerk, minh):
    officer = minh
    workflow.assign(dossier_id=received.pk, actor=clerk, officer=officer, now=vn(2025, 2, 3, 8, 0))
    workflow.request_supplement(
        dossier_id=received.pk, actor=officer, missing="Bản sao bằng tốt nghiệp bị mờ", now=vn(2025, 2, 3, 9, 0)
    )
    workflow.complete_supplement(dossier_id=received.pk, actor=clerk, now=vn(2025, 2, 3, 14, 0))
    workflow.request_supplement(
        dossier_id=received.pk, actor=officer, missing="Giấy ủy quyền có chứng thực", now=vn(2025, 2, 3, 15, 0)
    )
    text = html_text(render_document_html(received, "huong-dan"))  # this slip's PDF is read back above

    assert f"Số: {received.code}" in text
    assert document_context(received, "huong-dan")["items"] == ["Giấy ủy quyền có chứng thực"]  # numbered: <ol>
    assert "Bản sao bằng tốt nghiệp bị mờ" not in text
    assert "tạm dừng từ 15 giờ 00 phút, ngày 03 tháng 02 năm 2025" in text
    assert "Trần Văn Minh" in text  # the officer who asked
    assert "NGƯỜI NỘP HỒ SƠ" not in text  # sent during processing: the officer alone signs


# -- form 03: refusal -------------------------------------------------------------------------------
def test_a_refusal_states_the_concrete_reason(ward, clerk, certification, tmp_path):
    reason = "Bản chính giấy tờ đã bị tẩy xóa, sửa chữa nội dung (khoản 1 Điều 22 Nghị định 23/2015/NĐ-CP)."
    dossier = workflow.refuse(
        agency=ward, actor=clerk, intake=intake(certification), reason=reason, now=vn(2025, 3, 4, 10, 0)
    )
    text = flat(pdf_text(render_document(dossier, "tu-choi"), tmp_path / "tu-choi.pdf"))

    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert reason in text
    assert APPLICANT in text
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text


# -- form 04: apology and new appointment ----------------------------------------------------------
def test_the_apology_gives_the_old_and_new_appointment_and_the_reason(extended, tmp_path):
    text = flat(pdf_text(render_document(extended, "xin-loi"), tmp_path / "xin-loi.pdf"))

    assert "VĂN BẢN XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert f"Số: {extended.code}" in text
    assert "Hà Nội, ngày 03 tháng 02 năm 2025" in text
    assert "Kính gửi: Ông/Bà Nguyễn Thị Hằng" in text
    assert "Ngày 24 tháng 01 năm 2025, Ủy ban nhân dân phường Hoàn Kiếm tiếp nhận hồ sơ" in text
    assert "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 03 tháng 02 năm 2025" in text
    assert "1. Bản chính bằng tốt nghiệp cần xác minh với trường cấp bằng." in text
    assert "2. Cơ quan cấp bằng chưa trả lời." in text
    assert "trân trọng xin lỗi" in text
    assert "17 giờ 00 phút, ngày 05 tháng 02 năm 2025" in text
    assert "TM. ỦY BAN NHÂN DÂN" in text
    assert "CHỦ TỊCH" in text
    assert "Lê Quang Huy" in text


def test_a_second_apology_quotes_the_first_new_appointment_as_the_old_one(extended, officer):
    workflow.extend(
        dossier_id=extended.pk,
        actor=officer,
        new_due_at=vn(2025, 2, 7, 17, 0),
        reason="Chưa có kết quả xác minh.",
        now=vn(2025, 2, 5, 9, 0),
    )
    context = document_context(extended, "xin-loi")
    assert context["old_due_words"] == "17 giờ 00 phút, ngày 05 tháng 02 năm 2025"
    assert context["new_due_words"] == "17 giờ 00 phút, ngày 07 tháng 02 năm 2025"
    assert context["reasons"] == ["Chưa có kết quả xác minh."]


def test_a_deputy_signs_on_behalf_of_the_chairman(extended, ward):
    ward.leader_title = "Phó Chủ tịch"
    ward.save(update_fields=["leader_title"])
    assert document_context(extended, "xin-loi")["signature_lines"] == [
        "TM. ỦY BAN NHÂN DÂN",
        "KT. CHỦ TỊCH",
        "PHÓ CHỦ TỊCH",
    ]


# -- form 05: processing stopped ------------------------------------------------------------------------
def test_the_stop_notice_gives_the_reason(received, leader, tmp_path):
    workflow.stop(
        dossier_id=received.pk,
        actor=leader,
        reason="Người yêu cầu chứng thực không còn đủ năng lực hành vi dân sự.",
        now=vn(2025, 2, 3, 9, 15),
    )
    text = flat(pdf_text(render_document(received, "dung-xu-ly"), tmp_path / "dung.pdf"))

    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "dừng giải quyết hồ sơ nêu trên kể từ 09 giờ 15 phút, ngày 03 tháng 02 năm 2025" in text
    assert "Người yêu cầu chứng thực không còn đủ năng lực hành vi dân sự." in text
    assert "Lê Quang Huy" in text


# -- form 06: control slip --------------------------------------------------------------------------
def test_the_control_slip_has_one_row_per_hand_over_judged_against_the_due_time(received, clerk, minh, tmp_path):
    officer = minh
    workflow.assign(dossier_id=received.pk, actor=clerk, officer=officer, now=vn(2025, 2, 3, 8, 0))
    workflow.mark_result_ready(dossier_id=received.pk, actor=officer, now=vn(2025, 2, 3, 16, 0))
    workflow.return_result(dossier_id=received.pk, actor=clerk, collector=APPLICANT, now=vn(2025, 2, 4, 9, 0))

    context = document_context(received, "kiem-soat")
    rows = [(r["step"], r["giver"], r["receiver"], r["at"], r["result"]) for r in context["rows"]]
    clerk_name, officer_name, desk = "Nguyễn Văn An", "Trần Văn Minh", "Trung tâm Phục vụ hành chính công"
    assert rows == [
        ("Tiếp nhận hồ sơ", APPLICANT, clerk_name, "24/01/2025 16:20", "Trước hạn"),
        ("Chuyển công chức xử lý", clerk_name, officer_name, "03/02/2025 08:00", "Đúng hạn"),  # the due day
        ("Hoàn thành, có kết quả", officer_name, desk, "03/02/2025 16:00", "Đúng hạn"),
        # After the due 03/02 17:00, but the hand-over is not judged: the result was ready on time.
        ("Trả kết quả", clerk_name, APPLICANT, "04/02/2025 09:00", ""),
    ]
    assert context["overall"] == "Đúng hạn"

    text = flat(pdf_text(render_document(received, "kiem-soat"), tmp_path / "kiem-soat.pdf"))
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert received.code in text
    assert "Hạn giải quyết theo quy định: 17 giờ 00 phút, ngày 03 tháng 02 năm 2025" in text
    assert "24/01/2025" in text
    assert "16:20" in text
    assert "Quá hạn" not in text  # no row contradicts the summary
    assert "Kết quả giải quyết hồ sơ: Đúng hạn" in text
    assert "Công chức xử lý: Trần Văn Minh" in text


# -- availability, errors, rendering guarantees -------------------------------------------------------
def test_only_the_slips_that_apply_are_offered(received):
    assert DOCUMENTS["tiep-nhan"].available(received)
    assert DOCUMENTS["kiem-soat"].available(received)
    for slug in ("huong-dan", "tu-choi", "xin-loi", "dung-xu-ly"):
        assert not DOCUMENTS[slug].available(received), slug


def test_a_slip_that_does_not_apply_is_refused_in_vietnamese(received):
    with pytest.raises(ValueError, match="Không in được “Văn bản xin lỗi và hẹn lại ngày trả kết quả”"):
        render_document(received, "xin-loi")
    with pytest.raises(ValueError, match="không bị dừng xử lý"):
        document_context(received, "dung-xu-ly")


def test_an_unknown_slip_or_paper_is_a_key_error(received):
    with pytest.raises(KeyError):
        render_document(received, "giay-moi")
    with pytest.raises(KeyError):
        render_document(received, "tiep-nhan", paper="Letter")  # type: ignore[arg-type]


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_html_to_pdf_never_fetches_from_the_network():
    html = (
        '<p>Có ảnh</p><img src="https://example.com/logo.png"><link rel="stylesheet" href="http://example.com/a.css">'
    )
    collect = _Collect()
    logger = logging.getLogger("weasyprint")
    logger.addHandler(collect)
    try:
        pdf = html_to_pdf(html)
    finally:
        logger.removeHandler(collect)
    assert pdf.startswith(b"%PDF")
    assert len([m for m in collect.messages if "disallowed protocol" in m]) == 2


def test_qr_svg_is_an_inline_svg_element_that_css_can_resize():
    svg = qr_svg("https://example.vn/tra-cuu/X/?k=ACDEFGHJ", scale=2, title="Mã <QR>")
    assert svg.startswith('<svg viewBox="0 0 ')
    assert 'xmlns="http://www.w3.org/2000/svg"' in svg
    assert "<title>Mã &lt;QR&gt;</title>" in svg
    assert "<?xml" not in svg
    assert modules_drawn(svg) == dark_modules(segno.make("https://example.vn/tra-cuu/X/?k=ACDEFGHJ", error="m"))


def test_small_helpers():
    assert money(0) == "0 đồng"
    assert money(1250000) == "1.250.000 đồng"
    assert text_lines("  - Một\n\n• Hai\n3. Ba \n10) Mười\n-Mười một") == ["Một", "Hai", "Ba", "Mười", "Mười một"]
    assert text_lines("2.000 đồng/trang chưa nộp") == ["2.000 đồng/trang chưa nộp"]


# -- reading a segno SVG back into modules (no QR decoder needed) ---------------------------------------
def modules_drawn(svg: str) -> set[tuple[int, int]]:
    """The dark modules (column, row) the SVG path draws, quiet zone removed.

    segno draws each row as horizontal strokes: 'M x y' / 'm dx dy' move, 'h n' covers n modules
    of the row y - 0.5 (the stroke is one module wide, centred on the row).
    """
    path = re.search(r' d="([^"]+)"', svg)
    assert path, svg
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, args in re.findall(r"([MmHh])([^MmHh]*)", path.group(1)):
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", args)]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            length = numbers[0]
            dark.update((int(x) + i - 4, int(y - 0.5) - 4) for i in range(int(length)))
            x += length
    return dark


def dark_modules(code: segno.QRCode) -> set[tuple[int, int]]:
    return {(col, row) for row, line in enumerate(code.matrix) for col, bit in enumerate(line) if bit}
