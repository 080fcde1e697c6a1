"""The leader board's count of dossiers not synchronised for more than a working day, and its list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hoso.constants import Status
from lienthong import board
from lienthong.models import OutboxEntry
from motcua.constants import Role
from tests.factories import UserFactory
from tests.hoso.test_workflow import bring_to, vn

pytestmark = pytest.mark.django_db


def test_more_than_a_working_day_by_the_ward_calendar(link_on, with_id_number, agency, staff, procedure):
    d = bring_to(Status.PROCESSING, agency, staff, procedure)
    OutboxEntry.objects.filter(dossier=d).update(created_at=vn(2025, 3, 7, 16))  # Friday afternoon
    assert board.unsynced(agency.pk, vn(2025, 3, 8, 17)) == []  # Saturday: not a working day
    assert board.unsynced(agency.pk, vn(2025, 3, 10, 15)) == []  # Monday 15:00: less than a working day
    (late,) = board.unsynced(agency.pk, vn(2025, 3, 10, 16, 30))
    assert late.dossier == d and late.since == vn(2025, 3, 7, 16) and late.state == "Đang chờ gửi"
    OutboxEntry.objects.filter(dossier=d).update(state="acknowledged")
    assert board.unsynced(agency.pk, vn(2025, 3, 10, 16, 30)) == []


def test_the_card_links_to_the_list_with_the_reason(link_on, agency, other_agency, staff, procedure, client):
    d = bring_to(Status.RECEIVED, agency, staff, procedure)  # no ID number: cannot sync
    OutboxEntry.objects.filter(dossier=d).update(created_at=vn(2025, 3, 3, 9))
    client.force_login(staff[Role.LEADER])
    page = client.get(reverse("hoso:worklist_leader")).content.decode()
    card = page[page.index('id="chua-dong-bo-quoc-gia"') :]
    assert (
        reverse("lienthong:unsynced") in card and '<div class="fs-3 fw-semibold text-warning-emphasis">1</div>' in card
    )
    listed = client.get(reverse("lienthong:unsynced")).content.decode()
    assert d.code in listed and "chủ hồ sơ chưa có số giấy tờ" in listed and "09:00 03/03/2025" in listed
    client.force_login(staff[Role.CLERK])
    assert client.get(reverse("lienthong:unsynced")).status_code == 403
    client.force_login(UserFactory(agency=other_agency, role=Role.LEADER, username="lanhdao2"))
    assert d.code not in client.get(reverse("lienthong:unsynced")).content.decode()


def test_no_card_while_the_link_is_off(settings, agency, staff, client):
    settings.MOTCUA_NATIONAL_PORTAL_URL = ""
    client.force_login(staff[Role.LEADER])
    assert 'id="chua-dong-bo-quoc-gia"' not in client.get(reverse("hoso:worklist_leader")).content.decode()
