"""POST /api/v1/online-dossiers/: signed per client, idempotent, and nothing written when refused."""

from __future__ import annotations

import base64
import hashlib
import hmac
import io
import json
import time

import pytest
from django.core.management import call_command
from django.db import IntegrityError
from django.urls import reverse

from hoso.constants import Status
from hoso.models import Dossier, DossierEvent
from tructuyen import services
from tructuyen.models import ApiClient, DossierFile, ExternalSubmission

from .conftest import stored_files
from .samples import EXE, PDF, PNG

pytestmark = pytest.mark.django_db
URL = "/api/v1/online-dossiers/"


@pytest.fixture(autouse=True)
def _media(media):
    return media


def payload(procedure, external_id="G22.99-241204-0001", papers=None):
    first_paper = procedure.documents.first()
    return {
        "external_id": external_id,
        "procedure_code": procedure.code,
        "applicant": {
            "name": "Nguyễn Văn An",
            "id_number": "001090012345",
            "phone": "0912345678",
            "email": "an.nguyen@example.vn",
            "address": "Số 5 phố Hàng Bạc",
        },
        "papers": papers
        if papers is not None
        else [
            {"name": first_paper.name, "filename": "to-khai.pdf", "content_base64": base64.b64encode(PDF).decode()},
            {"name": "Ảnh giấy tờ khác", "filename": "anh.png", "content_base64": base64.b64encode(PNG).decode()},
        ],
        "result_delivery": "desk",
    }


def post(client, portal, data, *, timestamp=None, signature=None, client_id=None):
    api_client, secret = portal
    body = json.dumps(data).encode()
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    if signature is None:
        signature = hmac.new(secret.encode(), timestamp.encode() + b"\n" + body, hashlib.sha256).hexdigest()
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        HTTP_X_CLIENT_ID=api_client.client_id if client_id is None else client_id,
        HTTP_X_TIMESTAMP=timestamp,
        HTTP_X_SIGNATURE=signature,
    )


def nothing_written(media) -> bool:
    return (
        not Dossier.objects.exists()
        and not DossierEvent.objects.exists()
        and not DossierFile.objects.exists()
        and not ExternalSubmission.objects.exists()
        and not stored_files(media)
    )


def test_a_signed_push_makes_a_submitted_dossier_with_its_files(client, portal, online_procedure, media):
    response = post(client, portal, payload(online_procedure))
    assert response.status_code == 201, response.content
    body = response.json()
    assert set(body) == {"code", "lookup_key", "status", "national_status", "intake_due_at"}
    dossier = Dossier.objects.get()
    assert body["code"] == dossier.code and body["lookup_key"] == dossier.lookup_key
    assert body["status"] == Status.SUBMITTED and body["national_status"] == 1
    assert body["intake_due_at"].endswith("+07:00")
    files = list(dossier.files.order_by("id"))
    assert [(f.content_type, f.size, f.sha256) for f in files] == [
        ("application/pdf", len(PDF), hashlib.sha256(PDF).hexdigest()),
        ("image/png", len(PNG), hashlib.sha256(PNG).hexdigest()),
    ]
    assert files[0].required_document is not None and files[1].required_document is None  # "other papers"
    assert "to-khai" not in files[0].file.name and files[0].original_name == "to-khai.pdf"
    assert len(stored_files(media)) == 2
    lookup = client.get(reverse("lookup_json", args=[body["code"]]), {"k": body["lookup_key"]}).json()
    assert lookup["national_status"]["code"] == 1 and lookup["intake_due_at"] == body["intake_due_at"]


def test_the_same_external_id_again_answers_200_with_the_same_dossier(client, portal, online_procedure, media):
    first = post(client, portal, payload(online_procedure))
    again = post(client, portal, payload(online_procedure))
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert Dossier.objects.count() == 1 and len(stored_files(media)) == 2


def test_a_second_row_for_the_same_external_id_breaks_the_constraint_and_leaves_no_file(
    ward, portal, online_intake, media
):
    api_client, _ = portal
    paper = lambda: services.Paper(name="Tờ khai", filename="a.pdf", chunks=[PDF])  # noqa: E731
    kwargs = {"agency": ward, "intake": online_intake, "source": "api", "client": api_client, "external_id": "X-1"}
    services.submit(papers=[paper()], **kwargs)
    with pytest.raises(IntegrityError):
        services.submit(papers=[paper()], **kwargs)
    assert Dossier.objects.count() == 1 and len(stored_files(media)) == 1


def test_files_written_before_a_failure_are_deleted(ward, online_intake, media, monkeypatch):
    # Both files are in storage before the transaction; the second file's row then fails.
    calls = []
    real_row = services.file_row

    def failing_row(**kwargs):
        calls.append(kwargs)
        if len(calls) == 2:
            raise RuntimeError("ổ đĩa đầy")
        return real_row(**kwargs)

    monkeypatch.setattr(services, "file_row", failing_row)
    papers = [services.Paper(name=f"Giấy {i}", filename=f"{i}.pdf", chunks=[PDF]) for i in range(2)]
    with pytest.raises(RuntimeError):
        services.submit(agency=ward, intake=online_intake, papers=papers, source="web")
    assert nothing_written(media)


def test_a_wrong_signature_writes_nothing(client, portal, online_procedure, media):
    response = post(client, portal, payload(online_procedure), signature="0" * 64)
    assert response.status_code == 401 and "Chữ ký" in response.json()["error"]
    assert nothing_written(media)


def test_a_body_changed_after_signing_is_refused(client, portal, online_procedure, media):
    _, secret = portal
    timestamp = str(int(time.time()))
    signed = json.dumps(payload(online_procedure)).encode()
    signature = hmac.new(secret.encode(), timestamp.encode() + b"\n" + signed, hashlib.sha256).hexdigest()
    changed = payload(online_procedure, external_id="khác")
    response = post(client, portal, changed, timestamp=timestamp, signature=signature)
    assert response.status_code == 401
    assert nothing_written(media)


@pytest.mark.parametrize("offset", [-310, 310])
def test_a_timestamp_more_than_300_seconds_off_is_refused(client, portal, online_procedure, media, offset):
    response = post(client, portal, payload(online_procedure), timestamp=str(int(time.time()) + offset))
    assert response.status_code == 401 and "X-Timestamp" in response.json()["error"]
    assert nothing_written(media)


def test_an_unknown_client_is_refused(client, portal, online_procedure, media):
    response = post(client, portal, payload(online_procedure), client_id="ttc_khongco")
    assert response.status_code == 401
    assert nothing_written(media)


def test_an_unknown_procedure_is_refused(client, portal, online_procedure, media):
    data = {**payload(online_procedure), "procedure_code": "9.999999"}
    response = post(client, portal, data)
    assert response.status_code == 422 and "9.999999" in response.json()["error"]
    assert nothing_written(media)


@pytest.mark.parametrize(("content", "reason"), [(EXE, "không phải PDF"), (PDF[:-7], "%%EOF")])
def test_a_file_that_is_not_what_it_claims_writes_nothing(client, portal, online_procedure, media, content, reason):
    papers = [
        {"name": "Tờ khai", "filename": "to-khai.pdf", "content_base64": base64.b64encode(PDF).decode()},
        {"name": "Giấy tờ khác", "filename": "giay.pdf", "content_base64": base64.b64encode(content).decode()},
    ]
    response = post(client, portal, payload(online_procedure, papers=papers))
    assert response.status_code == 422 and reason in response.json()["error"]
    assert "giay.pdf" in response.json()["error"]
    assert nothing_written(media)


def test_files_over_the_dossier_limit_are_refused(client, portal, online_procedure, media, settings):
    settings.TRUCTUYEN_MAX_DOSSIER_BYTES = len(PDF) + len(PNG) - 1
    response = post(client, portal, payload(online_procedure))
    assert response.status_code == 422 and "Tổng dung lượng" in response.json()["error"]
    assert nothing_written(media)


def test_a_bad_id_number_is_refused_in_vietnamese(client, portal, online_procedure, media):
    data = payload(online_procedure)
    data["applicant"]["id_number"] = "12345"
    response = post(client, portal, data)
    assert response.status_code == 422 and "12 chữ số" in response.json()["error"]
    assert nothing_written(media)


def test_the_command_prints_a_new_client_id_and_secret_once(ward):
    out = io.StringIO()
    call_command("create_api_client", "--agency", ward.code, "--name", "Cổng DVC tỉnh", "--json", stdout=out)
    printed = json.loads(out.getvalue())
    client = ApiClient.objects.get(client_id=printed["client_id"])
    assert client.agency == ward and client.secret == printed["secret"] and len(printed["secret"]) >= 40


def test_a_body_larger_than_djangos_form_limit_is_read_in_chunks(client, portal, online_procedure, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024  # the files alone are larger: the API does not read request.body
    assert post(client, portal, payload(online_procedure)).status_code == 201


def test_a_body_over_the_api_limit_is_refused_before_parsing(client, portal, online_procedure, media, settings):
    settings.TRUCTUYEN_MAX_DOSSIER_BYTES = 0  # the body limit is then 1 MB of JSON around nothing
    big = [{"name": "Tờ khai", "filename": "a.pdf", "content_base64": "A" * (1024 * 1024 + 1)}]
    response = post(client, portal, payload(online_procedure, papers=big))
    assert response.status_code == 413
    assert nothing_written(media)


def test_a_bad_email_is_refused_in_vietnamese(client, portal, online_procedure, media):
    data = payload(online_procedure)
    data["applicant"]["email"] = "khong-phai-thu"
    response = post(client, portal, data)
    assert response.status_code == 422 and "Thư điện tử" in response.json()["error"]
    assert nothing_written(media)


def test_the_lookup_page_of_a_submitted_dossier_says_by_when_the_desk_answers(client, portal, online_procedure):
    body = post(client, portal, payload(online_procedure)).json()
    page = client.get(reverse("lookup", args=[body["code"]]), {"k": body["lookup_key"]})
    assert page.status_code == 200
    assert "chờ bộ phận một cửa kiểm tra và tiếp nhận" in page.content.decode()


def test_a_checked_file_is_moved_into_storage_not_left_behind(ward, online_intake, media, settings, tmp_path_factory):
    temporary = tmp_path_factory.mktemp("upload-tmp")
    settings.FILE_UPLOAD_TEMP_DIR = str(temporary)
    papers = [services.Paper(name=f"Giấy {i}", filename=f"{i}.pdf", chunks=[PDF]) for i in range(2)]
    dossier = services.submit(agency=ward, intake=online_intake, papers=papers, source="web")
    rows = list(DossierFile.objects.filter(dossier=dossier))
    assert len(rows) == 2 and all((media / row.file.name).read_bytes() == PDF for row in rows)
    assert list(temporary.iterdir()) == []  # moved, not copied; nothing left in the temporary folder
