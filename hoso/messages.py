"""The placeholder language of the texts staff edit (messages to applicants): data, never code.

A text is plain words with placeholders written ``{name}`` (spaces inside the braces are
allowed: ``{ ma_ho_so }``). ``name`` must be one of ``PLACEHOLDERS``; each is filled with a plain
string our code computes (``hoso.notifications.message_values``). There are no tags, filters,
attribute access, indexing, loops or conditions: rendering is a lookup of known names in a
dict of strings, so a text can never reach an object, a method or another ward's data.

Refused (``check_text`` raises a ValidationError naming the culprit, used by the admin form,
``NotificationTemplate.clean`` and ``fill``):

- a name that is not in the list (``{dossier}``, ``{ho_ten.upper}``, ``{0.__class__}``…);
- Django or Jinja syntax: ``{{ … }}``, ``{% … %}``, ``{# … #}``;
- a ``{`` without its ``}`` on the same line, a ``}`` without its ``{``.

Literal braces cannot be written: a message to a citizen has no use for them.

The built-in texts are plain files ``templates/hoso/messages/<kind>-<channel>-{subject,body}.txt``
in the same language, read as text (never through the template engine).
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

#: name → what it holds, as shown to the ward admin. Every value is a plain string.
PLACEHOLDERS: dict[str, str] = {
    "kinh_gui": "lời chào: “Ông/Bà Nguyễn Văn An”, hoặc tên tổ chức",
    "ho_ten": "họ tên người nộp (hoặc tên tổ chức) như đã ghi khi tiếp nhận",
    "ho_ten_rut_gon": "họ và chữ cái đầu của tên đệm, tên: “Nguyễn V. A.”",
    "xung_ho": "cách gọi người nộp trong câu: “ông/bà” hoặc “tổ chức”",
    "ma_ho_so": "mã hồ sơ",
    "thu_tuc": "tên thủ tục hành chính",
    "ngay_tiep_nhan": "thời gian tiếp nhận, bằng chữ: “09 giờ 00 phút, ngày 03 tháng 3 năm 2025”",
    "ngay_hen": "thời gian hẹn trả kết quả mà thông báo nói tới, bằng chữ",
    "ngay_hen_ngan": "thời gian hẹn trả kết quả, dạng ngắn: “09:00 06/03/2025”",
    "ngay_hen_moi": "thời gian hẹn trả mới khi xin lỗi, hẹn lại (bằng chữ); để trống với sự kiện khác",
    "ngay_hen_moi_ngan": "thời gian hẹn trả mới, dạng ngắn",
    "thoi_diem": "thời điểm xảy ra sự kiện (ví dụ bắt đầu tạm dừng khi yêu cầu bổ sung), bằng chữ",
    "giay_to_bo_sung": "giấy tờ cần bổ sung, hoàn thiện, mỗi dòng một loại có đánh số (chỉ khi yêu cầu bổ sung)",
    "giay_to_bo_sung_ngan": "giấy tờ cần bổ sung trên một dòng, ngăn cách bằng dấu “;”",
    "ly_do": "lý do chậm giải quyết, mỗi dòng một ý bắt đầu bằng “- ” (chỉ khi xin lỗi, hẹn lại)",
    "noi_nhan_ket_qua": "câu hướng dẫn nơi và cách nhận kết quả (chỉ khi đã có kết quả)",
    "noi_nhan_ket_qua_ngan": "hướng dẫn nhận kết quả, dạng ngắn cho tin nhắn",
    "link_tra_cuu": "đường dẫn tra cứu tình trạng hồ sơ (nên luôn có)",
    "giay_tiep_nhan": "câu báo tải giấy tiếp nhận (mẫu 01) tại Hồ sơ của tôi (chỉ khi tiếp nhận hồ sơ nộp trực tuyến)",
    "link_danh_gia": "đường dẫn đánh giá mức độ hài lòng (chỉ khi đã có kết quả; có thể trống)",
    "moi_danh_gia": "câu mời đánh giá mức độ hài lòng kèm đường dẫn, hoặc trống",
    "co_quan": "tên cơ quan: “Phường Hoàn Kiếm”",
    "uy_ban": "“Ủy ban nhân dân phường Hoàn Kiếm” (viết trong câu)",
    "phuong_xa": "“phường Hoàn Kiếm” (viết trong câu)",
    "bo_phan": "tên bộ phận tiếp nhận: “Trung tâm Phục vụ hành chính công”",
    "dia_diem": "bộ phận tiếp nhận, phường/xã và địa chỉ: nơi người nộp đến",
    "dia_chi_co_quan": "địa chỉ của bộ phận tiếp nhận",
    "dien_thoai_co_quan": "điện thoại của bộ phận tiếp nhận",
    "lien_he": "các dòng “Địa chỉ: …” và “Điện thoại: …” của cơ quan (dòng nào trống thì bỏ)",
}

SYNTAX_HINT = "Chỗ cần điền viết trong một cặp ngoặc nhọn, ví dụ {ma_ho_so}."

_BRACE = re.compile(r"[{}]")
_DJANGO_OPENERS = {"{{": "}}", "{%": "%}", "{#": "#}"}


def _snippet(text: str, start: int, end: int | None = None) -> str:
    """The offending piece, short enough for a message."""
    piece = text[start:end] if end is not None else text[start : start + 40]
    piece = piece.splitlines()[0] if piece.strip() else piece
    return piece if len(piece) <= 60 else piece[:57] + "…"


def _parse(text: str) -> tuple[list[tuple[str, bool]], list[str]]:
    """(pieces, errors): pieces are (literal text, False) or (placeholder name, True)."""
    pieces: list[tuple[str, bool]] = []
    errors: list[str] = []
    position = 0
    while True:
        match = _BRACE.search(text, position)
        if match is None:
            pieces.append((text[position:], False))
            return pieces, errors
        start = match.start()
        pieces.append((text[position:start], False))
        if match.group() == "}":
            errors.append(
                f"Dấu “}}” thừa (không có dấu “{{” mở trước) ở: “{_snippet(text, max(0, start - 20), start + 1)}”."
            )
            position = start + 1
            continue
        opener = text[start : start + 2]
        if opener in _DJANGO_OPENERS:
            close = text.find(_DJANGO_OPENERS[opener], start + 2)
            end = close + 2 if close != -1 else None
            errors.append(
                f"Không dùng được cú pháp mẫu Django “{_snippet(text, start, end)}”: "
                f"chỉ được dùng các chỗ cần điền trong danh sách. {SYNTAX_HINT}"
            )
            position = end if end is not None else len(text)
            continue
        close = text.find("}", start + 1)
        line_end = text.find("\n", start + 1)
        inner_brace = text.find("{", start + 1)
        if close == -1 or (line_end != -1 and line_end < close) or (inner_brace != -1 and inner_brace < close):
            errors.append(f"Dấu “{{” chưa có dấu “}}” đóng ở: “{_snippet(text, start)}”. {SYNTAX_HINT}")
            position = start + 1
            continue
        name = text[start + 1 : close].strip()
        if name not in PLACEHOLDERS:
            errors.append(
                f"Chỗ cần điền “{{{_snippet(name, 0)}}}” không có trong danh sách được dùng "
                "(xem danh sách dưới ô nhập)."
            )
        else:
            pieces.append((name, True))
        position = close + 1


def check_text(text: str) -> None:
    """Raise ValidationError (Vietnamese, one message per problem) unless the text is valid."""
    _, errors = _parse(text or "")
    if errors:
        raise ValidationError(errors)


def fill(text: str, values: dict[str, str]) -> str:
    """The text with each placeholder replaced by its value: plain substitution, nothing evaluated.

    Raises ValidationError for an invalid text (the caller falls back to the built-in text).
    A placeholder without a value (not meaningful for this event) becomes empty.
    """
    pieces, errors = _parse(text or "")
    if errors:
        raise ValidationError(errors)
    return "".join(str(values.get(value, "")) if is_name else value for value, is_name in pieces)


def help_text() -> str:
    """The list shown under the admin's text boxes."""
    items = "; ".join(f"{{{name}}}: {meaning}" for name, meaning in PLACEHOLDERS.items())
    return (
        f"Văn bản thường, có thể chèn các chỗ cần điền sau (viết đúng tên, trong ngoặc nhọn): {items}. "
        "Không dùng được cú pháp {{ … }}, {% … %}, bộ lọc hay dấu chấm sau tên."
    )


# -- the built-in texts ----------------------------------------------------------------------------
MESSAGES_DIR = Path(settings.BASE_DIR) / "templates" / "hoso" / "messages"


@cache
def default_text(kind: str, channel: str, part: str) -> str:
    """The built-in subject or body (``part``) for a kind and channel, read as plain text."""
    path = MESSAGES_DIR / f"{kind}-{channel}-{part}.txt"
    if not path.exists():
        return ""
    return path.read_text(encoding="utf-8").rstrip("\n")
