"""Who counts as "the same applicant" at the desk, and the two windows the intake rules look back over.

Same applicant: the same identity number when one was given, else the same name and phone. The
windows: a dossier received for the same applicant and procedure in the last 30 minutes is
probably the same form sent again (``DUPLICATE_WINDOW``); a form 02 given in the last 90 days is
"the" written guidance for the same matter (``GUIDE_ONCE_WINDOW``, docs/intake-and-forms.md §1).
Reads only: the intake service (hoso/intake.py) decides what to do with what these find.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from functools import cache
from typing import Any

from django.db import connection
from django.db.models import Q, QuerySet

from .constants import OPEN_STATUSES, Action
from .models import Dossier, DossierEvent

# Long enough for a form sent again after the browser's Back button, short enough that a citizen
# back the next day with a second matter is not questioned.
DUPLICATE_WINDOW = timedelta(minutes=30)
# Our choice: a citizen back within three months with the same procedure is completing the same dossier.
GUIDE_ONCE_WINDOW = timedelta(days=90)


def same_applicant(*, id_number: str, name: str, phone: str, prefix: str = "") -> Q:
    """The condition "same applicant" on a Dossier (``prefix="dossier__"`` from a related model)."""
    number = id_number.strip()
    if number:
        return Q(**{f"{prefix}applicant_id_number": number})
    return Q(**{f"{prefix}applicant_name": name, f"{prefix}applicant_phone": phone})


def duplicate_query(
    *, agency_id: int, procedure_id: int, id_number: str, name: str, phone: str, now: datetime
) -> tuple[str, list[Any]]:
    """The same applicant's open dossier for the same procedure received here in the last 30 minutes,
    as SQL and parameters answered by one row of one column (the dossier's key) or none.

    A form sent again after the browser's Back button carries a fresh token, so the token cannot
    tell; the clerk confirms a true second dossier with a tick. Asked at every receipt and almost
    always answered "none", inside the receipt's own statement (``hoso.creation.Unless``); the
    text is written once (``_recent_sql``, the conditions of ``recent_duplicates``, which tests
    compare it with)."""
    number = id_number.strip()
    applicant = [number] if number else [name, phone]
    since = connection.ops.adapt_datetimefield_value(now - DUPLICATE_WINDOW)
    return _recent_sql(bool(number)), [agency_id, procedure_id, *[str(s) for s in OPEN_STATUSES], since, *applicant]


def recent_duplicates(
    *, agency_id: int, procedure_id: int, id_number: str, name: str, phone: str, now: datetime
) -> QuerySet[Dossier]:
    """``duplicate_query``'s conditions as a queryset, newest first (the reference its SQL is tested against)."""
    return Dossier.objects.filter(
        same_applicant(id_number=id_number, name=name, phone=phone),
        agency_id=agency_id,
        procedure_id=procedure_id,
        status__in=OPEN_STATUSES,
        received_at__gte=now - DUPLICATE_WINDOW,
    ).order_by("-received_at", "-id")


@cache
def _recent_sql(by_number: bool) -> str:
    """The statement by identity number (True) or by name and phone (False), built once per process."""
    columns = {f.name: f.column for f in Dossier._meta.concrete_fields}
    quote = connection.ops.quote_name

    def col(name: str) -> str:
        return quote(columns[name])

    statuses = ", ".join(["%s"] * len(OPEN_STATUSES))
    applicant = (
        f"{col('applicant_id_number')} = %s"
        if by_number
        else f"{col('applicant_name')} = %s AND {col('applicant_phone')} = %s"
    )
    return (
        f"SELECT {quote(Dossier._meta.pk.column)} FROM {quote(Dossier._meta.db_table)} "  # noqa: S608 — the model's own names
        f"WHERE {col('agency')} = %s AND {col('procedure')} = %s AND {col('status')} IN ({statuses}) "
        f"AND {col('received_at')} >= %s AND {applicant} "
        f"ORDER BY {col('received_at')} DESC, {quote(Dossier._meta.pk.column)} DESC LIMIT 1"
    )


def earlier_guide(
    *, agency_id: int, procedure_id: int, id_number: str, name: str, phone: str, now: datetime
) -> DossierEvent | None:
    """The latest form 02 given here to the same applicant for the same procedure in the last 90 days."""
    same = DossierEvent.objects.filter(
        same_applicant(id_number=id_number, name=name, phone=phone, prefix="dossier__"),
        action=Action.GUIDE,
        at__gte=now - GUIDE_ONCE_WINDOW,
        at__lte=now,
        dossier__agency_id=agency_id,
        dossier__procedure_id=procedure_id,
    )
    return same.order_by("-at").first()
