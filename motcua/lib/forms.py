"""A form that copies its fields only when it is shown (``CopiesFieldsToShow``).

Django gives every form instance deep copies of the class's fields — each field, its widget, the
widget's attributes and choices — so that what one instance changes stays its own: what its
``__init__`` sets (choices, messages) and what rendering writes (crispy-forms adds its CSS classes,
``is-invalid`` among them, to the widget's ``attrs``). A bound form that is validated and never
shown changes nothing, yet pays for the copies: for the counter's intake form, the desk's busiest
POST, they were most of the form's cost.
"""

from __future__ import annotations

import copy
from typing import Any

from django import forms


class _CopiedShallow(dict):  # type: ignore[type-arg]
    """The class's fields as ``BaseForm.__init__`` copies them here: the dict, not the fields."""

    def __deepcopy__(self, memo: dict[int, Any]) -> dict[str, forms.Field]:
        return dict(self)


class CopiesFieldsToShow(forms.Form):
    """A form whose bound instance validates with shared field objects — the class's, and any the
    subclass adds with ``share_field`` (built once, e.g. per procedure) — and takes its own copies,
    as Django's forms do at once, the first time anything else reads a bound field (a template,
    ``form[name]``, iterating the form); an unbound form (built to be shown) copies at once.

    Rules for subclasses: change a field only through ``own_field(name)``; fields added with
    ``self.fields[name] = …`` must be the instance's own. Shared field objects are used by
    concurrent requests while they validate, as Django shares a model's fields: their ``clean``
    must not change them.
    """

    _shared: frozenset[str] | set[str] = frozenset()  # names whose field objects are shared
    _validating = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.base_fields = _CopiedShallow(type(self).base_fields)
        try:
            super().__init__(*args, **kwargs)
        finally:
            del self.base_fields  # the class's again
        self._shared = set(self.fields)
        if not self.is_bound:
            self._own_fields()

    def share_field(self, name: str, field: forms.Field) -> None:
        """Add ``field`` as ``name``: an object other instances use too (copied for an unbound form)."""
        if self.is_bound:
            self._shared.add(name)
        else:
            field = copy.deepcopy(field)
        self.fields[name] = field
        self._bound_fields_cache.pop(name, None)

    def own_field(self, name: str) -> forms.Field:
        """The field ``name``, copied for this instance first if it is shared: to change it."""
        if name in self._shared:
            self.fields[name] = copy.deepcopy(self.fields[name])
            self._shared.discard(name)
            self._bound_fields_cache.pop(name, None)
        return self.fields[name]

    def _own_fields(self) -> None:
        if self._shared:
            shared, self._shared = self._shared, set()
            self.fields = {
                name: copy.deepcopy(field) if name in shared else field for name, field in self.fields.items()
            }
            self._bound_fields_cache = {}  # bound to the shared fields: made again on the copies

    def full_clean(self) -> None:
        self._validating = True
        try:
            super().full_clean()
        finally:
            self._validating = False

    def __getitem__(self, name: str) -> forms.BoundField:
        if self._shared and not self._validating:
            self._own_fields()
        return super().__getitem__(name)
