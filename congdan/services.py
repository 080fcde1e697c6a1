"""Signing a citizen in from a verified identity: find by (issuer, subject), else link by ID number, else create."""

from __future__ import annotations

import logging
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from .claims import Identity
from .models import Citizen

logger = logging.getLogger(__name__)


def _clean_email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        return ""
    return value


def _apply(citizen: Citizen, identity: Identity, now: datetime) -> None:
    """The provider is the source of truth for the identity: each sign-in refreshes what it sent."""
    citizen.issuer = identity.issuer
    citizen.subject = identity.subject
    citizen.id_number = identity.id_number
    citizen.full_name = identity.full_name
    citizen.date_of_birth = identity.date_of_birth or citizen.date_of_birth
    citizen.assurance_level = identity.assurance_level
    citizen.email = _clean_email(identity.email) or citizen.email
    citizen.phone = identity.phone or citizen.phone
    citizen.address = identity.address or citizen.address
    citizen.last_login_at = now


@transaction.atomic
def sign_in(identity: Identity, *, now: datetime) -> tuple[Citizen, str]:
    """The citizen row for this identity and how it was found: "signed_in", "linked" or "created"."""
    by_subject = Citizen.objects.select_for_update().filter(issuer=identity.issuer, subject=identity.subject).first()
    by_number = Citizen.objects.select_for_update().filter(id_number=identity.id_number).first()
    if by_subject is not None:
        if by_number is not None and by_number.pk != by_subject.pk:
            # The provider now gives this account another person's ID number: refuse, change nothing.
            logger.warning("Tài khoản %s mang số định danh của công dân #%s: từ chối.", identity.subject, by_number.pk)
            raise ValidationError("Số định danh của tài khoản trùng với một công dân khác.", code="id_number_taken")
        citizen, how = by_subject, "signed_in"
    elif by_number is not None:
        citizen, how = by_number, "linked"
        logger.info("Công dân #%s liên kết với tài khoản mới của %s.", citizen.pk, identity.issuer)
    else:
        citizen, how = Citizen(created_at=now), "created"
    _apply(citizen, identity, now)
    citizen.full_clean()
    citizen.save()
    return citizen, how
