"""A citizen's draft files in an S3-compatible bucket (moto's server on loopback): stored once, deleted through
the storage API, and submitted as they are."""

from __future__ import annotations

import pytest
from django.test import Client

from congdan.models import DraftFile
from hoso.models import Dossier
from tests.tructuyen.samples import PDF

from .test_submission import fill_papers, start, walk

pytestmark = pytest.mark.django_db


def test_a_draft_file_removed_or_a_draft_deleted_leaves_the_bucket(
    client, an, ward, procedure, s3, django_capture_on_commit_callbacks
):
    draft = start(client, ward, procedure)
    client.post(f"/nop-ho-so/{draft.pk}/nguoi-nop/", {"address": "Hàng Bạc", "phone": "0912345678"})
    fill_papers(client, draft)
    names = sorted(DraftFile.objects.values_list("file", flat=True))
    assert names and sorted(s3.keys()) == names and all(s3.read(name) == PDF for name in names)
    first = DraftFile.objects.get(file=names[0])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/nop-ho-so/{draft.pk}/giay-to/{first.pk}/xoa/")
    assert sorted(s3.keys()) == names[1:]
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/nop-ho-so/{draft.pk}/xoa/")
    assert s3.keys() == []


def test_a_submitted_draft_keeps_its_objects_and_the_desk_reads_them(
    client, an, ward, procedure, s3, django_user_model, tmp_path
):
    draft = start(client, ward, procedure)
    walk(client, draft)
    client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {"declaration": "on"})
    dossier = Dossier.objects.get()
    rows = list(dossier.files.all())
    assert rows and sorted(s3.keys()) == sorted(row.file.name for row in rows)
    desk = Client()
    desk.force_login(django_user_model.objects.get(username="canbo"))
    for row in rows:
        response = desk.get(f"/truc-tuyen/tep/{row.pk}/")
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]
