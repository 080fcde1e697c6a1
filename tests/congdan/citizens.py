"""Citizens for the tests of the citizen's pages: a row, and a session set directly (no provider involved)."""

from __future__ import annotations

from django.utils import timezone

from congdan.models import Citizen
from congdan.session import CITIZEN_KEY, LAST_SEEN_KEY


def make_citizen(id_number: str, name: str) -> Citizen:
    return Citizen.objects.create(
        issuer="http://idp.test",
        subject=f"sub-{id_number}",
        id_number=id_number,
        full_name=name,
        assurance_level="2",
        address="Số 5 phố Hàng Bạc",
        phone="0912345678",
    )


def as_citizen(client, citizen: Citizen) -> None:
    """A citizen's session set directly, as the sign-in callback leaves it (tested with the dev IdP elsewhere)."""
    session = client.session
    session[CITIZEN_KEY] = citizen.pk
    session[LAST_SEEN_KEY] = int(timezone.now().timestamp())
    session.save()
