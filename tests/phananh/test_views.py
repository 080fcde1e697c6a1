"""The petitions pages: public form, sender's page, published answers, staff worklist and actions."""

from datetime import timedelta
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from phananh import services
from phananh.constants import Action, Channel, Kind, Status
from phananh.models import Petition

from ..factories import load_holidays
from .test_services import SENDER


def png() -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, "PNG")
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def _calendar(db):
    load_holidays()


def test_public_form_with_a_photo_and_the_senders_page(client, agency):
    response = client.post(
        reverse("phananh:submit"),
        {
            "agency": agency.pk,
            "kind": Kind.PROCEDURE,
            "subject": "Hướng dẫn chưa rõ",
            "content": "Trang thủ tục khai sinh thiếu mẫu tờ khai.",
            "sender_name": "Lê Văn Tám",
            "sender_phone": "0987 654 321",
            "photos": [SimpleUploadedFile("anh.png", png(), "image/png")],
        },
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    petition = Petition.objects.get()
    assert (petition.channel, petition.sender_phone, petition.photos.count()) == (Channel.PORTAL, "0987654321", 1)
    assert petition.code in response.content.decode()
    page = client.get(reverse("phananh:track", args=[petition.token])).content.decode()
    assert "Chờ xem xét tiếp nhận" in page


def test_public_form_refuses_a_fake_image_and_a_missing_contact(client, agency):
    data = {"agency": agency.pk, "kind": Kind.QUESTION, "content": "Xin hỏi"}
    page = client.post(reverse("phananh:submit"), data).content.decode()
    assert "số điện thoại hoặc thư điện tử" in page
    fake = SimpleUploadedFile("anh.jpg", b"MZ not an image", "image/jpeg")
    page = client.post(reverse("phananh:submit"), {**data, "sender_email": "a@example.vn", "photos": [fake]}).content
    assert "không phải PDF, JPEG hay PNG" in page.decode()
    assert not Petition.objects.exists()


def _answered(agency, clerk, officer, leader):
    petition = services.receive(
        agency=agency, kind=Kind.CONDUCT, channel=Channel.COUNTER, content="Cán bộ trả lời cộc lốc.", by=clerk, **SENDER
    )
    services.act(petition_id=petition.pk, action=Action.ASSIGN, by=leader, assignee=officer)
    services.act(petition_id=petition.pk, action=Action.ACCEPT, by=officer)
    services.act(petition_id=petition.pk, action=Action.SUBMIT_ANSWER, by=officer, answer="Đã nhắc nhở cán bộ.")
    return services.act(petition_id=petition.pk, action=Action.APPROVE, by=leader)


def test_published_pages_never_show_the_senders_data(client, agency, clerk, officer, leader):
    petition = _answered(agency, clerk, officer, leader)
    services.publish(
        petition_id=petition.pk,
        by=leader,
        public_subject="Thái độ tiếp công dân",
        public_question="Công dân phản ánh cán bộ trả lời thiếu lịch sự.",
        public_answer="Phường đã nhắc nhở cán bộ và cảm ơn công dân.",
    )
    for url in (reverse("phananh:answers"), reverse("phananh:answer_detail", args=[petition.code])):
        page = client.get(url).content.decode()
        assert "Thái độ tiếp công dân" in page
        for value in SENDER.values():
            assert value not in page
        assert "Cán bộ trả lời cộc lốc" not in page  # the raw content stays inside
    assert client.get(reverse("phananh:answer_detail", args=["PA-khong-co"])).status_code == 404


def test_unpublished_answers_are_not_public(client, agency, clerk, officer, leader):
    petition = _answered(agency, clerk, officer, leader)
    assert client.get(reverse("phananh:answer_detail", args=[petition.code])).status_code == 404


def test_worklist_flags_overdue_and_staff_act_through_the_page(client, agency, clerk, leader, officer, other_clerk):
    old = services.receive(
        agency=agency,
        kind=Kind.QUESTION,
        channel=Channel.PHONE,
        content="Hỏi giờ làm việc",
        by=clerk,
        at=timezone.now() - timedelta(days=10),
    )
    client.force_login(leader)
    page = client.get(reverse("phananh:worklist")).content.decode()
    assert old.code in page and "Quá hạn" in page and 'data-qua-han="1"' in page
    response = client.post(reverse("phananh:act", args=[old.pk, "refuse"]), {"note": ""})
    assert Petition.objects.get(pk=old.pk).status == Status.RECEIVED  # a reason is required
    client.post(reverse("phananh:act", args=[old.pk, "accept"]), {})
    assert Petition.objects.get(pk=old.pk).status == Status.ACCEPTED
    # Another ward's clerk sees nothing of it; an officer not assigned cannot act.
    client.force_login(other_clerk)
    assert client.get(reverse("phananh:detail", args=[old.pk])).status_code == 404
    client.force_login(officer)
    response = client.post(reverse("phananh:act", args=[old.pk, "submit_answer"]), {"answer": "x"}, follow=True)
    assert "không được giao" in response.content.decode()
    assert client.get(reverse("phananh:worklist")).status_code == 200


def test_counter_entry_and_anonymous_staff_pages(client, agency, clerk):
    assert client.get(reverse("phananh:worklist")).status_code == 302
    client.force_login(clerk)
    response = client.post(
        reverse("phananh:counter"),
        {
            "kind": Kind.PROCEDURE,
            "channel": Channel.COUNTER,
            "content": "Phản ánh bằng lời tại quầy",
            "dossier_code": "X",
        },
    )
    assert "Không tìm thấy hồ sơ" in response.content.decode()
    response = client.post(
        reverse("phananh:counter"),
        {"kind": Kind.PROCEDURE, "channel": Channel.COUNTER, "content": "Phản ánh bằng lời tại quầy"},
    )
    petition = Petition.objects.get()
    assert response.status_code == 302 and petition.received_by == clerk


def test_rating_on_the_senders_page_reopens(client, agency, clerk, officer, leader):
    petition = _answered(agency, clerk, officer, leader)
    url = reverse("phananh:track", args=[petition.token])
    assert "Đã nhắc nhở cán bộ." in client.get(url).content.decode()
    client.post(url, {"rating": "dissatisfied", "comment": "Chưa thỏa đáng"})
    assert Petition.objects.get(pk=petition.pk).status == Status.REOPENED
    client.force_login(leader)
    assert petition.code in client.get(reverse("phananh:worklist")).content.decode()
