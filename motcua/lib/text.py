"""Vietnamese text helpers: diacritic-free folding for search, and alphabetical sort keys."""

from __future__ import annotations

import re
import unicodedata

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
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"))


def normalise_spaces(text: str) -> str:
    """Composed (NFC) Vietnamese, invisible characters dropped, spaces collapsed and trimmed."""
    return _SPACES.sub(" ", unicodedata.normalize("NFC", (text or "").translate(_INVISIBLE))).strip()


# Full-width ASCII (U+FF01–U+FF5E, an East Asian input method's digits and letters) → ASCII.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | _INVISIBLE


def ascii_digits(text: str) -> str:
    """Full-width digits and letters as plain ASCII ("１２３" → "123"), invisible characters dropped,
    so identifiers, phones and amounts are checked as typed on any keyboard. Other look-alikes
    ("²", "①", Arabic-Indic digits) stay as they are, for the checks to refuse."""
    return (text or "").translate(_FULL_WIDTH)


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
