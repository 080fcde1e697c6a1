"""The dossier page's line about its synchronisation with the national portal."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hoso.constants import Status
from lienthong import drain
from lienthong.models import OutboxEntry, State
from lienthong.state import sync_state
from motcua.constants import Role
from tests.hoso.test_workflow import bring_to

pytestmark = pytest.mark.django_db


def page(client, user, dossier) -> str:
    client.force_login(user)
    return client.get(reverse("hoso:detail", args=[dossier.pk])).content.decode()


def test_waiting_then_synchronised_then_retrying(stand_in, with_id_number, agency, staff, procedure, client):
    d = bring_to(Status.PROCESSING, agency, staff, procedure)
    assert "Đang chờ đồng bộ lên Cổng DVC quốc gia (2 bản tin)" in page(client, staff[Role.CLERK], d)
    drain.drain_once()
    assert sync_state(d.pk).tone == "success"
    assert "Đã đồng bộ lên Cổng DVC quốc gia lúc" in page(client, staff[Role.CLERK], d)
    OutboxEntry.objects.create(
        dossier=d,
        payload={"record": {}, "steps": []},
        sequence=10**9,
        attempts=2,
        last_error="Cổng DVC quốc gia lỗi HTTP 503.",
    )
    state = sync_state(d.pk)
    assert state.tone == "warning" and "đã thử 2 lần" in state.text and "HTTP 503" in state.text


def test_cannot_sync_shows_the_reason(link_on, agency, staff, procedure, client):
    d = bring_to(Status.RECEIVED, agency, staff, procedure)  # no ID number
    assert OutboxEntry.objects.get(dossier=d).state == State.BLOCKED
    html = page(client, staff[Role.CLERK], d)
    assert 'id="dong-bo-quoc-gia"' in html and "Không đồng bộ được: chủ hồ sơ chưa có số giấy tờ" in html


def test_nothing_is_shown_while_the_link_is_off(settings, agency, staff, procedure, client):
    settings.MOTCUA_NATIONAL_PORTAL_URL = ""
    d = bring_to(Status.RECEIVED, agency, staff, procedure)
    assert 'id="dong-bo-quoc-gia"' not in page(client, staff[Role.CLERK], d)
