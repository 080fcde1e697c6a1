"""Numbers as Vietnamese text (motcua.lib.numbers) and the places that print them."""

from __future__ import annotations

import pytest

from baocao import charts
from baocao.exports import number
from motcua.lib.numbers import group_thousands
from motcua.templatetags.motcua import dong


@pytest.mark.parametrize(
    ("value", "text"),
    [(0, "0"), (999, "999"), (1000, "1.000"), (59010, "59.010"), (1234567, "1.234.567"), (-45000, "-45.000")],
)
def test_thousands_are_grouped_with_dots(value, text):
    assert group_thousands(value) == text


def test_decimals_take_a_comma_and_whole_numbers_drop_the_fraction():
    assert group_thousands(1234.56, decimals=1) == "1.234,6"
    assert group_thousands(0.25, decimals=2) == "0,25"
    assert group_thousands(1234.9) == "1.234"  # counts and amounts are whole


def test_amounts_report_figures_and_chart_labels_use_the_one_helper():
    assert dong(2000000) == "2.000.000 đồng"
    assert dong(None) == ""
    assert number(8124) == "8.124" and number(12.5) == "12,5" and number(3.0) == "3" and number(None) == "–"
    rows = [{"field": "Hộ tịch", "received_total": 12345, "resolved_total": 1000}]
    assert "12.345" in charts.received_resolved_bars(rows)
