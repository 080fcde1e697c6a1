"""Petition states, who may act, the sender's messages and rating, publication without personal data."""

from datetime import datetime

import pytest
from django.core import mail

from hoso.workcalendar import VN_TZ
from motcua.constants import Role
from phananh import services
from phananh.constants import TRANSITIONS, Action, Channel, Kind, Rating, Status
from phananh.models import Petition, PetitionEvent, PetitionMessage
from phananh.services import PetitionRejected

from ..factories import UserFactory, load_holidays

SENDER = {
    "sender_name": "Trần Thị Bích Ngọc",
    "sender_phone": "0912345678",
    "sender_email": "bich.ngoc@example.vn",
    "sender_address": "Số 12 ngõ 34 phố Hàng Bông",
    "sender_id_number": "001190012345",
}


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VN_TZ)


@pytest.fixture
def petition(agency, clerk, django_capture_on_commit_callbacks):
    load_holidays()
    with django_capture_on_commit_callbacks(execute=True):
        return services.receive(
            agency=agency,
            kind=Kind.PROCEDURE,
            channel=Channel.COUNTER,
            subject="Thời gian chờ chứng thực quá lâu",
            content="Tôi chờ hơn hai giờ để chứng thực bản sao.",
            by=clerk,
            at=at(2026, 12, 4, 16, 0),
            **SENDER,
        )


def walk_to_answered(petition, officer, leader, capture):
    with capture(execute=True):
        services.act(petition_id=petition.pk, action=Action.ASSIGN, by=leader, assignee=officer, at=at(2026, 12, 7, 8))
        services.act(petition_id=petition.pk, action=Action.ACCEPT, by=officer, at=at(2026, 12, 7, 9))
        services.act(
            petition_id=petition.pk,
            action=Action.SUBMIT_ANSWER,
            by=officer,
            answer="Đã bố trí thêm quầy.",
            at=at(2026, 12, 9, 9),
        )
        return services.act(petition_id=petition.pk, action=Action.APPROVE, by=leader, at=at(2026, 12, 10, 9))


def test_the_whole_path_with_messages_to_the_sender(petition, officer, leader, django_capture_on_commit_callbacks):
    done = walk_to_answered(petition, officer, leader, django_capture_on_commit_callbacks)
    assert done.status == Status.ANSWERED
    assert done.answered_at == at(2026, 12, 10, 9)
    assert done.answer_due_at == at(2026, 12, 25, 16)
    assert done.due_at == done.publish_due_at == at(2026, 12, 14, 9)
    actions = list(PetitionEvent.objects.filter(petition=petition).values_list("action", flat=True))
    assert actions == ["receive", "assign", "accept", "submit_answer", "approve"]
    # receive, accept, approve notify by e-mail and text message
    assert PetitionMessage.objects.filter(petition=petition, channel="email", status="sent").count() == 3
    assert PetitionMessage.objects.filter(petition=petition, channel="sms").count() == 3
    assert any("đã trả lời" in m.body and petition.token in m.body for m in mail.outbox)


def test_officer_must_be_the_assignee_and_clerk_may_not_decide(petition, officer, clerk, agency):
    other_officer = UserFactory(agency=agency, role=Role.OFFICER, username="officer_b")
    services.act(
        petition_id=petition.pk, action=Action.ASSIGN, by=UserFactory(agency=agency, role=Role.LEADER), assignee=officer
    )
    for user in (other_officer, clerk):
        with pytest.raises(PetitionRejected):
            services.act(petition_id=petition.pk, action=Action.ACCEPT, by=user)
    with pytest.raises(PetitionRejected):  # only a leader approves
        services.act(petition_id=petition.pk, action=Action.APPROVE, by=officer)
    assert Petition.objects.get(pk=petition.pk).status == Status.RECEIVED


def test_another_ward_cannot_act(petition, other_agency):
    stranger = UserFactory(agency=other_agency, role=Role.LEADER, username="leader_b")
    with pytest.raises(PetitionRejected, match="Không tìm thấy"):
        services.act(petition_id=petition.pk, action=Action.ACCEPT, by=stranger)


def test_refusal_needs_a_reason(petition, leader):
    with pytest.raises(PetitionRejected, match="lý do"):
        services.act(petition_id=petition.pk, action=Action.REFUSE, by=leader, note="  ")
    done = services.act(petition_id=petition.pk, action=Action.REFUSE, by=leader, note="Nội dung đã được trả lời.")
    assert (done.status, done.decision, done.due_at, done.answer_due_at) == (Status.REFUSED, "refused", None, None)


def test_every_edge_of_the_table_checks_the_state(petition, leader):
    # From "received", only assign / accept / refuse are open; everything else is refused, nothing written.
    for action, (sources, _target, _roles, _assignee) in TRANSITIONS.items():
        assert services.may(leader, petition, action) == (Status.RECEIVED in sources)
    with pytest.raises(PetitionRejected):
        services.act(petition_id=petition.pk, action=Action.APPROVE, by=leader)
    assert PetitionEvent.objects.filter(petition=petition).count() == 1


def test_more_information_pauses_the_answer_clock(petition, leader, officer):
    services.act(petition_id=petition.pk, action=Action.ACCEPT, by=leader, at=at(2026, 12, 7, 9))
    waiting = services.act(
        petition_id=petition.pk, action=Action.ASK_MORE_INFO, by=leader, note="Ngày giờ cụ thể?", at=at(2026, 12, 8, 9)
    )
    assert (waiting.status, waiting.due_at) == (Status.MORE_INFO, None)
    back = services.act(petition_id=petition.pk, action=Action.MORE_INFO_RECEIVED, by=leader, at=at(2026, 12, 10, 9))
    assert back.status == Status.ACCEPTED
    assert back.due_at == at(2026, 12, 29, 16)


def test_publication_refuses_personal_data(petition, officer, leader, django_capture_on_commit_callbacks):
    walk_to_answered(petition, officer, leader, django_capture_on_commit_callbacks)
    clean = {
        "public_subject": "Thời gian chờ chứng thực",
        "public_question": "Công dân phản ánh thời gian chờ chứng thực bản sao quá lâu.",
        "public_answer": "Phường đã bố trí thêm một quầy chứng thực từ ngày 10/12/2026.",
    }
    leaks = [
        ("public_question", "Bà Trần Thị Bích Ngọc phản ánh thời gian chờ."),
        ("public_question", "Bà tran thi bich ngoc phản ánh."),  # without diacritics
        ("public_answer", "Đã gọi lại số 0912 345 678."),
        ("public_answer", "Đã gửi thư tới bich.ngoc@example.vn."),
        ("public_question", "Người ở số 12 ngõ 34 phố Hàng Bông phản ánh."),
        ("public_answer", "Căn cước 001190012345 đã được xác minh."),
    ]
    for field, text in leaks:
        with pytest.raises(PetitionRejected, match="thông tin cá nhân") as caught:
            services.publish(petition_id=petition.pk, by=leader, **{**clean, field: text})
        assert caught.value.field == field
    with pytest.raises(PetitionRejected):
        services.publish(petition_id=petition.pk, by=officer, **clean)
    done = services.publish(petition_id=petition.pk, by=leader, at=at(2026, 12, 11, 9), **clean)
    assert done.status == Status.PUBLISHED and done.due_at is None


def test_unhappy_rating_reopens_for_the_leader(petition, officer, leader, django_capture_on_commit_callbacks):
    walk_to_answered(petition, officer, leader, django_capture_on_commit_callbacks)
    reopened = services.rate(
        token=petition.token, rating=Rating.DISSATISFIED, comment="Chưa thỏa đáng", at=at(2026, 12, 11, 9)
    )
    assert reopened.status == Status.REOPENED
    assert reopened.due_at == at(2027, 1, 4, 9)  # 15 working days again; 1/1/2027 is a holiday
    with pytest.raises(PetitionRejected):
        services.rate(token=petition.token, rating=Rating.SATISFIED)
    services.act(petition_id=petition.pk, action=Action.SUBMIT_ANSWER, by=leader, answer="Trả lời bổ sung.")
    again = services.act(petition_id=petition.pk, action=Action.APPROVE, by=leader)
    assert again.status == Status.ANSWERED and again.answered_at == at(2026, 12, 10, 9)  # the first answer counts
    assert services.rate(token=petition.token, rating=Rating.SATISFIED).rating == Rating.SATISFIED


def test_public_receipt_needs_a_contact_or_a_citizen(agency):
    with pytest.raises(PetitionRejected, match="điện thoại hoặc thư điện tử"):
        services.receive(agency=agency, kind=Kind.QUESTION, channel=Channel.PORTAL, content="Xin hỏi")
    with pytest.raises(PetitionRejected, match="nội dung"):
        services.receive(
            agency=agency, kind=Kind.QUESTION, channel=Channel.PORTAL, content=" ", sender_phone="0912345678"
        )
    assert not Petition.objects.exists()
