"""Vietnamese text helpers: diacritic-free folding for search, and alphabetical sort keys."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.functional import cached_property

_SPACES = re.compile(r"\s+")

# Vietnamese alphabet order: each letter with a circumflex, breve or horn is its own letter.
_ALPHABET = "aăâbcdđeêghiklmnoôơpqrstuưvxy"
# Tone marks are a secondary difference: ngang < huyền < hỏi < ngã < sắc < nặng.
_TONES = {"\u0300": 1, "\u0309": 2, "\u0303": 3, "\u0301": 4, "\u0323": 5}
_LETTER_MARKS = {"\u0306", "\u0302", "\u031b"}  # breve, circumflex, horn


def fold(text: str) -> str:
    """Lower-case text with every diacritic removed and spaces collapsed ("Đăng ký" → "dang ky")."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d").replace("Đ", "d"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped).strip()


def _letters(word: str) -> tuple[list[int], list[int]]:
    primary: list[int] = []
    tones: list[int] = []
    for ch in unicodedata.normalize("NFC", word.lower()):
        parts = unicodedata.normalize("NFD", ch)
        base, marks = parts[0], parts[1:]
        letter = base + "".join(m for m in marks if m in _LETTER_MARKS)
        letter = unicodedata.normalize("NFC", letter)
        index = _ALPHABET.find(letter) if len(letter) == 1 else -1
        # Letters outside the alphabet (f, j, w, z, digits, punctuation) sort by code point after it.
        primary.append(index if index >= 0 else 100 + ord(letter[0]))
        tones.append(next((_TONES[m] for m in marks if m in _TONES), 0))
    return primary, tones


def vi_sort_key(text: str) -> tuple[tuple[int, ...], tuple[int, ...], str]:
    """A key that orders strings as a Vietnamese dictionary does: letters first, then tones."""
    primary, tones = _letters(text)
    return tuple(primary), tuple(tones), text


def vi_compare(left: str, right: str) -> int:
    """SQLite collation function with the order of vi_sort_key."""
    a, b = vi_sort_key(left), vi_sort_key(right)
    return (a > b) - (a < b)


# Zero-width characters and the byte-order mark paste in from Word and web pages, unseen.
_ZERO_WIDTH = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
# Bidirectional overrides, embeddings, isolates and marks: they reorder what a reader sees
# ("Trojan Source"), so a name or a note could read differently from what is stored.
_BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# C0 and C1 control characters, except the tab, line feed and carriage return that text may hold.
_CONTROL = "".join(chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)) if chr(c) not in "\t\n\r")
_INVISIBLE = dict.fromkeys(map(ord, _ZERO_WIDTH + _BIDI + _CONTROL))


def normalise_spaces(text: str) -> str:
    """Composed (NFC) Vietnamese, invisible, bidi-override and control characters dropped, spaces
    collapsed and trimmed: the normal form of a one-line field (name, address, reason…)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", (text or "").translate(_INVISIBLE))).strip()


# Full-width ASCII (U+FF01–U+FF5E, an East Asian input method's digits and letters) → ASCII.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | _INVISIBLE


_CONTROL_FOUND = re.compile(f"[{re.escape(_CONTROL)}]")
# Full-width forms (an East Asian input method's "２０２５") and the ideographic space.
_FULL_WIDTH_FOUND = re.compile(r"[\uff01-\uff5e\u3000]")


def has_control_character(text: str) -> bool:
    """True when the text holds a C0/C1 control character other than tab, line feed or carriage
    return: imports refuse such a value as read (the normal form would drop it silently)."""
    return bool(_CONTROL_FOUND.search(text or ""))


def has_space_or_invisible(text: str) -> bool:
    """True when the text holds a space or anything ``normalise_spaces`` would drop unseen
    (zero-width, bidi and control characters): such an identifier could not be typed back."""
    return any(ch.isspace() for ch in text) or text.translate(_INVISIBLE) != text


def has_full_width(text: str) -> bool:
    """True when the text holds a full-width form or the ideographic space: imports refuse them in
    identifiers, numbers and instants rather than guess."""
    return bool(_FULL_WIDTH_FOUND.search(text or ""))


def ascii_digits(text: str) -> str:
    """Full-width digits and letters as plain ASCII ("１２３" → "123"), invisible characters dropped,
    so identifiers, phones and amounts are checked as typed on any keyboard. Other look-alikes
    ("²", "①", Arabic-Indic digits) stay as they are, for the checks to refuse."""
    return (text or "").translate(_FULL_WIDTH)


def clean_text(text: str) -> str:
    """Free text of several lines as typed (notes, reasons, narrative): composed (NFC), invisible,
    bidi-override and control characters dropped, line ends as "\\n", each line's trailing spaces
    and the text's outer blank lines trimmed. Inner spacing and line breaks are kept."""
    text = unicodedata.normalize("NFC", (text or "").replace("\r\n", "\n").replace("\r", "\n").translate(_INVISIBLE))
    return "\n".join(line.rstrip() for line in text.split("\n")).strip()


def has_letter(text: str) -> bool:
    """True when the text holds at least one letter of any script (Unicode category L*)."""
    return any(unicodedata.category(ch).startswith("L") for ch in text or "")


# -- bounded free text (forms) ------------------------------------------------------------------
class TextLimit:
    """Maximum lengths, in characters, of what people type (forms, model validators, services)."""

    NAME = 200  # a person's or an organisation's name, a collector, a ward
    ADDRESS = 300  # the columns of Dossier and Agency
    PUBLIC_NOTE = 500  # the note the public lookup page shows
    NOTE = 2000  # notes, reasons, missing papers, comments
    NARRATIVE = 20_000  # one section of the CCHC report


@deconstructible
class MaxLength(MaxLengthValidator):
    """Django's length check with a Vietnamese message that reads well."""

    message = "Nội dung dài quá: tối đa %(limit_value)d ký tự (đã nhập %(show_value)d ký tự)."


class FreeText(forms.CharField):
    """A form field for free text: bidi-override, invisible and control characters stripped on input,
    one line collapsed (``normalise_spaces``) or several lines kept (``multiline``, ``clean_text``),
    and a maximum length with a Vietnamese message."""

    def __init__(self, *, max_length: int, multiline: bool = False, rows: int = 3, **kwargs: Any) -> None:
        self.multiline = multiline
        if multiline:
            kwargs.setdefault("widget", forms.Textarea(attrs={"rows": rows}))
        super().__init__(max_length=max_length, **kwargs)
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]
        self.validators.append(MaxLength(max_length))

    def to_python(self, value: Any) -> str:
        text = super().to_python(value)
        return clean_text(text) if self.multiline else normalise_spaces(text)


def vietnamese_length_messages(form: forms.BaseForm) -> None:
    """Give every length check of a (model) form the Vietnamese message, and strip bidi-override and
    control characters from its text fields: for forms whose fields Django builds from the model."""
    for field in form.fields.values():
        if type(field) is not forms.CharField or isinstance(field.widget, forms.PasswordInput):
            continue  # e-mail, URL, choice… fields have their own rules; a password is taken as typed
        field.validators = [
            MaxLength(v.limit_value) if isinstance(v, MaxLengthValidator) and not isinstance(v, MaxLength) else v
            for v in field.validators
        ]
        multiline = isinstance(field.widget, forms.Textarea)
        field.to_python = _cleaning(field.to_python, multiline)  # type: ignore[method-assign]


def _cleaning(to_python: Any, multiline: bool) -> Any:
    def clean(value: Any) -> Any:
        text = to_python(value)
        if not isinstance(text, str):
            return text
        return clean_text(text) if multiline else normalise_spaces(text)

    return clean


# Nine or more digits, possibly grouped by spaces, dots or dashes: an ID number (9 or 12 digits),
# a phone (10), a tax code (10 or 13). Dates (dd/mm/yyyy) and amounts (50.000) stay below it.
_LONG_NUMBER = re.compile(r"\d(?:[\s.\-]?\d){8,}")
_EMAIL = re.compile(r"\S+@\S+\.\w+")


def personal_number_in(text: str) -> str:
    """The first thing in ``text`` that looks like an ID number, a phone or an e-mail; else ''."""
    match = _LONG_NUMBER.search(ascii_digits(text)) or _EMAIL.search(text)
    return match.group() if match else ""


def check_public_note(text: str) -> str:
    """The note for the public lookup page, cleaned; ValidationError when it is too long or quotes
    a number that looks like an ID or a phone, or an e-mail address. The form field and the
    workflow (for scripts) both call it."""
    text = clean_text(text)
    MaxLength(TextLimit.PUBLIC_NOTE)(text)
    found = personal_number_in(text)
    if found:
        raise ValidationError(
            f"Nội dung công khai không được ghi số giấy tờ, số điện thoại hay thư điện tử (“{found}”)."
        )
    return text


class PublicNoteField(FreeText):
    """The optional note the public lookup page shows: short, and refused when it quotes a number that
    looks like an ID or a phone, or an e-mail address (the label asks for no address either)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "label", "Nội dung thông báo công khai cho người nộp (không ghi số giấy tờ, điện thoại, địa chỉ)"
        )
        kwargs.setdefault(
            "help_text",
            "Không bắt buộc. Chỉ nội dung này hiện trên trang tra cứu hồ sơ; ô ghi chú ở trên chỉ cán bộ xem.",
        )
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(max_length=TextLimit.PUBLIC_NOTE, multiline=True, required=False, **kwargs)

    def validate(self, value: Any) -> None:
        super().validate(value)
        check_public_note(value or "")


class BoundedTextField(models.TextField):
    """A TextField with a required maximum length: checked by ``full_clean`` (Vietnamese message) and
    by its form field, a ``FreeText`` that also strips bidi-override and control characters.
    (Django's TextField passes ``max_length`` to the form only, and its message reads poorly.)"""

    def __init__(self, *args: Any, max_length: int, **kwargs: Any) -> None:
        super().__init__(*args, max_length=max_length, **kwargs)

    @cached_property
    def validators(self) -> list[Any]:
        return [*self.default_validators, *self._validators, MaxLength(self.max_length)]

    def formfield(self, **kwargs: Any) -> Any:
        if self.choices is not None:
            return super().formfield(**kwargs)
        return super().formfield(**{"form_class": FreeText, "multiline": True, **kwargs})


# A code typed with spaces, underscores or any dash between its groups, every group with a digit
# ("000.00.01.H26 251205 0001", "h26_251205_0001"): a name never has digits, a code always does.
_CODE_GROUPS = re.compile(r"[0-9A-Za-z.]*[0-9][0-9A-Za-z.]*")
_CODE_SEPARATORS = re.compile(r"\s*[\s_\-\u2010-\u2015\u2212]\s*")


def code_spelling(text: str) -> str:
    """A dossier code as printed, whatever separated its groups: '000.00.01.h26 251205_0001' →
    '000.00.01.H26-251205-0001'. Text that is not shaped like a code comes back unchanged."""
    stripped = text.strip()
    groups = _CODE_SEPARATORS.split(stripped)
    if len(groups) < 2 or not all(_CODE_GROUPS.fullmatch(group) for group in groups):
        return text
    return "-".join(groups).upper()


# Notes the catalogue's compilers left in the published texts, for staff: a citizen reads the
# published text with the note said in plain words, or without it.
_COMPILER_NOTES = (
    (re.compile(r"\s*\(CSDLQG không ghi đơn vị\)"), " (văn bản công bố không ghi rõ đơn vị thời gian)"),
    (re.compile(r"\(theo CSDLQG;\s*"), "("),
    (re.compile(r"\s*\(theo CSDLQG\)"), ""),
    (re.compile(r"CSDLQG"), "Cơ sở dữ liệu quốc gia về thủ tục hành chính"),
)


def published_wording(text: str) -> str:
    """A catalogue text as shown to citizens: '1 (CSDLQG không ghi đơn vị)' → '1 (văn bản công bố
    không ghi rõ đơn vị thời gian)'; 'Miễn phí (theo CSDLQG; mức … quyết định)' → 'Miễn phí (mức … quyết định)'."""
    for pattern, replacement in _COMPILER_NOTES:
        text = pattern.sub(replacement, text)
    return text


# "khai sinh.." and "(phố Hàng Trống.)." — a value's own stop before the sentence's.
_DOUBLE_STOP = re.compile(r"(?<![.…])\.( ?|\))\.(?![.…/])")


def without_final_stop(text: str) -> str:
    """'Số 5 phố Hàng Bạc.' → 'Số 5 phố Hàng Bạc', for a value a sentence ends with its own full
    stop after; an ellipsis ('...', '…') stays."""
    text = text.strip()
    if text.endswith(".") and not text.endswith(".."):
        return text[:-1].rstrip()
    return text


def single_stops(text: str) -> str:
    """A sentence that ended with a value ending in a full stop has one stop, not two:
    'cần bổ sung: bản sao giấy khai sinh..' → '… khai sinh.'; '...' and './.' stay."""
    return _DOUBLE_STOP.sub(lambda m: m.group(1).strip() + ".", text)
