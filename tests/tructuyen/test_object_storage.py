"""A dossier's files in an S3-compatible bucket (moto's server on loopback): written, streamed behind the
access check, cleaned up.

The portal never redirects to the bucket: the views read the object through the storage API and
answer it themselves, so the ward check and the access log stay in front of every download.
"""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import FileResponse
from django.urls import reverse

from hoso.constants import Delivery
from hoso.models import AccessLog, Dossier
from motcua.constants import Role
from tests.factories import UserFactory
from tructuyen import services
from tructuyen.constants import FileKind
from tructuyen.models import DossierFile

from .samples import PDF, PNG
from .test_api import payload, post
from .test_results import AN_ID, processing, ready, sign_in

pytestmark = pytest.mark.django_db


def no_local_files(tmp_path) -> bool:
    return not [p for p in tmp_path.rglob("*") if p.is_file()]


def submitted(ward, intake, *papers: tuple[str, bytes]) -> Dossier:
    chunks = [services.Paper(name=f"Giấy {i}", filename=name, chunks=[data]) for i, (name, data) in enumerate(papers)]
    return services.submit(agency=ward, intake=intake, papers=chunks, source="web")


def test_a_pushed_dossier_lands_in_the_bucket_private_and_encrypted(client, s3, portal, online_procedure, tmp_path):
    response = post(client, portal, payload(online_procedure))
    assert response.status_code == 201, response.content
    rows = list(DossierFile.objects.order_by("id"))
    assert sorted(s3.keys()) == sorted(row.file.name for row in rows) and len(rows) == 2
    for row, content in zip(rows, (PDF, PNG), strict=True):
        stored = s3.read(row.file.name)
        assert stored == content and hashlib.sha256(stored).hexdigest() == row.sha256
        head = s3.client.head_object(Bucket=s3.name, Key=row.file.name)
        assert head["ContentType"] == row.content_type and head["ServerSideEncryption"] == "AES256"
        grants = s3.client.get_object_acl(Bucket=s3.name, Key=row.file.name)["Grants"]
        assert not [g for g in grants if "URI" in g["Grantee"]]  # no AllUsers / AuthenticatedUsers grant
    assert no_local_files(tmp_path)


def test_the_ward_gets_the_file_streamed_from_the_bucket_and_another_ward_gets_404(
    client, s3, ward, online_intake, desk_clerk, other_agency
):
    row = submitted(ward, online_intake, ("anh.png", PNG)).files.get()
    client.force_login(desk_clerk)
    response = client.get(reverse("tructuyen:file", args=[row.pk]))
    assert response.status_code == 200 and isinstance(response, FileResponse) and not response.has_header("Location")
    assert response["Content-Type"] == "image/png" and response["Content-Length"] == str(len(PNG))
    assert b"".join(response.streaming_content) == PNG
    assert AccessLog.objects.filter(dossier_id=row.dossier_id, kind=AccessLog.Kind.VIEW).count() == 1
    client.force_login(UserFactory(agency=other_agency, role=Role.LEADER))
    assert client.get(reverse("tructuyen:file", args=[row.pk])).status_code == 404
    client.logout()
    anonymous = client.get(reverse("tructuyen:file", args=[row.pk]))
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/")  # the login page, not the bucket


def test_the_storage_never_hands_out_an_unsigned_link(s3, ward, online_intake):
    row = submitted(ward, online_intake, ("to-khai.pdf", PDF)).files.get()
    url = row.file.url
    assert "X-Amz-Signature=" in url and "X-Amz-Expires=300" in url


def test_a_failed_submission_leaves_no_object(s3, ward, online_intake, monkeypatch, tmp_path):
    # Both files are in the bucket before the transaction; the second file's row then fails.
    calls = []
    real_row = services.file_row

    def failing_row(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("ổ đĩa đầy")
        return real_row(**kwargs)

    monkeypatch.setattr(services, "file_row", failing_row)
    with pytest.raises(RuntimeError):
        submitted(ward, online_intake, ("a.pdf", PDF), ("b.png", PNG))
    assert s3.keys() == [] and not Dossier.objects.exists() and not DossierFile.objects.exists()
    assert no_local_files(tmp_path)


def test_the_citizen_downloads_the_electronic_result_from_the_bucket(
    client, s3, ward, online_intake, desk_clerk, django_user_model
):
    officer = django_user_model.objects.get(username="congchuc")
    dossier = processing(ward, online_intake, desk_clerk, officer, delivery=Delivery.ELECTRONIC)
    ready(dossier, officer, SimpleUploadedFile("ket-qua.pdf", PDF, content_type="application/pdf"))
    result = DossierFile.objects.get(dossier=dossier, kind=FileKind.RESULT)
    assert s3.read(result.file.name) == PDF
    sign_in(client, "001090099999", "Trần Thị Bình")
    assert client.get(reverse("tructuyen:citizen_file", args=[result.pk])).status_code == 404
    sign_in(client, AN_ID)
    response = client.get(reverse("tructuyen:citizen_file", args=[result.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
