"""The petition figures of a report window and the QĐ 766 group-5 indicators (docs/petitions.md §5).

``baocao.figures`` puts them in every report as ``"petitions"`` (JSON as it is); the PDF quotes them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypedDict

from django.db.models import Count, F, Q

from .constants import Decision, Kind, Rating
from .models import Petition


class Group5(TypedDict):
    """QĐ 766 group 5: shares in % with 2 decimals, None on 0/0; with their counts."""

    classified_share: float | None  # 5.1
    classified: int
    on_time_share: float | None  # 5.2
    handled: int
    handled_on_time: int
    satisfied_share: float | None  # 5.3
    unsatisfied: int


class PetitionFigures(TypedDict):
    received: int
    refused: int
    answered: int
    answered_on_time: int
    answered_late: int
    published: int
    open: int
    open_overdue: int
    by_kind: dict[str, int]
    group_5: Group5


def _share(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole + 1e-9, 2)


def _steps_on_time(p: Petition, end: datetime) -> bool:
    """Every step of a handled petition met its limit, as known at ``end`` (docs/petitions.md §5)."""
    if p.decided_at is None or p.decided_at > p.decide_due_at:
        return False
    if p.more_info_requested_at is not None and p.more_info_requested_at > p.more_info_due_at:
        return False
    if p.decision == Decision.REFUSED:
        return True
    if p.answered_at is None or p.answer_due_at is None or p.answered_at > p.answer_due_at:
        return False
    if p.publish_due_at is not None:
        published = p.published_at if p.published_at is not None and p.published_at <= end else None
        if (published or end) > p.publish_due_at:
            return False
    return True


def petition_figures(*, agency_ids: Sequence[int], start: datetime, end: datetime) -> PetitionFigures:
    """Counts over [start, end] of the agencies' petitions (each column as docs/petitions.md §5 says)."""
    base = Petition.objects.filter(agency_id__in=list(agency_ids))
    received = Q(received_at__gte=start, received_at__lte=end)
    refused = Q(decision=Decision.REFUSED, decided_at__gte=start, decided_at__lte=end)
    answered = Q(answered_at__gte=start, answered_at__lte=end)
    on_time = answered & Q(answer_due_at__isnull=False, answered_at__lte=F("answer_due_at"))
    still_open = Q(received_at__lte=end) & ~Q(decision=Decision.REFUSED, decided_at__lte=end) & ~Q(answered_at__lte=end)
    undecided = Q(decided_at__isnull=True) | Q(decided_at__gt=end)
    overdue = still_open & (
        (undecided & Q(decide_due_at__lt=end)) | (~undecided & Q(answer_due_at__isnull=False, answer_due_at__lt=end))
    )
    row = base.aggregate(
        received=Count("pk", filter=received),
        refused=Count("pk", filter=refused),
        answered=Count("pk", filter=answered),
        answered_on_time=Count("pk", filter=on_time),
        published=Count("pk", filter=Q(published_at__gte=start, published_at__lte=end)),
        open=Count("pk", filter=still_open),
        open_overdue=Count("pk", filter=overdue),
        procedure=Count("pk", filter=received & Q(kind=Kind.PROCEDURE)),
        conduct=Count("pk", filter=received & Q(kind=Kind.CONDUCT)),
        question=Count("pk", filter=received & Q(kind=Kind.QUESTION)),
    )
    handled = list(base.filter(refused | answered))
    handled_on_time = sum(1 for p in handled if _steps_on_time(p, end))
    answered_rows = [p for p in handled if p.answered_at is not None and start <= p.answered_at <= end]
    unsatisfied = sum(
        1
        for p in answered_rows
        if p.rating == Rating.DISSATISFIED
        or p.reopened_at is not None
        or (p.answer_due_at is not None and p.answered_at is not None and p.answered_at > p.answer_due_at)
    )
    classified = row["procedure"] + row["conduct"]
    return PetitionFigures(
        received=row["received"],
        refused=row["refused"],
        answered=row["answered"],
        answered_on_time=row["answered_on_time"],
        answered_late=row["answered"] - row["answered_on_time"],
        published=row["published"],
        open=row["open"],
        open_overdue=row["open_overdue"],
        by_kind={
            Kind.PROCEDURE.value: row["procedure"],
            Kind.CONDUCT.value: row["conduct"],
            "question": row["question"],
        },
        group_5=Group5(
            classified_share=_share(classified, row["received"]),
            classified=classified,
            on_time_share=_share(handled_on_time, len(handled)),
            handled=len(handled),
            handled_on_time=handled_on_time,
            satisfied_share=_share(len(answered_rows) - unsatisfied, len(answered_rows)),
            unsatisfied=unsatisfied,
        ),
    )
