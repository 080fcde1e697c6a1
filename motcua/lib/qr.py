"""QR codes as inline SVG (segno): printed on slips and shown on web pages."""

from __future__ import annotations

import io

import segno
from django.utils.safestring import SafeString, mark_safe


def qr_svg(data: str, *, scale: int = 3, title: str = "") -> SafeString:
    """An `<svg>` element encoding `data` as a QR code, ready to put in HTML as it is.

    Contract: error correction level M (readable from a creased or stamped slip), a quiet zone of
    4 modules, black on a transparent background; width and height in CSS pixels (one module =
    `scale` px) and a matching viewBox, so CSS may resize it; the SVG namespace declared, no XML
    declaration. `title` (escaped by segno) becomes the SVG's <title>, read by screen readers.
    The result is marked safe: it holds only what segno draws and the escaped title.
    """
    if scale < 1:
        raise ValueError("scale must be a positive integer")
    code = segno.make(data, error="m", micro=False)
    buffer = io.BytesIO()
    code.save(
        buffer,
        kind="svg",
        scale=scale,
        border=4,
        dark="#000",
        xmldecl=False,
        svgns=True,
        nl=False,
        svgclass="qr",
        lineclass=None,
        title=title or None,  # segno escapes it
    )
    width, height = code.symbol_size(scale=scale, border=4)
    # A viewBox lets CSS size the code (e.g. in mm on a slip) without cropping it.
    svg = buffer.getvalue().decode("utf-8").replace("<svg ", f'<svg viewBox="0 0 {width} {height}" ', 1)
    return mark_safe(svg)  # noqa: S308 — segno's own markup, title escaped by segno
