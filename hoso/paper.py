"""What the desk's papers print, shared by the slips (``hoso.documents``) and the tracking book.

Paper formats (``PaperStyle``, ``PAPERS``, ``tighter``), the ward's letterhead (``balanced_lines``,
``letterhead_lines``, ``committee_in_sentence``), the leader's signature heading, and the small
formatting helpers: a staff member's name in Vietnamese order, money, free text as items, the
public tracking address. No query: everything is read from what the caller passes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from urllib.parse import quote

from django.conf import settings

from motcua.models import Agency, User

from .models import Dossier


@dataclass(frozen=True)
class PaperStyle:
    """Page size, margins and type sizes of one paper format (the template's @page rule)."""

    size: str
    margin: str
    font_pt: float  # body text
    small_pt: float  # tables, notes, the left column of the national header
    qr_mm: int  # printed side of the QR code
    sign_mm: int  # room left for a handwritten signature


PAPERS: dict[str, PaperStyle] = {
    # Nghị định 30/2020/NĐ-CP: top and bottom 20–25 mm, left 30–35 mm (binding), right 15–20 mm.
    "A4": PaperStyle(size="A4", margin="20mm 15mm 20mm 30mm", font_pt=13, small_pt=12, qr_mm=26, sign_mm=15),
    # A5 is a counter slip: narrower margins and smaller type so one copy still fits a page.
    "A5": PaperStyle(size="A5", margin="8mm 8mm 8mm 15mm", font_pt=9, small_pt=8, qr_mm=18, sign_mm=9),
}


def tighter(style: PaperStyle, step: int) -> PaperStyle:
    """`style` set `step` notches tighter (type 0.5 pt smaller, QR and signature room smaller), for
    text too long to fit; the margins of Nghị định 30/2020 stay."""
    return replace(
        style,
        font_pt=style.font_pt - 0.5 * step,
        small_pt=style.small_pt - 0.5 * step,
        qr_mm=style.qr_mm - 2 * step,
        sign_mm=style.sign_mm - 2 * step,
    )


# -- names, money, free text ----------------------------------------------------------------------
def person_name(user: User | None) -> str:
    """A staff member's name in Vietnamese order: family and middle names, then the given name.

    Built here from the two fields (Django's own ``get_full_name`` puts the given name first) so
    a slip never prints "Lan Nguyễn Thị".
    """
    if user is None:
        return ""
    name = f"{user.last_name} {user.first_name}".strip()
    return name or user.username


def money(amount: int) -> str:
    """'2.000 đồng': Vietnamese thousands separator."""
    return f"{amount:,} đồng".replace(",", ".")


def lookup_url(dossier: Dossier) -> str:
    """The public tracking page of the dossier, with its secret key: what the receipt's QR holds."""
    return f"{settings.MOTCUA_PUBLIC_URL}/tra-cuu/{quote(dossier.code or '', safe='')}/?k={dossier.lookup_key}"


def text_lines(text: str) -> list[str]:
    """Free text typed by staff, one item per line, without the bullets or numbers people type."""
    # A number is a marker only when a space follows: "2.000 đồng" keeps its digits.
    items = (re.sub(r"^\s*(?:[-–•*+]\s*|\d{1,2}[.)]\s+)", "", line).strip() for line in text.splitlines())
    return [item for item in items if item]


# -- the ward's letterhead ------------------------------------------------------------------------
_UNIT_WORDS = ("Phường ", "Xã ", "Thị trấn ", "Đặc khu ")


def committee_in_sentence(agency_name: str) -> str:
    """'Ủy ban nhân dân phường Hoàn Kiếm': the committee as written inside a sentence."""
    for word in _UNIT_WORDS:
        if agency_name.startswith(word):
            agency_name = word.lower() + agency_name[len(word) :]
            break
    return f"Ủy ban nhân dân {agency_name}"


def balanced_lines(text: str, width: int = 25) -> list[str]:
    """`text` in one line, or two lines of nearly equal length when longer than `width` characters.

    The left column of the national header is narrow; a name broken at the last word that fits
    ("ỦY BAN NHÂN DÂN PHƯỜNG HOÀN / KIẾM") reads badly, so it is split where both halves are
    closest in length ("ỦY BAN NHÂN DÂN / PHƯỜNG HOÀN KIẾM").
    """
    words = text.split()
    if len(text) <= width or len(words) < 2:
        return [text]
    best = min(
        range(1, len(words)),
        key=lambda i: max(len(" ".join(words[:i])), len(" ".join(words[i:]))),
    )
    return [" ".join(words[:best]), " ".join(words[best:])]


def letterhead_lines(agency: Agency) -> dict[str, list[str]]:
    """The left column of the national header of a paper the desk issues: the committee, then the
    desk (bold)."""
    return {
        "parent_lines": balanced_lines(agency.committee_name),
        "issuer_lines": balanced_lines(agency.desk_name.upper()),
    }


def signature_block(agency_leader_title: str) -> list[str]:
    """The heading lines above a leader's signature: 'TM. ỦY BAN NHÂN DÂN', then the position.

    A deputy signs on behalf of the chairman: 'KT. CHỦ TỊCH' / 'PHÓ CHỦ TỊCH'.
    """
    title = (agency_leader_title or "Chủ tịch").strip()
    lines = ["TM. ỦY BAN NHÂN DÂN"]
    if title.lower().startswith("phó "):
        lines.append("KT. CHỦ TỊCH")
    lines.append(title.upper())
    return lines
