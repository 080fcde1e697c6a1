"""Reads of the report app that the pages share."""

from __future__ import annotations

from django.db.models import F, QuerySet

from .models import Report, ReportEntry
from .queries import column_bit


def frozen_entries(*, report: Report, column: str, field_id: int | None = None) -> QuerySet[ReportEntry]:
    """The dossiers one cell of a compiled report counted (field_id None: the total row), in order
    of receipt: the snapshot stored with the figures, so their number is the frozen cell.
    ValueError for a column not in ``baocao.queries.COLUMNS``.
    """
    bit = column_bit(column)
    entries = ReportEntry.objects.filter(report=report).annotate(hit=F("columns").bitand(bit)).filter(hit=bit)
    if field_id is not None:
        entries = entries.filter(field_id=field_id)
    return entries.order_by("received_at", "id")
