"""CopiesFieldsToShow: a bound form validates with the class's fields; anything shown has its own."""

from __future__ import annotations

from django import forms
from django.template import Context, Template

from motcua.lib.forms import CopiesFieldsToShow

SHARED_TICK = forms.BooleanField(label="Giấy tờ", required=False)


class Sample(CopiesFieldsToShow):
    name = forms.CharField(max_length=10)
    kind = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])

    def __init__(self, *args: object, narrow: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["extra"] = forms.BooleanField(required=False)
        self.share_field("tick", SHARED_TICK)
        if narrow:
            kind = self.own_field("kind")
            assert isinstance(kind, forms.ChoiceField)
            kind.choices = [("a", "A")]


CRISPY = Template("{% load crispy_forms_tags %}{{ form.name|as_crispy_field }}{{ form.kind|as_crispy_field }}")


def widget_attrs() -> dict[str, dict[str, object]]:
    return {name: dict(field.widget.attrs) for name, field in Sample.base_fields.items()}


def test_a_bound_form_validates_with_the_class_fields_and_copies_nothing():
    form = Sample({"name": "An", "kind": "b"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"name": "An", "kind": "b", "extra": False, "tick": False}
    assert form.fields["name"] is Sample.base_fields["name"]
    assert form.fields["kind"] is Sample.base_fields["kind"]
    assert form.fields["tick"] is SHARED_TICK


def test_an_unbound_form_has_its_own_fields_from_the_start():
    form = Sample()
    assert all(form.fields[name] is not field for name, field in Sample.base_fields.items())
    assert form.fields["tick"] is not SHARED_TICK
    assert list(form.fields) == ["name", "kind", "extra", "tick"]


def test_a_field_changed_in_init_is_the_instance_s_own():
    narrowed = Sample({"name": "An", "kind": "b"}, narrow=True)
    assert not narrowed.is_valid()
    assert "kind" in narrowed.errors
    assert [value for value, _ in Sample.base_fields["kind"].choices] == ["a", "b"]  # type: ignore[attr-defined]
    assert Sample({"name": "An", "kind": "b"}).is_valid()  # the next form offers both again


def test_showing_a_bound_form_copies_its_fields_first_and_leaves_the_class_untouched():
    before = widget_attrs()
    invalid = Sample({"name": "x" * 11, "kind": "z"})
    assert not invalid.is_valid()
    html = CRISPY.render(Context({"form": invalid}))
    assert "is-invalid" in html  # crispy marked the copies' widgets
    assert invalid.fields["name"] is not Sample.base_fields["name"]
    assert invalid.fields["tick"] is not SHARED_TICK
    assert list(invalid.fields) == ["name", "kind", "extra", "tick"]
    assert widget_attrs() == before
    fresh = CRISPY.render(Context({"form": Sample({"name": "An", "kind": "a"})}))
    assert "is-invalid" not in fresh
    assert invalid.errors["name"]  # the errors survive the copy


def test_reading_a_bound_field_after_validation_gives_the_copy():
    form = Sample({"name": "An", "kind": "a"})
    assert form.is_valid()
    bound = form["name"]
    assert bound.field is form.fields["name"] is not Sample.base_fields["name"]
    assert bound.value() == "An"
