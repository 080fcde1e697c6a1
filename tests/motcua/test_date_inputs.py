"""Typed dates: one list of accepted formats (motcua.lib.dates), read by every date field of every form."""

from __future__ import annotations

import importlib
from datetime import date

import pytest
from django import forms
from django.utils import formats, translation

from motcua.lib.dates import BAD_DATE, DATE_INPUT_FORMATS, DayField

FORM_MODULES = ("hoso.forms", "baocao.forms")


@pytest.mark.parametrize(
    "typed",
    [
        "05/03/2026",  # dd/mm/yyyy, as printed on every slip
        "5/3/2026",  # d/m/yyyy, as clerks often type it
        "05-03-2026",  # dashes
        "2026-03-05",  # ISO, what a date picker sends
        " 05/03/2026 ",  # stray spaces around
    ],
)
def test_every_accepted_way_of_typing_thursday_5_march_2026_reads_the_same_day(typed):
    assert DayField().clean(typed) == date(2026, 3, 5)


@pytest.mark.parametrize("typed", ["2026/03/05", "05.03.2026", "03/13/2026", "31/02/2026", "05/03/26", "hôm nay"])
def test_anything_else_gets_the_vietnamese_message(typed):
    with pytest.raises(forms.ValidationError) as exc:
        DayField().clean(typed)
    assert exc.value.messages == [BAD_DATE]


def test_day_first_never_month_first():
    # 03/09/2026 is 3 September (the US order would read 9 March).
    assert DayField().clean("03/09/2026") == date(2026, 9, 3)


def test_a_field_may_say_more_but_keeps_the_date_message():
    field = DayField(error_messages={"required": "Hãy nhập ngày."})
    assert field.error_messages["invalid"] == BAD_DATE and field.error_messages["required"] == "Hãy nhập ngày."


def test_the_vietnamese_locale_reads_dates_by_the_same_list():
    with translation.override("vi"):
        assert list(formats.get_format("DATE_INPUT_FORMATS")) == list(DATE_INPUT_FORMATS)
        # A plain DateField (an admin page, a model form) then reads 5/3/2026 as 5 March too.
        assert forms.DateField().clean("5/3/2026") == date(2026, 3, 5)


def _date_fields() -> list[tuple[str, forms.DateField]]:
    found = []
    for module in map(importlib.import_module, FORM_MODULES):
        for name in dir(module):
            form = getattr(module, name)
            if (
                isinstance(form, type)
                and issubclass(form, forms.BaseForm)
                and form.__module__.startswith(module.__name__)
            ):
                found += [
                    (f"{form.__name__}.{field_name}", field)
                    for field_name, field in form.base_fields.items()
                    if isinstance(field, forms.DateField)
                ]
    return found


def test_every_date_field_of_the_apps_forms_accepts_the_same_formats():
    fields = _date_fields()
    names = {name for name, _ in fields}
    assert {"IntakeForm.manual_due_date", "ExtendForm.new_due_date", "PeriodForm.start"} <= names
    assert {"DossierSearchForm.received_from", "BookForm.start", "NarrativeForm.issued_on"} <= names
    for name, field in fields:
        assert list(field.input_formats) == list(DATE_INPUT_FORMATS), name
        assert field.error_messages["invalid"] == BAD_DATE, name
