"""Reads of the procedure catalogue."""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Collate, Length

from motcua.lib.text import fold

from .models import Field, Procedure


def vi_order(expression: str) -> Collate:
    """Order by a text column in Vietnamese alphabetical order."""
    return Collate(expression, settings.VI_COLLATION)


def fields_in_use() -> QuerySet[Field]:
    return Field.objects.filter(procedures__active=True).distinct().order_by(vi_order("name"))


def search_procedures(
    query: str = "", *, field_id: int | None = None, agency_id: int | None = None
) -> QuerySet[Procedure]:
    """Active procedures matching every word of `query` (case and diacritics ignored), best first.

    Ranking: exact code, then the whole phrase equal to the name, at its start, anywhere, then
    the words in any order; shorter names first within a rank, then Vietnamese order.
    """
    queryset = Procedure.objects.filter(active=True).select_related("field")
    if agency_id is not None:
        queryset = queryset.filter(offers__agency_id=agency_id, offers__active=True)
    if field_id is not None:
        queryset = queryset.filter(field_id=field_id)
    if re.fullmatch(r"\s*[0-9]{7}\s*", query):  # a code typed without its dot: 2000815 → 2.000815
        query = f"{query.strip()[0]}.{query.strip()[1:]}"
    phrase = fold(query)
    if not phrase:
        return queryset.order_by(vi_order("field__name"), "code")
    words = phrase.split(" ")
    for word in words:
        queryset = queryset.filter(search_text__contains=word)
    # search_text is "<code> <name>", so a phrase equal to the name is exactly the suffix after the code.
    rank = Case(
        When(Q(code__iexact=query.strip()), then=Value(0)),
        When(search_text__regex=r"^\S+ " + _regex_escape(phrase) + "$", then=Value(1)),
        When(search_text__regex=r"^\S+ " + _regex_escape(phrase), then=Value(2)),
        When(search_text__contains=phrase, then=Value(3)),
        default=Value(4),
        output_field=IntegerField(),
    )
    return queryset.annotate(rank=rank, name_length=Length("name")).order_by("rank", "name_length", "code")


def _regex_escape(text: str) -> str:
    # Folded text holds only letters, digits, spaces and punctuation; escape what a regex would read.
    return "".join("\\" + ch if ch in r".^$*+?{}[]\|()" else ch for ch in text)
