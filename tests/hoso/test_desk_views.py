"""The counter pages: intake with validation, the dossier page, actions, slips, access."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from django.urls import reverse

from hoso.constants import Status
from hoso.documents import render_document_html
from hoso.models import AccessLog, Dossier, DossierEvent
from hoso.workcalendar import VN_TZ
from motcua.demo import load_demo
from tests.printed import html_text
from thutuc.models import Procedure

pytestmark = pytest.mark.django_db

BIRTH = "1.001193"  # same day, cut-off 15:00; demo documents: tờ khai, giấy chứng sinh, ủy quyền (optional)


@pytest.fixture
def demo(db):
    agency, _ = load_demo()
    return agency


@pytest.fixture
def desk(demo, django_user_model):
    return {u.username: u for u in django_user_model.objects.filter(agency=demo)}


def form_data(procedure: Procedure, **overrides) -> dict:
    data = {
        "token": str(uuid.uuid4()),
        "applicant_kind": "citizen",
        "applicant_name": "  nguyễn   văn AN ",
        "applicant_id_kind": "cccd",
        "applicant_id_number": "001 090 012345",
        "applicant_phone": "+84 912 345 678",
        "applicant_email": "",
        "applicant_address": "Số 5 phố Hàng Bạc",
        "channel": "1",
        "sets": "1",
        "delivery": "desk",
        "delivery_address": "",
        "fee_amount": "0",
        "manual_due_time": "17:00",
        "action": "receive",
        # A procedure whose catalogue lists no papers: the clerk writes what was received.
        "other_documents": "" if procedure.documents.exists() else "Tờ khai đề nghị",
    }
    for doc in procedure.documents.filter(mandatory=True):
        data[f"doc_{doc.pk}"] = "on"
        data[f"qty_{doc.pk}"] = str(doc.quantity)
    data.update(overrides)
    return data


def post_intake(client, code: str, data: dict):
    return client.post(reverse("hoso:intake", args=[code]), data)


def test_a_clerk_receives_a_dossier_and_lands_on_its_page_with_the_receipt(client, demo, desk, time_machine):
    time_machine.move_to(datetime(2025, 3, 7, 15, 30, tzinfo=VN_TZ))  # Fri 15:30, after the 15:00 cut-off
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    response = post_intake(client, BIRTH, form_data(procedure, fee_amount="50.000 đ"))
    dossier = Dossier.objects.get()
    assert response.status_code == 302 and response.url == reverse("hoso:detail", args=[dossier.pk]) + "?moi=1"
    assert dossier.code == "000.00.01.H26-250307-0001"
    # Normalised: name title-cased and trimmed, CCCD without spaces, phone in national form.
    assert (dossier.applicant_name, dossier.applicant_id_number, dossier.applicant_phone) == (
        "Nguyễn Văn An",
        "001090012345",
        "0912345678",
    )
    # Received after the cut-off on a Friday → end of the next working day, Mon 10/03/2025 17:00.
    assert dossier.due_at == datetime(2025, 3, 10, 17, 0, tzinfo=VN_TZ)
    assert dossier.documents.count() == 2
    assert dossier.fee_amount == 50000  # typed "50.000 đ"
    page = client.get(response.url).content.decode()
    assert "Hồ sơ 000.00.01.H26-250307-0001" in page and "17:00, thứ Hai, 10/03/2025" in page
    assert reverse("hoso:document", args=[dossier.pk, "tiep-nhan"]) in page


def test_the_intake_page_previews_the_appointment_with_its_explanation(client, demo, desk, time_machine):
    time_machine.move_to(datetime(2025, 1, 24, 16, 20, tzinfo=VN_TZ))  # Fri before Tết 2025
    client.force_login(desk["canbo"])
    page = client.get(reverse("hoso:intake", args=["2.000815"])).content.decode()
    assert "17:00, thứ Hai, 03/02/2025" in page
    assert "25/01/2025–02/02/2025 là ngày nghỉ" in page


def test_the_preview_follows_the_channel_when_the_limit_differs_by_channel(client, demo, desk, time_machine):
    time_machine.move_to(datetime(2025, 10, 6, 9, 0, tzinfo=VN_TZ))  # Mon 06/10/2025
    client.force_login(desk["canbo"])
    Procedure.objects.filter(code="1.012766").update(accepts_online=True)
    url = reverse("hoso:due_preview", args=["1.012766"])
    assert "09:00, thứ Năm, 23/10/2025" in client.get(url).content.decode()  # counter: 13 working days
    assert "09:00, thứ Năm, 09/10/2025" in client.get(url, {"channel": "2"}).content.decode()  # online: 3
    assert "09:00, thứ Năm, 23/10/2025" in client.get(url, {"channel": "x"}).content.decode()


def test_the_intake_page_warns_when_the_year_is_not_confirmed(client, demo, desk, time_machine):
    time_machine.move_to(datetime(2027, 3, 1, 9, 0, tzinfo=VN_TZ))
    client.force_login(desk["canbo"])
    page = client.get(reverse("hoso:intake", args=[BIRTH])).content.decode()
    assert "Năm 2027 chưa có lịch nghỉ lễ chính thức" in page


@pytest.mark.parametrize(
    ("override", "message"),
    [
        ({"applicant_id_number": "0010900123"}, "phải gồm đúng 12 chữ số"),
        ({"applicant_id_number": "003090012345"}, "mã tỉnh nơi đăng ký khai sinh “003” không tồn tại"),
        ({"applicant_id_number": "001790012345"}, "chữ số thứ 4"),
        ({"applicant_phone": "0112345678"}, "bắt đầu bằng 03, 05, 07, 08 hoặc 09"),
        ({"applicant_phone": "0212345678"}, "cố định gồm 11 chữ số"),
        ({"applicant_phone": "09123"}, "10 chữ số"),
        ({"applicant_name": "   "}, "Hãy nhập họ tên người nộp hồ sơ."),
        ({"applicant_id_number": ""}, "Hãy nhập số căn cước"),
        ({"delivery": "post"}, "hãy nhập địa chỉ nhận"),
        ({"sets": "0"}, "Số bộ hồ sơ ít nhất là 1."),
        ({"fee_amount": "-5"}, "Lệ phí không được âm."),
        ({"fee_amount": "năm chục"}, "Lệ phí ghi bằng số đồng"),
        ({"fee_amount": "²"}, "Lệ phí ghi bằng số đồng"),  # a digit to str.isdigit(), not to int()
        ({"fee_amount": "①"}, "Lệ phí ghi bằng số đồng"),
        ({"applicant_name": "\u200b"}, "Hãy nhập họ tên người nộp hồ sơ."),
        ({"applicant_id_number": "٠٠١٠٩٠٠١٢٣٤٥"}, "phải gồm đúng 12 chữ số"),  # Arabic-Indic digits
    ],
)
def test_bad_input_gets_a_vietnamese_message_and_nothing_is_written(client, demo, desk, override, message):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    response = post_intake(client, BIRTH, form_data(procedure, **override))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Dossier.objects.exists() and not DossierEvent.objects.exists()


def test_numbers_typed_in_full_width_and_odd_phone_habits_are_normalised(client, demo, desk):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    data = form_data(
        procedure,
        applicant_name="h'hen niê",
        applicant_id_kind="cmnd",
        applicant_id_number="１２３４５６７８９",
        applicant_phone="+84 0912 345 678",
        fee_amount="５０.０００ đ",
    )
    assert post_intake(client, BIRTH, data).status_code == 302
    dossier = Dossier.objects.get()
    assert (dossier.applicant_name, dossier.applicant_id_number, dossier.applicant_phone, dossier.fee_amount) == (
        "H'Hen Niê",
        "123456789",
        "0912345678",
        50000,
    )


def test_only_the_channels_the_catalogue_lists_for_the_procedure_are_offered(client, demo, desk):
    client.force_login(desk["canbo"])
    # Chứng thực chữ ký: the signature is made before the official, so counter and post only.
    procedure = Procedure.objects.get(code="2.000884")
    assert not procedure.accepts_online
    page = client.get(reverse("hoso:intake", args=["2.000884"])).content.decode()
    assert "Trực tiếp" in page and "Trực tuyến" not in page
    response = post_intake(client, "2.000884", form_data(procedure, channel="2"))
    assert response.status_code == 400 and "không nhận hồ sơ qua kênh đã chọn" in response.content.decode()
    assert not Dossier.objects.exists()
    procedure.accepts_online = True
    procedure.save(update_fields=["accepts_online"])
    assert post_intake(client, "2.000884", form_data(procedure, channel="2")).status_code == 302
    assert Dossier.objects.get().channel == 2


def test_a_receipt_must_list_at_least_one_paper(client, demo, desk):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code="1.001612")  # household business registration
    assert not procedure.documents.exists()  # the catalogue lists none for most procedures
    response = post_intake(client, "1.001612", form_data(procedure, other_documents="  "))
    assert response.status_code == 400 and "ít nhất một giấy tờ đã nhận" in response.content.decode()
    assert not Dossier.objects.exists()
    papers = "Giấy đề nghị đăng ký hộ kinh doanh\nBản sao căn cước"
    assert post_intake(client, "1.001612", form_data(procedure, other_documents=papers)).status_code == 302
    assert list(Dossier.objects.get().documents.values_list("name", flat=True)) == papers.split("\n")


def test_missing_mandatory_papers_are_not_received(client, demo, desk):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    data = form_data(procedure)
    birth_certificate = procedure.documents.get(name__startswith="Giấy chứng sinh")
    del data[f"doc_{birth_certificate.pk}"]
    response = post_intake(client, BIRTH, data)
    html = response.content.decode()
    assert response.status_code == 400 and "Chưa nhận đủ giấy tờ bắt buộc: Giấy chứng sinh" in html
    assert "hướng dẫn bổ sung (mẫu 02)" in html
    assert not Dossier.objects.exists()


def test_a_double_submit_creates_one_dossier(client, demo, desk):
    client.force_login(desk["canbo"])
    data = form_data(Procedure.objects.get(code=BIRTH))
    first = post_intake(client, BIRTH, data)
    second = post_intake(client, BIRTH, data)
    dossier = Dossier.objects.get()
    assert first.url.startswith(reverse("hoso:detail", args=[dossier.pk]))
    assert second.url == reverse("hoso:detail", args=[dossier.pk])
    assert DossierEvent.objects.count() == 1


def test_guiding_and_refusing_are_recorded_with_their_slips(client, demo, desk):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    data = form_data(procedure, action="guide", missing="Giấy chứng sinh bản chính", applicant_id_number="")
    post_intake(client, BIRTH, data)
    refused = form_data(procedure, action="refuse", reason="Người nộp không có giấy tờ tùy thân")
    post_intake(client, BIRTH, refused)
    statuses = sorted(Dossier.objects.values_list("status", flat=True))
    assert statuses == [Status.GUIDED, Status.REFUSED]
    assert not Dossier.objects.exclude(code=None).exists()
    empty_reason = form_data(procedure, action="refuse", reason=" ")
    assert "Hãy ghi rõ lý do từ chối" in post_intake(client, BIRTH, empty_reason).content.decode()
    assert Dossier.objects.count() == 2


def test_a_procedure_without_a_computed_limit_asks_for_the_appointment(client, demo, desk, time_machine):
    time_machine.move_to(datetime(2025, 3, 3, 9, 0, tzinfo=VN_TZ))
    client.force_login(desk["canbo"])
    code = Procedure.objects.filter(time_limit_unit="").order_by("code").values_list("code", flat=True).first()
    procedure = Procedure.objects.get(code=code)
    response = post_intake(client, code, form_data(procedure))
    assert "hãy nhập ngày hẹn trả" in response.content.decode() and not Dossier.objects.exists()
    post_intake(client, code, form_data(procedure, manual_due_date="2025-04-02", manual_due_time="16:00"))
    assert Dossier.objects.get().due_at == datetime(2025, 4, 2, 16, 0, tzinfo=VN_TZ)


def test_the_procedure_search_ignores_diacritics_and_offers_only_the_wards_procedures(client, demo, desk):
    client.force_login(desk["canbo"])
    html = client.get(reverse("hoso:intake_search"), {"q": "chung thuc ban sao"}).content.decode()
    assert reverse("hoso:intake", args=["2.000815"]) in html
    assert client.get(reverse("hoso:intake", args=["9.999999"])).status_code == 404
    # Marks alone search nothing (and break nothing); the whole list says when it is cut short.
    response = client.get(reverse("hoso:intake_search"), {"q": "\u0301\u0300"})
    assert response.status_code == 200 and response.context["more"]
    assert "Chỉ hiện 30 thủ tục đầu tiên" in response.content.decode()
    narrow = client.get(reverse("hoso:intake_search"), {"q": "2000815"})
    assert [p.code for p in narrow.context["procedures"]][:1] == ["2.000815"] and not narrow.context["more"]


def test_anonymous_users_go_to_login_and_officers_cannot_receive(client, demo, desk):
    for url in [reverse("hoso:intake_search"), reverse("hoso:intake", args=[BIRTH])]:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("login"))
    client.force_login(desk["congchuc"])
    assert client.get(reverse("hoso:intake", args=[BIRTH])).status_code == 403
    assert post_intake(client, BIRTH, form_data(Procedure.objects.get(code=BIRTH))).status_code == 403
    assert not Dossier.objects.exists()


def _received(client, desk) -> Dossier:
    client.force_login(desk["canbo"])
    post_intake(client, BIRTH, form_data(Procedure.objects.get(code=BIRTH)))
    return Dossier.objects.get()


def test_the_dossier_page_is_logged_and_closed_to_other_wards(client, demo, desk, other_clerk):
    dossier = _received(client, desk)
    client.get(reverse("hoso:detail", args=[dossier.pk]))
    assert AccessLog.objects.filter(dossier=dossier, user=desk["canbo"], kind="view").count() == 1
    client.force_login(other_clerk)
    assert client.get(reverse("hoso:detail", args=[dossier.pk])).status_code == 404
    assert client.get(reverse("hoso:document", args=[dossier.pk, "tiep-nhan"])).status_code == 404
    assert client.post(reverse("hoso:act", args=[dossier.pk, "withdraw"])).status_code == 404
    assert not AccessLog.objects.filter(user=other_clerk).exists()


def test_actions_go_through_the_workflow_and_refusals_show_a_message(client, demo, desk):
    dossier = _received(client, desk)
    officer = desk["congchuc"]
    url = reverse("hoso:act", args=[dossier.pk, "assign"])
    client.post(url, {"assign-officer": officer.pk})
    dossier.refresh_from_db()
    assert (dossier.status, dossier.officer) == (Status.PROCESSING, officer)
    # The clerk may not approve; the page says why and nothing is written.
    response = client.post(reverse("hoso:act", args=[dossier.pk, "approve"]), follow=True)
    assert "không được “phê duyệt”" in response.content.decode()
    client.force_login(officer)
    response = client.post(
        reverse("hoso:act", args=[dossier.pk, "request_supplement"]), {"request_supplement-note": ""}, follow=True
    )
    assert "Chưa thực hiện “yêu cầu bổ sung hồ sơ”" in response.content.decode()
    assert dossier.events.count() == 2
    assert client.post(reverse("hoso:act", args=[dossier.pk, "no_such_action"])).status_code == 404
    assert client.get(reverse("hoso:act", args=[dossier.pk, "assign"])).status_code == 405


def test_a_refused_action_keeps_what_was_typed_in_its_form(client, demo, desk, time_machine):
    time_machine.move_to(datetime(2025, 3, 3, 9, 0, tzinfo=VN_TZ))  # Mon 03/03/2025
    dossier = _received(client, desk)
    officer = desk["congchuc"]
    client.post(reverse("hoso:act", args=[dossier.pk, "assign"]), {"assign-officer": officer.pk})
    client.force_login(officer)
    response = client.post(
        reverse("hoso:act", args=[dossier.pk, "extend"]),
        {"extend-new_due_date": "2025-03-09", "extend-new_due_time": "10:00", "extend-note": "Chờ xác minh thực địa"},
        follow=True,
    )
    page = response.content.decode()
    assert "không rơi vào giờ làm việc" in page  # Sun 09/03/2025
    assert "Chờ xác minh thực địa</textarea>" in page and 'value="2025-03-09"' in page
    assert dossier.events.count() == 2
    # Only once: the next visit shows empty forms again.
    assert "Chờ xác minh thực địa" not in client.get(reverse("hoso:detail", args=[dossier.pk])).content.decode()


def test_anonymous_visitors_posting_or_not_an_action_are_sent_to_log_in(client, demo, desk):
    dossier = _received(client, desk)
    client.logout()
    for method in (client.get, client.post):
        response = method(reverse("hoso:act", args=[dossier.pk, "approve"]))
        assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_the_receipt_pdf_is_served_and_its_printing_logged(client, demo, desk, tmp_path):
    dossier = _received(client, desk)
    response = client.get(reverse("hoso:document", args=[dossier.pk, "tiep-nhan"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert AccessLog.objects.filter(dossier=dossier, kind="print").exists()
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    assert client.get(reverse("hoso:document", args=[dossier.pk, "xin-loi"])).status_code == 404
    # The paper size is read as typed: a5 and A5 both give the A5 slip (148 × 210 mm).
    import subprocess

    path = tmp_path / "a5.pdf"
    path.write_bytes(client.get(reverse("hoso:document", args=[dossier.pk, "tiep-nhan"]), {"kho": "a5"}).content)
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    assert "419.528 x 595.276 pts" in info  # 148 × 210 mm


def test_a_certification_received_at_1530_on_a_friday_is_due_at_the_end_of_the_next_working_day(
    client, demo, desk, time_machine
):
    """Acceptance: 2.000815 (same day, cut-off 15:00) received Fri 14/03/2025 15:30 → Mon 17/03/2025 17:00."""
    time_machine.move_to(datetime(2025, 3, 14, 15, 30, tzinfo=VN_TZ))
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code="2.000815")
    post_intake(client, "2.000815", form_data(procedure))
    dossier = Dossier.objects.get()
    assert dossier.due_at == datetime(2025, 3, 17, 17, 0, tzinfo=VN_TZ)
    words = html_text(render_document_html(dossier, "tiep-nhan"))  # the receipt the desk prints
    assert "15 giờ 30 phút, ngày 14 tháng 3 năm 2025" in words
    assert "17 giờ 00 phút, ngày 17 tháng 3 năm 2025" in words


def test_a_wards_own_limit_and_fee_rule_the_intake_of_a_procedure_without_a_national_limit(
    client, demo, desk, time_machine
):
    from thutuc.models import AgencyProcedure

    time_machine.move_to(datetime(2025, 3, 5, 9, 0, tzinfo=VN_TZ), tick=False)  # Wed 09:00
    offer = AgencyProcedure.objects.filter(agency=demo, procedure__time_limit_unit="", active=True).first()
    assert offer is not None, "the demo ward offers procedures whose national limit is not computable"
    offer.time_limit_value, offer.time_limit_unit, offer.fee_amount = 5, "working_days", 20000
    offer.save()
    procedure = offer.procedure
    client.force_login(desk["canbo"])
    page = client.get(reverse("hoso:intake", args=[procedure.code])).content.decode()
    assert "5 ngày làm việc – thời hạn riêng của cơ quan" in page
    assert 'name="fee_amount" value="20000"' in page
    assert "nhập ngày hẹn trả ở biểu mẫu" not in page  # the ward's limit computes the appointment
    # No appointment typed: the ward's limit gives it (Wed 05/03 + 5 working days = Wed 12/03 09:00).
    data = form_data(procedure, fee_amount="20000")
    response = post_intake(client, procedure.code, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    dossier = Dossier.objects.get()
    assert dossier.due_at == datetime(2025, 3, 12, 9, 0, tzinfo=VN_TZ)
    assert dossier.procedure_snapshot["time_limit_text"] == "5 ngày làm việc – thời hạn riêng của cơ quan"
    assert dossier.procedure_snapshot["limit"] == {"value": 5, "unit": "working_days", "cutoff": None}


def test_the_same_form_posted_twice_keeps_the_first_dossier_and_its_number(client, demo, desk):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    data = form_data(procedure)
    first = post_intake(client, BIRTH, data)
    second = post_intake(client, BIRTH, data)
    dossier = Dossier.objects.get()
    assert first.url.endswith("?moi=1") and second.url == reverse("hoso:detail", args=[dossier.pk])
    third = post_intake(client, BIRTH, form_data(procedure, confirm_duplicate="on"))  # a new form: next number
    assert third.status_code == 302
    assert sorted(d.code[-4:] for d in Dossier.objects.all()) == ["0001", "0002"]


def test_without_a_query_the_wards_most_used_procedures_come_first_then_a_to_z(client, demo, desk):
    from motcua.lib.text import vi_sort_key

    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    for _ in range(2):
        assert post_intake(client, BIRTH, form_data(procedure, confirm_duplicate="on")).status_code == 302
    shown = list(client.get(reverse("hoso:intake_search")).context["procedures"])
    assert shown[0].code == BIRTH
    names = [p.name for p in shown[1:]]
    assert names == sorted(names, key=vi_sort_key)  # Vietnamese alphabetical order after the used ones


def test_the_form_sent_again_after_the_back_button_asks_before_a_second_dossier(client, demo, desk):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    assert post_intake(client, BIRTH, form_data(procedure)).status_code == 302
    # Back, the page reloads with a new token and the browser refills the fields: submit again.
    again = post_intake(client, BIRTH, form_data(procedure))
    page = again.content.decode()
    assert again.status_code == 400 and Dossier.objects.count() == 1
    first = Dossier.objects.get()
    assert f"Hồ sơ {first.code} của cùng người nộp, cùng thủ tục vừa được tiếp nhận" in page
    assert 'name="confirm_duplicate"' in page
    # A true second dossier of the same person: the clerk ticks the confirmation.
    confirmed = post_intake(client, BIRTH, form_data(procedure, confirm_duplicate="on"))
    assert confirmed.status_code == 302 and Dossier.objects.count() == 2
    # Another applicant is not held up.
    other = form_data(procedure, applicant_id_number="001190099999", applicant_name="Trần Thị Bình")
    assert post_intake(client, BIRTH, other).status_code == 302 and Dossier.objects.count() == 3


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("0243 826 1234", "02438261234"),  # Hà Nội, area code 024
        ("(0236) 3822 123", "02363822123"),  # Đà Nẵng, area code 0236
        ("+84 28 3829 5555", "02838295555"),  # TP. Hồ Chí Minh, written internationally
        ("0912.345.678", "0912345678"),  # a mobile still works
    ],
)
def test_an_organisation_may_give_a_fixed_line(client, demo, desk, typed, stored):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    data = form_data(
        procedure,
        applicant_kind="organisation",
        applicant_name="Công ty TNHH Thương mại Minh Đức Xanh",
        applicant_id_kind="tax_code",
        applicant_id_number="0101234567",
        applicant_phone=typed,
    )
    assert post_intake(client, BIRTH, data).status_code == 302
    assert Dossier.objects.get().applicant_phone == stored


def test_the_phone_field_is_called_a_phone_and_its_error_says_so(client, demo, desk):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    assert "Số điện thoại" in client.get(reverse("hoso:intake", args=[BIRTH])).content.decode()
    html = post_intake(client, BIRTH, form_data(procedure, applicant_phone="0243 826")).content.decode()
    assert "Số điện thoại không hợp lệ" in html and "cố định gồm 11 chữ số" in html
    assert "Điện thoại di động" not in html and "Số điện thoại di động" not in html


def test_every_missing_field_and_paper_is_reported_in_one_submit(client, demo, desk):
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    data = form_data(procedure, applicant_name="", applicant_id_number="", delivery="post", sets="0")
    for doc in procedure.documents.all():
        data.pop(f"doc_{doc.pk}", None)
    response = post_intake(client, BIRTH, data)
    html = response.content.decode()
    assert response.status_code == 400
    for message in (
        "Hãy nhập họ tên người nộp hồ sơ",  # the name
        "Hãy nhập số căn cước",
        "hãy nhập địa chỉ nhận",
        "Số bộ hồ sơ ít nhất là 1.",
        "Chưa nhận đủ giấy tờ bắt buộc: Tờ khai đăng ký khai sinh",
    ):
        assert message in html, message
    assert not Dossier.objects.exists()


def test_a_paperless_receipt_and_a_missing_appointment_come_with_the_field_errors(client, demo, desk):
    client.force_login(desk["canbo"])
    code = Procedure.objects.filter(time_limit_unit="").order_by("code").values_list("code", flat=True).first()
    procedure = Procedure.objects.get(code=code)
    procedure.documents.all().delete()  # and no papers in the catalogue
    data = form_data(procedure, other_documents="", applicant_id_number="123")
    html = post_intake(client, code, data).content.decode()
    assert "phải gồm đúng 12 chữ số" in html
    assert "ít nhất một giấy tờ đã nhận" in html
    assert "hãy nhập ngày hẹn trả" in html
    assert not Dossier.objects.exists()


def test_a_dossier_without_a_paper_list_says_so_instead_of_one_set_of_nothing(client, demo, desk):
    # Dossiers imported from an old system may carry no paper list.
    client.force_login(desk["canbo"])
    post_intake(client, BIRTH, form_data(Procedure.objects.get(code=BIRTH)))
    dossier = Dossier.objects.get()
    dossier.documents.all().delete()
    html = client.get(reverse("hoso:detail", args=[dossier.pk])).content.decode()
    assert "Không ghi danh sách giấy tờ của hồ sơ này." in html
    assert "bộ)</h2>" not in html and "Không có." not in html


def test_a_rejected_intake_marks_its_own_boxes_and_the_next_form_starts_clean(client, demo, desk):
    # The form validates with shared field objects and copies them to be shown (CopiesFieldsToShow):
    # the marks of one rejected form never reach the next one, nor a renamed paper's old name.
    client.force_login(desk["canbo"])
    procedure = Procedure.objects.get(code=BIRTH)
    rejected = post_intake(client, BIRTH, form_data(procedure, applicant_id_number="12", sets="0"))
    assert rejected.status_code == 400
    assert rejected.content.decode().count("is-invalid") >= 2
    page = client.get(reverse("hoso:intake", args=[BIRTH])).content.decode()
    assert "is-invalid" not in page
    paper = procedure.documents.filter(mandatory=True).first()
    paper.name = "Tờ khai đăng ký khai sinh (mẫu mới)"
    paper.save(update_fields=["name"])
    assert "Tờ khai đăng ký khai sinh (mẫu mới)" in client.get(reverse("hoso:intake", args=[BIRTH])).content.decode()
    assert post_intake(client, BIRTH, form_data(procedure)).status_code == 302
