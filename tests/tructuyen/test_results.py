"""Electronic results: the file attached when the result is ready, required for an electronic delivery,
checked by content, never half-written; the citizen downloads their own (the first download of an
electronic delivery is its return), nobody else can."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from congdan.models import Citizen
from congdan.session import CITIZEN_KEY, LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from hoso import online, workflow
from hoso.constants import Action, Delivery, Status
from hoso.models import Dossier
from motcua.constants import Role
from tests.factories import UserFactory
from thutuc.models import Procedure
from tructuyen import results, services
from tructuyen.constants import FileKind
from tructuyen.models import DossierFile

from ..hoso.test_desk_views import BIRTH, form_data
from .conftest import stored_files, vn
from .samples import EXE, PDF, PNG
from .test_api import payload, post

pytestmark = pytest.mark.django_db

AN_ID = "001090012345"  # the applicant of online_intake


@pytest.fixture
def officer(ward, django_user_model):
    return django_user_model.objects.get(username="congchuc")


def processing(ward, intake, clerk, officer, *, delivery: str = Delivery.DESK) -> Dossier:
    """An online dossier with one paper, received at the desk and assigned to the officer (1 December 2026)."""
    intake.delivery = delivery
    paper = services.Paper(name="Tờ khai đăng ký khai sinh theo mẫu", filename="to-khai.png", chunks=[PNG])
    dossier = services.submit(agency=ward, intake=intake, papers=[paper], source="web", now=vn(2026, 12, 1, 8))
    online.receive(dossier_id=dossier.pk, actor=clerk, now=vn(2026, 12, 1, 9))
    return workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=vn(2026, 12, 1, 10))


def upload(content: bytes = PDF, name: str = "ket-qua.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def ready(dossier, officer, file=None) -> Dossier:
    return results.result_ready(dossier_id=dossier.pk, actor=officer, upload=file, now=vn(2026, 12, 1, 14))


# -- the service ------------------------------------------------------------------------------
def test_the_result_file_is_recorded_with_the_event_and_counts_as_electronic(
    media, ward, online_intake, desk_clerk, officer
):
    dossier = processing(ward, online_intake, desk_clerk, officer)
    ready(dossier, officer, upload())
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY and dossier.electronic_result
    row = dossier.files.get(kind=FileKind.RESULT)
    assert (row.content_type, row.size, row.uploaded_by) == ("application/pdf", len(PDF), officer)
    assert row.uploaded_at == dossier.result_ready_at
    assert row.file.read() == PDF
    assert dossier.events.filter(action=Action.MARK_RESULT_READY).count() == 1


def test_without_a_file_the_result_is_not_electronic(media, ward, online_intake, desk_clerk, officer):
    dossier = processing(ward, online_intake, desk_clerk, officer)
    ready(dossier, officer)
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY and not dossier.electronic_result
    assert not dossier.files.filter(kind=FileKind.RESULT).exists()


def test_an_electronic_delivery_needs_the_file(media, ward, online_intake, desk_clerk, officer):
    dossier = processing(ward, online_intake, desk_clerk, officer, delivery=Delivery.ELECTRONIC)
    with pytest.raises(workflow.WorkflowError, match="hãy đính kèm tệp kết quả"):
        ready(dossier, officer)
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and not dossier.electronic_result
    ready(dossier, officer, upload(PNG, "ket-qua.png"))
    assert Dossier.objects.get(pk=dossier.pk).electronic_result


def test_the_leader_approving_may_attach_the_file_too(media, ward, online_intake, desk_clerk, officer):
    dossier = processing(ward, online_intake, desk_clerk, officer, delivery=Delivery.ELECTRONIC)
    workflow.submit_for_approval(dossier_id=dossier.pk, actor=officer, now=vn(2026, 12, 1, 11))
    leader = UserFactory(agency=ward, role=Role.LEADER)
    with pytest.raises(workflow.WorkflowError, match="hãy đính kèm tệp kết quả"):
        workflow.approve(dossier_id=dossier.pk, actor=leader, now=vn(2026, 12, 1, 13))
    results.result_ready(dossier_id=dossier.pk, actor=leader, upload=upload(), approve=True, now=vn(2026, 12, 1, 13))
    dossier.refresh_from_db()
    assert dossier.status == Status.RESULT_READY and dossier.electronic_result


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_written(
    media, ward, online_intake, desk_clerk, officer
):
    dossier = processing(ward, online_intake, desk_clerk, officer)
    before = stored_files(media)
    with pytest.raises(workflow.WorkflowError, match="không phải PDF, JPEG hay PNG"):
        ready(dossier, officer, upload(EXE, "ket-qua.pdf"))
    dossier.refresh_from_db()
    assert dossier.status == Status.PROCESSING and not dossier.electronic_result
    assert not dossier.files.filter(kind=FileKind.RESULT).exists()
    assert stored_files(media) == before


def test_a_refused_transition_leaves_no_row_and_no_file(media, ward, online_intake, desk_clerk, officer, other_agency):
    dossier = processing(ward, online_intake, desk_clerk, officer)
    before = stored_files(media)
    stranger = UserFactory(agency=other_agency, role=Role.LEADER)
    with pytest.raises(workflow.WorkflowError, match="cơ quan khác"):
        ready(dossier, stranger, upload())
    with pytest.raises(workflow.WorkflowError):  # the clerk may not mark it ready: stored, then removed
        ready(dossier, desk_clerk, upload())
    assert not DossierFile.objects.filter(kind=FileKind.RESULT).exists()
    assert stored_files(media) == before
    assert not Dossier.objects.get(pk=dossier.pk).electronic_result


# -- the dossier page -------------------------------------------------------------------------
def act_url(dossier, action: Action) -> str:
    return reverse("hoso:act", args=[dossier.pk, action.value])


def test_the_officer_attaches_the_result_on_the_dossier_page(client, media, ward, online_intake, desk_clerk, officer):
    dossier = processing(ward, online_intake, desk_clerk, officer, delivery=Delivery.ELECTRONIC)
    client.force_login(officer)
    page = client.get(reverse("hoso:detail", args=[dossier.pk])).content.decode()
    assert 'enctype="multipart/form-data"' in page and "mark_result_ready-result_file" in page
    response = client.post(
        act_url(dossier, Action.MARK_RESULT_READY),
        {"mark_result_ready-note": "", "mark_result_ready-result_file": upload()},
        follow=True,
    )
    html = response.content.decode()
    assert "Đã ghi nhận hồ sơ có kết quả" in html
    row = DossierFile.objects.get(dossier=dossier, kind=FileKind.RESULT)
    assert reverse("tructuyen:file", args=[row.pk]) in html
    assert "Hồ sơ đã số hóa · Có kết quả điện tử" in html  # an online dossier received with its files
    assert Dossier.objects.get(pk=dossier.pk).electronic_result


def test_the_page_says_why_when_the_file_is_missing(client, media, ward, online_intake, desk_clerk, officer):
    dossier = processing(ward, online_intake, desk_clerk, officer, delivery=Delivery.ELECTRONIC)
    client.force_login(officer)
    response = client.post(act_url(dossier, Action.MARK_RESULT_READY), {"mark_result_ready-note": ""}, follow=True)
    assert "Hồ sơ trả kết quả điện tử: hãy đính kèm tệp kết quả" in response.content.decode()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.PROCESSING


# -- the downloads ----------------------------------------------------------------------------
def sign_in(client, id_number: str, name: str = "Nguyễn Văn An") -> Citizen:
    citizen = Citizen.objects.create(
        issuer="https://idp.test", subject=f"s-{id_number}", id_number=id_number, full_name=name
    )
    session = client.session
    now = int(timezone.now().timestamp())
    session.update({CITIZEN_KEY: citizen.pk, SIGNED_IN_AT_KEY: now, LAST_SEEN_KEY: now})
    session.save()
    return citizen


@pytest.fixture
def electronic_result(media, ward, online_intake, desk_clerk, officer) -> DossierFile:
    dossier = processing(ward, online_intake, desk_clerk, officer, delivery=Delivery.ELECTRONIC)
    ready(dossier, officer, upload())
    return DossierFile.objects.get(dossier=dossier, kind=FileKind.RESULT)


def download(client, row):
    return client.get(reverse("tructuyen:citizen_file", args=[row.pk]))


def test_the_citizen_downloads_their_result_and_that_is_the_return(client, electronic_result):
    sign_in(client, AN_ID)
    response = download(client, electronic_result)
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf" and "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    dossier = Dossier.objects.get(pk=electronic_result.dossier_id)
    assert dossier.status == Status.RETURNED and dossier.returned_at is not None
    event = dossier.events.get(action=Action.RETURN_RESULT)
    assert event.actor is None and event.data == {"collector": "Nguyễn Văn An", "electronic": True}
    assert download(client, electronic_result).status_code == 200  # again: no second return
    assert dossier.events.filter(action=Action.RETURN_RESULT).count() == 1


def test_a_desk_delivery_with_an_electronic_copy_is_not_returned_by_the_download(
    client, media, ward, online_intake, desk_clerk, officer
):
    dossier = processing(ward, online_intake, desk_clerk, officer)
    ready(dossier, officer, upload())
    sign_in(client, AN_ID)
    assert download(client, dossier.files.get(kind=FileKind.RESULT)).status_code == 200
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RESULT_READY


def test_another_citizen_gets_404(client, electronic_result):
    sign_in(client, "001090099999", "Trần Thị Bình")
    assert download(client, electronic_result).status_code == 404
    assert Dossier.objects.get(pk=electronic_result.dossier_id).status == Status.RESULT_READY


def test_only_result_files_are_offered_to_the_citizen(client, electronic_result):
    sign_in(client, AN_ID)
    submitted = DossierFile.objects.get(dossier_id=electronic_result.dossier_id, kind=FileKind.SUBMITTED)
    assert download(client, submitted).status_code == 404
    assert client.get(reverse("tructuyen:citizen_file", args=[999999])).status_code == 404


def test_an_anonymous_visitor_or_staff_without_a_citizen_session_is_sent_to_sign_in(
    client, electronic_result, desk_clerk
):
    response = download(client, electronic_result)
    assert response.status_code == 302 and reverse("congdan:sign_in") in response["Location"]
    client.force_login(desk_clerk)
    response = download(client, electronic_result)
    assert response.status_code == 302 and reverse("congdan:sign_in") in response["Location"]


def test_the_desk_sees_the_result_and_another_ward_gets_404(client, electronic_result, desk_clerk, other_agency):
    client.force_login(desk_clerk)
    assert client.get(reverse("tructuyen:file", args=[electronic_result.pk])).status_code == 200
    client.force_login(UserFactory(agency=other_agency, role=Role.CLERK))
    assert client.get(reverse("tructuyen:file", args=[electronic_result.pk])).status_code == 404


# -- choosing the electronic delivery ---------------------------------------------------------
def test_other_systems_may_ask_for_an_electronic_result_with_an_id_number(client, media, portal, online_procedure):
    data = payload(online_procedure)
    data["result_delivery"] = "electronic"
    assert post(client, portal, data).status_code == 201
    assert Dossier.objects.get().delivery == Delivery.ELECTRONIC
    data = payload(online_procedure, external_id="G22.99-241204-0002")
    data["result_delivery"], data["applicant"]["id_number"] = "electronic", ""
    response = post(client, portal, data)
    assert response.status_code == 422 and "số định danh cá nhân" in response.json()["error"]
    assert Dossier.objects.count() == 1


def test_the_counter_offers_the_electronic_delivery_to_a_person_with_a_personal_id(client, media, ward, desk_clerk):
    procedure = Procedure.objects.get(code=BIRTH)
    client.force_login(desk_clerk)
    url = reverse("hoso:intake", args=[BIRTH])
    refused = client.post(url, form_data(procedure, delivery="electronic", applicant_id_kind="passport"))
    assert refused.status_code == 400 and "CCCD 12 số" in refused.content.decode()
    assert client.post(url, form_data(procedure, delivery="electronic")).status_code == 302
    assert Dossier.objects.get().delivery == Delivery.ELECTRONIC


def test_my_dossiers_can_list_the_result_files_once_ready(media, ward, online_intake, desk_clerk, officer):
    dossier = processing(ward, online_intake, desk_clerk, officer)
    assert results.citizen_results([dossier.pk]) == {}
    ready(dossier, officer, upload())
    assert results.citizen_results([dossier.pk]) == {dossier.pk: [dossier.files.get(kind=FileKind.RESULT)]}
