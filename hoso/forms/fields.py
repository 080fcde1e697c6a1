"""Fields and helpers the dossier app's forms share: the staff note, the optional choice of a field
or a procedure, the choices of the ward's fields, and the marking of a filter form's bad boxes."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms

from motcua.lib.text import FreeText, TextLimit, vi_sort_key
from thutuc.models import Procedure

BAD_CHOICE = "Lựa chọn không hợp lệ: hãy chọn trong danh sách."


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


def mark_invalid(form: forms.Form) -> None:
    """Add Bootstrap's ``is-invalid`` to the widget of every field with an error."""
    for name in form.errors:
        if name in form.fields:
            widget = form.fields[name].widget
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()
