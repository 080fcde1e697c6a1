"""Charts of the report drawn as inline SVG in Python: no JavaScript, no library, no network.

Each function takes the typed 06a lines of ``baocao.queries`` (``TableRow``, ``TotalRow``) and returns an SVG
string that weasyprint (and any browser) renders as is. Sizes are in user units that the
template scales to the page width; text uses the report's serif so Vietnamese letters print.
"""

from __future__ import annotations

from collections.abc import Sequence
from xml.sax.saxutils import escape

from motcua.lib.numbers import group_thousands

from .queries import ColumnCounts, TableRow

FONT = "Liberation Serif, Times New Roman, serif"
RECEIVED_COLOUR = "#4a6fa5"
RESOLVED_COLOUR = "#9bbf85"
TIMELINESS_COLOURS = (
    ("early", "Trước hạn", "#2e7d32"),
    ("on_time", "Đúng hạn", "#81c784"),
    ("late", "Quá hạn", "#c62828"),
)


def _text(x: float, y: float, content: str, *, size: float = 11, anchor: str = "start", weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-family="{FONT}" font-size="{size}" text-anchor="{anchor}" '
        f'font-weight="{weight}">{escape(content)}</text>'
    )


def _shorten(label: str, limit: int = 34) -> str:
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def received_resolved_bars(rows: Sequence[TableRow], *, width: int = 560) -> str:
    """Horizontal paired bars per field: received (col. 3) above resolved (col. 7).

    Fields with nothing received nor resolved are left out; an empty chart says so in words.
    """
    rows = [r for r in rows if r["received_total"] or r["resolved_total"]]
    label_w, right_pad, bar_h, gap, top = 210, 60, 9, 8, 26
    height = top + max(1, len(rows)) * (2 * bar_h + gap) + 10
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
    ]
    parts.append(f'<rect x="{label_w}" y="4" width="10" height="10" fill="{RECEIVED_COLOUR}"/>')
    parts.append(_text(label_w + 14, 13, "Tiếp nhận (cột 3)", size=10))
    parts.append(f'<rect x="{label_w + 130}" y="4" width="10" height="10" fill="{RESOLVED_COLOUR}"/>')
    parts.append(_text(label_w + 144, 13, "Đã giải quyết (cột 7)", size=10))
    if not rows:
        parts.append(_text(width / 2, top + 8, "Không có hồ sơ trong kỳ.", anchor="middle"))
    peak = max([1, *(max(r["received_total"], r["resolved_total"]) for r in rows)])
    scale = (width - label_w - right_pad) / peak
    y = top
    for row in rows:
        parts.append(_text(label_w - 6, y + bar_h + 3, _shorten(str(row["field"])), size=10, anchor="end"))
        for offset, count, colour in (
            (0, row["received_total"], RECEIVED_COLOUR),
            (bar_h, row["resolved_total"], RESOLVED_COLOUR),
        ):
            length = count * scale
            parts.append(
                f'<rect x="{label_w}" y="{y + offset}" width="{length:.1f}" height="{bar_h - 1}" fill="{colour}"/>'
            )
            parts.append(_text(label_w + length + 3, y + offset + bar_h - 2, group_thousands(count), size=9))
        y += 2 * bar_h + gap
    parts.append(
        f'<line x1="{label_w}" y1="{top - 2}" x2="{label_w}" y2="{y - gap + 2}" stroke="#000" stroke-width="0.6"/>'
    )
    parts.append("</svg>")
    return "".join(parts)


def timeliness_bar(total: ColumnCounts, *, width: int = 560) -> str:
    """One 100% stacked bar of the resolved dossiers: early / on time / late, with shares."""
    counts = {"early": total["early"], "on_time": total["on_time"], "late": total["late"]}
    resolved = sum(counts.values())
    height, bar_y, bar_h = 62, 8, 22
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}">'
    ]
    if resolved == 0:
        parts.append(f'<rect x="0" y="{bar_y}" width="{width}" height="{bar_h}" fill="#eee" stroke="#999"/>')
        parts.append(_text(width / 2, bar_y + 15, "Chưa có hồ sơ giải quyết xong trong kỳ.", anchor="middle"))
    x = 0.0
    legend_x = 0.0
    for key, label, colour in TIMELINESS_COLOURS:
        count = counts[key]
        share = count / resolved if resolved else 0.0
        if count:
            parts.append(
                f'<rect x="{x:.1f}" y="{bar_y}" width="{share * width:.1f}" height="{bar_h}" fill="{colour}"/>'
            )
            if share * width > 40:
                parts.append(
                    _text(x + share * width / 2, bar_y + 15, f"{share * 100:.1f}%".replace(".", ","), anchor="middle")
                )
            x += share * width
        parts.append(f'<rect x="{legend_x}" y="{bar_y + bar_h + 12}" width="10" height="10" fill="{colour}"/>')
        legend = f"{label}: {group_thousands(count)}" + (f" ({share * 100:.1f}%)".replace(".", ",") if resolved else "")
        parts.append(_text(legend_x + 14, bar_y + bar_h + 21, legend, size=10))
        legend_x += width / 3
    parts.append("</svg>")
    return "".join(parts)
