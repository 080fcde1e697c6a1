"""The one way this project makes a PDF: a Django template rendered to HTML, then weasyprint.

Each printable document has one context builder (see ``hoso.documents``); the view, a task, a
preview page and the tests all go through ``render_html`` and ``html_to_pdf`` below, so what a
test inspects is exactly what gets printed. weasyprint (cffi, pango) loads with this module: about
half a second and 20 MB once per process, paid at start rather than by the first slip printed.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from django.conf import settings
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetcher

# Resources may come from the project's own files or be inlined (data: URIs, inline SVG); wards
# sit on closed networks and a slip must never wait on, or leak data to, a remote server.
ALLOWED_PROTOCOLS = frozenset({"file", "data"})


def render_html(template_name: str, context: dict[str, Any]) -> str:
    """Render a Django template to an HTML string (no request: PDFs carry no CSRF or user state)."""
    return render_to_string(template_name, context)


def _base_url() -> str:
    """Relative URLs in PDF templates resolve against the project's static/ folder."""
    return Path(settings.BASE_DIR, "static").resolve().as_uri() + "/"


def html_to_pdf(html: str, *, base_url: str | None = None) -> bytes:
    """Lay out `html` with weasyprint and return the PDF bytes.

    Contract: no network access. Only file: and data: URLs are fetched; an http(s) URL in the
    HTML or CSS is refused (weasyprint logs a warning and leaves the resource out). Fonts come from
    the system's fontconfig (Debian fonts-liberation2 provides "Liberation Serif").
    ``base_url`` defaults to the project's static/ folder as a file: URI.
    """
    return _document(html, base_url).write_pdf()


def _document(html: str, base_url: str | None) -> Any:
    fetcher = URLFetcher(allowed_protocols=ALLOWED_PROTOCOLS, allow_redirects=False, timeout=5)
    return HTML(string=html, base_url=base_url or _base_url(), url_fetcher=fetcher)


def fitting_pdf(layouts: Sequence[str], *, max_pages: int, base_url: str | None = None) -> bytes:
    """The PDF of the first of `layouts` (HTML, roomiest first) that takes at most `max_pages` pages.

    A slip whose text is long (a 170-character organisation's name, a long address) is set a
    little tighter rather than pushing its signatures onto a page of their own; the last layout
    is used whatever its length. Same contract as ``html_to_pdf``.
    """
    for position, html in enumerate(layouts):
        rendered = _document(html, base_url).render()
        if len(rendered.pages) <= max_pages or position == len(layouts) - 1:
            return rendered.write_pdf()
    raise ValueError("fitting_pdf needs at least one layout")
