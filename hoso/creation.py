"""What every new dossier gets, whichever way it comes in (the counter and ``hoso.workflow``, online
submission in ``hoso.online``, the import in ``hoso.importing``): its public lookup key, the
snapshot of the procedure as the applicant was told it, the day's gapless code, and its first
save with the papers received.

Plain building blocks: they set no status and write no event (``hoso.workflow`` does).
"""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from motcua.lib.codepattern import pattern_for
from motcua.lib.prepared import prepared_cursor
from motcua.models import Agency
from thutuc.models import Procedure

from . import workcalendar as wc
from .events import Companion
from .models import Dossier, DossierCounter, DossierDocument, DossierEvent, search_text_before_code

# No look-alike characters (0/O, 1/I/L, 2/Z, 5/S, 8/B): the key is read off paper and typed.
LOOKUP_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
LOOKUP_KEY_LENGTH = 8


def new_lookup_key() -> str:
    return "".join(secrets.choice(LOOKUP_ALPHABET) for _ in range(LOOKUP_KEY_LENGTH))


def procedure_snapshot(
    procedure: Procedure, limit: wc.Limit | None, fee_text: str, limit_text: str | None = None
) -> dict[str, Any]:
    return {
        "code": procedure.code,
        "name": procedure.display_name,
        "field": procedure.field.name,
        "time_limit_text": procedure.time_limit_text if limit_text is None else limit_text,
        "limit": None
        if limit is None
        else {
            "value": limit.value,
            "unit": limit.unit.value,
            "cutoff": limit.cutoff.strftime("%H:%M") if limit.cutoff else None,
        },
        "fee_text": fee_text,
        "documents": [
            {"name": d.name, "form": d.form, "quantity": d.quantity, "mandatory": d.mandatory}
            for d in procedure.documents.all()
        ],
    }


def next_code(agency: Agency, day: date) -> str:
    """The day's next gapless number for the agency, in one statement.

    The upsert creates the day's counter at 1 or adds one to it and returns the number; the row it
    wrote stays locked until the intake transaction ends, so concurrent intakes queue here and a
    rolled-back intake gives its number back.
    """
    table = connection.ops.quote_name(DossierCounter._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (agency_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608 — the model's own table
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {table}.last + 1 RETURNING last",
            [agency.pk, connection.ops.adapt_datefield_value(day)],
        )
        (seq,) = cursor.fetchone()
    return pattern_for(agency.dossier_code_pattern).render(agency.code, day, seq)


@dataclass(frozen=True)
class Unless:
    """A question asked in the same statement as the write (``save_new``): SQL answered by one row
    of one column (a dossier's key) or none, with its parameters. When it finds a row nothing is
    written and ``save_new`` raises ``EarlierFound``. The desk's receipt asks whether the same
    applicant's dossier was just received (``hoso.applicants.duplicate_query``)."""

    sql: str
    params: list[Any]


class EarlierFound(Exception):
    """``Unless`` found a dossier: nothing was written."""

    def __init__(self, pk: int) -> None:
        super().__init__(pk)
        self.pk = pk


@dataclass(frozen=True)
class DayNumber:
    """Number the dossier with the agency's next code of the day (``next_code``), in its own statement."""

    agency: Agency
    day: date


def save_new(
    dossier: Dossier,
    papers: Sequence[tuple[int | None, str, str, int]] = (),
    *,
    event: DossierEvent | None = None,
    number: DayNumber | None = None,
    companions: Sequence[Companion] = (),
    unless: Unless | None = None,
) -> None:
    """Write a new dossier, the papers received with it (required paper id, name, form, quantity),
    when given its first event (built by the workflow, not saved yet) and the rows other apps write
    with it (``hoso.events.companions_for``); with ``number``, give it the agency's next code of the
    day first (``next_code``); with ``unless``, write nothing and raise ``EarlierFound`` when its
    question finds a dossier (asked in the same statement on PostgreSQL, just before elsewhere).

    Field validation only: the database itself enforces uniqueness and the check constraints.
    On PostgreSQL all of it is one statement (``_insert_new``: the day counter's upsert, the code
    rendered from the checked pattern, the dossier, its papers, its event, the companions): a receipt
    is the desk's busiest write. Elsewhere (SQLite) ``next_code`` and the ORM write them one by one.
    """
    postgresql = connection.vendor == "postgresql"
    if unless is not None and not postgresql:
        with connection.cursor() as cursor:
            cursor.execute(unless.sql, unless.params)
            if (row := cursor.fetchone()) is not None:
                raise EarlierFound(row[0])
    if number is not None and not postgresql:
        dossier.code = next_code(number.agency, number.day)
    numbered_here = number is not None and postgresql
    dossier.full_clean(
        exclude=["clerk", "procedure", "field", "agency", *(["code"] if numbered_here else [])],
        validate_unique=False,
        validate_constraints=False,
    )
    if not postgresql:
        dossier.save()
        DossierDocument.objects.bulk_create(
            DossierDocument(dossier=dossier, required_document_id=rid, name=name, form=form, quantity=qty)
            for rid, name, form, qty in papers
        )
        if event is not None:
            event.dossier = dossier
            event.save()
        for companion in companions:
            assert event is not None or not companion.event_key, "the event's key needs an event"
            setattr(companion.row, companion.link, dossier)
            companion.fill(dossier.code or "", None if event is None else event.pk)
            companion.row.save()
            for child in companion.children:
                setattr(child, companion.child_link, companion.row)
                child.save()
        return
    dossier.refresh_search_text()  # what Dossier.save does before it writes (without the code yet)
    written = _insert_new(dossier, papers, event, number, companions, unless)
    if written.earlier is not None:
        raise EarlierFound(written.earlier)
    code = written.code
    if numbered_here:
        dossier.code = code
        dossier.refresh_search_text()  # as the statement wrote it
    _saved(dossier, written.dossier)
    if event is not None:
        event.dossier = dossier
        _saved(event, written.event)
    ids = iter(written.companions)
    for companion in companions:
        setattr(companion.row, companion.link, dossier)
        companion.fill(code, written.event)  # as the statement wrote it
        _saved(companion.row, next(ids))
        for child in companion.children:
            setattr(child, companion.child_link, companion.row)
            _saved(child, next(ids))


def _saved(instance: Model, pk: int | None) -> None:
    """Mark an instance written by ``_insert_new`` as the ORM marks one it saved."""
    instance.pk = pk
    instance._state.adding = False
    instance._state.db = connection.alias


@cache
def _columns(model: type[Model], skip: str = "") -> tuple[tuple[Field, ...], str]:
    """A model's columns of a new row, as the ORM's insert writes them: every concrete field but the
    key (and ``skip``), with their quoted column names joined for the statement."""
    fields = tuple(f for f in model._meta.concrete_fields if not f.primary_key and f.name != skip)
    return fields, ", ".join(connection.ops.quote_name(f.column) for f in fields)


def _values(instance: Model, fields: Sequence[Field]) -> list[Any]:
    """The values of a new row as the ORM's own insert takes them: through each field's ``pre_save``
    and ``get_db_prep_save``."""
    return [f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields]


def _linked_insert(
    model: type[Model], link: str, source: str, event_key: str = "", code_at: tuple[tuple[str, ...], ...] = ()
) -> str:
    """An INSERT of one ``model`` row whose foreign key ``link`` is ``source``'s new row, returning
    its key as ``id`` (the values follow as parameters, in ``_columns(model, link)``'s order, as
    ``_linked_params`` gives them). ``event_key``, ``code_at``: see ``hoso.events.Companion``
    (``source`` is then the new dossier, the first event ``new_event``)."""
    quote = connection.ops.quote_name
    fields, columns = _columns(model, link)
    link_field = model._meta.get_field(link)
    assert isinstance(link_field, Field)  # a foreign key, not a reverse relation
    expressions = []
    for field in fields:
        expression = "%s"
        if field.name == event_key:
            expression = "(SELECT id FROM new_event)"
        for _ in range(sum(path[0] == field.name for path in code_at)):  # one per path, its own parameter
            expression = f"jsonb_set({expression}, %s::text[], to_jsonb({source}.code))"
        expressions.append(expression)
    return (
        f"INSERT INTO {quote(model._meta.db_table)} ({quote(link_field.column)}, {columns}) "  # noqa: S608 — the models' own names
        f"SELECT {source}.id, {', '.join(expressions)} FROM {source} RETURNING {quote(model._meta.pk.column)} AS id"
    )


def _linked_params(row: Model, link: str, event_key: str = "", code_at: tuple[tuple[str, ...], ...] = ()) -> list[Any]:
    """The parameters of ``_linked_insert``'s statement for ``row``."""
    fields, _ = _columns(type(row), link)
    params: list[Any] = []
    for field, value in zip(fields, _values(row, fields), strict=True):
        if field.name != event_key:
            params.append(value)
        params += [list(path[1:]) for path in code_at if path[0] == field.name]
    return params


@dataclass(frozen=True)
class _Written:
    earlier: int | None  # what ``Unless`` found (then nothing else was written)
    dossier: int
    event: int | None
    code: str
    companions: tuple[int, ...]  # each companion's key, then its children's, in order


# (Unless's SQL or "", numbered, with an event, each companion's (model, link, children's models,
# child link, event key, code paths)) → SQL
_CompanionShape = tuple[type[Model], str, tuple[type[Model], ...], str, str, tuple[tuple[str, ...], ...]]
_Shape = tuple[str, bool, bool, tuple[_CompanionShape, ...]]


@cache
def _statement(shape: _Shape) -> str:
    """The text of ``_insert_new``'s statement for its shape: it depends on nothing else, so each
    process writes it once per shape (a few: with or without a number, an event, a fee request)."""
    unless, numbered, with_event, companions = shape
    quote = connection.ops.quote_name
    table = quote(Dossier._meta.db_table)
    fields, columns = _columns(Dossier)
    expressions = ["%s"] * len(fields)
    sql = "WITH "
    source = ""
    # With a question, the first row written (the counter's, else the dossier's) is written only
    # when it finds nothing; every other row hangs on that one.
    guard = " WHERE NOT EXISTS (SELECT FROM earlier)" if unless else ""
    if unless:
        sql += f"earlier AS ({unless}), "
    if numbered:
        counter = quote(DossierCounter._meta.db_table)
        sql += (
            f"counter AS (INSERT INTO {counter} (agency_id, day, last) SELECT %s, %s, 1{guard} "  # noqa: S608 — the models' own names
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {counter}.last + 1 RETURNING last), "
            "numbered AS (SELECT %s || lpad(last::text, greatest(%s, length(last::text)), '0') || %s AS code "
            "FROM counter), "
        )
        names = [f.name for f in fields]
        expressions[names.index("code")] = "numbered.code"
        expressions[names.index("search_text")] = "%s || lower(numbered.code) || ' '"
        source = " FROM numbered"
    else:
        source = guard
    paper_fields = {f.name: f for f in DossierDocument._meta.concrete_fields}
    paper_columns = ", ".join(
        quote(paper_fields[name].column) for name in ("dossier", "required_document", "name", "form", "quantity")
    )
    key = quote(Dossier._meta.pk.column)
    sql += (
        f"new_dossier AS (INSERT INTO {table} ({columns}) SELECT {', '.join(expressions)}{source} "  # noqa: S608 — the models' own names
        f"RETURNING {key} AS id, {quote(Dossier._meta.get_field('code').column)} AS code), "
        f"new_papers AS (INSERT INTO {quote(DossierDocument._meta.db_table)} ({paper_columns}) "
        "SELECT new_dossier.id, paper.required_id, paper.name, paper.form, paper.quantity FROM new_dossier, "
        "unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::smallint[]) "
        "AS paper(required_id, name, form, quantity))"
    )
    returned = ["new_dossier.id", "(SELECT id FROM new_event)" if with_event else "NULL", "new_dossier.code"]
    if with_event:
        sql += f", new_event AS ({_linked_insert(DossierEvent, 'dossier', 'new_dossier')})"
    for i, (model, link, children, child_link, event_key, code_at) in enumerate(companions):
        assert with_event or not event_key, "a companion takes the event's key only with an event"
        assert numbered or not code_at, "a companion takes the code only of a dossier numbered here"
        sql += f", companion_{i} AS ({_linked_insert(model, link, 'new_dossier', event_key, code_at)})"
        returned.append(f"(SELECT id FROM companion_{i})")  # noqa: S608 — our own names
        for j, child in enumerate(children):
            sql += f", companion_{i}_{j} AS ({_linked_insert(child, child_link, f'companion_{i}')})"
            returned.append(f"(SELECT id FROM companion_{i}_{j})")  # noqa: S608 — our own names
    if unless:  # one row whatever happened: what the question found, or what was written
        found = "(SELECT * FROM earlier)"
        return sql + f" SELECT {found}, {', '.join(returned)} FROM (SELECT) AS one LEFT JOIN new_dossier ON TRUE"  # noqa: S608 — our own names
    return sql + f" SELECT NULL, {', '.join(returned)} FROM new_dossier"  # noqa: S608 — our own names


def _insert_new(
    dossier: Dossier,
    papers: Sequence[tuple[int | None, str, str, int]],
    event: DossierEvent | None,
    number: DayNumber | None,
    companions: Sequence[Companion],
    unless: Unless | None,
) -> _Written:
    """INSERT the dossier and, in the same statement (data-modifying WITH clauses), its papers, its
    first event, the companion rows and, with ``number``, the day counter's upsert it takes its code
    from (``_statement``).

    The code is ``head || the number zero-padded to width || suffix`` (``CodePattern.around_number``,
    the same as ``next_code``), the search text the one of ``dossier_search_text`` with that code.
    tests/hoso/test_creation.py checks the rows equal those the ORM and ``next_code`` write.
    """
    fields, _ = _columns(Dossier)
    values = _values(dossier, fields)
    params: list[Any] = [] if unless is None else list(unless.params)
    if number is not None:
        head, width, suffix = pattern_for(number.agency.dossier_code_pattern).around_number(
            number.agency.code, number.day
        )
        params += [number.agency.pk, connection.ops.adapt_datefield_value(number.day), head, width, suffix]
        names = [f.name for f in fields]
        values[names.index("search_text")] = search_text_before_code(
            dossier.applicant_name, dossier.applicant_phone, dossier.applicant_id_number
        )
        del values[names.index("code")]
    params += [*values, *([list(column) for column in zip(*papers, strict=True)] if papers else [[], [], [], []])]
    if event is not None:
        params += _values(event, _columns(DossierEvent, "dossier")[0])
    shape: list[_CompanionShape] = []
    for companion in companions:
        params += _linked_params(companion.row, companion.link, companion.event_key, companion.code_at)
        for child in companion.children:
            params += _linked_params(child, companion.child_link)
        children = tuple(type(child) for child in companion.children)
        shape.append(
            (
                type(companion.row),
                companion.link,
                children,
                companion.child_link,
                companion.event_key,
                companion.code_at,
            )
        )
    shape_key = (unless.sql if unless else "", number is not None, event is not None, tuple(shape))
    with prepared_cursor() as cursor:  # one text per shape: prepared once per connection
        cursor.execute(_statement(shape_key), params)
        earlier, dossier_pk, event_pk, code, *companion_pks = cursor.fetchone()
    return _Written(earlier, dossier_pk, event_pk, code, tuple(companion_pks))
