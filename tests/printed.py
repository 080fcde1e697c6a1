"""What a printed document says, read from the HTML weasyprint would lay out (no PDF made).

A PDF is the same HTML laid out (``motcua.lib.pdf``), and laying it out takes weasyprint about
half a second a page. Tests about the words and figures on a paper read ``html_text`` of the
document's HTML; tests whose subject is the PDF itself (pages, fonts, layout, one read-back of
each document kind with poppler) still make a real one.
"""

from __future__ import annotations

import html
import re

# Tags that end a line or a cell when laid out: they become a space, other tags vanish.
_BLOCK = re.compile(
    r"</?(?:p|div|br|tr|td|th|li|ul|ol|h[1-6]|table|thead|tbody|section|header|footer|svg|text|tspan)\b[^>]*>",
    re.IGNORECASE,
)
_HIDDEN = re.compile(r"<(style|script|head)\b.*?</\1>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"<[^>]+>")

#: What a compilation stores as its PDF under the ``report_html`` fixture (tests/conftest.py).
FAKE_PDF = b"%PDF-1.7\n% not laid out: the test reads the HTML\n"


def html_text(document: str) -> str:
    """The visible text of an HTML page, whitespace collapsed (as ``pdftotext`` then ``split``)."""
    text = _TAG.sub("", _BLOCK.sub(" ", _HIDDEN.sub(" ", document)))
    return " ".join(html.unescape(text).split())
