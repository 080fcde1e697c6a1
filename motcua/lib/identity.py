"""Checks and normal forms of Vietnamese personal identifiers, phones and names (docs/personal-data.md §3)."""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError

from .text import ascii_digits, has_letter, normalise_spaces

# Province codes of the CCCD (Thông tư 07/2016/TT-BCA, still used for the new căn cước).
CCCD_PROVINCES = frozenset(
    f"{n:03d}"
    for n in (
        1,
        2,
        4,
        6,
        8,
        10,
        11,
        12,
        14,
        15,
        17,
        19,
        20,
        22,
        24,
        25,
        26,
        27,
        30,
        31,
        33,
        34,
        35,
        36,
        37,
        38,
        40,
        42,
        44,
        45,
        46,
        48,
        49,
        51,
        52,
        54,
        56,
        58,
        60,
        62,
        64,
        66,
        67,
        68,
        70,
        72,
        74,
        75,
        77,
        79,
        80,
        82,
        83,
        84,
        86,
        87,
        89,
        91,
        92,
        93,
        94,
        95,
        96,
    )
)
MOBILE_PREFIXES = ("03", "05", "07", "08", "09")
_NON_DIGITS = re.compile(r"[\s.\-()]")


def _digits(value: str) -> str:
    """The number as typed, separators removed; full-width digits become ASCII ones."""
    return _NON_DIGITS.sub("", ascii_digits(value))


def validate_cccd(value: str, *, today: date) -> str:
    """A 12-digit căn cước number: province 001–096, century-and-sex digit, birth year not in the future."""
    number = _digits(value)
    if not re.fullmatch(r"[0-9]{12}", number):
        raise ValidationError("Số căn cước/CCCD phải gồm đúng 12 chữ số.", code="cccd_length")
    if number[:3] not in CCCD_PROVINCES:
        raise ValidationError(
            f"Số căn cước/CCCD không hợp lệ: mã tỉnh nơi đăng ký khai sinh “{number[:3]}” không tồn tại.",
            code="cccd_province",
        )
    century_digit = int(number[3])
    if century_digit > 5:
        raise ValidationError(
            "Số căn cước/CCCD không hợp lệ: chữ số thứ 4 (thế kỷ, giới tính) phải từ 0 đến 5.", code="cccd_century"
        )
    birth_year = 1900 + 100 * (century_digit // 2) + int(number[4:6])
    if birth_year > today.year or birth_year < today.year - 130:
        raise ValidationError(f"Số căn cước/CCCD không hợp lệ: năm sinh {birth_year} không thể có.", code="cccd_year")
    return number


def validate_cmnd(value: str) -> str:
    number = _digits(value)
    if not re.fullmatch(r"[0-9]{9}", number):
        raise ValidationError("Số CMND phải gồm đúng 9 chữ số.", code="cmnd_length")
    return number


def validate_passport(value: str) -> str:
    number = ascii_digits(value).strip().upper().replace(" ", "")
    if not re.fullmatch(r"[A-Z0-9]{6,12}", number):
        raise ValidationError("Số hộ chiếu chỉ gồm chữ cái và chữ số, dài 6–12 ký tự.", code="passport")
    return number


def validate_tax_code(value: str) -> str:
    number = _digits(value)
    if not re.fullmatch(r"[0-9]{10}([0-9]{3})?", number):
        raise ValidationError("Mã số thuế gồm 10 hoặc 13 chữ số.", code="tax_code")
    return number


LANDLINE_PREFIX = "02"  # fixed lines since 2017: 0 + area code 2x(x) + subscriber number


def is_mobile(number: str) -> bool:
    """A normalised number that can receive a text message (a mobile, not a fixed line)."""
    return bool(re.fullmatch(r"[0-9]{10}", number)) and number.startswith(MOBILE_PREFIXES)


def is_fixed_line(value: str) -> bool:
    """A number as stored or typed that is a fixed line (no text messages reach it)."""
    return national_phone(value).startswith(LANDLINE_PREFIX)


def national_phone(value: str) -> str:
    """Digits in national form: '+84 24 3826 1234' → '02438261234' ('+84 0…' keeps one trunk 0)."""
    number = _digits(value)
    if number.startswith("+84"):
        return "0" + number[3:].removeprefix("0")
    if number.startswith("84") and len(number) in (11, 12):
        return "0" + number[2:]
    return number


def normalise_phone(value: str) -> str:
    """A Vietnamese mobile or fixed line in its national form: '+84 24 3826 1234' → '02438261234'.

    Mobiles have 10 digits (03, 05, 07, 08, 09); fixed lines, since the 2017 renumbering, have 11:
    the area code 02x(x) and the subscriber number ('0243 826 1234', '0236 3822 123').
    Organisations often give only a fixed line.
    """
    number = national_phone(value)
    if is_mobile(number) or (re.fullmatch(r"[0-9]{11}", number) and number.startswith(LANDLINE_PREFIX)):
        return number
    raise ValidationError(
        "Số điện thoại không hợp lệ: di động gồm 10 chữ số, bắt đầu bằng 03, 05, 07, 08 hoặc 09; "
        "cố định gồm 11 chữ số, bắt đầu bằng mã vùng 02 (ví dụ 0243 826 1234).",
        code="phone",
    )


def normalise_person_name(value: str) -> str:
    """Trim, collapse spaces and capitalise each word: '  nguyễn   văn AN ' → 'Nguyễn Văn An'."""
    words = normalise_spaces(value).split(" ")
    return " ".join(_capitalise(word) for word in words if word)


def _capitalise(word: str) -> str:
    """'nguyễn' → 'Nguyễn'; a one-letter prefix before an apostrophe keeps the next letter capital,
    as in the Ê Đê and Gia Rai names 'H'Hen', 'Y'Bih'."""
    head, apostrophe, tail = word.partition("'")
    if apostrophe and len(head) == 1 and tail:
        return head.upper() + apostrophe + tail[:1].upper() + tail[1:].lower()
    return word[:1].upper() + word[1:].lower()


def mask_name(full_name: str) -> str:
    """'Nguyễn Văn An' → 'Nguyễn V. A.': the family name and initials only, for public pages."""
    words = normalise_person_name(full_name).split(" ")
    if not words or not words[0]:
        return ""
    return " ".join([words[0], *(f"{w[0]}." for w in words[1:])])


def validate_name(value: str, *, what: str = "Họ và tên") -> str:
    """The name in normal form (spaces collapsed; invisible, bidi-override and control characters
    dropped); refuses a name with no letter at all: only symbols, punctuation, digits or invisible
    characters. ``what`` names the field in the message."""
    name = normalise_spaces(value)
    if value and not has_letter(name):
        raise ValidationError(
            f"{what} phải có chữ cái: không nhập toàn ký hiệu, dấu câu, chữ số hay ký tự ẩn.", code="name"
        )
    return name


def public_name(name: str, applicant_kind: str) -> str:
    """The applicant as a public page names them: a person masked, an organisation in full.

    An organisation's name is public record (it is on its business registration), and its
    initials would tell the citizen nothing: 'Công ty TNHH Minh Đức' stays as it is.
    """
    if applicant_kind == "organisation":
        return normalise_spaces(name)
    return mask_name(name)
