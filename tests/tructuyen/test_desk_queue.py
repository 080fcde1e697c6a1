"""The desk's queue of online dossiers awaiting intake: most urgent first, late ones flagged; receive or refuse."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from hoso.calendar_store import calendar_for
from hoso.constants import Action, Status
from hoso.models import Dossier
from motcua.constants import Role
from tests.factories import UserFactory
from tructuyen import services
from tructuyen.models import DossierFile

from .conftest import vn
from .samples import PDF

pytestmark = pytest.mark.django_db


def submit_at(ward, intake, when, name="Nguyễn Văn An"):
    intake.applicant_name = name
    paper = services.Paper(name="Tờ khai", filename="to-khai.pdf", chunks=[PDF])
    return services.submit(agency=ward, intake=intake, papers=[paper], source="web", now=when)


@pytest.fixture
def two(settings, tmp_path, ward, online_intake):
    settings.MEDIA_ROOT = tmp_path
    calendar_for(ward.pk)
    late = submit_at(ward, online_intake, vn(2026, 12, 3, 9), "Trần Thị Bình")  # due Fri 04/12 09:30
    fresh = submit_at(ward, online_intake, vn(2026, 12, 4, 16), "Lê Văn Cường")  # due Mon 07/12 16:30
    return late, fresh


def test_the_queue_lists_the_most_urgent_first_and_counts_the_late(client, desk_clerk, two):
    late, fresh = two
    with time_machine.travel(vn(2026, 12, 7, 8), tick=False):
        client.force_login(desk_clerk)
        page = client.get(reverse("tructuyen:queue")).content.decode()
    assert page.index(late.code) < page.index(fresh.code)
    assert "1 quá hạn tiếp nhận" in page and "2 hồ sơ chờ" in page
    assert "table-danger" in page


def test_receiving_from_the_review_page_starts_the_clock_with_the_same_code(client, desk_clerk, two):
    _, fresh = two
    client.force_login(desk_clerk)
    review = client.get(reverse("tructuyen:review", args=[fresh.pk])).content.decode()
    file = DossierFile.objects.get(dossier=fresh)
    assert reverse("tructuyen:file", args=[file.pk]) in review
    response = client.post(reverse("tructuyen:receive", args=[fresh.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("hoso:detail", args=[fresh.pk]) + "?moi=1"
    received = Dossier.objects.get(pk=fresh.pk)
    assert received.status == Status.RECEIVED and received.code == fresh.code and received.clerk == desk_clerk
    assert received.events.last().action == Action.RECEIVE
    detail = client.get(response["Location"]).content.decode()
    assert "Giấy tiếp nhận" in detail or "giấy tiếp nhận" in detail


def test_refusing_needs_a_reason(client, desk_clerk, two):
    _, fresh = two
    client.force_login(desk_clerk)
    client.post(reverse("tructuyen:refuse", args=[fresh.pk]), {"reason": ""})
    assert Dossier.objects.get(pk=fresh.pk).status == Status.SUBMITTED
    client.post(reverse("tructuyen:refuse", args=[fresh.pk]), {"reason": "Ảnh tờ khai bị mờ, không đọc được"})
    refused = Dossier.objects.get(pk=fresh.pk)
    assert refused.status == Status.REFUSED and refused.note == "Ảnh tờ khai bị mờ, không đọc được"


def test_another_wards_clerk_neither_sees_nor_receives(client, two, other_agency):
    _, fresh = two
    client.force_login(UserFactory(agency=other_agency, role=Role.CLERK))
    assert fresh.code not in client.get(reverse("tructuyen:queue")).content.decode()
    assert client.get(reverse("tructuyen:review", args=[fresh.pk])).status_code == 404
    assert client.post(reverse("tructuyen:receive", args=[fresh.pk])).status_code == 404
    assert Dossier.objects.get(pk=fresh.pk).status == Status.SUBMITTED


def test_the_dossier_page_of_a_submitted_dossier_links_to_its_review_and_files(client, desk_clerk, two):
    _, fresh = two
    client.force_login(desk_clerk)
    page = client.get(reverse("hoso:detail", args=[fresh.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert reverse("tructuyen:review", args=[fresh.pk]) in html
    assert reverse("tructuyen:file", args=[DossierFile.objects.get(dossier=fresh).pk]) in html
