"""Numbers as Vietnamese text: a dot between thousands, a comma before decimals (1.234.567; 12,5)."""

from __future__ import annotations

# Python writes 1,234.5; Vietnamese writes 1.234,5: swap the two marks in one pass.
_VIETNAMESE_MARKS = str.maketrans(",.", ".,")


def group_thousands(value: float, *, decimals: int = 0) -> str:
    """1234567 → '1.234.567'; with ``decimals=1``, 1234.56 → '1.234,6'.

    Without decimals the value is truncated to a whole number, as counts and amounts are.
    """
    text = f"{value:,.{decimals}f}" if decimals else f"{int(value):,}"
    return text.translate(_VIETNAMESE_MARKS)
