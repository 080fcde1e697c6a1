"""Who counts as "the same applicant" at the desk, and the two windows the intake rules look back over.

Same applicant: the same identity number when one was given, else the same name and phone. The
windows: a dossier received for the same applicant and procedure in the last 30 minutes is
probably the same form sent again (``DUPLICATE_WINDOW``); a form 02 given in the last 90 days is
"the" written guidance for the same matter (``GUIDE_ONCE_WINDOW``, docs/intake-and-forms.md §1).
Reads only: the intake service (hoso/intake.py) decides what to do with what these find.
"""

from __future__ import annotations

from datetime import datetime, timedelta

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


def recent_duplicate(
    *, agency_id: int, procedure_id: int, id_number: str, name: str, phone: str, now: datetime
) -> Dossier | None:
    """The same applicant's open dossier for the same procedure received here in the last 30 minutes.

    A form sent again after the browser's Back button carries a fresh token, so the token cannot
    tell; the clerk confirms a true second dossier with a tick.
    """
    same: QuerySet[Dossier] = Dossier.objects.filter(
        same_applicant(id_number=id_number, name=name, phone=phone),
        agency_id=agency_id,
        procedure_id=procedure_id,
        status__in=OPEN_STATUSES,
        received_at__gte=now - DUPLICATE_WINDOW,
    )
    # Almost always none: ask for the key only, and read the whole dossier when there is one.
    found = same.order_by("-received_at").values_list("pk", flat=True).first()
    return None if found is None else Dossier.objects.get(pk=found)


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
