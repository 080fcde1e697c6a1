"""When a dossier stopped being open for the reports (docs/report-06a.md §8).

``ended_at()`` is the first of its result ready, withdrawal and stop instants (PostgreSQL's LEAST
skips NULLs), NULL while none happened. It is not a stored column: the workflow, the import and
``recompute_dossiers`` write the three clock columns it reads (``hoso.clock``), and an index on
the expression (``dossier_agency_ended_received``) keeps it without any writer knowing.
``baocao.queries.scope`` filters with the very same expression, so the planner uses that index.
"""

from __future__ import annotations

from django.db.models.functions import Least


def ended_at() -> Least:
    """LEAST(result_ready_at, withdrawn_at, stopped_at) of a dossier row."""
    return Least("result_ready_at", "withdrawn_at", "stopped_at")
