"""Messages to applicants: which events notify, after commit only, once per channel, retries, texts."""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import transaction
from django.urls import reverse

from hoso import notifications, workflow
from hoso.constants import NotificationChannel, NotificationKind, NotificationStatus
from hoso.documents import lookup_url
from hoso.models import DossierEvent, Notification, NotificationTemplate
from hoso.tasks import notify_event, send_notification
from hoso.workcalendar import VN_TZ
from tests.factories import AgencyProcedureFactory, ProcedureFactory, load_holidays

pytestmark = pytest.mark.django_db

EMAIL = "an.nguyen@example.vn"
PHONE = "0912345678"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


# -- backends for the tests: real implementations of the backend contracts ------------------------
class FlakySmsBackend:
    """Fails `failures` times with TransientSendError, then accepts; remembers what it sent."""

    failures = 0
    calls = 0
    sent: list[tuple[str, str]] = []

    def send(self, phone: str, text: str) -> None:
        cls = type(self)
        cls.calls += 1
        if cls.calls <= cls.failures:
            raise notifications.TransientSendError(f"nhà mạng bận (lần {cls.calls})")
        cls.sent.append((phone, text))

    @classmethod
    def reset(cls, failures: int) -> None:
        cls.failures, cls.calls, cls.sent = failures, 0, []


class RefusingSmsBackend:
    """A provider that refuses the number outright: not worth a retry."""

    def send(self, phone: str, text: str) -> None:
        raise ValueError("Số thuê bao không tồn tại")


class DroppingEmailBackend(BaseEmailBackend):
    """An SMTP server that drops the first connection, then delivers into django.core.mail.outbox."""

    dropped = 0

    def send_messages(self, email_messages):  # type: ignore[no-untyped-def]
        if DroppingEmailBackend.dropped == 0:
            DroppingEmailBackend.dropped += 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        return LocmemBackend().send_messages(email_messages)


# -- fixtures -------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _locmem_mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.MOTCUA_PUBLIC_URL = "https://motcua.hoankiem.example.vn"
    settings.MOTCUA_SMS_BACKEND = "hoso.notifications.LoggingSmsBackend"
    mail.outbox = []


@pytest.fixture
def worker_retries():
    """Eager tasks that retry like a worker does: Celery runs an eager retry only when errors do not propagate."""
    from motcua.celery import app

    previous = app.conf.task_eager_propagates
    app.conf.task_eager_propagates = False
    yield
    app.conf.task_eager_propagates = previous


@pytest.fixture
def procedure(agency):
    load_holidays()
    agency.address = "Số 126 phố Hàng Trống"
    agency.phone = "024 3825 0000"
    agency.save(update_fields=["address", "phone"])
    p = ProcedureFactory(code="1.000001", name="Cấp giấy xác nhận tình trạng hôn nhân", time_limit_value=3)
    AgencyProcedureFactory(agency=agency, procedure=p)
    return p


def receive(agency, clerk, procedure, now=None, **extra):
    contact = {"applicant_email": EMAIL, "applicant_phone": PHONE, **extra}
    intake = workflow.Intake(procedure=procedure, applicant_name="Nguyễn Văn An", **contact)
    return workflow.receive(agency=agency, actor=clerk, intake=intake, now=now or vn(2025, 3, 3, 9, 0))


def committed(capture, action):
    """Run `action` as a request would: its transaction commits, then the on-commit hooks run."""
    with capture(execute=True):
        return action()


def emails(kind: str | None = None) -> list[Notification]:
    rows = Notification.objects.filter(channel=NotificationChannel.EMAIL).order_by("id")
    return list(rows.filter(kind=kind) if kind else rows)


# -- when and how often -----------------------------------------------------------------------------
def test_receiving_a_dossier_sends_one_email_and_one_text_message_with_the_lookup_link(
    agency, clerk, procedure, django_capture_on_commit_callbacks, caplog
):
    with caplog.at_level(logging.INFO, logger="motcua.sms"):
        dossier = committed(django_capture_on_commit_callbacks, lambda: receive(agency, clerk, procedure))
    rows = Notification.objects.order_by("channel")
    assert [(n.channel, n.kind, n.status, n.attempts) for n in rows] == [
        ("email", "received", "sent", 1),
        ("sms", "received", "sent", 1),
    ]
    assert [n.recipient for n in rows] == [EMAIL, PHONE]
    link = lookup_url(dossier)
    assert link == f"https://motcua.hoankiem.example.vn/tra-cuu/{dossier.code}/?k={dossier.lookup_key}"
    (message,) = mail.outbox
    assert message.to == [EMAIL]
    assert message.subject == f"Đã tiếp nhận hồ sơ {dossier.code}"
    assert "Kính gửi Ông/Bà Nguyễn Văn An," in message.body
    assert "- Thủ tục: Cấp giấy xác nhận tình trạng hôn nhân" in message.body
    assert "- Thời gian tiếp nhận: 09 giờ 00 phút, ngày 03 tháng 3 năm 2025" in message.body
    # Mon 03/03/2025 09:00 + 3 working days.
    assert "- Thời gian hẹn trả kết quả: 09 giờ 00 phút, ngày 06 tháng 3 năm 2025" in message.body
    assert link in message.body
    assert "Trung tâm Phục vụ hành chính công phường Hoàn Kiếm đã tiếp nhận hồ sơ của ông/bà:" in message.body
    assert "Trung tâm Phục vụ hành chính công – Phường Hoàn Kiếm" in message.body
    (sms,) = [r for r in caplog.records if r.name == "motcua.sms"]
    assert sms.levelno == logging.INFO
    assert PHONE in sms.getMessage() and link in sms.getMessage()
    assert "hẹn trả kết quả 09:00 06/03/2025" in sms.getMessage()


def test_the_events_that_notify_are_receipt_supplement_extension_and_result(
    agency, clerk, officer, leader, procedure, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    d = committed(capture, lambda: receive(agency, clerk, procedure))
    steps = [
        (lambda: workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 30)), None),
        (
            lambda: workflow.request_supplement(
                dossier_id=d.pk, actor=officer, missing="- Bản sao giấy khai sinh\n- Tờ khai", now=vn(2025, 3, 3, 10)
            ),
            NotificationKind.SUPPLEMENT,
        ),
        (lambda: workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, 4, 10)), None),
        (
            lambda: workflow.extend(
                dossier_id=d.pk,
                actor=officer,
                new_due_at=vn(2025, 3, 12, 17),
                reason="Cần xác minh",
                now=vn(2025, 3, 5),
            ),
            NotificationKind.EXTENDED,
        ),
        (lambda: workflow.submit_for_approval(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 6, 14)), None),
        (lambda: workflow.approve(dossier_id=d.pk, actor=leader, now=vn(2025, 3, 7, 8)), NotificationKind.RESULT_READY),
        (
            lambda: workflow.return_result(
                dossier_id=d.pk, actor=clerk, collector="Nguyễn Văn An", now=vn(2025, 3, 7, 9)
            ),
            None,
        ),
    ]
    expected = [NotificationKind.RECEIVED]
    for step, kind in steps:
        committed(capture, step)
        if kind:
            expected.append(kind)
        assert [n.kind for n in emails()] == expected
    assert len(mail.outbox) == 4
    assert Notification.objects.count() == 8  # e-mail and text message for each


def test_a_result_finished_without_approval_notifies_too(
    agency, clerk, officer, procedure, django_capture_on_commit_callbacks
):
    d = receive(agency, clerk, procedure)
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 30))
    committed(
        django_capture_on_commit_callbacks,
        lambda: workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 4, 9)),
    )
    assert [n.kind for n in emails()] == [NotificationKind.RESULT_READY]


def test_nothing_is_created_or_sent_when_the_transaction_rolls_back(
    agency, clerk, procedure, django_capture_on_commit_callbacks
):
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        receive(agency, clerk, procedure)
        raise RuntimeError("an error later in the same request")
    assert callbacks == []
    assert not DossierEvent.objects.exists() and not Notification.objects.exists()
    assert mail.outbox == []


def test_a_refused_action_notifies_nobody(agency, clerk, officer, procedure, django_capture_on_commit_callbacks):
    d = receive(agency, clerk, procedure)
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 30))
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(workflow.WorkflowError):
        # The appointment (Thu 06/03 09:00) has passed: the apology is refused.
        workflow.extend(
            dossier_id=d.pk, actor=officer, new_due_at=vn(2025, 3, 14, 17), reason="Chậm", now=vn(2025, 3, 7, 10)
        )
    assert callbacks == [] and not Notification.objects.exists() and mail.outbox == []


@pytest.mark.parametrize(
    ("contact", "channels"),
    [
        ({"applicant_email": EMAIL, "applicant_phone": ""}, ["email"]),
        ({"applicant_email": "", "applicant_phone": PHONE}, ["sms"]),
        ({"applicant_email": "", "applicant_phone": ""}, []),
        # An organisation's fixed line cannot receive a text message.
        ({"applicant_email": EMAIL, "applicant_phone": "02438261234"}, ["email"]),
        ({"applicant_email": "", "applicant_phone": "02438261234"}, []),
    ],
)
def test_an_applicant_is_reached_only_on_the_channels_they_gave(
    agency, clerk, procedure, django_capture_on_commit_callbacks, contact, channels
):
    committed(django_capture_on_commit_callbacks, lambda: receive(agency, clerk, procedure, **contact))
    assert sorted(Notification.objects.values_list("channel", flat=True)) == channels


def test_notifying_the_same_event_twice_sends_once(agency, clerk, procedure, django_capture_on_commit_callbacks):
    dossier = committed(django_capture_on_commit_callbacks, lambda: receive(agency, clerk, procedure))
    event = dossier.events.get()
    first = notify_event.delay(event.pk).get()
    second = notify_event.delay(event.pk).get()
    assert sorted(first) == sorted(second) and len(first) == 2
    assert len(mail.outbox) == 1
    assert list(Notification.objects.values_list("attempts", flat=True)) == [1, 1]


def test_a_duplicate_send_message_loses_the_claim(agency, clerk, procedure):
    dossier = receive(agency, clerk, procedure)  # not committed: nothing planned yet
    (email_id, _sms_id) = notifications.plan_notifications(dossier.events.get().pk)
    # A worker took attempt 1 and is still sending: a second copy of the message may not.
    assert Notification.claim_attempt(email_id, 1) is True
    assert send_notification.delay(email_id).get() == "claimed elsewhere"
    assert mail.outbox == []
    assert Notification.claim_attempt(email_id, 1) is False
    assert Notification.objects.get(pk=email_id).attempts == 1


def test_an_event_that_does_not_notify_plans_nothing(agency, clerk, officer, procedure):
    d = receive(agency, clerk, procedure)
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 30))
    assign = d.events.get(action="assign")
    assert notifications.plan_notifications(assign.pk) == []
    assert notifications.plan_notifications(999_999) == []


# -- retries ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("failures", "status", "attempts", "delivered"),
    [
        (0, NotificationStatus.SENT, 1, True),
        (2, NotificationStatus.SENT, 3, True),
        (5, NotificationStatus.SENT, 6, True),  # the fifth retry is the last one
        (6, NotificationStatus.FAILED, 6, False),
    ],
)
def test_a_busy_text_message_gateway_is_retried_up_to_five_times(
    worker_retries,
    agency,
    clerk,
    procedure,
    settings,
    django_capture_on_commit_callbacks,
    failures,
    status,
    attempts,
    delivered,
):
    settings.MOTCUA_SMS_BACKEND = f"{__name__}.FlakySmsBackend"
    FlakySmsBackend.reset(failures)
    committed(django_capture_on_commit_callbacks, lambda: receive(agency, clerk, procedure, applicant_email=""))
    sms = Notification.objects.get()
    assert (sms.status, sms.attempts) == (status, attempts)
    assert len(FlakySmsBackend.sent) == (1 if delivered else 0)
    if delivered:
        assert sms.sent_at is not None and sms.error == ""
    else:
        assert sms.sent_at is None and sms.error == "Lần gửi 6: nhà mạng bận (lần 6)"


def test_a_dropped_smtp_connection_is_retried(
    worker_retries, agency, clerk, procedure, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.DroppingEmailBackend"
    DroppingEmailBackend.dropped = 0
    committed(django_capture_on_commit_callbacks, lambda: receive(agency, clerk, procedure, applicant_phone=""))
    email = Notification.objects.get()
    assert (email.status, email.attempts) == (NotificationStatus.SENT, 2)
    assert len(mail.outbox) == 1


def test_a_refused_number_fails_at_once_with_the_reason(
    agency, clerk, procedure, settings, django_capture_on_commit_callbacks
):
    settings.MOTCUA_SMS_BACKEND = f"{__name__}.RefusingSmsBackend"
    committed(django_capture_on_commit_callbacks, lambda: receive(agency, clerk, procedure))
    sms = Notification.objects.get(channel="sms")
    assert (sms.status, sms.attempts) == (NotificationStatus.FAILED, 1)
    assert "Số thuê bao không tồn tại" in sms.error
    # The other channel is independent.
    assert Notification.objects.get(channel="email").status == NotificationStatus.SENT


def test_a_sent_notification_is_never_sent_again(agency, clerk, procedure, django_capture_on_commit_callbacks):
    committed(django_capture_on_commit_callbacks, lambda: receive(agency, clerk, procedure))
    email = Notification.objects.get(channel="email")
    assert send_notification.delay(email.pk).get() == NotificationStatus.SENT
    assert len(mail.outbox) == 1 and Notification.objects.get(pk=email.pk).attempts == 1


# -- texts ------------------------------------------------------------------------------------------
def test_the_supplement_message_lists_the_documents_to_bring(
    agency, clerk, officer, procedure, django_capture_on_commit_callbacks
):
    d = receive(agency, clerk, procedure)
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 30))
    missing = "1. Bản sao giấy khai sinh\n2. Tờ khai có xác nhận của tổ dân phố"
    committed(
        django_capture_on_commit_callbacks,
        lambda: workflow.request_supplement(dossier_id=d.pk, actor=officer, missing=missing, now=vn(2025, 3, 3, 10)),
    )
    (message,) = mail.outbox
    assert message.subject == f"Yêu cầu bổ sung, hoàn thiện hồ sơ {d.code}"
    assert "1. Bản sao giấy khai sinh\n2. Tờ khai có xác nhận của tổ dân phố\n" in message.body
    assert "(Số 126 phố Hàng Trống)" in message.body
    assert "tạm dừng từ 10 giờ 00 phút, ngày 03 tháng 3 năm 2025" in message.body
    assert lookup_url(d) in message.body
    sms = Notification.objects.get(channel="sms")
    assert "cần bổ sung: Bản sao giấy khai sinh; Tờ khai có xác nhận của tổ dân phố." in sms.body


def test_the_extension_message_apologises_and_gives_the_new_appointment_in_words(
    agency, clerk, officer, procedure, django_capture_on_commit_callbacks
):
    d = receive(agency, clerk, procedure)
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 30))
    committed(
        django_capture_on_commit_callbacks,
        lambda: workflow.extend(
            dossier_id=d.pk,
            actor=officer,
            new_due_at=vn(2025, 3, 12, 14, 30),
            reason="Cần xác minh thông tin hộ tịch tại nơi cư trú trước đây",
            now=vn(2025, 3, 5, 10),
        ),
    )
    (message,) = mail.outbox
    assert message.subject == f"Xin lỗi và hẹn lại ngày trả kết quả hồ sơ {d.code}"
    assert "Ủy ban nhân dân phường Hoàn Kiếm chân thành xin lỗi ông/bà" in message.body
    assert "- Cần xác minh thông tin hộ tịch tại nơi cư trú trước đây" in message.body
    assert "Thời gian hẹn trả kết quả mới: 14 giờ 30 phút, ngày 12 tháng 3 năm 2025." in message.body
    assert lookup_url(d) in message.body


@pytest.mark.parametrize(
    ("delivery", "expected", "absent"),
    [
        (
            "desk",
            "Mời ông/bà đến nhận kết quả tại Trung tâm Phục vụ hành chính công phường Hoàn Kiếm, Số 126 phố Hàng Trống",
            "bưu chính",
        ),
        ("post", "Kết quả được gửi qua dịch vụ bưu chính công ích đến địa chỉ đã đăng ký", "Số 9 ngõ Huế"),
    ],
)
def test_the_result_message_says_where_to_collect_it(
    agency, clerk, officer, procedure, django_capture_on_commit_callbacks, delivery, expected, absent
):
    d = receive(agency, clerk, procedure, delivery=delivery, delivery_address="Số 9 ngõ Huế")
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 30))
    committed(
        django_capture_on_commit_callbacks,
        lambda: workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 4, 9)),
    )
    (message,) = mail.outbox
    assert message.subject == f"Hồ sơ {d.code} đã có kết quả"
    assert expected in " ".join(message.body.split())
    assert absent not in message.body
    assert lookup_url(d) in message.body


def test_a_wards_own_template_replaces_the_default_and_stays_in_its_ward(
    agency, other_agency, clerk, procedure, django_capture_on_commit_callbacks
):
    NotificationTemplate.objects.create(
        agency=None, kind="received", channel="email", subject="Mặc định: {ma_ho_so}", body="Mặc định"
    )
    NotificationTemplate.objects.create(
        agency=other_agency, kind="received", channel="email", subject="Cửa Nam", body="Phường khác"
    )
    d = committed(django_capture_on_commit_callbacks, lambda: receive(agency, clerk, procedure, applicant_phone=""))
    assert (mail.outbox[0].subject, mail.outbox[0].body) == (f"Mặc định: {d.code}", "Mặc định")

    NotificationTemplate.objects.create(
        agency=agency,
        kind="received",
        channel="email",
        subject="{co_quan} thông báo: hồ sơ {ma_ho_so}",
        body="Hẹn trả {ngay_hen}. Tra cứu: {link_tra_cuu}",
    )
    d2 = committed(django_capture_on_commit_callbacks, lambda: receive(agency, clerk, procedure, vn(2025, 3, 3, 9, 5)))
    assert mail.outbox[1].subject == f"Phường Hoàn Kiếm thông báo: hồ sơ {d2.code}"
    assert mail.outbox[1].body == f"Hẹn trả 09 giờ 05 phút, ngày 06 tháng 3 năm 2025. Tra cứu: {lookup_url(d2)}"
    # The text message had no template of its own: the built-in one.
    assert Notification.objects.get(event__dossier=d2, channel="sms").body.startswith(
        f"Phường Hoàn Kiếm đã tiếp nhận hồ sơ {d2.code}"
    )


def test_a_broken_ward_template_falls_back_to_the_default_text(agency, clerk, procedure):
    NotificationTemplate.objects.create(
        agency=agency, kind="received", channel="email", subject="{% if %}", body="{{ dossier.code"
    )
    d = receive(agency, clerk, procedure)
    subject, body = notifications.render_message(d.events.get(), "email")
    assert subject == f"Đã tiếp nhận hồ sơ {d.code}" and lookup_url(d) in body


def test_every_default_template_renders_with_its_own_event(agency, clerk, officer, procedure):
    d = receive(agency, clerk, procedure)
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 30))
    workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="Tờ khai", now=vn(2025, 3, 3, 10))
    workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, 3, 11))
    workflow.extend(dossier_id=d.pk, actor=officer, new_due_at=vn(2025, 3, 12, 17), reason="X", now=vn(2025, 3, 4))
    workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 5, 9))
    for event in d.events.filter(action__in=notifications.NOTIFYING_ACTIONS):
        for channel in NotificationChannel:
            subject, body = notifications.render_message(event, channel)
            assert d.code in body and lookup_url(d) in body
            assert "{{" not in body and "None" not in body
            assert bool(subject) == (channel == NotificationChannel.EMAIL)


# -- admin ------------------------------------------------------------------------------------------
def test_a_ward_admin_writes_their_wards_templates_and_sees_only_their_notifications(
    client, ward_admin, other_agency, agency, clerk, procedure
):
    client.force_login(ward_admin)
    add = reverse("admin:hoso_notificationtemplate_add")
    form = {"kind": "received", "channel": "sms", "subject": "", "body": "{ma_ho_so} { link_tra_cuu }"}
    assert client.post(add, form).status_code == 302
    row = NotificationTemplate.objects.get()
    assert row.agency_id == agency.pk
    again = client.post(add, form)
    assert "Cơ quan đã có mẫu thông báo cho sự kiện và kênh này" in again.content.decode()
    broken = client.post(add, {**form, "channel": "email", "body": "{% for %}"})
    assert "Không dùng được cú pháp mẫu Django" in broken.content.decode()
    assert NotificationTemplate.objects.count() == 1

    NotificationTemplate.objects.create(agency=other_agency, kind="received", channel="email", body="khác")
    listing = client.get(reverse("admin:hoso_notificationtemplate_changelist")).content.decode()
    assert "Phường Cửa Nam" not in listing

    d = receive(agency, clerk, procedure)
    notifications.plan_notifications(d.events.get().pk)
    notification = Notification.objects.first()
    page = client.get(reverse("admin:hoso_notification_change", args=[notification.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
    assert client.get(reverse("admin:hoso_notification_add")).status_code == 403


def test_the_result_ready_email_invites_the_applicant_to_rate(
    settings, agency, clerk, officer, real_catalogue, django_capture_on_commit_callbacks, time_machine
):
    """The result-ready message carries the satisfaction link next to the lookup link."""
    from datetime import datetime

    from django.core import mail

    from hoso import workflow
    from hoso.workcalendar import VN_TZ
    from thutuc.models import AgencyProcedure, Procedure

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    procedure = Procedure.objects.get(code="1.001193")
    AgencyProcedure.objects.create(agency=agency, procedure=procedure)
    intake = workflow.Intake(procedure=procedure, applicant_name="Nguyễn Văn An", applicant_email="an@example.vn")
    at = datetime(2025, 3, 3, 9, 0, tzinfo=VN_TZ)
    d = workflow.receive(agency=agency, actor=clerk, intake=intake, now=at)
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=at.replace(minute=10))
    time_machine.move_to(at.replace(hour=10), tick=False)  # the message is written as the result is ready
    with django_capture_on_commit_callbacks(execute=True):
        workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=at.replace(hour=10))
    (message,) = [m for m in mail.outbox if "đã có kết quả" in m.subject]
    assert "đánh giá mức độ hài lòng: http" in message.body and "/danh-gia/" in message.body


# -- the sweeper: what a broker outage lost -------------------------------------------------------
def test_the_sweeper_sends_what_a_broker_outage_kept_back(agency, clerk, procedure, time_machine):
    from datetime import timedelta

    from hoso.tasks import sweep_notifications

    received = vn(2025, 3, 3, 9, 0)
    dossier = receive(agency, clerk, procedure, now=received)  # its after-commit hook never ran
    quiet = receive(agency, clerk, procedure, now=received, applicant_email="", applicant_phone="")
    assert not Notification.objects.exists()
    time_machine.move_to(received + timedelta(minutes=2), tick=False)
    assert sweep_notifications.delay().get() == {"events": 0, "requeued": 0, "abandoned": 0}  # still in grace
    time_machine.move_to(received + timedelta(minutes=11), tick=False)
    assert sweep_notifications.delay().get() == {"events": 1, "requeued": 2, "abandoned": 0}
    sent = Notification.objects.filter(dossier=dossier, status=NotificationStatus.SENT)
    assert sorted(sent.values_list("channel", flat=True)) == ["email", "sms"]
    assert len(mail.outbox) == 1 and dossier.code in mail.outbox[0].body
    assert not Notification.objects.filter(dossier=quiet).exists()  # nobody to reach
    # Nothing twice: a second sweep finds nothing to do.
    assert sweep_notifications.delay().get() == {"events": 0, "requeued": 0, "abandoned": 0}
    assert len(mail.outbox) == 1


def test_the_sweeper_requeues_a_planned_message_never_tried_and_gives_up_a_lost_retry(
    agency, clerk, procedure, time_machine
):
    from datetime import timedelta

    from hoso.tasks import sweep_notifications

    received = vn(2025, 3, 3, 9, 0)
    time_machine.move_to(received, tick=False)
    dossier = receive(agency, clerk, procedure, now=received)
    email_id, sms_id = notifications.plan_notifications(dossier.events.get().pk)  # never queued
    assert Notification.claim_attempt(sms_id, 1)  # tried once; its retry vanished with the broker
    time_machine.move_to(received + timedelta(hours=4), tick=False)
    assert sweep_notifications.delay().get() == {"events": 0, "requeued": 1, "abandoned": 1}
    assert Notification.objects.get(pk=email_id).status == NotificationStatus.SENT
    lost = Notification.objects.get(pk=sms_id)
    assert lost.status == NotificationStatus.FAILED and "liên hệ người nộp" in lost.error


def test_the_beat_sweeps_notifications_every_ten_minutes():
    from django.conf import settings

    entry = settings.CELERY_BEAT_SCHEDULE["hoso-sweep-notifications"]
    assert entry["task"] == "hoso.tasks.sweep_notifications"
    assert entry["schedule"].minute == set(range(0, 60, 10))


def test_a_sentence_ending_with_a_value_that_ends_with_a_full_stop_has_one_stop(
    agency, clerk, officer, procedure, django_capture_on_commit_callbacks
):
    agency.address = "Số 126 phố Hàng Trống."  # typed as a sentence in the admin
    agency.save(update_fields=["address"])
    capture = django_capture_on_commit_callbacks
    d = committed(capture, lambda: receive(agency, clerk, procedure))
    committed(
        capture, lambda: workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 30))
    )
    missing = "Bản sao giấy khai sinh.\nTờ khai có chữ ký của người yêu cầu."
    committed(
        capture,
        lambda: workflow.request_supplement(dossier_id=d.pk, actor=officer, missing=missing, now=vn(2025, 3, 3, 10)),
    )
    sms = Notification.objects.get(kind=NotificationKind.SUPPLEMENT, channel=NotificationChannel.SMS).body
    mail_body = Notification.objects.get(kind=NotificationKind.SUPPLEMENT, channel=NotificationChannel.EMAIL).body
    assert "người yêu cầu. Tra cứu" in sms and ".." not in sms
    assert "Hàng Trống)." in mail_body and ".." not in mail_body
    # An ellipsis typed on purpose stays.
    assert notifications.single_stops("chờ kết quả xác minh...") == "chờ kết quả xác minh..."
