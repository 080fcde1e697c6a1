"""The citizen's online submission at /nop-ho-so/: each step, drafts, files by content, access, a failed submit."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from congdan import drafts
from congdan.models import Citizen, Draft, DraftFile
from hoso.constants import Status
from hoso.models import Dossier
from tests.congdan.citizens import as_citizen, make_citizen
from tests.devidp import AN, NGOC
from tests.tructuyen.samples import EXE, PDF, PNG
from thutuc.models import Procedure
from tructuyen.constants import FileType
from tructuyen.models import DossierFile

pytestmark = pytest.mark.django_db


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def start(client, ward, procedure) -> Draft:
    response = client.post("/nop-ho-so/", {"phuong": ward.pk, "thu_tuc": procedure.pk})
    assert response.status_code == 302, response.content.decode()[:2000]
    return Draft.objects.get()


def fill_papers(client, draft: Draft) -> None:
    files = {slot.key: upload("giay.pdf", PDF) for slot in drafts.slots(draft) if slot.mandatory}
    response = client.post(f"/nop-ho-so/{draft.pk}/giay-to/", files)
    assert response.status_code == 302, response.content.decode()[:3000]


def walk(client, draft: Draft, *, delivery: str = "desk") -> None:
    client.post(f"/nop-ho-so/{draft.pk}/nguoi-nop/", {"address": "Số 5 phố Hàng Bạc", "phone": "0912345678"})
    draft.refresh_from_db()
    fill_papers(client, draft)
    client.post(f"/nop-ho-so/{draft.pk}/nhan-ket-qua/", {"delivery": delivery, "delivery_address": "Số 9 Lý Thái Tổ"})


def test_the_wizard_submits_a_dossier_and_shows_its_code_key_and_intake_deadline(client, an, ward, procedure):
    page = client.get("/nop-ho-so/", {"phuong": ward.pk, "q": "khai sinh"})
    assert procedure.display_name in page.content.decode()
    draft = start(client, ward, procedure)
    step2 = client.get(f"/nop-ho-so/{draft.pk}/nguoi-nop/").content.decode()
    assert AN[1] in step2 and AN[0] in step2 and "Số 5 phố Hàng Bạc" in step2  # prefilled from the identity
    walk(client, draft, delivery="post")
    review = client.get(f"/nop-ho-so/{draft.pk}/xem-lai/")
    assert "Số 9 Lý Thái Tổ" in review.content.decode()
    stored = set(DraftFile.objects.values_list("file", flat=True))
    response = client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {"declaration": "on"})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert dossier.status == Status.SUBMITTED and dossier.national_status == 1
    assert dossier.applicant_id_number == AN[0] and dossier.level_of_assurance == "2"
    assert dossier.delivery == "post" and dossier.delivery_address == "Số 9 Lý Thái Tổ"
    # The files were stored once: the dossier's rows point at the draft's stored files.
    assert set(DossierFile.objects.values_list("file", flat=True)) == stored and stored
    assert not DraftFile.objects.exists()
    sent = client.get(response["Location"]).content.decode()
    local = timezone.localtime(dossier.intake_due_at)
    assert dossier.code in sent and dossier.lookup_key in sent
    assert f"{local:%H:%M} ngày {local:%d/%m/%Y}" in sent
    mine = client.get("/ho-so-cua-toi/").content.decode()
    assert dossier.code in mine and "Mã trạng thái quốc gia: 1 – Mới đăng ký" in mine
    assert f"Chờ bộ phận một cửa tiếp nhận trước {local:%H:%M} ngày {local:%d/%m/%Y}" in mine
    # A repeated "Nộp hồ sơ" finds the same dossier.
    again = client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {"declaration": "on"})
    assert again.status_code == 302 and Dossier.objects.count() == 1
    # Another citizen sees neither the confirmation nor the dossier.
    as_citizen(client, make_citizen(*NGOC))
    assert client.get(response["Location"]).status_code == 404
    assert dossier.code not in client.get("/ho-so-cua-toi/").content.decode()


def test_each_step_says_what_is_wrong_in_vietnamese(client, an, ward, procedure):
    draft = start(client, ward, procedure)
    page = client.post(f"/nop-ho-so/{draft.pk}/nguoi-nop/", {"address": "", "phone": "", "on_behalf": "on"})
    html = page.content.decode()
    assert page.status_code == 400
    assert "Hãy nhập địa chỉ liên hệ." in html and "Hãy nhập số điện thoại" in html
    assert "Nộp thay: hãy nhập họ và tên người ủy quyền." in html
    assert "Nộp thay: hãy nhập số định danh cá nhân của người ủy quyền." in html
    client.post(
        f"/nop-ho-so/{draft.pk}/nguoi-nop/",
        {
            "address": "Hàng Bạc",
            "phone": "0912345678",
            "on_behalf": "on",
            "principal_name": NGOC[1],
            "principal_id_number": NGOC[0],
        },
    )
    draft.refresh_from_db()
    page = client.post(f"/nop-ho-so/{draft.pk}/giay-to/", {})
    assert page.status_code == 400 and "Còn thiếu giấy tờ bắt buộc" in page.content.decode()
    assert "Văn bản ủy quyền" in page.content.decode()  # required when applying for someone else
    page = client.post(f"/nop-ho-so/{draft.pk}/nhan-ket-qua/", {"delivery": "post", "delivery_address": ""})
    assert page.status_code == 400 and "Nhận qua bưu chính: hãy nhập địa chỉ nhận kết quả." in page.content.decode()
    page = client.post(f"/nop-ho-so/{draft.pk}/nhan-ket-qua/", {})
    assert "Hãy chọn cách nhận kết quả." in page.content.decode()
    page = client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {})
    assert "Hãy đánh dấu lời cam đoan" in page.content.decode()
    assert not Dossier.objects.exists()


def test_a_procedure_not_received_online_is_refused(client, an, ward):
    counter_only = Procedure.objects.filter(offers__agency=ward, accepts_online=False).first()
    page = client.post("/nop-ho-so/", {"phuong": ward.pk, "thu_tuc": counter_only.pk})
    assert page.status_code == 400
    assert "không nhận hồ sơ trực tuyến" in page.content.decode()
    assert not Draft.objects.exists()
    listing = client.get("/nop-ho-so/", {"phuong": ward.pk, "q": counter_only.name}).content.decode()
    assert f'value="{counter_only.pk}"' not in listing


def test_a_draft_is_resumed_where_it_was_left(client, an, ward, procedure):
    draft = start(client, ward, procedure)
    client.post(f"/nop-ho-so/{draft.pk}/nguoi-nop/", {"address": "Ngõ 3 Hàng Bạc", "phone": "0912345678"})
    mine = client.get("/ho-so-cua-toi/").content.decode()
    assert "Hồ sơ đang soạn" in mine and f"/nop-ho-so/{draft.pk}/" in mine
    response = client.get(f"/nop-ho-so/{draft.pk}/")
    assert response["Location"] == f"/nop-ho-so/{draft.pk}/giay-to/"
    assert "Ngõ 3 Hàng Bạc" in client.get(f"/nop-ho-so/{draft.pk}/nguoi-nop/").content.decode()


def test_another_citizen_cannot_see_resume_or_delete_a_draft(client, an, ward, procedure):
    draft = start(client, ward, procedure)
    as_citizen(client, make_citizen(*NGOC))
    for path in ("", "nguoi-nop/", "giay-to/", "nhan-ket-qua/", "xem-lai/"):
        assert client.get(f"/nop-ho-so/{draft.pk}/{path}").status_code == 404, path
    assert client.post(f"/nop-ho-so/{draft.pk}/xoa/").status_code == 404
    assert client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {"declaration": "on"}).status_code == 404
    assert Draft.objects.filter(pk=draft.pk).exists()
    assert f"/nop-ho-so/{draft.pk}/" not in client.get("/ho-so-cua-toi/").content.decode()


def test_deleting_a_draft_removes_its_stored_files(client, an, ward, procedure, django_capture_on_commit_callbacks):
    draft = start(client, ward, procedure)
    client.post(f"/nop-ho-so/{draft.pk}/nguoi-nop/", {"address": "Hàng Bạc", "phone": "0912345678"})
    fill_papers(client, draft)
    names = list(DraftFile.objects.values_list("file", flat=True))
    storage = DraftFile._meta.get_field("file").storage
    assert names and all(storage.exists(n) for n in names)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/nop-ho-so/{draft.pk}/xoa/")
    assert response.status_code == 302
    assert not Draft.objects.exists() and not any(storage.exists(n) for n in names)


def test_files_are_judged_by_content(client, an, ward, procedure):
    draft = start(client, ward, procedure)
    client.post(f"/nop-ho-so/{draft.pk}/nguoi-nop/", {"address": "Hàng Bạc", "phone": "0912345678"})
    page = client.post(f"/nop-ho-so/{draft.pk}/giay-to/", {"giay-khac": upload("don.pdf", EXE)})
    assert page.status_code == 400 and "không phải PDF, JPEG hay PNG" in page.content.decode()
    assert not DraftFile.objects.exists()
    client.post(f"/nop-ho-so/{draft.pk}/giay-to/", {"giay-khac": upload("anh.pdf", PNG)})
    row = DraftFile.objects.get()
    assert row.content_type == FileType.PNG and row.file.name.endswith(".png")  # the detected type is kept


def test_nothing_is_half_written_when_the_submission_fails(client, an, ward, procedure, monkeypatch):
    draft = start(client, ward, procedure)
    walk(client, draft)
    names = list(DraftFile.objects.values_list("file", flat=True))
    real_save = DossierFile.save
    calls = []

    def failing_save(self, *args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("storage row failed")
        return real_save(self, *args, **kwargs)

    monkeypatch.setattr(DossierFile, "save", failing_save)
    with pytest.raises(RuntimeError):
        drafts.submit(draft_id=draft.pk, citizen=an)
    assert not Dossier.objects.exists() and not DossierFile.objects.exists()
    assert DraftFile.objects.filter(draft=draft).count() == len(names) == 2
    storage = DraftFile._meta.get_field("file").storage
    assert all(storage.exists(n) for n in names)


def test_the_ward_stopping_online_intake_refuses_the_submission_cleanly(client, an, ward, procedure):
    draft = start(client, ward, procedure)
    walk(client, draft)
    procedure.accepts_online = False
    procedure.save(update_fields=["accepts_online"])
    page = client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {"declaration": "on"}, follow=True)
    assert "Chưa nộp được hồ sơ" in page.content.decode() and "không được cung cấp trực tuyến" in page.content.decode()
    assert not Dossier.objects.exists() and DraftFile.objects.filter(draft=draft).exists()


def test_the_wizard_needs_a_signed_in_citizen(client, ward):
    response = client.get("/nop-ho-so/")
    assert response.status_code == 302 and "/cong-dan/dang-nhap/" in response["Location"]


def test_a_citizen_signed_in_at_the_identity_provider_submits(client, sign_in, ward, procedure):
    assert sign_in(AN[0], "/nop-ho-so/")["Location"] == "/nop-ho-so/"
    citizen = Citizen.objects.get(id_number=AN[0])
    draft = start(client, ward, procedure)
    walk(client, draft)
    response = client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {"declaration": "on"})
    dossier = Dossier.objects.get()
    assert response["Location"] == f"/nop-ho-so/da-nop/{dossier.pk}/"
    assert dossier.applicant_name == AN[1] and dossier.level_of_assurance == citizen.assurance_level[:16]
    assert dossier.files.count() == 2 and dossier.channel == 2


def test_choosing_the_same_procedure_again_resumes_the_draft(client, an, ward, procedure):
    draft = start(client, ward, procedure)
    client.post(f"/nop-ho-so/{draft.pk}/nguoi-nop/", {"address": "Hàng Bạc", "phone": "0912345678"})
    response = client.post("/nop-ho-so/", {"phuong": ward.pk, "thu_tuc": procedure.pk})
    assert response["Location"] == f"/nop-ho-so/{draft.pk}/giay-to/" and Draft.objects.count() == 1


def test_a_file_removed_from_a_draft_leaves_storage(client, an, ward, procedure, django_capture_on_commit_callbacks):
    draft = start(client, ward, procedure)
    client.post(f"/nop-ho-so/{draft.pk}/giay-to/", {"giay-khac": upload("a.pdf", PDF)})
    row = DraftFile.objects.get()
    storage = DraftFile._meta.get_field("file").storage
    assert storage.exists(row.file.name)
    as_citizen(client, make_citizen(*NGOC))
    assert client.post(f"/nop-ho-so/{draft.pk}/giay-to/{row.pk}/xoa/").status_code == 404
    as_citizen(client, an)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(f"/nop-ho-so/{draft.pk}/giay-to/{row.pk}/xoa/").status_code == 302
    assert not DraftFile.objects.exists() and not storage.exists(row.file.name)


def test_the_dossier_size_limit_counts_the_drafts_files(client, an, ward, procedure, settings):
    settings.TRUCTUYEN_MAX_DOSSIER_BYTES = len(PDF) + 10
    draft = start(client, ward, procedure)
    client.post(f"/nop-ho-so/{draft.pk}/giay-to/", {"giay-khac": upload("a.pdf", PDF)})
    page = client.post(f"/nop-ho-so/{draft.pk}/giay-to/", {"giay-khac": upload("b.pdf", PDF)})
    assert page.status_code == 400 and "tổng dung lượng các tệp của hồ sơ vượt quá" in page.content.decode()
    assert DraftFile.objects.count() == 1
    assert "Tiếp tục: " in client.get("/nop-ho-so/").content.decode()  # the unfinished draft is offered


def test_the_desk_opens_the_files_the_citizen_uploaded(client, an, ward, procedure, django_user_model):
    draft = start(client, ward, procedure)
    walk(client, draft)
    client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {"declaration": "on"})
    dossier = Dossier.objects.get()
    desk = Client()
    desk.force_login(django_user_model.objects.get(username="canbo"))
    assert dossier.code in desk.get("/truc-tuyen/cho-tiep-nhan/").content.decode()
    for row in dossier.files.all():
        response = desk.get(f"/truc-tuyen/tep/{row.pk}/")
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert client.get(f"/truc-tuyen/tep/{row.pk}/").status_code in (302, 403, 404)  # not for the citizen's session


def test_an_electronic_result_chosen_online_is_an_electronic_delivery(client, an, ward, procedure):
    draft = start(client, ward, procedure)
    walk(client, draft, delivery="electronic")
    response = client.post(f"/nop-ho-so/{draft.pk}/xem-lai/", {"declaration": "on"})
    assert response.status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.delivery, dossier.delivery_address) == ("electronic", "")
