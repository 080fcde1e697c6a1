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
from typing import Any

from django.db import connection
from django.db.models import Model

from motcua.lib.codepattern import pattern_for
from motcua.models import Agency
from thutuc.models import Procedure

from . import workcalendar as wc
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
) -> None:
    """Write a new dossier, the papers received with it (required paper id, name, form, quantity)
    and, when given, its first event (built by the workflow, not saved yet); with ``number``, give
    it the agency's next code of the day first (``next_code``).

    Field validation only: the database itself enforces uniqueness and the check constraints.
    On PostgreSQL all of it is one statement (``_insert_new``: the day counter's upsert, the code
    rendered from the checked pattern, the dossier, its papers, its event): a receipt is the desk's
    busiest write. Elsewhere (SQLite) ``next_code`` and the ORM write them one by one.
    """
    postgresql = connection.vendor == "postgresql"
    if number is not None and not postgresql:
        dossier.code = next_code(number.agency, number.day)
    numbered_here = number is not None and postgresql
    dossier.full_clean(
        exclude=["clerk", "procedure", "field", "agency", *(["code"] if numbered_here else [])],
        validate_unique=False,
        validate_constraints=False,
    )
    if postgresql:
        dossier.refresh_search_text()  # what Dossier.save does before it writes (without the code yet)
        dossier.pk, event_pk, code = _insert_new(dossier, papers, event, number)
        if numbered_here:
            dossier.code = code
            dossier.refresh_search_text()  # as the statement wrote it
        _saved(dossier)
        if event is not None:
            event.pk, event.dossier = event_pk, dossier
            _saved(event)
        return
    dossier.save()
    DossierDocument.objects.bulk_create(
        DossierDocument(dossier=dossier, required_document_id=rid, name=name, form=form, quantity=qty)
        for rid, name, form, qty in papers
    )
    if event is not None:
        event.dossier = dossier
        event.save()


def _saved(instance: Model) -> None:
    """Mark an instance written by ``_insert_new`` as the ORM marks one it saved."""
    instance._state.adding = False
    instance._state.db = connection.alias


def _insert_values(instance: Model, skip: str = "") -> tuple[list[str], list[Any]]:
    """The columns of a new row and their values as the ORM's own insert takes them: every concrete
    column but the key (and ``skip``), each value through the field's ``pre_save`` and
    ``get_db_prep_save``."""
    fields = [f for f in instance._meta.concrete_fields if not f.primary_key and f.name != skip]
    quote = connection.ops.quote_name
    return [quote(f.column) for f in fields], [
        f.get_db_prep_save(f.pre_save(instance, True), connection) for f in fields
    ]


def _insert_new(
    dossier: Dossier,
    papers: Sequence[tuple[int | None, str, str, int]],
    event: DossierEvent | None,
    number: DayNumber | None,
) -> tuple[int, int | None, str]:
    """INSERT the dossier and, in the same statement (data-modifying WITH clauses), its papers, its
    first event and, with ``number``, the day counter's upsert it takes its code from; (the
    dossier's id, the event's id or None, its code).

    The code is ``head || the number zero-padded to width || suffix`` (``CodePattern.around_number``,
    the same as ``next_code``), the search text the one of ``dossier_search_text`` with that code.
    tests/hoso/test_creation.py checks the rows equal those the ORM and ``next_code`` write.
    """
    quote = connection.ops.quote_name
    columns, values = _insert_values(dossier)
    expressions = ["%s"] * len(values)
    params: list[Any] = []
    sql = "WITH "
    source = ""
    if number is not None:
        counter = quote(DossierCounter._meta.db_table)
        head, width, suffix = pattern_for(number.agency.dossier_code_pattern).around_number(
            number.agency.code, number.day
        )
        sql += (
            f"counter AS (INSERT INTO {counter} (agency_id, day, last) VALUES (%s, %s, 1) "  # noqa: S608 — the models' own names
            f"ON CONFLICT (agency_id, day) DO UPDATE SET last = {counter}.last + 1 RETURNING last), "
            "numbered AS (SELECT %s || lpad(last::text, greatest(%s, length(last::text)), '0') || %s AS code "
            "FROM counter), "
        )
        params += [number.agency.pk, connection.ops.adapt_datefield_value(number.day), head, width, suffix]
        code_at = columns.index(quote(Dossier._meta.get_field("code").column))
        search_at = columns.index(quote(Dossier._meta.get_field("search_text").column))
        expressions[code_at] = "numbered.code"
        expressions[search_at] = "%s || lower(numbered.code) || ' '"
        values[search_at] = search_text_before_code(
            dossier.applicant_name, dossier.applicant_phone, dossier.applicant_id_number
        )
        del values[code_at]
        source = " FROM numbered"
    paper_fields = {f.name: f for f in DossierDocument._meta.concrete_fields}
    paper_columns = ", ".join(
        quote(paper_fields[name].column) for name in ("dossier", "required_document", "name", "form", "quantity")
    )
    sql += (
        f"new_dossier AS (INSERT INTO {quote(Dossier._meta.db_table)} ({', '.join(columns)}) "  # noqa: S608 — the models' own names
        f"SELECT {', '.join(expressions)}{source} "
        f"RETURNING {quote(Dossier._meta.pk.column)} AS id, {quote(Dossier._meta.get_field('code').column)} AS code), "
        f"new_papers AS (INSERT INTO {quote(DossierDocument._meta.db_table)} ({paper_columns}) "
        "SELECT new_dossier.id, paper.required_id, paper.name, paper.form, paper.quantity FROM new_dossier, "
        "unnest(%s::bigint[], %s::varchar[], %s::varchar[], %s::smallint[]) "
        "AS paper(required_id, name, form, quantity))"
    )
    params += [*values, *([list(column) for column in zip(*papers, strict=True)] if papers else [[], [], [], []])]
    if event is None:
        sql += " SELECT id, NULL, code FROM new_dossier"
    else:
        event_columns, event_values = _insert_values(event, skip="dossier")
        dossier_column = quote(DossierEvent._meta.get_field("dossier").column)
        sql += (
            f", new_event AS (INSERT INTO {quote(DossierEvent._meta.db_table)} "  # noqa: S608 — the models' own names
            f"({dossier_column}, {', '.join(event_columns)}) "
            f"SELECT new_dossier.id, {', '.join(['%s'] * len(event_values))} FROM new_dossier "
            f"RETURNING {quote(DossierEvent._meta.pk.column)} AS id) "
            "SELECT new_dossier.id, new_event.id, new_dossier.code FROM new_dossier, new_event"
        )
        params += event_values
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        dossier_pk, event_pk, code = cursor.fetchone()
    return dossier_pk, event_pk, code
