"""The dossier app's forms package: what it exports, and the filter forms' crispy layouts."""

from __future__ import annotations

import pytest

from hoso import forms as hoso_forms
from hoso.forms import BookForm, DossierSearchForm
from hoso.forms.fields import FILTER_FIELD_TEMPLATE


def test_every_form_is_exported_from_the_package():
    for name in hoso_forms.__all__:
        assert getattr(hoso_forms, name).__module__.startswith("hoso.forms."), name


@pytest.mark.parametrize("form_class", [DossierSearchForm, BookForm])
def test_a_filter_forms_layout_draws_every_field_with_the_lists_field_template(form_class):
    form = form_class(procedures=[])
    fields = form.helper.layout.get_field_names()
    assert sorted(pointer.name for pointer in fields) == sorted(form.fields)
    row = form.helper.layout.fields[0]
    assert "g-2" in row.css_class
    assert all(column.fields[0].template == FILTER_FIELD_TEMPLATE for column in row.fields)
    assert not form.helper.form_tag  # the page writes the <form> tag and its buttons
