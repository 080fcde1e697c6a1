"""A dossier's file is shown only to staff of its ward, and every view is logged."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hoso.models import AccessLog
from motcua.constants import Role
from tests.factories import UserFactory
from tructuyen import services

from .samples import PNG

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(settings, tmp_path, ward, online_intake):
    settings.MEDIA_ROOT = tmp_path
    paper = services.Paper(name="Ảnh giấy khai sinh", filename="giay-khai-sinh.pdf", chunks=[PNG])
    dossier = services.submit(agency=ward, intake=online_intake, papers=[paper], source="web")
    return dossier.files.get()


def test_staff_of_the_ward_see_the_file_and_the_view_is_logged(client, stored, desk_clerk):
    client.force_login(desk_clerk)
    response = client.get(reverse("tructuyen:file", args=[stored.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"  # from the content, not from the name
    assert b"".join(response.streaming_content) == PNG
    log = AccessLog.objects.get()
    assert (log.user, log.dossier_id, log.kind) == (desk_clerk, stored.dossier_id, AccessLog.Kind.VIEW)


def test_staff_of_another_ward_get_404(client, stored, other_agency):
    stranger = UserFactory(agency=other_agency, role=Role.LEADER)
    client.force_login(stranger)
    assert client.get(reverse("tructuyen:file", args=[stored.pk])).status_code == 404
    assert not AccessLog.objects.exists()


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, stored):
    response = client.get(reverse("tructuyen:file", args=[stored.pk]))
    assert response.status_code == 302 and "/dang-nhap/" in response["Location"]
    assert not AccessLog.objects.exists()
