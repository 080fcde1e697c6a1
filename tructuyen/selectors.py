"""Reads of the online channel: the desk's queue of online dossiers awaiting intake, a dossier's files."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, QuerySet

from hoso.calendar_store import calendar_for
from hoso.constants import Status
from hoso.models import Dossier
from hoso.remaining import remaining_text

from .models import DossierFile


@dataclass(frozen=True)
class QueueRow:
    dossier: Dossier
    files: int
    remaining: str
    late: bool


def awaiting_intake(agency_id: int) -> QuerySet[Dossier]:
    """The ward's online dossiers not received yet, the most urgent first (index dossier_agency_status_intake)."""
    return (
        Dossier.objects.filter(agency_id=agency_id, status=Status.SUBMITTED)
        .annotate(file_count=Count("files"))
        .order_by("intake_due_at", "id")
    )


def queue(agency_id: int, *, now: datetime) -> tuple[list[QueueRow], int]:
    """Every row of the queue with its remaining time, and how many are past their intake deadline."""
    calendar = calendar_for(agency_id)
    rows = []
    for dossier in awaiting_intake(agency_id):
        due = dossier.intake_due_at
        assert due is not None, "a submitted dossier has its intake deadline"
        rows.append(QueueRow(dossier, dossier.file_count, remaining_text(calendar, now, due), due < now))
    return rows, sum(row.late for row in rows)


def files_of(dossier_id: int) -> QuerySet[DossierFile]:
    return DossierFile.objects.filter(dossier_id=dossier_id).select_related("required_document").order_by("kind", "id")
