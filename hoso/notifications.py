"""Messages to applicants about their dossier: which events notify, the texts, the channels.

Flow (every step safe to run twice):

1. The workflow writes the event in the action's transaction; the event row is the outbox. With a
   broker (production), beat's relay ``hoso.tasks.relay_notifications`` (every
   ``MOTCUA_NOTIFY_RELAY_SECONDS``, 5 s) plans the notifying events committed since, so a
   request never talks to the broker for a notification and a rolled-back action is never seen.
   Without a broker (eager mode: a laptop, the tests) there is no beat: the after-event callback
   ``hoso.tasks.notify_after_commit`` (``hoso.events.on_event`` in ``HosoConfig.ready``) runs
   ``queue_event_notifications(event_id)`` with ``transaction.on_commit`` for the actions in
   ``NOTIFYING_ACTIONS`` instead.
2. ``plan_notifications(event_id)`` (called by the relay, or by ``hoso.tasks.notify_event``)
   creates at most one ``Notification`` row per (event, channel) — e-mail when the applicant
   gave an address, text message when they gave a phone — with the rendered text, and queues
   ``hoso.tasks.send_notification`` for each.
3. ``send_notification`` claims an attempt with a compare-and-set (``Notification.claim_attempt``,
   shared with petition messages by ``hoso.outgoing.OutgoingMessage``), sends through ``deliver``
   and records the outcome (``record_sent`` / ``record_failure``).

Texts: a ``NotificationTemplate`` row of the dossier's agency wins, then a row without agency
(the deployment's default), then the built-in files ``templates/hoso/messages/``. Subject and
body are plain text with placeholders (``hoso.messages``): never a template, never evaluated;
the values are plain strings computed by ``message_values``.

History recorded after the fact (the demo ward's past months, ``motcua.demo_history``) is written
inside ``hoso.events.recorded_silently()``: its events carry ``data["silent"] = True`` and, like
imported events, never get a message, neither from the after-commit hook nor from the sweeper.
"""

from __future__ import annotations

import logging
import re
import smtplib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db.models import Exists, OuterRef, Q
from django.utils.module_loading import import_string

from motcua.lib.dates import datetime_short, datetime_words
from motcua.lib.identity import is_fixed_line, mask_name
from motcua.lib.text import single_stops

from . import messages
from .constants import Action, ApplicantKind, Delivery, NotificationChannel, NotificationKind, NotificationStatus
from .models import Dossier, DossierEvent, Notification, NotificationTemplate
from .outgoing import OutgoingMessage
from .paper import committee_in_sentence, lookup_url, text_lines
from .survey_links import survey_link

logger = logging.getLogger(__name__)
sms_logger = logging.getLogger("motcua.sms")

DEFAULT_SMS_BACKEND = "hoso.notifications.LoggingSmsBackend"

#: The workflow actions that notify the applicant, and the kind of message each sends.
ACTION_KINDS: dict[str, NotificationKind] = {
    Action.RECEIVE: NotificationKind.RECEIVED,
    Action.REQUEST_SUPPLEMENT: NotificationKind.SUPPLEMENT,
    Action.REQUEST_PAPERS: NotificationKind.PAPERS,  # an online dossier, before receipt
    Action.EXTEND: NotificationKind.EXTENDED,
    # A result signed by the leader, or finished by the officer without approval: same message.
    Action.APPROVE: NotificationKind.RESULT_READY,
    Action.MARK_RESULT_READY: NotificationKind.RESULT_READY,
    Action.PAY: NotificationKind.PAID,  # a fee paid online or at the desk (thanhtoan)
}
NOTIFYING_ACTIONS = frozenset(ACTION_KINDS)


def sends_nothing(data: dict[str, Any] | None) -> bool:
    """An event told nobody now: imported (the old system told the applicant) or recorded silently."""
    data = data or {}
    return bool(data.get("imported") or data.get("silent"))


# -- sending channels ---------------------------------------------------------------------------
class TransientSendError(Exception):
    """A send that may succeed later (provider busy, network down): the task retries it."""


class SmsBackend(Protocol):
    """A text-message gateway. ``send`` returns when the provider accepted the message.

    It raises ``TransientSendError`` for failures worth retrying; any other exception marks the
    notification as failed at once (wrong number, account refused…).
    """

    def send(self, phone: str, text: str) -> None: ...


class LoggingSmsBackend:
    """The default gateway: writes the message to the log (logger "motcua.sms", level INFO).

    For a laptop and for wards without an SMS contract; a deployment sets ``MOTCUA_SMS_BACKEND``
    to its provider's backend class.
    """

    def send(self, phone: str, text: str) -> None:
        sms_logger.info("Tin nhắn tới %s: %s", phone, text)


def sms_backend() -> SmsBackend:
    """A new instance of the class named by the ``MOTCUA_SMS_BACKEND`` setting."""
    return import_string(getattr(settings, "MOTCUA_SMS_BACKEND", DEFAULT_SMS_BACKEND))()


# SMTP failures that say nothing about the message itself: the server was unreachable, dropped
# the connection or answered with a temporary (4xx) code. Everything else is permanent.
_RETRYABLE_SMTP = (smtplib.SMTPConnectError, smtplib.SMTPServerDisconnected, ConnectionError, TimeoutError)


def _is_temporary_smtp(exc: Exception) -> bool:
    if isinstance(exc, _RETRYABLE_SMTP):
        return True
    code = getattr(exc, "smtp_code", None)
    return isinstance(code, int) and 400 <= code < 500


def deliver(notification: OutgoingMessage) -> None:
    """Send one message (a dossier notification, a petition message) on its channel. Raises
    TransientSendError when a retry may help."""
    if notification.channel == NotificationChannel.EMAIL:
        try:
            send_mail(
                notification.subject,
                notification.body,
                settings.DEFAULT_FROM_EMAIL,
                [notification.recipient],
                fail_silently=False,
            )
        except (smtplib.SMTPException, OSError) as exc:
            if _is_temporary_smtp(exc):
                raise TransientSendError(f"Máy chủ thư tạm thời không nhận thư: {exc}") from exc
            raise
    elif notification.channel == NotificationChannel.SMS:
        sms_backend().send(notification.recipient, notification.body)
    else:  # a channel added to the choices without a sender here
        raise ValueError(f"Kênh gửi không được hỗ trợ: {notification.channel}")


# -- texts --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class MessageTemplate:
    subject: str
    body: str


def default_template(kind: str, channel: str) -> MessageTemplate:
    """The built-in text (files under templates/hoso/messages/, in the placeholder language)."""
    return MessageTemplate(
        subject=messages.default_text(kind, channel, "subject"), body=messages.default_text(kind, channel, "body")
    )


def template_for(kind: str, channel: str, agency_id: int | None) -> MessageTemplate:
    """The agency's row, else the default row (no agency), else the built-in text: one query."""
    rows = NotificationTemplate.objects.filter(kind=kind, channel=channel).filter(
        Q(agency_id=agency_id) | Q(agency__isnull=True)
    )
    chosen = None
    for row in rows:
        if row.agency_id is not None or chosen is None:
            chosen = row
    if chosen is not None:
        return MessageTemplate(subject=chosen.subject, body=chosen.body)
    return default_template(kind, channel)


def _collect_texts(dossier: Dossier) -> tuple[str, str]:
    """(sentence for e-mail, short form for SMS) saying where the applicant gets the result."""
    agency = dossier.agency
    if dossier.delivery == Delivery.POST:
        # Never repeat the applicant's address in a message: the mailbox may not be theirs alone.
        text = "Kết quả được gửi qua dịch vụ bưu chính công ích đến địa chỉ đã đăng ký khi nộp hồ sơ."
        return text, "Kết quả được gửi qua bưu chính công ích."
    if dossier.delivery == Delivery.ELECTRONIC:
        text = "Kết quả điện tử đã sẵn sàng: mời đăng nhập tài khoản định danh điện tử, mục “Hồ sơ của tôi”, để tải về."
        return text, "Tải kết quả điện tử tại mục Hồ sơ của tôi."
    where = f"{agency.desk_name} {_ward_in_sentence(agency.name)}" + (f", {agency.address}" if agency.address else "")
    hours = f" Giờ làm việc: {agency.opening_hours}." if agency.opening_hours else ""
    text = (
        f"Mời {_addressee(dossier)} đến nhận kết quả tại {where}, mang theo Giấy tiếp nhận hồ sơ và hẹn trả "
        f"kết quả và giấy tờ tùy thân.{hours}"
    )
    short = f"Mời nhận tại {agency.address or agency.desk_name}, mang theo giấy hẹn."
    return text, short


def _ward_in_sentence(name: str) -> str:
    """'phường Hoàn Kiếm': inside a sentence the unit word is not capitalised."""
    return committee_in_sentence(name).removeprefix("Ủy ban nhân dân ")


def _addressee(dossier: Dossier) -> str:
    return "tổ chức" if dossier.applicant_kind == ApplicantKind.ORGANISATION else "ông/bà"


def _online_receipt_note(event: DossierEvent) -> str:
    """On receiving a dossier submitted online: where the citizen downloads the receipt (form 01)."""
    if event.action != Action.RECEIVE or event.dossier.submitted_at is None:
        return ""
    where = f"{settings.MOTCUA_PUBLIC_URL}/ho-so-cua-toi/"
    return f"Giấy tiếp nhận hồ sơ (mẫu 01, PDF) tải tại mục Hồ sơ của tôi: {where}"


def message_values(event: DossierEvent) -> dict[str, str]:
    """The value of every placeholder of ``hoso.messages.PLACEHOLDERS`` for this event: plain strings.

    This is all a staff-edited text can ever see; nothing here is an object. The appointment
    (``ngay_hen``) is the receipt's for RECEIVE, the new one for EXTEND, else the dossier's
    current ``shown_due_at``. Values that do not apply to the event are empty strings.
    """
    dossier = event.dossier
    agency = dossier.agency
    new_due_at = None
    if event.action == Action.EXTEND and event.data.get("new_due_at"):
        new_due_at = datetime.fromisoformat(event.data["new_due_at"])
    appointment = dossier.shown_due_at
    if event.action == Action.RECEIVE and event.data.get("due_at"):
        appointment = datetime.fromisoformat(event.data["due_at"])
    elif new_due_at is not None:
        appointment = new_due_at
    result_ready = event.action in (Action.APPROVE, Action.MARK_RESULT_READY)
    collect_text, collect_short = _collect_texts(dossier) if result_ready else ("", "")
    lines = text_lines(event.note)
    documents = lines if event.action in (Action.REQUEST_SUPPLEMENT, Action.REQUEST_PAPERS) else []
    reasons = lines if event.action == Action.EXTEND else []
    organisation = dossier.applicant_kind == ApplicantKind.ORGANISATION
    survey_url = survey_link(dossier) if result_ready else ""
    addressee = _addressee(dossier)
    ward = _ward_in_sentence(agency.name)
    contact = [
        f"Địa chỉ: {agency.address}" if agency.address else "",
        f"Điện thoại: {agency.phone}" if agency.phone else "",
    ]
    values = {
        "kinh_gui": dossier.applicant_name if organisation else f"Ông/Bà {dossier.applicant_name}",
        "ho_ten": dossier.applicant_name,
        "ho_ten_rut_gon": dossier.applicant_name if organisation else mask_name(dossier.applicant_name),
        "xung_ho": addressee,
        "ma_ho_so": dossier.code or "",
        "thu_tuc": dossier.procedure_name,
        "ngay_tiep_nhan": datetime_words(dossier.received_at) if dossier.received_at else "",
        "ngay_hen": datetime_words(appointment) if appointment else "",
        "ngay_hen_ngan": datetime_short(appointment) if appointment else "",
        "ngay_hen_moi": datetime_words(new_due_at) if new_due_at else "",
        "ngay_hen_moi_ngan": datetime_short(new_due_at) if new_due_at else "",
        "thoi_diem": datetime_words(event.at),
        "giay_to_bo_sung": "\n".join(f"{n}. {item}" for n, item in enumerate(documents, start=1)),
        "giay_to_bo_sung_ngan": "; ".join(documents),
        "ly_do": "\n".join(f"- {item}" for item in reasons),
        "noi_nhan_ket_qua": collect_text,
        "noi_nhan_ket_qua_ngan": collect_short,
        "link_tra_cuu": lookup_url(dossier),
        "giay_tiep_nhan": _online_receipt_note(event),
        "link_danh_gia": survey_url,
        "moi_danh_gia": f"Sau khi nhận kết quả, mời {addressee} đánh giá mức độ hài lòng: {survey_url}"
        if survey_url
        else "",
        "co_quan": agency.name,
        "uy_ban": committee_in_sentence(agency.name),
        "phuong_xa": ward,
        "bo_phan": agency.desk_name,
        "dia_diem": f"{agency.desk_name} {ward}" + (f" ({agency.address})" if agency.address else ""),
        "dia_chi_co_quan": agency.address,
        "dien_thoai_co_quan": agency.phone,
        "lien_he": "\n".join(line for line in contact if line),
    }
    return values


def render_message(event: DossierEvent, channel: str, values: dict[str, str] | None = None) -> tuple[str, str]:
    """(subject, body) of the message for `event` on `channel`; ``values`` are the event's
    ``message_values`` when the caller already has them (one computation for every channel).

    Plain substitution of the placeholders (``hoso.messages.fill``): nothing in the text is
    evaluated. A stored text that is not valid in the placeholder language (a row written before
    it, or forced into the database) is never rendered: the built-in text is used (and the reason
    logged), so the applicant still hears about their dossier.
    """
    kind = ACTION_KINDS[event.action]
    values = values if values is not None else message_values(event)
    chosen = template_for(kind, channel, event.dossier.agency_id)
    try:
        return _render(chosen, values)
    except ValidationError:
        logger.warning(
            "Mẫu thông báo %s/%s của cơ quan %s sai cú pháp: dùng mẫu mặc định", kind, channel, event.dossier
        )
        return _render(default_template(kind, channel), values)


_BLANK_LINES = re.compile(r"\n{3,}")


def _render(template: MessageTemplate, values: dict[str, str]) -> tuple[str, str]:
    # A value that ends with its own full stop (a paper typed as a sentence, an address) closes a
    # sentence of the text: one stop, not "..".
    subject = single_stops(" ".join(messages.fill(template.subject, values).split()))
    body = messages.fill(template.body, values)
    # A placeholder left empty (no address, no survey link) must not leave a hole of blank lines.
    body = "\n".join(line.rstrip() for line in body.splitlines())
    body = single_stops(_BLANK_LINES.sub("\n\n", body).strip())
    return subject[:200], body


# -- planning -----------------------------------------------------------------------------------
def plan_notifications(event_id: int) -> list[int]:
    """Create the notifications of one event and return their ids (existing rows included).

    One row per channel the applicant can be reached on (e-mail if ``applicant_email``, text
    message if ``applicant_phone``); never two rows for the same (event, channel), even when
    called twice or concurrently (``get_or_create`` on the unique pair). An event that does not
    notify, was imported from another system or recorded silently, or no longer exists, gives [].
    """
    event = DossierEvent.objects.select_related("dossier__agency").filter(pk=event_id).first()
    if event is None or event.action not in ACTION_KINDS or sends_nothing(event.data):
        # An imported event happened in the ward's old system, which told the applicant then; a
        # silent one is history recorded after the fact.
        return []
    dossier = event.dossier
    existing = dict(Notification.objects.filter(event=event).values_list("channel", "pk"))
    ids: list[int] = []
    values: dict[str, str] | None = None  # computed once, for the first channel that needs a text
    for channel, recipient in (
        (NotificationChannel.EMAIL, dossier.applicant_email.strip()),
        # A fixed line (an organisation's switchboard) cannot receive a text message.
        (NotificationChannel.SMS, "" if is_fixed_line(dossier.applicant_phone) else dossier.applicant_phone.strip()),
    ):
        if channel in existing:
            ids.append(existing[channel])
            continue
        if not recipient:
            continue
        values = values if values is not None else message_values(event)
        subject, body = render_message(event, channel, values)
        notification, _ = Notification.objects.get_or_create(
            event=event,
            channel=channel,
            defaults={
                "dossier": dossier,
                "kind": ACTION_KINDS[event.action],
                "recipient": recipient,
                "subject": subject if channel == NotificationChannel.EMAIL else "",
                "body": body,
            },
        )
        ids.append(notification.pk)
    return ids


# -- the relay and the sweeper ----------------------------------------------------------------------
#: How far back the relay looks, every few seconds, for notifying events not planned yet.
RELAY_WINDOW = timedelta(minutes=15)
#: How far back the sweeper looks for events whose notifications never got planned.
SWEEP_WINDOW = timedelta(days=2)
#: The normal path (the relay, or after commit → notify_event) has had this long before the sweeper steps in.
SWEEP_GRACE = timedelta(minutes=5)
#: A notification still pending this long after its first attempt lost its retry (broker restart).
STALE_RETRY = timedelta(hours=3)


@dataclass(frozen=True)
class Sweep:
    events: list[int]  # events whose notifications were planned now
    requeued: list[int]  # their notifications, and pending ones never attempted: to queue
    abandoned: list[int]  # pending notifications whose retry was lost, now failed


def unplanned_events(*, since: datetime, until: datetime) -> list[int]:
    """Notifying events at ``since`` ≤ at < ``until`` whose applicant can be reached and that have
    no notification yet, oldest first."""
    candidates = (
        DossierEvent.objects.filter(action__in=NOTIFYING_ACTIONS, at__gte=since, at__lt=until)
        .filter(~Q(dossier__applicant_email="") | ~Q(dossier__applicant_phone=""))
        .exclude(Exists(Notification.objects.filter(event=OuterRef("pk"))))
        .order_by("at", "pk")
        .values_list("pk", "data", "dossier__applicant_email", "dossier__applicant_phone")
    )
    # Imported events were announced by the old system, silent ones are history: never message
    # them (read in Python, as a JSON key test that is portable between SQLite and PostgreSQL
    # would also drop rows without it). Nor an applicant with only a fixed line, which no text
    # message reaches: planned, it would give no row and be read again at every run.
    return [
        pk
        for pk, data, email, phone in candidates
        if not sends_nothing(data) and (email.strip() or not is_fixed_line(phone))
    ]


def relay(now: datetime) -> list[int]:
    """Plan the notifications of the notifying events of the last ``RELAY_WINDOW`` not planned yet;
    their ids, to queue. Safe beside itself and the sweeper (``plan_notifications`` is)."""
    events = unplanned_events(since=now - RELAY_WINDOW, until=now + timedelta(seconds=1))
    return [pk for event_id in events for pk in plan_notifications(event_id)]


def sweep(now: datetime) -> Sweep:
    """Find the messages a broker outage lost; return what must be (re)queued.

    Plans the notifications of recent notifying events that have none although the applicant
    can be reached (their after-commit hook could not reach the broker); lists pending rows never
    attempted; marks failed, with the reason, pending rows whose retries stopped coming.
    """
    until = now - SWEEP_GRACE
    events = unplanned_events(since=now - SWEEP_WINDOW, until=until)
    planned = [pk for event_id in events for pk in plan_notifications(event_id)]
    requeued = list(
        Notification.objects.filter(status=NotificationStatus.PENDING, attempts=0, created_at__lt=until)
        .exclude(pk__in=planned)
        .order_by("created_at")
        .values_list("pk", flat=True)
    )
    stale = Notification.objects.filter(
        status=NotificationStatus.PENDING, attempts__gt=0, created_at__lt=now - STALE_RETRY
    )
    abandoned = list(stale.values_list("pk", flat=True))
    stale.filter(pk__in=abandoned).update(
        status=NotificationStatus.FAILED,
        error="Không gửi lại được: lượt gửi lại đã mất (hàng đợi bị khởi động lại). Hãy liên hệ người nộp.",
    )
    return Sweep(events=events, requeued=planned + requeued, abandoned=abandoned)
