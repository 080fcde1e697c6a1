"""The placeholder language of the texts staff edit: refused at save, never evaluated when sent."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from hoso import messages, notifications, workflow
from hoso.constants import NotificationChannel, NotificationKind
from hoso.documents import lookup_url
from hoso.models import NotificationTemplate
from hoso.workcalendar import VN_TZ
from tests.factories import AgencyProcedureFactory, ProcedureFactory, load_holidays

pytestmark = pytest.mark.django_db

ISSUE_EXAMPLE = "{% for d in dossier.procedure.dossiers.all %}{{ d.applicant_id_number }}{% endfor %}"
INJECTIONS = [
    ISSUE_EXAMPLE,
    "{{ dossier.applicant_id_number }}",
    "{% load motcua %}{{ dossier.code }}",
    "{{ ma_ho_so|upper }}",
    "{{ x|filter }}",
    "{ dossier.__class__ }",
    "{0.__class__}",
    "{ho_ten.upper}",
    "{ho_ten[0]}",
    "{ho_ten!r}",
    "{ho_ten:>10}",
    "{dossier}",
    "{# chú thích #}",
    "Mã {ma_ho_so",
    "Mã ma_ho_so}",
    "{ma_ho_so\n}",
]

OTHER_WARD_ID = "001099012345"
OTHER_WARD_PHONE = "0987654321"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


@pytest.fixture
def procedure(agency, other_agency):
    load_holidays()
    agency.address = "Số 126 phố Hàng Trống"
    agency.phone = "024 3825 0000"
    agency.save(update_fields=["address", "phone"])
    p = ProcedureFactory(code="1.000001", name="Cấp giấy xác nhận tình trạng hôn nhân", time_limit_value=3)
    AgencyProcedureFactory(agency=agency, procedure=p)
    AgencyProcedureFactory(agency=other_agency, procedure=p)
    return p


def receive(agency, clerk, procedure, now=None, **extra):
    contact = {"applicant_email": "an@example.vn", "applicant_phone": "0912345678", **extra}
    intake = workflow.Intake(procedure=procedure, applicant_name="Nguyễn Văn An", **contact)
    return workflow.receive(agency=agency, actor=clerk, intake=intake, now=now or vn(2025, 3, 3, 9, 0))


# -- the language -----------------------------------------------------------------------------------
@pytest.mark.parametrize("text", INJECTIONS)
def test_anything_but_a_listed_placeholder_is_refused(text):
    with pytest.raises(ValidationError):
        messages.check_text(text)
    with pytest.raises(ValidationError):
        messages.fill(text, {"ho_ten": "An", "ma_ho_so": "X"})


def test_the_refusal_names_the_offending_placeholder_in_vietnamese():
    with pytest.raises(ValidationError) as caught:
        messages.check_text("Chào {ho_ten}, mã {dossier.__class__} và {ma_hoso}")
    text = " ".join(caught.value.messages)
    assert "“{dossier.__class__}” không có trong danh sách" in text
    assert "“{ma_hoso}” không có trong danh sách" in text
    assert "{ho_ten}" not in text  # the valid one is not blamed
    with pytest.raises(ValidationError) as caught:
        messages.check_text("{{ d.applicant_id_number }}")
    assert caught.value.messages[0].startswith("Không dùng được cú pháp mẫu Django “{{ d.applicant_id_number }}”")


def test_a_listed_placeholder_is_filled_by_plain_substitution():
    text = "Kính gửi { kinh_gui }, hồ sơ {ma_ho_so}."
    messages.check_text(text)
    values = {"kinh_gui": "Ông/Bà {ma_ho_so} {{ x }}", "ma_ho_so": "HS-1"}
    # A value is never read as a text again: braces inside it stay as they are.
    assert messages.fill(text, values) == "Kính gửi Ông/Bà {ma_ho_so} {{ x }}, hồ sơ HS-1."


def test_every_built_in_text_is_written_in_the_placeholder_language():
    for kind in NotificationKind:
        for channel in NotificationChannel:
            template = notifications.default_template(kind, channel)
            assert template.body, (kind, channel)
            assert bool(template.subject) == (channel == NotificationChannel.EMAIL)
            messages.check_text(template.subject)
            messages.check_text(template.body)
            assert "{{" not in template.body and "{%" not in template.body


# -- rendering --------------------------------------------------------------------------------------
def _events_of_every_kind(agency, clerk, officer, procedure):
    d = receive(agency, clerk, procedure, applicant_address="Số 1 phố Huế")
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=vn(2025, 3, 3, 9, 30))
    workflow.request_supplement(
        dossier_id=d.pk, actor=officer, missing="- Bản sao giấy khai sinh\n- Tờ khai", now=vn(2025, 3, 3, 10)
    )
    workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, 3, 11))
    workflow.extend(
        dossier_id=d.pk, actor=officer, new_due_at=vn(2025, 3, 12, 17), reason="Cần xác minh", now=vn(2025, 3, 4)
    )
    workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 5, 9))
    return d, list(d.events.filter(action__in=notifications.NOTIFYING_ACTIONS).order_by("at"))


def test_every_kind_and_channel_renders_its_built_in_text_with_real_values(agency, clerk, officer, procedure):
    d, events = _events_of_every_kind(agency, clerk, officer, procedure)
    assert [notifications.ACTION_KINDS[e.action] for e in events] == [
        "received",
        "supplement",
        "extended",
        "result_ready",
    ]
    bodies = {}
    for event in events:
        values = notifications.message_values(event)
        assert values.keys() == messages.PLACEHOLDERS.keys()
        assert all(isinstance(v, str) for v in values.values())
        for channel in NotificationChannel:
            subject, body = notifications.render_message(event, channel)
            assert d.code in body and lookup_url(d) in body
            assert "{" not in body + subject and "}" not in body + subject and "None" not in body
            assert "\n\n\n" not in body
            bodies[(notifications.ACTION_KINDS[event.action], channel)] = body
    assert "Thời gian tiếp nhận: 09 giờ 00 phút, ngày 03 tháng 3 năm 2025" in bodies[("received", "email")]
    assert "Địa chỉ: Số 126 phố Hàng Trống\nĐiện thoại: 024 3825 0000" in bodies[("received", "email")]
    assert "1. Bản sao giấy khai sinh\n2. Tờ khai" in bodies[("supplement", "email")]
    assert "cần bổ sung: Bản sao giấy khai sinh; Tờ khai." in bodies[("supplement", "sms")]
    assert "Lý do:\n- Cần xác minh" in bodies[("extended", "email")]
    assert "hẹn trả kết quả lại vào 17:00 12/03/2025" in bodies[("extended", "sms")]
    assert "Mời ông/bà đến nhận kết quả tại" in bodies[("result_ready", "email")]
    # The applicant's own address is never repeated in a message.
    assert all("Số 1 phố Huế" not in body for body in bodies.values())


def test_a_ward_without_address_or_phone_leaves_no_empty_lines(agency, clerk, procedure):
    agency.address = agency.phone = ""
    agency.save(update_fields=["address", "phone"])
    d = receive(agency, clerk, procedure)
    _, body = notifications.render_message(d.events.get(), "email")
    assert "Địa chỉ:" not in body and "Điện thoại:" not in body
    assert f"– {agency.name}\n\nĐây là thư gửi tự động" in body


@pytest.mark.parametrize("text", INJECTIONS)
def test_a_forced_injection_in_the_database_renders_only_the_built_in_text(
    text, agency, other_agency, clerk, other_clerk, procedure
):
    other = receive(
        other_agency, other_clerk, procedure, applicant_id_number=OTHER_WARD_ID, applicant_phone=OTHER_WARD_PHONE
    )
    # Written past the form and the model's clean(), as a raw UPDATE or an old row would be.
    NotificationTemplate.objects.bulk_create(
        [
            NotificationTemplate(agency=agency, kind="received", channel=channel, subject=text, body=text)
            for channel in NotificationChannel
        ]
    )
    d = receive(agency, clerk, procedure)
    for channel in NotificationChannel:
        subject, body = notifications.render_message(d.events.get(), channel)
        assert (subject, body) == notifications._render(
            notifications.default_template("received", channel), notifications.message_values(d.events.get())
        )
        for secret in (OTHER_WARD_ID, OTHER_WARD_PHONE, other.code, "pbkdf2", "class"):
            assert secret not in subject + body


# -- saving ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("text", INJECTIONS)
def test_the_model_refuses_an_injection_on_full_clean(text, agency):
    row = NotificationTemplate(agency=agency, kind="received", channel="email", subject="Hồ sơ {ma_ho_so}", body=text)
    with pytest.raises(ValidationError) as caught:
        row.full_clean()
    assert "body" in caught.value.message_dict


@pytest.mark.parametrize("text", INJECTIONS)
def test_the_admin_refuses_an_injection_and_writes_nothing(client, ward_admin, text):
    client.force_login(ward_admin)
    add = reverse("admin:hoso_notificationtemplate_add")
    for field in ("subject", "body"):
        form = {"kind": "received", "channel": "email", "subject": "Hồ sơ {ma_ho_so}", "body": "{ma_ho_so}"}
        form[field] = text
        response = client.post(add, form)
        assert response.status_code == 200
        assert "errorlist" in response.content.decode()
    assert not NotificationTemplate.objects.exists()


def test_the_admin_names_the_unknown_placeholder_and_lists_the_allowed_ones(client, ward_admin, agency):
    client.force_login(ward_admin)
    add = reverse("admin:hoso_notificationtemplate_add")
    page = client.get(add).content.decode()
    for name in messages.PLACEHOLDERS:
        assert f"{{{name}}}" in page
    form = {"kind": "received", "channel": "sms", "subject": "", "body": "Hồ sơ {ma_ho_so} của {so_cccd}"}
    refused = client.post(add, form).content.decode()
    assert "Chỗ cần điền “{so_cccd}” không có trong danh sách được dùng" in refused
    assert client.post(add, {**form, "body": "Hồ sơ {ma_ho_so}: {link_tra_cuu}"}).status_code == 302
    assert NotificationTemplate.objects.get().agency_id == agency.pk


# -- the data migration ---------------------------------------------------------------------------
def test_the_migration_converts_simple_old_variables_and_drops_anything_else():
    import importlib

    migration = importlib.import_module("hoso.migrations.0009_a_placeholder_messages")
    old = "{{ agency.name }}: hồ sơ {{dossier.code}} hẹn {{ appointment|ngay_gio }}. {{ lookup_url }}"
    new = migration.convert(old)
    assert new == "{co_quan}: hồ sơ {ma_ho_so} hẹn {ngay_hen_ngan}. {link_tra_cuu}"
    messages.check_text(new)
    assert migration.convert("Không có chỗ điền") == "Không có chỗ điền"
    for text in (ISSUE_EXAMPLE, "{{ dossier.applicant_id_number }}", "{{ x|filter }}", "{ literal }", "{# c #}"):
        assert migration.convert(text) is None
    # Every placeholder it writes exists.
    assert set(migration.OLD_TO_NEW.values()) <= messages.PLACEHOLDERS.keys()
