"""The desk's printable slips (forms 01–06 of docs/intake-and-forms.md §2): one context builder per document.

Every slip is a Django template under ``templates/pdf/`` filled from a plain context dict and
laid out by weasyprint (``motcua.lib.pdf``). The context builders read only the dossier, its
agency, its ``procedure_snapshot`` (what the citizen was told at intake) and its events, so a
slip printed again later says what it said the first time. The paper formats, the ward's
letterhead and the formatting helpers the tracking book shares are in ``hoso.paper``.

Entry points:

* ``DOCUMENTS`` — the slips by URL slug, each a ``DocumentSpec`` (title, template,
  ``available(dossier)``, ``context(dossier)``);
* ``document_context(dossier, slug)`` — the context a template gets (tests and previews);
* ``render_document_html(dossier, slug)`` — the HTML (preview pages);
* ``render_document(dossier, slug)`` — the PDF bytes (the view ``/ho-so/<pk>/phieu/<slug>.pdf``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from motcua.lib.dates import date_words, datetime_words
from motcua.lib.pdf import fitting_pdf, html_to_pdf, render_html
from motcua.lib.qr import qr_svg
from motcua.lib.text import published_wording
from motcua.models import User

from . import clock
from .calendar_store import calendar_for
from .constants import Action, ApplicantKind, Delivery, Status, Timeliness
from .models import Dossier, DossierEvent, SatisfactionRating
from .paper import (
    PAPERS,
    committee_in_sentence,
    letterhead_lines,
    lookup_url,
    money,
    person_name,
    signature_block,
    text_lines,
    tighter,
)
from .result_timing import result_timing
from .survey_links import LINK_VALIDITY, survey_link
from .tracking_book import book_position, book_volume

Paper = Literal["A4", "A5"]


FIT_STEPS = 3  # at most 1.5 pt smaller: 13 → 11.5 pt on A4
RECEIPT_COPIES = ("Liên 1: Lưu tại bộ phận một cửa", "Liên 2: Giao người nộp hồ sơ")


@dataclass(frozen=True)
class DocumentSpec:
    """One printable slip.

    ``available(dossier)`` says whether the dossier has what the slip reports (no query when
    the dossier came from ``load_dossier``); ``unavailable`` is the Vietnamese reason shown
    otherwise. ``context(dossier)`` builds the template context; it expects an available dossier
    loaded by ``load_dossier`` (it works on any dossier, with a few more queries).
    """

    slug: str
    title: str
    template: str
    available: Callable[[Dossier], bool]
    context: Callable[[Dossier], dict[str, Any]]
    unavailable: str
    # Each copy must stay on one page (form 01: the signatures belong with what they sign).
    one_page_per_copy: bool = False


# -- loading and small helpers ------------------------------------------------------------------
def load_dossier(pk: int) -> Dossier:
    """The dossier with its agency, staff, documents and events (with actors): three queries."""
    events = DossierEvent.objects.select_related("actor").order_by("at", "id")
    return (
        Dossier.objects.select_related("agency", "clerk", "officer")
        .prefetch_related("documents", Prefetch("events", queryset=events))
        .get(pk=pk)
    )


def _events(dossier: Dossier) -> list[DossierEvent]:
    """The dossier's events in time order (the prefetched list when there is one)."""
    return sorted(dossier.events.all(), key=lambda e: (e.at, e.pk))


def _last_event(dossier: Dossier, action: Action) -> DossierEvent | None:
    matching = [e for e in _events(dossier) if e.action == action]
    return matching[-1] if matching else None


def _when(value: datetime) -> str:
    return timezone.localtime(value).strftime("%d/%m/%Y %H:%M")


def _addressee(dossier: Dossier) -> str:
    return "tổ chức" if dossier.applicant_kind == ApplicantKind.ORGANISATION else "ông/bà"


def _header(
    dossier: Dossier, *, when: datetime | None, number: str = "", issuer: Literal["desk", "committee"] = "desk"
) -> dict[str, Any]:
    """What every slip's national header and date line show.

    The desk issues forms 01, 02, 03 and 06: the committee on the first line, the desk in bold
    under it. The committee itself issues forms 04 and 05 (signed "TM. ỦY BAN NHÂN DÂN"): its
    name alone, in bold.
    """
    agency = dossier.agency
    letterhead = letterhead_lines(agency)
    return {
        "dossier": dossier,
        "agency": agency,
        "committee_name": agency.committee_name,
        "committee_text": committee_in_sentence(agency.name),
        "desk_name": agency.desk_name,
        "parent_lines": letterhead["parent_lines"] if issuer == "desk" else [],
        "issuer_lines": letterhead["issuer_lines"] if issuer == "desk" else letterhead["parent_lines"],
        "place_name": agency.place_name or agency.name,
        "date_words": date_words(when) if when else "",
        "number": number,
    }


def _applicant(dossier: Dossier) -> dict[str, Any]:
    snapshot = dossier.procedure_snapshot
    return {
        "applicant_name": dossier.applicant_name,
        "applicant_address": dossier.applicant_address,
        "applicant_phone": dossier.applicant_phone,
        "applicant_email": dossier.applicant_email,
        "addressee": _addressee(dossier),
        "salutation": dossier.applicant_name
        if dossier.applicant_kind == ApplicantKind.ORGANISATION
        else f"Ông/Bà {dossier.applicant_name}",
        "procedure_name": snapshot.get("name", ""),
        "procedure_code": snapshot.get("code", ""),
    }


# -- availability -------------------------------------------------------------------------------
_NOT_RECEIVED = (Status.GUIDED, Status.REFUSED)


def _is_received(dossier: Dossier) -> bool:
    return bool(dossier.code) and dossier.received_at is not None and dossier.status not in _NOT_RECEIVED


def _has_guidance(dossier: Dossier) -> bool:
    if dossier.status == Status.GUIDED or _last_event(dossier, Action.REQUEST_PAPERS) is not None:
        return True  # at the counter, or an online dossier before receipt
    return _is_received(dossier) and _last_event(dossier, Action.REQUEST_SUPPLEMENT) is not None


def _is_refused(dossier: Dossier) -> bool:
    return dossier.status == Status.REFUSED


def _has_extension(dossier: Dossier) -> bool:
    return _is_received(dossier) and _last_event(dossier, Action.EXTEND) is not None


def _is_stopped(dossier: Dossier) -> bool:
    return _is_received(dossier) and _last_event(dossier, Action.STOP) is not None


# -- form 01: receipt ----------------------------------------------------------------------------
def receipt_context(dossier: Dossier) -> dict[str, Any]:
    """Form 01, Giấy tiếp nhận hồ sơ và hẹn trả kết quả, printed in two copies (``copies``).

    The appointment is ``shown_due_at`` (what the citizen is told, extensions included); the QR
    code holds ``lookup_url`` (code and secret key), which is also printed in clear. The
    tracking-book line is the year's volume and the dossier's number in it (``tracking_book``).
    """
    url = lookup_url(dossier)
    code = dossier.code or ""
    if dossier.delivery == Delivery.POST:
        delivery = "Gửi qua dịch vụ bưu chính công ích đến địa chỉ: " + (dossier.delivery_address or "…")
    elif dossier.delivery == Delivery.ELECTRONIC:
        delivery = "Kết quả điện tử: tải về tại mục “Hồ sơ của tôi” trên tài khoản định danh điện tử"
    else:
        agency = dossier.agency
        delivery = f"Tại {agency.desk_name} ({agency.address})" if agency.address else f"Tại {agency.desk_name}"
    return {
        **_header(dossier, when=dossier.received_at, number=code),
        **_applicant(dossier),
        "code": code,
        "documents": [
            {"name": d.name, "form": d.get_form_display(), "quantity": d.quantity} for d in dossier.documents.all()
        ],
        "sets": dossier.sets,
        "time_limit_text": published_wording(dossier.procedure_snapshot.get("time_limit_text", "")),
        "received_words": datetime_words(dossier.received_at),
        "due_words": datetime_words(dossier.shown_due_at),
        "delivery_text": delivery,
        "fee_text": money(dossier.fee_amount),
        "book_volume": book_volume(dossier),
        "book_number": book_position(dossier),
        "lookup_key": dossier.lookup_key,
        "lookup_url": url,
        "lookup_page": f"{settings.MOTCUA_PUBLIC_URL}/tra-cuu/",
        "qr_svg": qr_svg(url, scale=3, title="Mã QR tra cứu hồ sơ"),
        "clerk_name": person_name(dossier.clerk),
        "copies": RECEIPT_COPIES,
    }


# -- form 02: guidance / supplement request ------------------------------------------------------
def guidance_context(dossier: Dossier) -> dict[str, Any]:
    """Form 02, Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ.

    At intake (status guided) the items are the dossier's note and the dossier was not received;
    for an online dossier before receipt, the note of the desk's request for papers; during
    processing the note of the latest supplement request and the clock is paused from that moment.
    """
    supplement = _last_event(dossier, Action.REQUEST_SUPPLEMENT)
    online_papers = _last_event(dossier, Action.REQUEST_PAPERS) if supplement is None else None
    at_intake = dossier.status == Status.GUIDED or online_papers is not None
    event = _last_event(dossier, Action.GUIDE) if dossier.status == Status.GUIDED else online_papers or supplement
    when = event.at if event else dossier.created_at
    text = dossier.note if dossier.status == Status.GUIDED else (event.note if event else "")
    return {
        **_header(dossier, when=when, number="" if at_intake else (dossier.code or "")),
        **_applicant(dossier),
        "at_intake": at_intake,
        "code": dossier.code or "",
        "items": text_lines(text),
        "requested_words": datetime_words(when),
        "received_words": "" if at_intake else datetime_words(dossier.received_at),
        "guide_name": person_name(event.actor if event else dossier.clerk),
        "agency_phone": dossier.agency.phone,
    }


# -- form 03: refusal -----------------------------------------------------------------------------
def refusal_context(dossier: Dossier) -> dict[str, Any]:
    """Form 03, Phiếu từ chối tiếp nhận giải quyết hồ sơ: the concrete reason is the dossier's note."""
    event = _last_event(dossier, Action.REFUSE)
    when = event.at if event else dossier.created_at
    return {
        **_header(dossier, when=when),
        **_applicant(dossier),
        "reasons": text_lines(dossier.note),
        "clerk_name": person_name(event.actor if event else dossier.clerk),
    }


# -- form 04: apology and new appointment ------------------------------------------------------------
def _shown_due_before(dossier: Dossier, event: DossierEvent) -> datetime:
    """The appointment the citizen held just before `event`: the clock replayed up to it."""
    earlier = [e for e in _events(dossier) if (e.at, e.pk) < (event.at, event.pk)]
    state = clock.apply_events(calendar_for(dossier.agency_id), dossier.base_due_at, clock.clock_events(earlier))
    return state.shown_due_at


def apology_context(dossier: Dossier) -> dict[str, Any]:
    """Form 04, Văn bản xin lỗi và hẹn lại ngày trả kết quả, from the latest EXTEND event.

    ``old_due_words`` is the appointment in force before that extension (the receipt's, moved
    by supplement pauses or an earlier extension); ``new_due_words`` the event's ``new_due_at``.
    """
    event = _last_event(dossier, Action.EXTEND)
    if event is None:
        raise ValueError("Hồ sơ chưa có văn bản xin lỗi và hẹn lại ngày trả kết quả.")
    new_due = datetime.fromisoformat(event.data["new_due_at"])
    return {
        **_header(dossier, when=event.at, number=dossier.code or "", issuer="committee"),
        **_applicant(dossier),
        "code": dossier.code or "",
        "received_words": datetime_words(dossier.received_at),
        "received_date_words": date_words(dossier.received_at),
        "old_due_words": datetime_words(_shown_due_before(dossier, event)),
        "new_due_words": datetime_words(new_due),
        # An imported letter's note only says where it came from: the reason was in the old system.
        "reasons": [] if event.data.get("imported") else text_lines(event.note),
        "signature_lines": signature_block(dossier.agency.leader_title),
        "leader_name": dossier.agency.leader_name,
    }


# -- form 05: processing stopped ------------------------------------------------------------------
def stop_context(dossier: Dossier) -> dict[str, Any]:
    """Form 05, Thông báo dừng giải quyết hồ sơ, from the latest STOP event (its note is the reason)."""
    event = _last_event(dossier, Action.STOP)
    if event is None:
        raise ValueError("Hồ sơ không bị dừng xử lý.")
    return {
        **_header(dossier, when=event.at, number=dossier.code or "", issuer="committee"),
        **_applicant(dossier),
        "code": dossier.code or "",
        "received_words": datetime_words(dossier.received_at),
        "stopped_words": datetime_words(event.at),
        # An imported letter's note only says where it came from: the reason was in the old system.
        "reasons": [] if event.data.get("imported") else text_lines(event.note),
        "signature_lines": signature_block(dossier.agency.leader_title),
        "leader_name": dossier.agency.leader_name,
        "agency_phone": dossier.agency.phone,
    }


# -- form 06: control slip ------------------------------------------------------------------------
def _step_parties(
    dossier: Dossier, event: DossierEvent, officers: dict[int, User], state: dict[str, str]
) -> tuple[str, str]:
    """(who gave, who received) the dossier at `event`; `state` carries the current officer and partner."""
    actor = person_name(event.actor)
    applicant = dossier.applicant_name
    desk = dossier.agency.desk_name
    action = event.action
    if action in (Action.RECEIVE, Action.SUBMIT):  # an online submission: from the applicant, to nobody yet
        return applicant, actor
    if action == Action.ASSIGN:
        officer = officers.get(event.data.get("officer_id"))
        state["officer"] = person_name(officer) if officer else str(event.data.get("officer", ""))
        return actor, state["officer"]
    if action in (Action.REQUEST_SUPPLEMENT, Action.EXTEND, Action.STOP, Action.WITHDRAW):
        return actor, applicant
    if action == Action.COMPLETE_SUPPLEMENT:
        return applicant, actor
    if action == Action.SUBMIT_FOR_APPROVAL:
        return actor, dossier.agency.leader_name or "Lãnh đạo Ủy ban nhân dân"
    if action in (Action.APPROVE, Action.MARK_RESULT_READY):
        return actor, desk
    if action == Action.SEND_BACK:
        return actor, state.get("officer", "")
    if action == Action.RETURN_RESULT:
        tracking = event.data.get("tracking_number", "")
        collector = event.data.get("collector", "")
        if tracking:
            return actor, f"Bưu chính công ích (mã bưu gửi {tracking})"
        return actor, collector or applicant
    if action == Action.TRANSFER:
        state["partner"] = str(event.data.get("to_agency", ""))
        return actor, state["partner"]
    if action == Action.TRANSFER_BACK:
        return state.get("partner", ""), actor
    return actor, ""


def control_context(dossier: Dossier) -> dict[str, Any]:
    """Form 06, Phiếu kiểm soát quá trình giải quyết hồ sơ: one row per event (hand-over).

    Each row: the step (the action's label), who gave and who received the dossier, the time
    (dd/mm/yyyy HH:MM) and the step's result, judged by the rule of docs/timeliness.md §1 against the
    due time the slip prints (``due_at``: the pause-adjusted legal due date, never an extension's
    new date): "Trước hạn" on a working day before the due date's day, "Đúng hạn" on that day no
    later than the due time, "Quá hạn" after it. The hand-over of the result to the applicant
    (and anything after the result was ready) is not judged: the dossier is classified at result
    ready, not at hand-over. The dossier's own classification is shown once below the table, as
    ``overall`` (``hoso.result_timing``), with the rule in brackets when its rows alone do not
    show why it is late (an apology and new appointment; more than one supplement request), so
    the summary never contradicts the rows above it.
    """
    events = _events(dossier)
    officer_ids = {e.data.get("officer_id") for e in events if e.action == Action.ASSIGN}
    officer_ids.discard(None)
    known = {u.pk: u for u in (dossier.officer, dossier.clerk, *(e.actor for e in events)) if u is not None}
    missing = officer_ids - known.keys()
    if missing:
        known.update(User.objects.in_bulk(missing))
    state: dict[str, str] = {}
    rows = []
    calendar = calendar_for(dossier.agency_id) if dossier.due_at else None
    for number, event in enumerate(events, start=1):
        giver, receiver = _step_parties(dossier, event, known, state)
        judged = calendar is not None and not (
            event.action in (Action.RETURN_RESULT, Action.SUBMIT)  # the clock starts at receipt
            or (dossier.result_ready_at is not None and event.at > dossier.result_ready_at)
        )
        rows.append(
            {
                "number": number,
                "step": event.get_action_display(),
                "giver": giver,
                "receiver": receiver,
                "at": _when(event.at),
                "result": Timeliness(clock.classify(calendar, dossier.due_at, finished_at=event.at)).label
                if judged
                else "",
                "note": event.note,
            }
        )
    timing = result_timing(dossier)
    extended = dossier.shown_due_at is not None and dossier.shown_due_at != dossier.due_at
    return {
        **_header(dossier, when=None, number=dossier.code or ""),
        **_applicant(dossier),
        "code": dossier.code or "",
        "received_words": datetime_words(dossier.received_at),
        "due_words": datetime_words(dossier.due_at),
        "shown_due_words": datetime_words(dossier.shown_due_at) if extended else "",
        "officer_name": person_name(dossier.officer),
        "rows": rows,
        "overall": timing.staff if timing else "",
    }


# -- return slip (Phiếu trả kết quả) with the survey QR code ------------------------------------
def _is_returned(dossier: Dossier) -> bool:
    return _is_received(dossier) and dossier.status == Status.RETURNED


def return_slip_context(dossier: Dossier) -> dict[str, Any]:
    """Phiếu trả kết quả: what was handed over, when, to whom, and the satisfaction survey link.

    The QR code holds ``survey_url`` (``hoso.survey_links.survey_link``: the dossier's link token,
    issued when its result became ready; valid 14 days after the return), printed in clear too.
    Printing only reads the token: without one the slip prints without the survey.
    """
    event = _last_event(dossier, Action.RETURN_RESULT)
    returned_at = dossier.returned_at or (event.at if event else None)
    data = event.data if event else {}
    rated = SatisfactionRating.objects.filter(dossier=dossier).exists()
    url = "" if rated else survey_link(dossier)  # empty past the 14 days: the slip still prints
    return {
        **_header(dossier, when=returned_at, number=dossier.code or ""),
        **_applicant(dossier),
        "code": dossier.code or "",
        "received_words": datetime_words(dossier.received_at),
        "due_words": datetime_words(dossier.shown_due_at),
        "result_ready_words": datetime_words(dossier.result_ready_at) if dossier.result_ready_at else "",
        "returned_words": datetime_words(returned_at) if returned_at else "",
        # Worded against the appointment printed on the slip (issue 17.3): never "quá hạn"
        # beside a result that came before it.
        "timeliness": timing.citizen if (timing := result_timing(dossier)) else "",
        "collector": data.get("collector", ""),
        "tracking_number": data.get("tracking_number", ""),
        "clerk_name": person_name(event.actor if event else None),
        "survey_url": url,
        "survey_days": LINK_VALIDITY.days,
        "already_rated": rated,
        "qr_svg": qr_svg(url, scale=3, title="Mã QR đánh giá mức độ hài lòng") if url else "",
    }


DOCUMENTS: dict[str, DocumentSpec] = {
    spec.slug: spec
    for spec in (
        DocumentSpec(
            slug="tiep-nhan",
            title="Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
            template="pdf/tiep_nhan.html",
            available=_is_received,
            context=receipt_context,
            unavailable="hồ sơ chưa được tiếp nhận (chưa có mã hồ sơ).",
            one_page_per_copy=True,
        ),
        DocumentSpec(
            slug="huong-dan",
            title="Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
            template="pdf/huong_dan.html",
            available=_has_guidance,
            context=guidance_context,
            unavailable="hồ sơ không được hướng dẫn bổ sung khi tiếp nhận và chưa có yêu cầu bổ sung nào.",
        ),
        DocumentSpec(
            slug="tu-choi",
            title="Phiếu từ chối tiếp nhận giải quyết hồ sơ",
            template="pdf/tu_choi.html",
            available=_is_refused,
            context=refusal_context,
            unavailable="hồ sơ không bị từ chối tiếp nhận.",
        ),
        DocumentSpec(
            slug="xin-loi",
            title="Văn bản xin lỗi và hẹn lại ngày trả kết quả",
            template="pdf/xin_loi.html",
            available=_has_extension,
            context=apology_context,
            unavailable="hồ sơ chưa có lần xin lỗi và hẹn lại ngày trả kết quả nào.",
        ),
        DocumentSpec(
            slug="dung-xu-ly",
            title="Thông báo dừng giải quyết hồ sơ",
            template="pdf/dung_xu_ly.html",
            available=_is_stopped,
            context=stop_context,
            unavailable="hồ sơ không bị dừng xử lý.",
        ),
        DocumentSpec(
            slug="kiem-soat",
            title="Phiếu kiểm soát quá trình giải quyết hồ sơ",
            template="pdf/kiem_soat.html",
            available=_is_received,
            context=control_context,
            unavailable="hồ sơ chưa được tiếp nhận (chưa có mã hồ sơ).",
        ),
        DocumentSpec(
            slug="tra-ket-qua",
            title="Phiếu trả kết quả",
            template="pdf/tra_ket_qua.html",
            available=_is_returned,
            context=return_slip_context,
            unavailable="hồ sơ chưa được trả kết quả.",
        ),
    )
}


# -- entry points ---------------------------------------------------------------------------------
def available_documents(dossier: Dossier) -> list[DocumentSpec]:
    """The slips this dossier can print now, in form order (loads the dossier once)."""
    loaded = load_dossier(dossier.pk)
    return [spec for spec in DOCUMENTS.values() if spec.available(loaded)]


def document_context(dossier: Dossier, slug: str, *, paper: Paper = "A4") -> dict[str, Any]:
    """The full template context of slip `slug` for `dossier` (reloaded fresh: three queries + a few).

    Raises KeyError for an unknown slug or paper, ValueError (Vietnamese message) when the slip
    does not apply to the dossier.
    """
    spec = DOCUMENTS[slug]
    style = PAPERS[paper]
    loaded = load_dossier(dossier.pk)
    if not spec.available(loaded):
        raise ValueError(f"Không in được “{spec.title}”: {spec.unavailable}")
    return {**spec.context(loaded), "title": spec.title, "slug": spec.slug, "paper": style}


def render_document_html(dossier: Dossier, slug: str, *, paper: Paper = "A4") -> str:
    """The slip as HTML (what the PDF is made from; also usable as an on-screen preview)."""
    return render_html(DOCUMENTS[slug].template, document_context(dossier, slug, paper=paper))


def render_document(dossier: Dossier, slug: str, paper: Paper = "A4") -> bytes:
    """The slip `slug` of `dossier` as PDF bytes, on A4 (default) or A5 paper.

    Raises KeyError for an unknown slug or paper, ValueError with a Vietnamese message when the
    slip does not apply to this dossier (e.g. no extension yet for 'xin-loi').
    """
    spec = DOCUMENTS[slug]
    if not spec.one_page_per_copy:
        return html_to_pdf(render_document_html(dossier, slug, paper=paper))
    context = document_context(dossier, slug, paper=paper)
    layouts = [
        render_html(spec.template, {**context, "paper": tighter(PAPERS[paper], step)}) for step in range(FIT_STEPS + 1)
    ]
    return fitting_pdf(layouts, max_pages=len(context["copies"]))
