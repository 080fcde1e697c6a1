"""The electronic result's hand-over: the citizen's first download of the result file is the return.

Part of `hoso.workflow` (like `hoso.online`), kept in its own module for size. A dossier whose
result is delivered electronically (`Delivery.ELECTRONIC`) reaches RESULT_READY with its result
file attached (`workflow.mark_result_ready(attach=...)`); when the citizen downloads it from their
account, the dossier is returned (RESULT_READY → RETURNED, one RETURN_RESULT event with no staff
actor, ``data = {"collector": <citizen>, "electronic": True}``). Timeliness is judged at result
ready (docs/timeliness.md), so the instant of the download changes no indicator but the return date.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial

from django.db import transaction
from django.utils import timezone

from .constants import Action, Delivery, Status
from .lookup import forget as forget_public_view
from .models import Dossier
from .workflow import _write_event

DOWNLOAD_NOTE = "Công dân tải kết quả điện tử từ tài khoản định danh điện tử."


@transaction.atomic
def return_by_download(*, dossier_id: int, collector: str, now: datetime | None = None) -> bool:
    """Record the return of an electronic result at its first download; False when nothing changes
    (another delivery, not ready, or returned already)."""
    now = now or timezone.now()
    dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
    if dossier is None or dossier.status != Status.RESULT_READY or dossier.delivery != Delivery.ELECTRONIC:
        return False
    last = dossier.events.order_by("-at", "-id").values_list("at", flat=True).first()
    at = max(now, last) if last is not None else now  # never before the event it follows
    dossier.status = Status.RETURNED
    dossier.returned_at = at
    dossier.save(update_fields=["status", "returned_at"])
    data = {"collector": collector.strip()[:200], "electronic": True}
    _write_event(
        dossier,
        Action.RETURN_RESULT,
        Status.RESULT_READY,
        Status.RETURNED,
        None,
        at,
        DOWNLOAD_NOTE,
        data,  # type: ignore[arg-type]
        due_at=dossier.due_at,
    )
    transaction.on_commit(partial(forget_public_view, dossier.code, dossier.lookup_key))
    return True
