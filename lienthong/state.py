"""A dossier's synchronisation state with the national portal, in words, for the dossier page."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Max, Q

from motcua.lib import dates

from . import outbox
from .models import OutboxEntry, State


@dataclass(frozen=True)
class SyncState:
    tone: str  # a Bootstrap colour: success, secondary, warning, danger
    text: str


NO_CODE = SyncState(
    "secondary",
    "Không đồng bộ được: hồ sơ chưa có mã (không được tiếp nhận nên không cấp mã; Cổng DVC quốc gia chỉ nhận "
    "hồ sơ có mã).",
)


def sync_state(dossier_id: int, coded: bool = True) -> SyncState | None:
    """None while the link is off; otherwise the worst of the dossier's rows, said plainly (not
    `coded`: guided or refused at the counter, the dossier has no code and nothing is sent)."""
    if not outbox.link_on():
        return None
    if not coded:
        return NO_CODE
    rows = OutboxEntry.objects.filter(dossier_id=dossier_id)
    problem = rows.filter(state__in=(State.BLOCKED, State.FAILED)).order_by("sequence", "id").first()
    if problem is not None:
        if problem.state == State.BLOCKED:
            return SyncState("danger", problem.last_error)
        return SyncState("danger", f"Đồng bộ lỗi, cần xử lý: {problem.last_error}")
    totals = rows.aggregate(
        waiting=Count("id", filter=~Q(state=State.ACKNOWLEDGED)),
        last=Max("acknowledged_at"),
    )
    retrying = rows.filter(state__in=(State.PENDING, State.SENT)).exclude(last_error="").order_by("sequence").first()
    if retrying is not None:
        when = dates.datetime_short(retrying.next_attempt_at)
        tries = f"đã thử {retrying.attempts} lần, lần tới {when}"
        return SyncState("warning", f"Đang gửi lại lên Cổng DVC quốc gia ({tries}): {retrying.last_error}")
    if totals["waiting"]:
        return SyncState("secondary", f"Đang chờ đồng bộ lên Cổng DVC quốc gia ({totals['waiting']} bản tin).")
    if totals["last"] is None:
        return SyncState("secondary", "Chưa đồng bộ lên Cổng DVC quốc gia.")
    return SyncState("success", f"Đã đồng bộ lên Cổng DVC quốc gia lúc {dates.datetime_short(totals['last'])}.")
