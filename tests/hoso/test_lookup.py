"""The public status lookup: right key, wrong key, unknown code, rate limit, no personal data."""

from __future__ import annotations

import json
from datetime import datetime
from typing import ClassVar

import pytest
import redis
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.db import connection
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hoso import lookup as public_lookup
from hoso import workflow
from hoso.documents import lookup_url
from hoso.models import Dossier
from hoso.workcalendar import VN_TZ
from motcua.demo import load_demo
from tests.conftest import need
from thutuc.models import Procedure

pytestmark = pytest.mark.django_db

ID_NUMBER, PHONE, ADDRESS, EMAIL = "001090012345", "0912345678", "Số 5 phố Hàng Bạc", "an.nguyen@example.vn"


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


@pytest.fixture
def dossier(db, django_user_model):
    agency, _ = load_demo()
    clerk = django_user_model.objects.get(username="canbo")
    intake = workflow.Intake(
        procedure=Procedure.objects.get(code="1.001193"),
        applicant_name="Nguyễn Văn An",
        applicant_id_number=ID_NUMBER,
        applicant_phone=PHONE,
        applicant_address=ADDRESS,
        applicant_email=EMAIL,
    )
    return workflow.receive(agency=agency, actor=clerk, intake=intake, now=vn(2025, 3, 7, 9, 0))


def page(client, dossier, key=None):
    return client.get(reverse("lookup", args=[dossier.code]), {"k": dossier.lookup_key if key is None else key})


def api(client, dossier, key=None):
    return client.get(reverse("lookup_json", args=[dossier.code]), {"k": dossier.lookup_key if key is None else key})


def assert_no_personal_data(body: str) -> None:
    for secret in (ID_NUMBER, PHONE, ADDRESS, EMAIL, "Nguyễn Văn An"):
        assert secret not in body


def test_the_right_key_shows_the_status_in_plain_words_with_a_masked_name(client, dossier):
    response = page(client, dossier)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in html and "Nguyễn V. A." in html
    assert "Hồ sơ đã được tiếp nhận" in html and "Tiếp nhận hồ sơ" in html
    assert "17:00, thứ Sáu, 07/03/2025" in html  # same day, received before the cut-off
    assert_no_personal_data(html)
    assert response["Cache-Control"].startswith("max-age=0") and "no-store" in response["Cache-Control"]


def test_the_json_lookup_has_our_status_and_the_national_code_and_no_personal_data(client, dossier):
    response = api(client, dossier)
    body = response.content.decode()
    data = json.loads(body)
    assert data["code"] == dossier.code and data["status"] == "received"
    assert data["national_status"] == {"code": 2, "label": "Được tiếp nhận"}
    assert data["received_at"] == "2025-03-07T09:00:00+07:00" and data["due_at"] == "2025-03-07T17:00:00+07:00"
    assert data["result_ready_at"] is None and data["timeline"] == [
        {"at": "2025-03-07T09:00:00+07:00", "step": "Tiếp nhận hồ sơ"}
    ]
    assert_no_personal_data(body)


def test_a_wrong_key_and_an_unknown_code_get_the_same_answer(client, dossier):
    wrong = page(client, dossier, key="AAAAAAAA")
    unknown = client.get(reverse("lookup", args=["000.00.01.H26-250307-9999"]), {"k": dossier.lookup_key})
    assert wrong.status_code == unknown.status_code == 404
    message = "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này"
    assert message in wrong.content.decode() and message in unknown.content.decode()
    wrong_api = api(client, dossier, key="AAAAAAAA")
    unknown_api = client.get(reverse("lookup_json", args=["X"]), {"k": "AAAAAAAA"})
    assert wrong_api.status_code == unknown_api.status_code == 404
    assert json.loads(wrong_api.content) == json.loads(unknown_api.content)
    assert page(client, dossier, key="").status_code == 404


class RecordingCache(LocMemCache):
    """The per-process cache, noting the name of every operation (what the lookup asks the cache)."""

    operations: ClassVar[list[str]] = []

    def get(self, *args, **kwargs):
        self.operations.append("get")
        return super().get(*args, **kwargs)

    def set(self, *args, **kwargs):
        self.operations.append("set")
        return super().set(*args, **kwargs)

    def add(self, *args, **kwargs):
        self.operations.append("add")
        return super().add(*args, **kwargs)

    def incr(self, *args, **kwargs):
        self.operations.append("incr")
        return super().incr(*args, **kwargs)

    def delete(self, *args, **kwargs):
        self.operations.append("delete")
        return super().delete(*args, **kwargs)


def _trace(action) -> tuple[int, list[str], int]:
    """(queries, cache operations, model instances built) while `action` runs."""
    cache.clear()  # each path starts from the same cache (rate-limit counter, cached views)
    RecordingCache.operations.clear()
    built = []

    def count(sender, **kwargs):
        built.append(sender)

    post_init.connect(count)
    try:
        with CaptureQueriesContext(connection) as queries:
            action()
    finally:
        post_init.disconnect(count)
    return len(queries), list(RecordingCache.operations), len(built)


@pytest.mark.parametrize("key_case", ["as printed", "lower case"])
def test_a_wrong_key_and_an_unknown_code_do_the_same_queries_and_cache_operations(dossier, client, settings, key_case):
    settings.CACHES = {"default": {"BACKEND": f"{__name__}.RecordingCache", "LOCATION": "lookup-refusals"}}
    unknown_code = dossier.code[:-4] + ("9999" if not dossier.code.endswith("9999") else "9998")
    wrong_key = "AAAAAAAA" if key_case == "as printed" else "aaaaaaaa"
    code = dossier.code if key_case == "as printed" else dossier.code.lower()
    unknown = unknown_code if key_case == "as printed" else unknown_code.lower()

    wrong = _trace(lambda: public_lookup.lookup(code, wrong_key))
    missing = _trace(lambda: public_lookup.lookup(unknown, wrong_key))
    assert wrong == missing and wrong[0] >= 1
    assert wrong[2] == 0  # a refusal reads no dossier into Python: nothing to time
    # The same through the page (rate limit counter, messages, template) and the JSON API.
    wrong_page = _trace(lambda: client.get(reverse("lookup", args=[code]), {"k": wrong_key}))
    missing_page = _trace(lambda: client.get(reverse("lookup", args=[unknown]), {"k": wrong_key}))
    assert wrong_page == missing_page
    wrong_api = _trace(lambda: client.get(reverse("lookup_json", args=[code]), {"k": wrong_key}))
    missing_api = _trace(lambda: client.get(reverse("lookup_json", args=[unknown]), {"k": wrong_key}))
    assert wrong_api == missing_api
    # The right key still finds the dossier.
    assert public_lookup.lookup(code, dossier.lookup_key) is not None


def test_the_key_is_read_as_printed_with_spaces_or_lower_case(client, dossier):
    typed = " ".join(dossier.lookup_key[i : i + 4] for i in (0, 4)).lower()
    assert page(client, dossier, key=typed).status_code == 200


def test_requests_are_rate_limited_per_client_address(client, dossier, settings):
    settings.MOTCUA_LOOKUP_RATE_LIMIT = "3/10m"
    statuses = [page(client, dossier).status_code for _ in range(3)]
    limited = page(client, dossier)
    assert statuses == [200, 200, 200] and limited.status_code == 429
    assert 1 <= int(limited["Retry-After"]) <= 600
    assert "tra cứu quá nhiều lần" in limited.content.decode()
    assert api(client, dossier).status_code == 429
    # Another address is not affected.
    other = client.get(reverse("lookup", args=[dossier.code]), {"k": dossier.lookup_key}, REMOTE_ADDR="10.1.2.3")
    assert other.status_code == 200


def test_a_supplement_request_tells_the_citizen_what_to_bring(client, dossier, django_user_model):
    clerk = django_user_model.objects.get(username="canbo")
    officer = django_user_model.objects.get(username="congchuc")
    workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=vn(2025, 3, 7, 9, 30))
    workflow.request_supplement(
        dossier_id=dossier.pk,
        actor=officer,
        missing="Bản chính giấy chứng sinh của cháu, CCCD 001099012345 của mẹ, ĐT 0912 345 678",
        public_note="Bản chính giấy chứng sinh",
        now=vn(2025, 3, 7, 10),
    )
    html = page(client, dossier).content.decode()
    assert "Hồ sơ cần bổ sung giấy tờ" in html and "Bản chính giấy chứng sinh" in html
    assert "001099012345" not in html and "0912 345 678" not in html  # the staff note stays inside
    data = json.loads(api(client, dossier).content)
    assert data["national_status"]["code"] == 5
    assert [s["step"] for s in data["timeline"]] == [
        "Tiếp nhận hồ sơ",
        "Chuyển bộ phận chuyên môn giải quyết",
        "Yêu cầu bổ sung giấy tờ",
    ]
    assert "Trần Văn Minh" not in html  # staff names stay inside


def test_the_receipt_qr_points_at_this_page(client, dossier, settings):
    settings.MOTCUA_PUBLIC_URL = "https://motcua.example.gov.vn"
    url = lookup_url(dossier)
    assert url == f"https://motcua.example.gov.vn/tra-cuu/{dossier.code}/?k={dossier.lookup_key}"
    assert client.get(url.removeprefix("https://motcua.example.gov.vn")).status_code == 200


def test_the_form_redirects_to_the_status_page_and_asks_for_both_fields(client, dossier):
    response = client.get(reverse("lookup_form"), {"ma": dossier.code, "k": dossier.lookup_key})
    assert response.status_code == 302 and response.url == f"/tra-cuu/{dossier.code}/?k={dossier.lookup_key}"
    assert "Hãy nhập cả mã hồ sơ và mã tra cứu" in client.get(reverse("lookup_form"), {"ma": "x"}).content.decode()


def test_a_code_from_an_old_system_with_slashes_is_looked_up_from_its_qr_and_the_form(client, dossier):
    Dossier.objects.filter(pk=dossier.pk).update(code="HS/2026/0099")
    dossier.refresh_from_db()
    url = lookup_url(dossier).split("8000", 1)[1]
    assert "HS%2F2026%2F0099" in url
    assert client.get(url).status_code == 200
    form = client.get(reverse("lookup_form"), {"ma": "HS/2026/0099", "k": dossier.lookup_key}, follow=True)
    assert form.status_code == 200 and "HS/2026/0099" in form.content.decode()
    assert client.get(f"/api/v1/tra-cuu/HS%2F2026%2F0099/?k={dossier.lookup_key}").json()["code"] == "HS/2026/0099"


def test_guided_dossiers_have_no_public_page(client, dossier, django_user_model):
    clerk = django_user_model.objects.get(username="canbo")
    intake = workflow.Intake(procedure=Procedure.objects.get(code="1.001193"), applicant_name="Lê Văn Bình")
    guided = workflow.guide(agency=dossier.agency, actor=clerk, intake=intake, missing="Tờ khai")
    assert client.get(reverse("lookup", args=["None"]), {"k": guided.lookup_key}).status_code == 404


def test_a_cached_status_is_refreshed_as_soon_as_the_dossier_moves(
    client, dossier, django_user_model, django_capture_on_commit_callbacks, django_assert_num_queries
):
    assert "Hồ sơ đã được tiếp nhận" in page(client, dossier).content.decode()
    with django_assert_num_queries(0):  # served from the cache: no query at all
        assert api(client, dossier).status_code == 200
    clerk = django_user_model.objects.get(username="canbo")
    officer = django_user_model.objects.get(username="congchuc")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=vn(2025, 3, 7, 9, 30))
    assert "Hồ sơ đang được giải quyết" in page(client, dossier).content.decode()
    assert page(client, dossier, key="AAAAAAAA").status_code == 404  # the cache never skips the key check


def test_a_first_visit_reads_the_dossier_and_its_steps_in_two_statements(client, dossier):
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        body = page(client, dossier).content.decode()
    assert "Hồ sơ đã được tiếp nhận" in body and "Tiếp nhận hồ sơ" in body
    tables = [next(t for t in ("hoso_dossierevent", "hoso_dossier") if f'FROM "{t}"' in q["sql"]) for q in queries]
    assert tables == ["hoso_dossier", "hoso_dossierevent"]  # the key is in the first one
    assert '"lookup_key"' in queries[0]["sql"].split("WHERE", 1)[1] and "motcua_agency" in queries[0]["sql"]


def test_a_wrong_key_for_a_cached_code_takes_the_path_of_an_unknown_code(client, dossier, django_assert_num_queries):
    assert page(client, dossier).status_code == 200  # now cached
    with django_assert_num_queries(1):  # never answered from the cache, so no faster than…
        assert api(client, dossier, key="AAAAAAAA").status_code == 404
    with django_assert_num_queries(1):  # …an unknown code
        assert (
            client.get(reverse("lookup_json", args=["000.00.01.H26-250307-9999"]), {"k": "AAAAAAAA"}).status_code == 404
        )


def test_the_cached_page_is_shared_only_with_anonymous_visitors(client, dossier, django_user_model):
    first = page(client, dossier).content.decode()
    assert page(client, dossier).content.decode() == first  # served from the cache
    staff = django_user_model.objects.get(username="canbo")
    client.force_login(staff)
    staff_page = page(client, dossier).content.decode()
    assert "Đăng xuất" in staff_page and "Đăng xuất" not in first
    client.logout()
    assert "Đăng xuất" not in page(client, dossier).content.decode()


def test_a_code_typed_in_lower_case_on_a_phone_is_found(client, dossier):
    response = client.get(reverse("lookup", args=[dossier.code.lower()]), {"k": dossier.lookup_key.lower()})
    assert response.status_code == 200 and dossier.code in response.content.decode()


def test_a_returned_dossier_offers_its_survey_until_it_is_rated(
    client, dossier, django_user_model, time_machine, django_capture_on_commit_callbacks
):
    from hoso import surveys

    clerk = django_user_model.objects.get(username="canbo")
    officer = django_user_model.objects.get(username="congchuc")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=vn(2025, 3, 7, 9, 30))
        workflow.mark_result_ready(dossier_id=dossier.pk, actor=officer, now=vn(2025, 3, 7, 15, 0))
    assert "Đánh giá mức độ hài lòng" not in page(client, dossier).content.decode()  # not returned yet
    with django_capture_on_commit_callbacks(execute=True):
        workflow.return_result(dossier_id=dossier.pk, actor=clerk, collector="Nguyễn Văn An", now=vn(2025, 3, 7, 16))
    time_machine.move_to(vn(2025, 3, 10, 9, 0), tick=False)
    html = page(client, dossier).content.decode()
    dossier.refresh_from_db()
    link = surveys.survey_link_for(dossier)
    assert "Đánh giá mức độ hài lòng" in html and link in html
    assert api(client, dossier).json()["survey_url"] == link
    assert_no_personal_data(html)
    with django_capture_on_commit_callbacks(execute=True):
        token = link.rstrip("/").rsplit("/", 1)[-1]
        surveys.submit_by_token(token=token, answer=surveys.Answer(level="satisfied", answers={}), channel="link")
    assert "Đánh giá mức độ hài lòng" not in page(client, dossier).content.decode()  # the cached page was dropped
    assert api(client, dossier).json()["survey_url"] is None


def test_staff_notes_never_reach_the_public_page_only_the_public_note_does(
    client, dossier, django_user_model, django_capture_on_commit_callbacks
):
    clerk = django_user_model.objects.get(username="canbo")
    officer = django_user_model.objects.get(username="congchuc")
    workflow.assign(
        dossier_id=dossier.pk, actor=clerk, officer=officer, note="Gọi 0987654321", now=vn(2025, 3, 7, 9, 30)
    )
    secret = "Thiếu bản sao CCCD 001099012345, gọi chị Lan 0912345678, số 5 ngõ Huế"
    workflow.request_supplement(dossier_id=dossier.pk, actor=officer, missing=secret, now=vn(2025, 3, 7, 10))
    for response in (page(client, dossier), api(client, dossier)):
        body = response.content.decode()
        for private in ("001099012345", "0912345678", "0987654321", "ngõ Huế", "Thiếu bản sao"):
            assert private not in body
    assert "để biết giấy tờ cần bổ sung" in page(client, dossier).content.decode()

    workflow.complete_supplement(dossier_id=dossier.pk, actor=clerk, now=vn(2025, 3, 7, 11))
    with django_capture_on_commit_callbacks(execute=True):  # the cached public view is dropped after commit
        workflow.request_supplement(
            dossier_id=dossier.pk,
            actor=officer,
            missing=secret,
            public_note="Bản sao căn cước có chứng thực",
            now=vn(2025, 3, 7, 14),
        )
    html = page(client, dossier).content.decode()
    data = json.loads(api(client, dossier).content)
    assert "các giấy tờ sau: Bản sao căn cước có chứng thực" in html
    assert data["next_step"].endswith("Bản sao căn cước có chứng thực")
    assert data["timeline"][-1] == {
        "at": "2025-03-07T14:00:00+07:00",
        "step": "Yêu cầu bổ sung giấy tờ",
        "note": "Bản sao căn cước có chứng thực",
    }
    assert "001099012345" not in html + json.dumps(data)


def test_a_public_note_quoting_an_id_number_or_a_phone_is_refused(dossier, django_user_model):
    clerk = django_user_model.objects.get(username="canbo")
    officer = django_user_model.objects.get(username="congchuc")
    workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=vn(2025, 3, 7, 9, 30))
    for public in ("Gọi 0912 345 678", "CCCD 001099012345", "Thư tới an@example.vn"):
        with pytest.raises(workflow.WorkflowError, match="Nội dung công khai không được ghi"):
            workflow.request_supplement(
                dossier_id=dossier.pk, actor=officer, missing="Tờ khai", public_note=public, now=vn(2025, 3, 7, 10)
            )
    assert not dossier.events.filter(action="request_supplement").exists()


def test_a_stop_or_an_extension_shows_only_its_public_note(client, dossier, django_user_model):
    clerk = django_user_model.objects.get(username="canbo")
    officer = django_user_model.objects.get(username="congchuc")
    workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=vn(2025, 3, 7, 9, 30))
    workflow.extend(
        dossier_id=dossier.pk,
        actor=officer,
        new_due_at=vn(2025, 3, 20, 17),
        reason="Chờ xác minh với công an, cán bộ Lan 0912345678",
        public_note="Cần xác minh thêm với cơ quan khác",
        now=vn(2025, 3, 7, 10),
    )
    workflow.stop(
        dossier_id=dossier.pk,
        actor=django_user_model.objects.get(username="lanhdao"),
        reason="Người nộp (CCCD 001099012345) đã chuyển nơi ở",
        now=vn(2025, 3, 7, 11),
    )
    data = json.loads(api(client, dossier).content)
    html = page(client, dossier).content.decode()
    assert "Cần xác minh thêm với cơ quan khác" in html
    assert data["next_step"].endswith("để biết lý do.")
    for private in ("0912345678", "001099012345", "chuyển nơi ở", "công an"):
        assert private not in html and private not in json.dumps(data, ensure_ascii=False)


def test_an_organisation_is_named_in_full_on_the_public_page_and_a_person_is_masked(client, django_user_model):
    agency, _ = load_demo()
    clerk = django_user_model.objects.get(username="canbo")
    intake = workflow.Intake(
        procedure=Procedure.objects.get(code="1.001193"),
        applicant_kind="organisation",
        applicant_name="Công ty TNHH Thương mại Minh Đức Xanh",
        applicant_id_kind="tax_code",
        applicant_id_number="0101234567",
        applicant_phone="02438261234",
    )
    company = workflow.receive(agency=agency, actor=clerk, intake=intake, now=vn(2025, 3, 7, 9, 0))
    html = page(client, company).content.decode()
    assert "Công ty TNHH Thương mại Minh Đức Xanh" in html and "Công T." not in html
    assert "0101234567" not in html and "02438261234" not in html
    assert api(client, company).json()["applicant"] == "Công ty TNHH Thương mại Minh Đức Xanh"


@pytest.mark.parametrize(
    "spelling",
    [
        lambda code: code.replace("-", " "),
        lambda code: code.replace("-", "_").lower(),
        lambda code: code.replace("-", " - "),
    ],
)
def test_a_code_typed_with_spaces_or_underscores_for_its_dashes_is_found(client, dossier, spelling):
    typed = spelling(dossier.code)
    response = client.get(reverse("lookup_form"), {"ma": typed, "k": dossier.lookup_key.lower()}, follow=True)
    assert response.status_code == 200 and f"Hồ sơ {dossier.code}" in response.content.decode()
    assert api(client, dossier).status_code == 200
    assert client.get(reverse("lookup_json", args=[typed]), {"k": dossier.lookup_key}).json()["code"] == dossier.code


def test_a_send_back_shows_on_the_public_step_list_between_the_two_submissions(client, dossier, django_user_model):
    clerk, officer, leader = (django_user_model.objects.get(username=u) for u in ("canbo", "congchuc", "lanhdao"))
    workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=vn(2025, 3, 7, 9, 30))
    workflow.submit_for_approval(dossier_id=dossier.pk, actor=officer, now=vn(2025, 3, 7, 10))
    workflow.send_back(dossier_id=dossier.pk, actor=leader, note="Sai tên cha trong dự thảo", now=vn(2025, 3, 7, 11))
    workflow.submit_for_approval(dossier_id=dossier.pk, actor=officer, now=vn(2025, 3, 7, 14))
    steps = [s["step"] for s in api(client, dossier).json()["timeline"]]
    assert steps[-3:] == ["Trình lãnh đạo ký duyệt", "Lãnh đạo trả lại để hoàn thiện", "Trình lãnh đạo ký duyệt"]
    assert "Sai tên cha" not in page(client, dossier).content.decode()


def test_with_redis_a_cached_lookup_costs_one_round_trip_and_no_query(
    client,
    dossier,
    settings,
    monkeypatch,
    django_user_model,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    need(bool(settings.REDIS_URL), "No Redis configured (set REDIS_URL).")
    settings.CACHES = {"default": {"BACKEND": "motcua.lib.cache.ResilientRedisCache", "LOCATION": settings.REDIS_URL}}
    cache.clear()
    assert "Hồ sơ đã được tiếp nhận" in page(client, dossier).content.decode()
    api(client, dossier)
    sent = []
    real = redis.Redis.execute_command
    monkeypatch.setattr(redis.Redis, "execute_command", lambda self, *a, **k: sent.append(a[0]) or real(self, *a, **k))
    with django_assert_num_queries(0):
        cached_page, cached_api = page(client, dossier), api(client, dossier)
    # The rate limit's script reads the cached view in the same round trip.
    assert sent == ["EVALSHA", "EVALSHA"]
    assert "Hồ sơ đã được tiếp nhận" in cached_page.content.decode()
    assert json.loads(cached_api.content)["status"] == "received"
    assert page(client, dossier, key="AAAAAAAA").status_code == 404  # the key is still checked
    clerk, officer = (django_user_model.objects.get(username=name) for name in ("canbo", "congchuc"))
    with django_capture_on_commit_callbacks(execute=True):
        workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=vn(2025, 3, 7, 9, 30))
    assert "Hồ sơ đang được giải quyết" in page(client, dossier).content.decode()
    cache.clear()
