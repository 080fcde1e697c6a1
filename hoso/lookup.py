"""What a citizen may see of a dossier: status in plain words, public steps, no personal data.

The HTML page and the JSON API both render `public_view(dossier)`, so they cannot disagree
about what is public.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from motcua.lib.dates import datetime_short
from motcua.lib.identity import public_name
from motcua.lib.text import code_spelling

from .constants import NATIONAL_STATUS, NATIONAL_STATUS_LABELS, OPEN_STATUSES, Action, Delivery, Status
from .models import Dossier, DossierEvent, SatisfactionRating
from .result_timing import result_timing
from .survey_links import survey_link

# The steps a citizen sees, in their words. A leader's send-back is one: without it a dossier
# shows "Trình lãnh đạo ký duyệt" twice and the citizen cannot tell why it went round again
# (its note, the leader's reasons, stays inside).
PUBLIC_STEPS: dict[str, str] = {
    Action.SUBMIT: "Nộp hồ sơ trực tuyến",
    Action.REQUEST_PAPERS: "Yêu cầu bổ sung giấy tờ trước khi tiếp nhận",
    Action.RESUBMIT: "Nộp giấy tờ bổ sung",
    Action.RECEIVE: "Tiếp nhận hồ sơ",
    Action.ASSIGN: "Chuyển bộ phận chuyên môn giải quyết",
    Action.REQUEST_SUPPLEMENT: "Yêu cầu bổ sung giấy tờ",
    Action.COMPLETE_SUPPLEMENT: "Nhận đủ giấy tờ bổ sung",
    Action.SUBMIT_FOR_APPROVAL: "Trình lãnh đạo ký duyệt",
    Action.SEND_BACK: "Lãnh đạo trả lại để hoàn thiện",
    Action.APPROVE: "Đã có kết quả",
    Action.MARK_RESULT_READY: "Đã có kết quả",
    Action.RETURN_RESULT: "Đã trả kết quả",
    Action.EXTEND: "Xin lỗi và hẹn lại ngày trả kết quả",
    Action.STOP: "Dừng giải quyết hồ sơ",
    Action.WITHDRAW: "Rút hồ sơ theo yêu cầu",
    Action.TRANSFER: "Chuyển cơ quan khác phối hợp giải quyết",
    Action.TRANSFER_BACK: "Nhận lại hồ sơ từ cơ quan phối hợp",
}

# The status as a citizen would say it.
PLAIN_STATUS: dict[str, str] = {
    Status.SUBMITTED: "Hồ sơ nộp trực tuyến đã được ghi nhận, đang chờ bộ phận một cửa kiểm tra và tiếp nhận.",
    Status.AWAITING_PAPERS: "Hồ sơ chưa được tiếp nhận: cần bổ sung giấy tờ theo yêu cầu của bộ phận một cửa.",
    Status.RECEIVED: "Hồ sơ đã được tiếp nhận và đang chờ chuyển giải quyết.",
    Status.PROCESSING: "Hồ sơ đang được giải quyết.",
    Status.WAITING_SUPPLEMENT: "Hồ sơ cần bổ sung giấy tờ: thời gian giải quyết tạm dừng cho đến khi nhận đủ.",
    Status.PENDING_APPROVAL: "Hồ sơ đã xử lý xong, đang chờ lãnh đạo ký duyệt.",
    Status.TRANSFERRED: "Hồ sơ đang được cơ quan khác phối hợp giải quyết.",
    Status.RESULT_READY: "Đã có kết quả.",
    Status.RETURNED: "Đã trả kết quả.",
    Status.WITHDRAWN: "Hồ sơ đã được rút theo yêu cầu của người nộp.",
    Status.STOPPED: "Hồ sơ đã dừng giải quyết.",
}


@dataclass
class PublicView:
    code: str
    lookup_key: str
    procedure_code: str
    procedure_name: str
    applicant: str
    status: str
    status_text: str
    national_status: int
    received_at: datetime | None
    due_at: datetime | None
    result_ready_at: datetime | None
    returned_at: datetime | None
    extended: bool
    next_step: str
    # (when, step, public note): the note is only ever the event's explicitly public note.
    timeline: list[tuple[datetime, str, str]] = field(default_factory=list)
    agency: dict[str, str] = field(default_factory=dict)
    # A returned dossier not rated yet, within the 14 days: the applicant's own survey link.
    survey_url: str = ""
    # Beside the result time: "đúng hạn", or the rule that made it late when its dates don't show it.
    result_text: str = ""
    # An online dossier not received yet: by when the desk must receive it.
    intake_due_at: datetime | None = None
    # The page as an anonymous visitor sees it, kept with the view once rendered (it holds no
    # per-visitor content: no form, no token).
    html: str = ""

    def as_json(self) -> dict[str, Any]:
        def iso(value: datetime | None) -> str | None:
            return timezone.localtime(value).isoformat() if value else None

        return {  # the lookup key is the caller's own secret: never echoed back
            "code": self.code,
            "procedure": {"code": self.procedure_code, "name": self.procedure_name},
            "applicant": self.applicant,
            "status": self.status,
            "status_text": self.status_text,
            "national_status": {"code": self.national_status, "label": NATIONAL_STATUS_LABELS[self.national_status]},
            "received_at": iso(self.received_at),
            "due_at": iso(self.due_at),
            "intake_due_at": iso(self.intake_due_at),
            "result_ready_at": iso(self.result_ready_at),
            "result_text": self.result_text or None,
            "returned_at": iso(self.returned_at),
            "next_step": self.next_step,
            "survey_url": self.survey_url or None,
            "timeline": [
                {"at": iso(at), "step": step, **({"note": note} if note else {})} for at, step, note in self.timeline
            ],
        }


# Only what the public page shows: the personal columns are never even read.
_PUBLIC_COLUMNS = (
    "code",
    "lookup_key",
    "status",
    "procedure_snapshot",
    "applicant_name",
    "applicant_kind",
    "received_at",
    "submitted_at",
    "intake_due_at",
    "shown_due_at",
    "result_ready_at",
    "returned_at",
    "delivery",
    # The wording of a finished dossier's timeliness (hoso.result_timing).
    "due_at",
    "timeliness",
    "extensions",
    "supplement_requests",
    "agency__name",
    "agency__desk_name",
    "agency__address",
    "agency__opening_hours",
    "agency__phone",
)


def find(code: str, key: str) -> Dossier | None:
    """The received (or online) dossier with this code and key; None for a wrong key or an unknown code alike.

    Both refusals do the same work, so their timing tells nothing (bench/bench_lookup_timing.py):
    the key is part of the one query, so the database answers no row for either and Python
    builds nothing. The right key reads the public columns in that same query (a first visit
    costs one statement here, not two), and the key read back is compared once more, in constant
    time, before anything is shown.
    """
    typed = _typed(key)
    if not typed:
        typed = "-"  # never a key (keys are letters and digits): the same query, no row
    found = list(
        Dossier.objects.filter(code=code.strip(), lookup_key=typed)
        .filter(Q(received_at__isnull=False) | Q(submitted_at__isnull=False))
        .select_related("agency")
        .only(*_PUBLIC_COLUMNS)
        .order_by()[:1]
    )
    if not found:
        return None
    dossier = found[0]
    return dossier if hmac.compare_digest(dossier.lookup_key.encode(), typed.encode()) else None


def _next_step(dossier: Dossier, events: list[tuple[str, datetime, str]]) -> str:
    """What the citizen should do now. ``events`` carry each event's public note only."""
    agency = dossier.agency
    place = f"{agency.desk_name} – {agency.name}" + (f", {agency.address}" if agency.address else "")
    if dossier.status == Status.WAITING_SUPPLEMENT:
        papers = next((note for action, _, note in reversed(events) if action == Action.REQUEST_SUPPLEMENT), "")
        if papers:
            return f"Mời ông/bà mang đến {place} các giấy tờ sau: {papers}"
        return f"Mời ông/bà liên hệ {place} để biết giấy tờ cần bổ sung (đã ghi trong phiếu yêu cầu bổ sung)."
    if dossier.status == Status.RESULT_READY:
        if dossier.delivery == Delivery.POST:
            return "Kết quả sẽ được gửi qua bưu chính công ích đến địa chỉ ông/bà đã đăng ký."
        if dossier.delivery == Delivery.ELECTRONIC:
            return "Mời ông/bà đăng nhập tài khoản định danh điện tử, vào mục “Hồ sơ của tôi” để tải kết quả."
        hours = f" Giờ làm việc: {agency.opening_hours}." if agency.opening_hours else ""
        return f"Mời ông/bà mang giấy tiếp nhận đến {place} để nhận kết quả.{hours}"
    if dossier.status == Status.STOPPED:
        reason = next((note for action, _, note in reversed(events) if action == Action.STOP), "")
        return f"Lý do: {reason}" if reason else f"Mời ông/bà liên hệ {place} để biết lý do."
    if dossier.status == Status.AWAITING_PAPERS:
        return "Mời ông/bà đăng nhập tài khoản định danh điện tử, vào mục “Hồ sơ của tôi” để tải lên giấy tờ bổ sung."
    if dossier.status == Status.SUBMITTED and dossier.intake_due_at:
        return f"Bộ phận một cửa sẽ kiểm tra và tiếp nhận hồ sơ trước {datetime_short(dossier.intake_due_at)}."
    if dossier.status in OPEN_STATUSES and dossier.shown_due_at:
        return f"Ngày hẹn trả kết quả: {datetime_short(dossier.shown_due_at)}."
    return ""


def _survey_url(dossier: Dossier) -> str:
    if dossier.status != Status.RETURNED:
        return ""
    if SatisfactionRating.objects.filter(dossier_id=dossier.pk).exists():
        return ""
    return survey_link(dossier)  # read only: empty past the 14 days or without a token


def public_view(dossier: Dossier) -> PublicView:
    # Staff notes are never read: they may quote an ID number, a phone or an address. The only free
    # text shown is the note a member of staff wrote explicitly for the public (event data "public_note").
    rows = DossierEvent.objects.filter(dossier_id=dossier.pk).order_by("at", "id").values_list("action", "at", "data")
    events = [(action, at, str((data or {}).get("public_note") or "")) for action, at, data in rows]
    extended = any(action == Action.EXTEND for action, _, _ in events)
    status_text = PLAIN_STATUS.get(dossier.status, dossier.get_status_display())
    if extended and dossier.status in OPEN_STATUSES:
        status_text += " Cơ quan đã xin lỗi và hẹn lại ngày trả kết quả."
    return PublicView(
        code=dossier.code or "",
        lookup_key=dossier.lookup_key,
        procedure_code=dossier.procedure_snapshot.get("code", ""),
        procedure_name=dossier.procedure_snapshot.get("name", ""),
        applicant=public_name(dossier.applicant_name, dossier.applicant_kind),
        status=dossier.status,
        status_text=status_text,
        national_status=NATIONAL_STATUS[Status(dossier.status)],
        received_at=dossier.received_at,
        due_at=dossier.shown_due_at,
        intake_due_at=dossier.intake_due_at if dossier.status == Status.SUBMITTED else None,
        result_ready_at=dossier.result_ready_at,
        returned_at=dossier.returned_at,
        extended=extended,
        next_step=_next_step(dossier, events),
        survey_url=_survey_url(dossier),
        result_text=timing.citizen if (timing := result_timing(dossier)) else "",
        timeline=[(at, PUBLIC_STEPS[action], note) for action, at, note in events if action in PUBLIC_STEPS],
        agency={
            name: getattr(dossier.agency, name) for name in ("name", "desk_name", "address", "opening_hours", "phone")
        },
    )


CACHE_SECONDS = 300


def cache_key(code: str, key: str) -> str:
    """The cached view's key holds a digest of the lookup key: a wrong key misses the cache and
    takes the same path (one query, then None) as an unknown code, so its timing tells nothing."""
    digest = hashlib.sha256(f"{code}\n{key}".encode()).hexdigest()[:32]
    return f"lookup:v4:{digest}"  # v4: online dossiers' intake deadline


def _typed(key: str) -> str:
    return (key or "").strip().upper().replace(" ", "")


def first_cache_key(code: str, key: str) -> str:
    """The cache key ``lookup`` reads first: the code as typed (the view reads it with the rate limit)."""
    return cache_key(code.strip()[:60], _typed(key))


_UNREAD = object()


def lookup(code: str, key: str, *, cached: Any = _UNREAD) -> PublicView | None:
    """The public view for a code and key, from the cache when fresh (the workflow drops it on change).

    Codes are printed in capitals; a phone keyboard may type them in lower case, and a person
    copying one may put spaces or underscores where the dashes are. ``cached``: what the cache
    held under ``first_cache_key(code, key)``, when the caller has read it already (None: nothing).
    """
    code = code.strip()[:60]
    for candidate in dict.fromkeys((code, code.upper(), code_spelling(code))):
        view = _lookup_exact(candidate, key, cached if candidate == code else _UNREAD)
        if view is not None:
            return view
    return None


def _lookup_exact(code: str, key: str, cached: Any = _UNREAD) -> PublicView | None:
    typed = _typed(key)
    view = cache.get(cache_key(code, typed)) if cached is _UNREAD else cached
    if not isinstance(view, PublicView):
        view = None
    if view is None:
        dossier = find(code, key)
        if dossier is None:
            return None
        view = public_view(dossier)
        cache.set(cache_key(code, dossier.lookup_key), view, CACHE_SECONDS)
    if not typed or not hmac.compare_digest(view.lookup_key.encode(), typed.encode()):
        return None
    return view


def remember_html(view: PublicView, html: str) -> None:
    """Keep the rendered public page with the cached view, so the next visit skips the template."""
    view.html = html
    cache.set(cache_key(view.code, view.lookup_key), view, CACHE_SECONDS)


def forget(code: str | None, key: str) -> None:
    """Drop the cached public view of a dossier (called after commit whenever an event is written)."""
    if code:
        cache.delete(cache_key(code, key))
