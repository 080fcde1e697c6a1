"""Messages to the sender of a petition: planned once per (event, channel), sent at most once by the
channels of the dossier notifications (``hoso.notifications.deliver``: e-mail, text message)."""

from __future__ import annotations

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone

from hoso.constants import NotificationChannel, NotificationStatus
from hoso.notifications import deliver
from motcua.lib.dates import datetime_short
from motcua.lib.identity import is_mobile

from .models import Petition, PetitionEvent, PetitionMessage


def tracking_url(petition: Petition) -> str:
    """The sender's page (status, answer, rating), with the secret token."""
    return f"{settings.MOTCUA_PUBLIC_URL}/phan-anh-kien-nghi/theo-doi/{petition.token}/"


def _text(event: PetitionEvent) -> tuple[str, str]:
    petition = event.petition
    context = {
        "petition": petition,
        "event": event,
        "ward": petition.agency.name,
        "url": tracking_url(petition),
        "decide_due": datetime_short(petition.decide_due_at),
        "answer_due": datetime_short(petition.answer_due_at) if petition.answer_due_at else "",
    }
    body = render_to_string(f"phananh/messages/{event.action}.txt", context).strip()
    subject = f"Phản ánh, kiến nghị {petition.code}"
    return subject, body


def plan_messages(event_id: int) -> list[int]:
    """One message per channel the sender gave (e-mail, mobile phone); returns the new rows' ids."""
    event = PetitionEvent.objects.select_related("petition__agency").filter(pk=event_id).first()
    if event is None:
        return []
    petition = event.petition
    subject, body = _text(event)
    targets = []
    if petition.sender_email:
        targets.append((NotificationChannel.EMAIL, petition.sender_email))
    if petition.sender_phone and is_mobile(petition.sender_phone):
        targets.append((NotificationChannel.SMS, petition.sender_phone))
    created = []
    for channel, recipient in targets:
        row, new = PetitionMessage.objects.get_or_create(
            event=event,
            channel=channel,
            defaults={"petition": petition, "recipient": recipient, "subject": subject, "body": body},
        )
        if new:
            created.append(row.pk)
    return created


def send(message_id: int) -> str:
    """Send one planned message at most once (a conditional UPDATE claims it); returns its status."""
    if not PetitionMessage.claim_attempt(message_id, 1):
        return "claimed elsewhere"
    try:
        deliver(PetitionMessage.objects.get(pk=message_id))
    except Exception as exc:
        PetitionMessage.record_failure(message_id, repr(exc), final=True)
        return NotificationStatus.FAILED
    PetitionMessage.record_sent(message_id, now=timezone.now())
    return NotificationStatus.SENT
