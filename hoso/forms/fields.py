"""Fields and helpers the dossier app's forms share: the staff note, the optional choice of a field
or a procedure, the choices of the ward's fields, and a filter form's crispy layout and bad boxes."""

from __future__ import annotations

from collections.abc import Iterable

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Field, Layout, Row
from django import forms

from motcua.lib.text import FreeText, TextLimit, vi_sort_key
from thutuc.models import Procedure

BAD_CHOICE = "Lựa chọn không hợp lệ: hãy chọn trong danh sách."
# One field of a filter form: its label, its box, its errors (the lists' own markup, not crispy's).
FILTER_FIELD_TEMPLATE = "hoso/worklists/_field.html"


def note_field(label: str = "Ghi chú") -> FreeText:
    """The optional staff note of an action (two lines, the note's length limit)."""
    return FreeText(label=label, required=False, multiline=True, max_length=TextLimit.NOTE, rows=2)


def optional_choice(label: str) -> forms.TypedChoiceField:
    """A choice of a field or a procedure by id, empty for "all" (choices set by the form)."""
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, empty_value=None, error_messages={"invalid_choice": BAD_CHOICE}
    )


def field_choices(procedures: Iterable[Procedure]) -> list[tuple[object, str]]:
    """ "All fields", then the fields of these procedures in Vietnamese alphabetical order."""
    fields = sorted({p.field_id: p.field.name for p in procedures}.items(), key=lambda x: vi_sort_key(x[1]))
    return [("", "Tất cả lĩnh vực"), *fields]


def filter_layout(*cells: tuple[str, str]) -> FormHelper:
    """The crispy helper of a filter form: one Bootstrap row of (field name, column classes).

    The page writes the ``<form>`` tag and the buttons; non-field errors are shown by the page.
    """
    helper = FormHelper()
    helper.form_tag = False
    helper.disable_csrf = True
    helper.form_show_errors = False
    columns = [Column(Field(name, template=FILTER_FIELD_TEMPLATE), css_class=css) for name, css in cells]
    helper.layout = Layout(Row(*columns, css_class="g-2"))
    return helper


def mark_invalid(form: forms.Form) -> None:
    """Add Bootstrap's ``is-invalid`` to the widget of every field with an error."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
