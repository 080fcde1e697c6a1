"""Before receiving an online dossier the desk asks once for more papers; the citizen uploads them from
"Hồ sơ của tôi", which puts the dossier back in the queue with a new intake deadline from the upload."""

from __future__ import annotations

from datetime import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from hoso import online, workflow
from hoso.calendar_store import calendar_for
from hoso.constants import Action, Status
from hoso.documents import available_documents, render_document, render_document_html
from hoso.models import Dossier, DossierEvent
from hoso.notifications import render_message
from hoso.workcalendar import VN_TZ
from motcua.models import User
from tests.congdan.citizens import as_citizen
from tests.devidp import AN
from tests.tructuyen.samples import PDF
from tructuyen import services
from tructuyen.constants import FileKind

pytestmark = pytest.mark.django_db
MISSING = "Bản sao giấy chứng nhận kết hôn của cha mẹ"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


def submitted(ward, procedure, when) -> Dossier:
    intake = workflow.Intake(procedure=procedure, applicant_name=AN[1], applicant_id_number=AN[0])
    paper = services.Paper(name="Tờ khai", filename="to-khai.pdf", chunks=[PDF])
    return services.submit(agency=ward, intake=intake, papers=[paper], source="web", now=when)


def desk() -> Client:
    client = Client()
    client.force_login(User.objects.get(username="canbo"))
    return client


def test_the_desk_asks_once_the_citizen_uploads_and_the_dossier_is_back_in_the_queue(client, an, ward, procedure):
    calendar_for(ward.pk)
    with time_machine.travel(vn(2026, 12, 3, 9), tick=False):  # Thursday: due Friday 09:30
        dossier = submitted(ward, procedure, vn(2026, 12, 3, 9))
    with time_machine.travel(vn(2026, 12, 3, 10), tick=False):
        clerk = desk()
        review = clerk.get(reverse("tructuyen:review", args=[dossier.pk])).content.decode()
        assert "Yêu cầu bổ sung" in review
        answer = clerk.post(reverse("tructuyen:request_papers", args=[dossier.pk]), {"missing": MISSING})
        assert answer.status_code == 302
        queue = clerk.get(reverse("tructuyen:queue")).content.decode()
        assert "Không có hồ sơ trực tuyến nào chờ tiếp nhận." in queue
    dossier.refresh_from_db()
    assert dossier.status == Status.AWAITING_PAPERS and dossier.received_at is None and dossier.due_at is None

    page = client.get("/ho-so-cua-toi/").content.decode()
    assert f"Cần bổ sung giấy tờ: {MISSING}" in page
    assert "Mã trạng thái quốc gia: 5 – Yêu cầu bổ sung giấy tờ" in page
    # Monday 16:00: the new intake deadline is 8 working hours from the upload (Tuesday 16:30).
    with time_machine.travel(vn(2026, 12, 7, 16), tick=False):
        client.cookies.clear()
        as_citizen(client, an)  # a fresh session at that hour
        upload = {"tep": [SimpleUploadedFile("ket-hon.pdf", PDF)]}
        answer = client.post(f"/ho-so-cua-toi/{dossier.pk}/bo-sung/", upload, follow=True)
        assert "Đã gửi 1 tệp bổ sung" in answer.content.decode(), answer.content.decode()[-3000:]
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.intake_due_at == vn(2026, 12, 8, 16, 30)
    assert dossier.submitted_at == vn(2026, 12, 3, 9)  # the submission instant is kept
    assert dossier.files.filter(kind=FileKind.SUPPLEMENT).count() == 1
    actions = list(DossierEvent.objects.filter(dossier=dossier).order_by("at", "id").values_list("action", flat=True))
    assert actions == [Action.SUBMIT, Action.REQUEST_PAPERS, Action.RESUBMIT]

    with time_machine.travel(vn(2026, 12, 7, 17), tick=False):
        clerk = desk()
        assert dossier.code in clerk.get(reverse("tructuyen:queue")).content.decode()
        review = clerk.get(reverse("tructuyen:review", args=[dossier.pk])).content.decode()
        assert "ket-hon.pdf" in review and "Đã yêu cầu bổ sung một lần" in review
        # Only once: a second request is refused, the dossier stays in the queue.
        answer = clerk.post(reverse("tructuyen:request_papers", args=[dossier.pk]), {"missing": "Thêm"}, follow=True)
        assert "đã yêu cầu bổ sung một lần" in answer.content.decode()
        assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED
        clerk.post(reverse("tructuyen:receive", args=[dossier.pk]))
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.received_at == vn(2026, 12, 7, 17)
    assert dossier.supplement_requests == 0  # asked before receipt: the legal clock had not started


def test_a_request_needs_the_list_of_papers_and_a_desk_of_the_ward(ward, procedure, other_clerk):
    dossier = submitted(ward, procedure, vn(2026, 12, 3, 9))
    clerk = User.objects.get(username="canbo")
    with pytest.raises(workflow.WorkflowError, match="giấy tờ cần bổ sung"):
        online.request_papers(dossier_id=dossier.pk, actor=clerk, missing="  ", now=vn(2026, 12, 3, 10))
    with pytest.raises(workflow.WorkflowError, match="cơ quan khác"):
        online.request_papers(dossier_id=dossier.pk, actor=other_clerk, missing=MISSING, now=vn(2026, 12, 3, 10))
    officer = User.objects.get(username="congchuc")
    with pytest.raises(workflow.WorkflowError, match="không được tiếp nhận"):
        online.request_papers(dossier_id=dossier.pk, actor=officer, missing=MISSING, now=vn(2026, 12, 3, 10))
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED


def test_a_dossier_awaiting_papers_cannot_be_received_and_the_lookup_says_what_to_do(client, ward, procedure):
    dossier = submitted(ward, procedure, vn(2026, 12, 3, 9))
    clerk = User.objects.get(username="canbo")
    online.request_papers(dossier_id=dossier.pk, actor=clerk, missing=MISSING, now=vn(2026, 12, 3, 10))
    with pytest.raises(workflow.WorkflowError, match="không còn chờ tiếp nhận"):
        online.receive(dossier_id=dossier.pk, actor=clerk, now=vn(2026, 12, 3, 11))
    answer = client.get(f"/api/v1/tra-cuu/{dossier.code}/", {"k": dossier.lookup_key}).json()
    assert answer["national_status"]["code"] == 5, answer


def test_the_citizen_is_told_which_papers_and_where_to_upload_them(ward, procedure):
    dossier = submitted(ward, procedure, vn(2026, 12, 3, 9))
    online.request_papers(
        dossier_id=dossier.pk, actor=User.objects.get(username="canbo"), missing=MISSING, now=vn(2026, 12, 3, 10)
    )
    event = DossierEvent.objects.get(dossier=dossier, action=Action.REQUEST_PAPERS)
    subject, mail = render_message(event, "email")
    _, sms = render_message(event, "sms")
    assert dossier.code in subject and f"1. {MISSING}" in mail and "“Hồ sơ của tôi”" in mail
    assert "tạm dừng" not in mail  # no legal clock runs before receipt
    assert MISSING in sms and "Hồ sơ của tôi" in sms and "chưa được tiếp nhận" in sms


def test_pages_of_a_dossier_awaiting_papers(client, ward, procedure):
    dossier = submitted(ward, procedure, vn(2026, 12, 3, 9))
    online.request_papers(
        dossier_id=dossier.pk, actor=User.objects.get(username="canbo"), missing=MISSING, now=vn(2026, 12, 3, 10)
    )
    public = client.get(f"/tra-cuu/{dossier.code}/", {"k": dossier.lookup_key}).content.decode()
    assert "“Hồ sơ của tôi” để tải lên giấy tờ bổ sung" in public
    staff = desk().get(reverse("hoso:detail", args=[dossier.pk]))
    assert staff.status_code == 200 and "Chờ công dân bổ sung giấy tờ" in staff.content.decode()
    assert desk().get(reverse("tructuyen:review", args=[dossier.pk])).status_code == 302  # not in the queue now


def test_form_02_lists_the_papers_asked_for_before_receipt(ward, procedure):
    dossier = submitted(ward, procedure, vn(2026, 12, 3, 9))
    online.request_papers(
        dossier_id=dossier.pk, actor=User.objects.get(username="canbo"), missing=MISSING, now=vn(2026, 12, 3, 10)
    )
    assert "huong-dan" in [spec.slug for spec in available_documents(dossier)]
    html = render_document_html(dossier, "huong-dan")
    assert MISSING in html and "tiếp nhận lúc" not in html
    assert render_document(dossier, "huong-dan").startswith(b"%PDF")
