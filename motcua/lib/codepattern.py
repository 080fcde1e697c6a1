"""The ward's dossier code pattern: a tiny fixed language, checked on save, rendered without str.format.

A pattern is literal text and exactly these three fields, in this order:

- ``{agency}`` — the ward's code (QCVN 102:2016, always 13 characters), first;
- ``{date:%y%m%d}`` (250303) or ``{date:%Y%m%d}`` (20250303) — the day of receipt;
- ``{seq:04d}``, ``{seq:05d}`` or ``{seq:06d}`` — the day's number, zero-padded to 4–6 digits
  (it grows wider when a day passes 9 999, 99 999…).

Literal text may use ASCII letters and ``-`` ``.`` ``_`` only (no digit, no space, no slash),
at most ``MAX_LITERAL`` characters in all, and the date and the number must be separated by at
least one literal character. The default, ``{agency}-{date:%y%m%d}-{seq:04d}``, gives
``000.25.31.H49-250303-0001``.

Why two dossiers never get the same code, whatever valid pattern each ward uses (and even
after a ward changes its pattern): take a code ``c`` made for ward W, day D, number n.

1. Its first 13 characters are W's code (every agency code has 13 characters, see
   ``AGENCY_CODE_PATTERN``), so codes of two wards differ there.
2. After them, literal characters are never digits, the date is all digits and comes before the
   number, and a literal separates them: the rest of ``c`` holds exactly two maximal runs of
   digits, the first the date and the second the number. The date run has 6 digits for
   ``%y%m%d`` and 8 for ``%Y%m%d``, so its length says how to read it, and it reads back as D
   (``%y`` repeats only after a hundred years). The second run reads back as n.
3. So ``c`` determines (W, D, n), and the day counter (``hoso.creation.next_code``) hands each n
   out once per ward and day. Two different dossiers therefore have different codes.

Nothing of the pattern is ever evaluated: ``render`` concatenates the literal pieces with the
ward's code, the digits of the date and the zero-padded number.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError

from motcua.constants import DEFAULT_DOSSIER_CODE_PATTERN

logger = logging.getLogger(__name__)

MAX_LITERAL = 20
DATE_FORMATS = {"%y%m%d": 6, "%Y%m%d": 8}
FIELDS_HINT = "{agency}, {date:%y%m%d} (hoặc {date:%Y%m%d}) và {seq:04d} (hoặc {seq:05d}, {seq:06d})"
HELP_TEXT = (
    f"Gồm {FIELDS_HINT}, theo đúng thứ tự đó, bắt đầu bằng {{agency}}; giữa các trường là chữ cái không dấu "
    "hoặc các dấu - . _ (không dùng chữ số, dấu cách). Ví dụ: {agency}-{date:%y%m%d}-{seq:04d} → "
    "000.25.31.H49-250303-0001."
)

_FIELD = re.compile(r"\{([^{}]*)\}")
_LITERAL = re.compile(r"[A-Za-z._-]*")


@dataclass(frozen=True)
class CodePattern:
    """A checked pattern: the literal before the date, between date and number, and after it."""

    after_agency: str
    date_format: str
    between: str
    seq_width: int
    suffix: str

    def render(self, agency_code: str, day: date, seq: int) -> str:
        head, width, suffix = self.around_number(agency_code, day)
        return f"{head}{str(seq).zfill(width)}{suffix}"

    def around_number(self, agency_code: str, day: date) -> tuple[str, int, str]:
        """(what comes before the number, its least width, what comes after) for a ward and a day:
        the code is ``head + number zero-padded to width + suffix`` (``hoso.creation`` renders it
        so in SQL too)."""
        if self.date_format == "%Y%m%d":
            day_text = f"{day.year:04d}{day.month:02d}{day.day:02d}"
        else:
            day_text = f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"
        return f"{agency_code}{self.after_agency}{day_text}{self.between}", self.seq_width, self.suffix

    def regex(self, agency_code: str) -> str:
        """A regular expression with groups ``date`` and ``seq`` matching the codes this pattern makes."""
        return (
            re.escape(agency_code)
            + re.escape(self.after_agency)
            + rf"(?P<date>\d{{{DATE_FORMATS[self.date_format]}}})"
            + re.escape(self.between)
            + rf"(?P<seq>\d{{{self.seq_width},}})"
            + re.escape(self.suffix)
        )


def parse(pattern: str) -> CodePattern:
    """The checked pattern, or ValidationError with a Vietnamese message naming what is wrong."""
    pieces: list[tuple[str, str]] = []  # ("text", literal) or (field name, spec)
    position = 0
    for match in _FIELD.finditer(pattern):
        pieces.append(("text", pattern[position : match.start()]))
        content = match.group(1)
        name, _, spec = content.partition(":")
        if name == "agency" and not spec:
            pieces.append(("agency", ""))
        elif name == "date" and spec in DATE_FORMATS:
            pieces.append(("date", spec))
        elif name == "seq" and re.fullmatch(r"0[4-6]d", spec):
            pieces.append(("seq", spec))
        else:
            raise ValidationError(
                f"Trường “{{{content[:40]}}}” không dùng được trong mẫu mã hồ sơ. Chỉ dùng: {FIELDS_HINT}."
            )
        position = match.end()
    pieces.append(("text", pattern[position:]))
    for kind, value in pieces:
        if kind != "text":
            continue
        if "{" in value or "}" in value:
            raise ValidationError("Mẫu mã hồ sơ có dấu ngoặc nhọn “{” hoặc “}” không thành cặp.")
        bad = next((ch for ch in value if not _LITERAL.fullmatch(ch)), None)
        if bad is not None:
            raise ValidationError(
                f"Ký tự “{bad}” không dùng được trong mẫu mã hồ sơ: giữa các trường chỉ dùng chữ cái không dấu "
                "và các dấu - . _ (không dùng chữ số, dấu cách)."
            )
    fields = [kind for kind, _ in pieces if kind != "text"]
    if sorted(fields) != ["agency", "date", "seq"]:
        raise ValidationError(
            f"Mẫu mã hồ sơ phải có đúng một lần mỗi trường {FIELDS_HINT}: mã cơ quan, ngày và số thứ tự cùng "
            "bảo đảm hai hồ sơ không bao giờ trùng mã."
        )
    texts = [value for kind, value in pieces if kind == "text"]  # before, after agency, after date, after seq
    if fields != ["agency", "date", "seq"] or texts[0]:
        raise ValidationError("Mẫu mã hồ sơ phải bắt đầu bằng {agency}, rồi đến ngày {date:…}, sau cùng là {seq:…}.")
    if not texts[2]:
        raise ValidationError(
            "Giữa ngày và số thứ tự phải có ít nhất một ký tự ngăn cách, ví dụ “-”: {date:%y%m%d}-{seq:04d}."
        )
    if sum(map(len, texts)) > MAX_LITERAL:
        raise ValidationError(f"Phần chữ trong mẫu mã hồ sơ dài quá {MAX_LITERAL} ký tự.")
    specs = {kind: value for kind, value in pieces if kind != "text"}
    return CodePattern(
        after_agency=texts[1],
        date_format=specs["date"],
        between=texts[2],
        seq_width=int(specs["seq"][1]),
        suffix=texts[3],
    )


def validate_code_pattern(pattern: str) -> None:
    """Model-field validator of ``Agency.dossier_code_pattern``."""
    parse(pattern)


DEFAULT = parse(DEFAULT_DOSSIER_CODE_PATTERN)


def pattern_for(text: str) -> CodePattern:
    """The ward's pattern; a stored pattern that fails the check (written before it) gives the default.

    Intake never stops and never formats an unchecked pattern: the default cannot collide
    with any valid pattern (see the module's docstring).
    """
    try:
        return parse(text)
    except ValidationError:
        logger.warning("Mẫu mã hồ sơ “%s” không hợp lệ: dùng mẫu mặc định", text)
        return DEFAULT
