"""Free text people type is bounded, cleaned of bidi-override and control characters, and names have letters."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hoso import workflow
from hoso.constants import Status
from hoso.models import Dossier, DossierEvent
from motcua.demo import load_demo
from thutuc.models import Procedure

from .test_desk_views import BIRTH, _received, form_data, post_intake

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(db):
    agency, _ = load_demo()
    return agency


@pytest.fixture
def desk(demo, django_user_model):
    return {u.username: u for u in django_user_model.objects.filter(agency=demo)}


MEGABYTE = "Ghi chú rất dài. " * 62_000


@pytest.mark.parametrize(
    "name",
    ["\u202e\u202d", "!!! ??? ...", "\u200b\u200b", "\x07\x08", "12345", "★ ☆ ♥", "\u2066\u2069 -- \u202e"],
)
def test_a_name_with_no_letter_is_refused_and_nothing_is_written(client, demo, desk, name):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    for kind in ("citizen", "organisation"):
        response = post_intake(client, BIRTH, form_data(procedure, applicant_name=name, applicant_kind=kind))
        assert response.status_code == 400
        body = response.content.decode()
        assert "phải có chữ cái" in body or "Hãy nhập họ tên người nộp hồ sơ." in body
    assert not Dossier.objects.exists() and not DossierEvent.objects.exists()


def test_bidi_overrides_and_control_characters_are_stripped_from_names_addresses_and_notes(client, demo, desk):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    data = form_data(
        procedure,
        applicant_name="nguyễn \u202evăn\u202c an\x00",
        applicant_address="Số 5 \u2066phố\u2069 Hàng Bạc\x1b",
        note="Dòng một\u202e\r\nDòng hai\x07",
    )
    post_intake(client, BIRTH, data)
    dossier = Dossier.objects.get()
    assert dossier.applicant_name == "Nguyễn Văn An"
    assert dossier.applicant_address == "Số 5 phố Hàng Bạc"
    assert dossier.note == "Dòng một\nDòng hai"


def test_a_megabyte_note_is_refused_at_the_form_with_a_vietnamese_message(client, demo, desk):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    response = post_intake(client, BIRTH, form_data(procedure, note=MEGABYTE))
    assert response.status_code == 400
    assert "Nội dung dài quá: tối đa 2000 ký tự" in response.content.decode()
    assert not Dossier.objects.exists()


@pytest.mark.parametrize(
    ("action", "data"),
    [
        ("request_supplement", {"request_supplement-note": MEGABYTE}),
        ("request_supplement", {"request_supplement-note": "Tờ khai", "request_supplement-public_note": "x" * 501}),
        ("assign", {"assign-note": MEGABYTE}),
    ],
)
def test_an_oversized_action_note_is_refused_and_nothing_is_written(client, demo, desk, action, data):
    dossier = _received(client, desk)
    if action != "assign":
        workflow.assign(dossier_id=dossier.pk, actor=desk["canbo"], officer=desk["congchuc"])
        client.force_login(desk["congchuc"])
    else:
        data = {**data, "assign-officer": desk["congchuc"].pk}
    events = dossier.events.count()
    response = client.post(reverse("hoso:act", args=[dossier.pk, action]), data, follow=True)
    assert "Nội dung dài quá: tối đa" in response.content.decode()
    assert dossier.events.count() == events


def test_the_workflow_refuses_an_oversized_note_from_a_script(demo, desk, client):
    dossier = _received(client, desk)
    with pytest.raises(workflow.WorkflowError, match="dài quá"):
        workflow.assign(dossier_id=dossier.pk, actor=desk["canbo"], officer=desk["congchuc"], note=MEGABYTE)
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED


def test_the_supplement_form_offers_a_separate_public_note_that_reaches_the_lookup_page(
    client, demo, desk, django_capture_on_commit_callbacks
):
    dossier = _received(client, desk)
    workflow.assign(dossier_id=dossier.pk, actor=desk["canbo"], officer=desk["congchuc"])
    client.force_login(desk["congchuc"])
    page = client.get(reverse("hoso:detail", args=[dossier.pk])).content.decode()
    assert "Nội dung thông báo công khai cho người nộp (không ghi số giấy tờ, điện thoại, địa chỉ)" in page
    url = reverse("hoso:act", args=[dossier.pk, "request_supplement"])
    refused = client.post(
        url,
        {"request_supplement-note": "Tờ khai", "request_supplement-public_note": "Gọi lại số 0912345678"},
        follow=True,
    )
    assert "Nội dung công khai không được ghi số giấy tờ" in refused.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            url,
            {
                "request_supplement-note": "CCCD 001090012345 mờ, gọi 0912345678",
                "request_supplement-public_note": "Bản sao căn cước rõ nét",
            },
        )
    event = dossier.events.get(action="request_supplement")
    assert event.data["public_note"] == "Bản sao căn cước rõ nét"
    client.logout()
    dossier.refresh_from_db()
    public = client.get(reverse("lookup", args=[dossier.code]), {"k": dossier.lookup_key}).content.decode()
    assert "Bản sao căn cước rõ nét" in public
    assert "001090012345" not in public and "0912345678" not in public
