"""The ward's report narrative is data: bounded, cleaned, and printed escaped, never compiled as a template."""

from __future__ import annotations

import pytest

from baocao.exports import render_report_html, report_context
from baocao.forms import NarrativeForm
from baocao.models import Report
from motcua.lib.text import TextLimit
from tests.factories import AgencyFactory

from .figures import sample_figures

pytestmark = pytest.mark.django_db

INJECTION = "{{ report.agency.staff.all }} {% load static %}{% debug %} <script>alert(1)</script> {0.__class__}"


@pytest.fixture
def report(db):
    figures = sample_figures()
    return Report(
        agency=AgencyFactory(code="000.25.31.H26", name="Phường Hoàn Kiếm"),
        period_kind="decree_half_year",
        start="2025-12-15",
        end="2026-06-14",
        label=figures["period"]["label"],
        direction=INJECTION,
        figures=figures,
    )


def test_template_syntax_in_the_narrative_is_printed_as_typed_and_escaped(report):
    html = render_report_html(report_context(report.figures, report=report))
    assert "{{ report.agency.staff.all }} {% load static %}{% debug %}" in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; {0.__class__}" in html
    assert "<script>alert(1)" not in html


def test_a_section_longer_than_the_limit_is_refused_with_a_vietnamese_message(report):
    report.save()
    form = NarrativeForm({"direction": "x" * (TextLimit.NARRATIVE + 1)}, instance=report)
    assert not form.is_valid()
    assert form.errors["direction"] == [
        f"Nội dung dài quá: tối đa {TextLimit.NARRATIVE} ký tự (đã nhập {TextLimit.NARRATIVE + 1} ký tự)."
    ]


def test_bidi_overrides_and_control_characters_are_stripped_from_the_narrative(report):
    report.save()
    form = NarrativeForm({"direction": "Ban hành\u202e kế hoạch\x00\r\nDòng hai"}, instance=report)
    assert form.is_valid(), form.errors
    assert form.cleaned_data["direction"] == "Ban hành kế hoạch\nDòng hai"


def test_the_service_refuses_an_oversized_section_from_a_script(report, leader_of):
    from baocao import services

    report.save()
    with pytest.raises(services.ReportError, match="dài quá"):
        services.update_narrative(
            report=report, data={"direction": "x" * (TextLimit.NARRATIVE + 1)}, user=leader_of(report.agency)
        )
    report.refresh_from_db()
    assert report.direction == INJECTION


@pytest.fixture
def leader_of():
    from motcua.constants import Role
    from tests.factories import UserFactory

    return lambda agency: UserFactory(agency=agency, role=Role.LEADER, username="lanhdao_x")
