"""The ward admin's list of outbox rows and the retry action."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hoso.constants import Status
from hoso.models import Dossier
from lienthong import drain
from lienthong.models import OutboxEntry, State
from motcua.constants import Role
from tests.factories import UserFactory
from tests.hoso.test_workflow import bring_to

pytestmark = pytest.mark.django_db


def test_a_blocked_row_is_retried_once_the_data_is_there(stand_in, agency, staff, procedure, client):
    d = bring_to(Status.RECEIVED, agency, staff, procedure)  # no ID number: blocked
    client.force_login(staff[Role.ADMIN])
    url = reverse("admin:lienthong_outboxentry_changelist")
    listing = client.get(url, {"can_xu_ly": "1"}).content.decode()
    assert "Không đồng bộ được" in listing and d.code in listing
    row = OutboxEntry.objects.get(dossier=d)
    answer = client.post(url, {"action": "retry", "_selected_action": [row.pk]}, follow=True).content.decode()
    assert "vẫn không đồng bộ được" in answer
    Dossier.objects.filter(pk=d.pk).update(applicant_id_number="001090000123")
    client.post(url, {"action": "retry", "_selected_action": [row.pk]})
    row.refresh_from_db()
    assert row.state == State.PENDING and row.payload["record"]["MaDoiTuong"] == "001090000123"
    assert drain.drain_once().acknowledged == 1
    assert stand_in.inspect(d.code)["record"]["TrangThaiHoSo"] == 2


def test_another_wards_admin_does_not_see_the_rows(link_on, agency, staff, procedure, other_agency, client):
    d = bring_to(Status.RECEIVED, agency, staff, procedure)
    other_admin = UserFactory(agency=other_agency, role=Role.ADMIN, username="qt2")
    client.force_login(other_admin)
    listing = client.get(reverse("admin:lienthong_outboxentry_changelist")).content.decode()
    assert d.code not in listing
