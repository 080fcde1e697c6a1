"""When a dossier stopped being open for the reports (docs/report-06a.md §8).

``ended_at()`` is the first of its result ready, withdrawal and stop instants, NULL while none
happened. It is not a stored column: the workflow, the import and ``recompute_dossiers`` write
the three clock columns it reads (``hoso.clock``), and an index on the expression
(``dossier_agency_ended_received``) keeps it without any writer knowing.
``baocao.queries.scope`` filters with the very same expression, so the planner uses that index.
"""

from __future__ import annotations

from typing import Any

from django.db.models import DateTimeField, F, Func
from django.db.models.functions import Coalesce, Least


class EndedAt(Func):
    """The earliest non-NULL of result_ready_at, withdrawn_at, stopped_at (NULL when all are NULL).

    PostgreSQL's LEAST skips NULLs: ``LEAST(result_ready_at, withdrawn_at, stopped_at)``, the very
    text of the index. SQLite's MIN returns NULL as soon as one argument is NULL, so elsewhere
    each column is first coalesced with the others (the smallest of those is the smallest non-NULL).
    """

    output_field = DateTimeField()

    def __init__(self) -> None:
        super().__init__(F("result_ready_at"), F("withdrawn_at"), F("stopped_at"))

    def _form(self, skip_nulls: bool) -> Least:
        a, b, c = self.get_source_expressions()
        if skip_nulls:
            return Least(a, b, c, output_field=DateTimeField())
        return Least(Coalesce(a, b, c), Coalesce(b, c, a), Coalesce(c, a, b), output_field=DateTimeField())

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return compiler.compile(self._form(skip_nulls=False))

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return compiler.compile(self._form(skip_nulls=True))


def ended_at() -> EndedAt:
    """The end instant of a dossier row, as an expression (see `EndedAt`)."""
    return EndedAt()
