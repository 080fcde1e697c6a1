"""Helpers for admin tests: the POST data an admin page's form would send back as it is."""

from __future__ import annotations

from typing import Any

from django import forms


def _field_values(form: forms.BaseForm) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name, field in form.fields.items():
        key = form.add_prefix(name)
        value = form[name].value()
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
            continue
        if isinstance(field, forms.ModelMultipleChoiceField):
            data[key] = [getattr(v, "pk", v) for v in (value or [])]
            continue
        if isinstance(field, forms.SplitDateTimeField):
            # The admin's date and time boxes: name_0 and name_1.
            if value:
                data[f"{key}_0"] = f"{value:%d/%m/%Y}" if hasattr(value, "strftime") else ""
                data[f"{key}_1"] = f"{value:%H:%M:%S}" if hasattr(value, "strftime") else ""
            continue
        if value is None:
            value = ""
        if hasattr(value, "strftime"):
            value = field.widget.format_value(value) if hasattr(field.widget, "format_value") else str(value)
        data[key] = value
    return data


def page_data(response: Any) -> dict[str, Any]:
    """The admin add/change page's form and inline formsets, as the browser would post them unchanged."""
    context = response.context
    data = _field_values(context["adminform"].form)
    for inline in context.get("inline_admin_formsets") or []:
        formset = inline.formset
        management = formset.management_form
        data.update({management.add_prefix(name): management[name].value() for name in management.fields})
        for form in formset.forms:
            data.update(_field_values(form))
    return data
