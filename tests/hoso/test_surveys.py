"""Satisfaction surveys: tokens, one rating per dossier, follow-ups, pages and permissions (figures: tests/baocao)."""

from __future__ import annotations

import shutil
import subprocess
import threading
from datetime import datetime, timedelta

import pytest
import time_machine
from django.db import connection, connections
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hoso import survey_links, surveys, workflow
from hoso.constants import Action, FollowUpStatus, SatisfactionLevel, SurveyChannel
from hoso.documents import DOCUMENTS, document_context, render_document, render_document_html, return_slip_context
from hoso.lookup import public_view
from hoso.models import Dossier, FollowUp, SatisfactionRating, SurveyCriterion, SurveyToken
from hoso.notifications import message_values
from hoso.workcalendar import VN_TZ
from motcua.constants import Role
from motcua.lib.ratelimit import Rate
from tests.conftest import need
from tests.factories import AgencyProcedureFactory, ProcedureFactory, UserFactory, load_holidays
from tests.printed import html_text
from thutuc.constants import TimeUnit

pytestmark = pytest.mark.django_db

VERY = SatisfactionLevel.VERY_SATISFIED
SATISFIED = SatisfactionLevel.SATISFIED
NEUTRAL = SatisfactionLevel.NEUTRAL
UNHAPPY = SatisfactionLevel.DISSATISFIED
VERY_UNHAPPY = SatisfactionLevel.VERY_DISSATISFIED


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


RECEIVED = vn(2025, 3, 3, 9, 0)  # Monday
READY = vn(2025, 3, 4, 10, 0)
RETURNED = vn(2025, 3, 5, 9, 0)
AFTER_RETURN = vn(2025, 3, 5, 9, 5)


@pytest.fixture(autouse=True)
def _at_the_desk():
    """The clock runs from just after the return (services called without `now`, and the pages)."""
    with time_machine.travel(AFTER_RETURN + timedelta(minutes=5), tick=True):
        yield


@pytest.fixture
def procedure(agency):
    load_holidays()
    p = ProcedureFactory(code="1.000001", name="Cấp giấy xác nhận thử nghiệm", time_limit_unit=TimeUnit.WORKING_DAYS)
    AgencyProcedureFactory(agency=agency, procedure=p)
    return p


def ready_dossier(agency, clerk, officer, procedure, *, name: str = "Nguyễn Văn An") -> Dossier:
    intake = workflow.Intake(
        procedure=procedure,
        applicant_name=name,
        applicant_id_number="001190012345",
        applicant_phone="0912345678",
        applicant_address="Số 7 phố Hàng Bạc",
    )
    d = workflow.receive(agency=agency, actor=clerk, intake=intake, now=RECEIVED)
    workflow.assign(dossier_id=d.pk, actor=clerk, officer=officer, now=RECEIVED + timedelta(minutes=30))
    return workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=READY)


def returned_dossier(agency, clerk, officer, procedure, **kw) -> Dossier:
    d = ready_dossier(agency, clerk, officer, procedure, **kw)
    return workflow.return_result(dossier_id=d.pk, actor=clerk, collector="Nguyễn Văn An", now=RETURNED)


@pytest.fixture
def dossier(agency, clerk, officer, procedure):
    return returned_dossier(agency, clerk, officer, procedure)


def answer(level=VERY, comment: str = "", **answers: str) -> surveys.Answer:
    return surveys.Answer(level=level, answers=answers, comment=comment)


def rate_by_link(dossier, level=VERY, comment: str = "", now=AFTER_RETURN) -> SatisfactionRating:
    token = surveys.link_token_for(dossier, now=now)
    return surveys.submit_by_token(token=token.token, answer=answer(level, comment), channel="link", now=now)


# -- tokens -----------------------------------------------------------------------------------
def test_a_link_token_records_one_rating_with_the_dossiers_denormalised_links(dossier, clerk, officer):
    rating = rate_by_link(dossier, SATISFIED, "Nhanh gọn")
    assert (rating.dossier, rating.agency_id, rating.procedure_id, rating.field_id) == (
        dossier,
        dossier.agency_id,
        dossier.procedure_id,
        dossier.field_id,
    )
    assert (rating.clerk, rating.officer, rating.level, rating.scale) == (clerk, officer, SATISFIED, 3)
    assert (rating.channel, rating.recorded_by, rating.created_at) == ("link", None, AFTER_RETURN)
    assert SurveyToken.objects.get(dossier=dossier).used_at == AFTER_RETURN


def test_a_used_token_says_the_rating_is_already_recorded(dossier):
    token = surveys.link_token_for(dossier, now=AFTER_RETURN)
    surveys.submit_by_token(token=token.token, answer=answer(), channel="link", now=AFTER_RETURN)
    with pytest.raises(surveys.AlreadyRated, match="đã được ghi nhận"):
        surveys.submit_by_token(token=token.token, answer=answer(UNHAPPY), channel="link", now=AFTER_RETURN)
    assert surveys.check_token(token.token, now=AFTER_RETURN).state is surveys.TokenState.USED
    assert SatisfactionRating.objects.get().level == VERY


def test_a_second_rating_by_another_channel_says_already_recorded(dossier, clerk):
    counter = surveys.invite_at_counter(dossier_id=dossier.pk, actor=clerk, now=AFTER_RETURN)
    rate_by_link(dossier)
    assert surveys.check_token(counter.token, now=AFTER_RETURN).state is surveys.TokenState.RATED
    with pytest.raises(surveys.AlreadyRated):
        surveys.submit_by_token(token=counter.token, answer=answer(UNHAPPY), channel="counter", now=AFTER_RETURN)
    with pytest.raises(surveys.AlreadyRated):
        surveys.record_paper(dossier_id=dossier.pk, actor=clerk, answer=answer(UNHAPPY), now=AFTER_RETURN)
    assert SatisfactionRating.objects.count() == 1


def test_a_counter_token_expires_after_thirty_minutes(dossier, clerk):
    token = surveys.invite_at_counter(dossier_id=dossier.pk, actor=clerk, now=AFTER_RETURN)
    assert token.expires_at == AFTER_RETURN + timedelta(minutes=30)
    late = AFTER_RETURN + timedelta(minutes=31)
    assert surveys.check_token(token.token, now=late).state is surveys.TokenState.EXPIRED
    with pytest.raises(surveys.SurveyError, match="hết hạn"):
        surveys.submit_by_token(token=token.token, answer=answer(), channel="counter", now=late)
    assert not SatisfactionRating.objects.exists()


def test_a_link_sent_at_result_ready_opens_at_the_return_and_closes_fourteen_days_later(
    agency, clerk, officer, procedure
):
    d = ready_dossier(agency, clerk, officer, procedure)
    url = surveys.survey_link_for(d, now=READY)
    token = url.rstrip("/").rsplit("/", 1)[-1]
    assert url == f"http://127.0.0.1:8000/danh-gia/{token}/"
    assert surveys.check_token(token, now=READY).state is surveys.TokenState.NOT_RETURNED
    with pytest.raises(surveys.SurveyError, match="chưa được trả kết quả"):
        surveys.submit_by_token(token=token, answer=answer(), channel="link", now=READY)
    workflow.return_result(dossier_id=d.pk, actor=clerk, collector="Nguyễn Văn An", now=RETURNED)
    assert surveys.check_token(token, now=RETURNED + timedelta(days=14)).state is surveys.TokenState.VALID
    assert surveys.check_token(token, now=RETURNED + timedelta(days=14, seconds=1)).state is surveys.TokenState.EXPIRED
    surveys.submit_by_token(token=token, answer=answer(), channel="link", now=RETURNED + timedelta(days=13))
    assert SatisfactionRating.objects.get().dossier_id == d.pk


def test_survey_link_for_gives_the_same_link_until_it_is_used(dossier):
    first = surveys.survey_link_for(dossier, now=AFTER_RETURN)
    assert surveys.survey_link_for(dossier, now=AFTER_RETURN + timedelta(days=1)) == first
    assert SurveyToken.objects.filter(channel="link").count() == 1


def test_no_link_before_the_result_or_fourteen_days_after_the_return(agency, clerk, officer, procedure, dossier):
    d = workflow.receive(
        agency=agency, actor=clerk, intake=workflow.Intake(procedure=procedure, applicant_name="Lê Hoa"), now=RECEIVED
    )
    with pytest.raises(surveys.SurveyError, match="chưa có kết quả"):
        surveys.survey_link_for(d, now=RECEIVED)
    with pytest.raises(surveys.SurveyError, match="14 ngày"):
        surveys.survey_link_for(dossier, now=RETURNED + timedelta(days=15))


def test_a_token_bound_to_another_dossier_is_refused(agency, clerk, officer, procedure, dossier):
    other = returned_dossier(agency, clerk, officer, procedure, name="Trần Thị Bình")
    token = surveys.invite_at_counter(dossier_id=dossier.pk, actor=clerk, now=AFTER_RETURN)
    with pytest.raises(surveys.SurveyError, match="không đúng"):
        surveys.submit_by_token(
            token=token.token, answer=answer(), channel="counter", dossier_id=other.pk, now=AFTER_RETURN
        )
    assert not SatisfactionRating.objects.exists()


def test_a_token_of_another_channel_or_garbage_is_unknown(dossier):
    link = surveys.link_token_for(dossier, now=AFTER_RETURN)
    assert surveys.check_token(link.token, channel="counter").state is surveys.TokenState.UNKNOWN
    for garbage in ("", "x" * 500, "'; drop table --", "không-có"):
        assert surveys.check_token(garbage).state is surveys.TokenState.UNKNOWN
    with pytest.raises(surveys.SurveyError, match="không đúng"):
        surveys.submit_by_token(token=link.token, answer=answer(), channel="counter", now=AFTER_RETURN)


def test_a_dossier_not_returned_cannot_be_rated_by_any_channel(agency, clerk, officer, leader, procedure):
    d = ready_dossier(agency, clerk, officer, procedure)
    with pytest.raises(surveys.SurveyError, match="chưa được trả kết quả"):
        surveys.invite_at_counter(dossier_id=d.pk, actor=clerk, now=READY)
    with pytest.raises(surveys.SurveyError, match="chưa được trả kết quả"):
        surveys.record_paper(dossier_id=d.pk, actor=leader, answer=answer(), now=READY)
    assert not SatisfactionRating.objects.exists()
    # Only the link token its result-ready transition issued: no counter token.
    assert list(SurveyToken.objects.values_list("channel", flat=True)) == [SurveyChannel.LINK]


def test_inviting_twice_reuses_the_live_counter_token(dossier, clerk):
    first = surveys.invite_at_counter(dossier_id=dossier.pk, actor=clerk, now=AFTER_RETURN)
    second = surveys.invite_at_counter(dossier_id=dossier.pk, actor=clerk, now=AFTER_RETURN + timedelta(minutes=1))
    assert first.pk == second.pk and SurveyToken.objects.filter(channel=SurveyChannel.COUNTER).count() == 1


def test_only_the_clerk_who_returned_the_dossier_invites_at_their_counter(dossier, agency, leader, other_clerk):
    colleague = UserFactory(agency=agency, role=Role.CLERK)
    with pytest.raises(surveys.SurveyError, match="đã trả kết quả"):
        surveys.invite_at_counter(dossier_id=dossier.pk, actor=colleague, now=AFTER_RETURN)
    with pytest.raises(surveys.SurveyError, match="Chỉ cán bộ một cửa"):
        surveys.invite_at_counter(dossier_id=dossier.pk, actor=leader, now=AFTER_RETURN)
    with pytest.raises(surveys.SurveyError, match="cơ quan của bạn"):
        surveys.invite_at_counter(dossier_id=dossier.pk, actor=other_clerk, now=AFTER_RETURN)


def test_the_counter_screen_shows_the_oldest_live_invitation_of_its_clerk(agency, clerk, officer, procedure):
    first = returned_dossier(agency, clerk, officer, procedure)
    second = returned_dossier(agency, clerk, officer, procedure, name="Trần Thị Bình")
    colleague = UserFactory(agency=agency, role=Role.CLERK)
    surveys.invite_at_counter(dossier_id=second.pk, actor=clerk, now=AFTER_RETURN + timedelta(minutes=1))
    surveys.invite_at_counter(dossier_id=first.pk, actor=clerk, now=AFTER_RETURN)
    now = AFTER_RETURN + timedelta(minutes=2)
    assert surveys.pending_counter_token(clerk=clerk, now=now).dossier_id == first.pk
    assert surveys.pending_counter_token(clerk=colleague, now=now) is None
    assert surveys.pending_counter_token(clerk=clerk, now=AFTER_RETURN + timedelta(hours=1)) is None


def test_declining_at_the_counter_ends_the_invitation(dossier, clerk):
    token = surveys.invite_at_counter(dossier_id=dossier.pk, actor=clerk, now=AFTER_RETURN)
    surveys.decline_at_counter(token=token.token, actor=clerk, now=AFTER_RETURN + timedelta(minutes=1))
    assert surveys.pending_counter_token(clerk=clerk, now=AFTER_RETURN + timedelta(minutes=2)) is None


# -- answers ----------------------------------------------------------------------------------
def test_the_three_level_scale_refuses_a_five_level_answer_and_the_five_level_scale_takes_it(agency, dossier):
    token = surveys.link_token_for(dossier, now=AFTER_RETURN)
    with pytest.raises(surveys.SurveyError, match="mức độ hài lòng"):
        surveys.submit_by_token(token=token.token, answer=answer(NEUTRAL), channel="link", now=AFTER_RETURN)
    agency.survey_scale = 5
    agency.save(update_fields=["survey_scale"])
    rating = surveys.submit_by_token(token=token.token, answer=answer(NEUTRAL), channel="link", now=AFTER_RETURN)
    assert (rating.level, rating.scale) == (NEUTRAL, 5)


def test_criteria_answers_are_kept_and_checked_against_the_wards_options(agency, dossier):
    visits = SurveyCriterion.objects.create(
        agency=agency, question="Số lần phải đi lại", options=["0", "1", "2 lần trở lên"]
    )
    SurveyCriterion.objects.create(agency=agency, question="Không dùng nữa", options=["a", "b"], active=False)
    token = surveys.link_token_for(dossier, now=AFTER_RETURN)
    bad = surveys.Answer(level=VERY, answers={str(visits.pk): "3"})
    with pytest.raises(surveys.SurveyError, match="tiêu chí"):
        surveys.submit_by_token(token=token.token, answer=bad, channel="link", now=AFTER_RETURN)
    good = surveys.Answer(level=VERY, answers={str(visits.pk): "2 lần trở lên"}, comment="  Tốt  ")
    rating = surveys.submit_by_token(token=token.token, answer=good, channel="link", now=AFTER_RETURN)
    assert (rating.answers, rating.comment) == ({str(visits.pk): "2 lần trở lên"}, "Tốt")


def test_a_paper_form_is_marked_as_such_and_recorded_by_the_clerk(dossier, clerk):
    rating = surveys.record_paper(dossier_id=dossier.pk, actor=clerk, answer=answer(SATISFIED), now=AFTER_RETURN)
    assert (rating.channel, rating.recorded_by) == (SurveyChannel.PAPER, clerk)


def test_officers_and_other_wards_cannot_record_paper_forms(dossier, officer, other_clerk):
    with pytest.raises(surveys.SurveyError, match="Chỉ cán bộ một cửa hoặc lãnh đạo"):
        surveys.record_paper(dossier_id=dossier.pk, actor=officer, answer=answer(), now=AFTER_RETURN)
    with pytest.raises(surveys.SurveyError, match="cơ quan của bạn"):
        surveys.record_paper(dossier_id=dossier.pk, actor=other_clerk, answer=answer(), now=AFTER_RETURN)
    assert not SatisfactionRating.objects.exists()


# -- one rating per dossier under concurrency (PostgreSQL) --------------------------------------
@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_simultaneous_submits_for_one_dossier_by_every_channel_give_exactly_one_rating(dossier, clerk, leader):
    need(connection.vendor == "postgresql", "Concurrent inserts need PostgreSQL (set DATABASE_URL).")
    link = surveys.link_token_for(dossier, now=AFTER_RETURN)
    counter = surveys.invite_at_counter(dossier_id=dossier.pk, actor=clerk, now=AFTER_RETURN)
    calls = [
        lambda: surveys.submit_by_token(token=link.token, answer=answer(VERY), channel="link", now=AFTER_RETURN),
        lambda: surveys.submit_by_token(token=link.token, answer=answer(VERY), channel="link", now=AFTER_RETURN),
        lambda: surveys.submit_by_token(token=counter.token, answer=answer(UNHAPPY), channel="counter"),
        lambda: surveys.submit_by_token(token=counter.token, answer=answer(UNHAPPY), channel="counter"),
        lambda: surveys.record_paper(dossier_id=dossier.pk, actor=clerk, answer=answer(SATISFIED)),
        lambda: surveys.record_paper(dossier_id=dossier.pk, actor=leader, answer=answer(SATISFIED)),
    ]
    barrier = threading.Barrier(len(calls))
    outcomes: list[str] = []
    lock = threading.Lock()

    def work(call) -> None:
        try:
            barrier.wait()
            call()
            result = "rated"
        except surveys.AlreadyRated:
            result = "already"
        except BaseException as exc:  # reported below
            result = repr(exc)
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    for _ in range(5):  # several rounds: the race must never produce two rows or an error
        SatisfactionRating.objects.all().delete()
        SurveyToken.objects.update(used_at=None)
        outcomes.clear()
        threads = [threading.Thread(target=work, args=(call,)) for call in calls]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(outcomes) == ["already"] * 5 + ["rated"]
        assert SatisfactionRating.objects.filter(dossier=dossier).count() == 1
        assert FollowUp.objects.count() == SatisfactionRating.objects.filter(level=UNHAPPY).count()


# -- follow-ups -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("comment", "negative"),
    [
        ("", False),
        ("Cán bộ nhiệt tình, chu đáo", False),
        ("Không phiền hà, không phải đi lại nhiều lần", False),
        ("Cán bộ thái độ kém", True),
        ("Chậm trễ hai ngày so với giấy hẹn", True),
        ("CÁN BỘ HÁCH DỊCH!!!", True),
        ("Tôi không hài lòng vì phải đi lại nhiều lần", True),
        ("Thủ tục còn phiền hà.", True),
        ("kem", True),  # typed without diacritics
        ("Kém cỏi", True),
        ("Chẳng nhũng nhiễu gì", False),
        ("Cán bộ tận tình, gửi kèm mẫu tờ khai rất tiện", False),  # kèm (attached) is not kém (poor)
        ("Rất hài lòng, không có gì phiền hà", False),  # the negation three words before
        ("thai do kem", True),  # a comment typed with no diacritics at all
        ("Không sai hẹn, nhưng thái độ kém", True),  # the negation stops at the comma
        ("Giải quyết nhanh. Phiền hà!", True),
        ("Không hiểu sao chậm trễ", True),  # the negation belongs to another verb
        ("Chưa trả nên trễ hẹn", True),
        ("Chậm trể quá", True),  # the common misspelling
        ("Hệ thống chậm trễ", True),  # hệ (system) is not hề (at all)
        ("Cha tôi phải chờ lâu", True),
        ("Chẳng phải chờ lâu, không hề thấy nhũng nhiễu", False),
    ],
)
def test_a_comment_is_negative_when_it_holds_a_listed_phrase_not_negated(comment, negative):
    assert surveys.is_negative_comment(comment) is negative


def test_an_unhappy_answer_opens_one_follow_up_and_a_happy_one_none(agency, clerk, officer, procedure):
    happy = rate_by_link(returned_dossier(agency, clerk, officer, procedure))
    unhappy = rate_by_link(returned_dossier(agency, clerk, officer, procedure), UNHAPPY)
    very_unhappy_dossier = returned_dossier(agency, clerk, officer, procedure)
    agency.survey_scale = 5
    agency.save(update_fields=["survey_scale"])
    very_unhappy = rate_by_link(very_unhappy_dossier, VERY_UNHAPPY)
    assert not FollowUp.objects.filter(rating=happy).exists()
    assert FollowUp.objects.get(rating=unhappy).status == FollowUpStatus.NEW
    assert FollowUp.objects.get(rating=very_unhappy).agency_id == agency.pk
    assert FollowUp.objects.count() == 2


def test_a_satisfied_answer_with_a_negative_comment_opens_a_follow_up(dossier):
    rating = rate_by_link(dossier, SATISFIED, "Được, nhưng phải chờ đợi lâu")
    assert FollowUp.objects.filter(rating=rating).count() == 1


def test_the_leader_moves_a_follow_up_to_contacted_then_resolved_with_notes(dossier, leader):
    item = FollowUp.objects.get(rating=rate_by_link(dossier, UNHAPPY))
    assert list(surveys.open_follow_ups(dossier.agency_id)) == [item]
    with pytest.raises(surveys.SurveyError, match="Hãy ghi kết quả xử lý"):
        surveys.update_follow_up(follow_up_id=item.pk, actor=leader, status="resolved", note=" ")
    surveys.update_follow_up(follow_up_id=item.pk, actor=leader, status="contacted", note="Đã gọi điện cho ông An")
    item = surveys.update_follow_up(follow_up_id=item.pk, actor=leader, status="resolved", note="Đã xin lỗi")
    assert item.status == "resolved" and item.updated_by == leader
    assert "Đã gọi điện cho ông An" in item.note and "Đã xin lỗi" in item.note
    assert list(surveys.open_follow_ups(dossier.agency_id)) == []


def test_only_a_leader_of_the_ward_updates_a_follow_up(dossier, clerk, other_agency):
    item = FollowUp.objects.get(rating=rate_by_link(dossier, UNHAPPY))
    other_leader = UserFactory(agency=other_agency, role=Role.LEADER)
    with pytest.raises(surveys.SurveyError, match="Chỉ lãnh đạo"):
        surveys.update_follow_up(follow_up_id=item.pk, actor=clerk, status="contacted", note="")
    with pytest.raises(surveys.SurveyError, match="cơ quan của bạn"):
        surveys.update_follow_up(follow_up_id=item.pk, actor=other_leader, status="contacted", note="")
    item.refresh_from_db()
    assert item.status == "new"


# -- the return slip --------------------------------------------------------------------------
def test_the_return_slip_is_available_once_returned_and_holds_the_survey_link(agency, clerk, officer, procedure):
    d = ready_dossier(agency, clerk, officer, procedure)
    assert not DOCUMENTS["tra-ket-qua"].available(d)
    d = workflow.return_result(dossier_id=d.pk, actor=clerk, collector="Nguyễn Văn An", now=RETURNED)
    context = document_context(d, "tra-ket-qua")
    token = SurveyToken.objects.get(dossier=d, channel="link")
    assert context["survey_url"] == f"http://127.0.0.1:8000/danh-gia/{token.token}/"
    assert "<svg" in context["qr_svg"] and context["collector"] == "Nguyễn Văn An"
    assert context["title"] == "Phiếu trả kết quả"
    document_context(d, "tra-ket-qua")  # printed again: the same token
    assert SurveyToken.objects.filter(dossier=d).count() == 1


def test_the_return_slip_prints_as_a_pdf_with_the_survey_address(dossier, tmp_path):
    need(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is not installed.")
    pdf = tmp_path / "tra-ket-qua.pdf"
    pdf.write_bytes(render_document(dossier, "tra-ket-qua"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    token = SurveyToken.objects.get(dossier=dossier, channel="link").token
    assert "PHIẾU TRẢ KẾT QUẢ" in text and dossier.code in text and "đánh giá mức độ hài lòng" in text
    # The long address wraps on the slip: compare without the layout's spaces and line breaks.
    assert token in "".join(text.split())


def test_the_return_slip_of_a_rated_dossier_thanks_instead_of_inviting(client, dossier):
    url = surveys.survey_link_for(dossier).removeprefix("http://127.0.0.1:8000")
    assert client.post(url, {"level": "satisfied"}).status_code == 302
    context = document_context(dossier, "tra-ket-qua")
    assert context["survey_url"] == "" and context["qr_svg"] == "" and context["already_rated"]
    flat = html_text(render_document_html(dossier, "tra-ket-qua"))  # what the PDF is laid out from
    assert "đã đánh giá mức độ hài lòng đối với hồ sơ này" in flat and "Mời" not in flat


# -- pages ------------------------------------------------------------------------------------
def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_public_page_shows_a_masked_name_and_no_personal_data(client, dossier):
    url = surveys.survey_link_for(dossier).removeprefix("http://127.0.0.1:8000")
    response = client.get(url)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Nguyễn V. A." in html and dossier.code in html and "Rất hài lòng" in html
    for secret in ("0912345678", "001190012345", "Hàng Bạc", "Nguyễn Văn An"):
        assert secret not in html


def test_the_public_page_records_a_vote_then_says_it_is_recorded(client, dossier):
    url = surveys.survey_link_for(dossier).removeprefix("http://127.0.0.1:8000")
    response = client.post(url, {"level": "satisfied", "comment": "Nhanh"})
    assert response.status_code == 302 and response["Location"].endswith("?xong=1")
    assert "Cảm ơn" in client.get(response["Location"]).content.decode()
    again = client.post(url, {"level": "dissatisfied"})
    assert "đã được ghi nhận" in again.content.decode()
    assert SatisfactionRating.objects.get().level == "satisfied" and not FollowUp.objects.exists()


def test_the_public_page_refuses_bad_input_with_a_message_and_writes_nothing(client, dossier):
    url = surveys.survey_link_for(dossier).removeprefix("http://127.0.0.1:8000")
    for data in ({}, {"level": "neutral"}, {"level": "very_satisfied", "comment": "x" * 2001}):
        response = client.post(url, data)
        assert response.status_code == 200
        assert 'role="alert"' in response.content.decode()
    assert not SatisfactionRating.objects.exists() and SurveyToken.objects.get().used_at is None


def test_the_public_page_answers_unknown_and_expired_tokens_without_error(client, dossier):
    assert client.get("/danh-gia/khong-co-ma-nay/").status_code == 404
    assert client.get("/danh-gia/" + "x" * 300 + "/").status_code == 404
    token = surveys.link_token_for(dossier, now=AFTER_RETURN)
    SurveyToken.objects.filter(pk=token.pk).update(expires_at=AFTER_RETURN)
    response = client.get(f"/danh-gia/{token.token}/")
    assert response.status_code == 410 and "hết hạn" in response.content.decode()


def test_the_public_page_is_rate_limited_per_client_address(client, dossier, settings):
    settings.MOTCUA_SURVEY_RATE_LIMIT = "3/1m"
    url = surveys.survey_link_for(dossier).removeprefix("http://127.0.0.1:8000")
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert "Quá nhiều lượt truy cập" in client.get(url).content.decode()
    assert Client(REMOTE_ADDR="10.0.0.9").get(url).status_code == 200


@pytest.mark.parametrize(
    ("spec", "expected"),
    [("30/10m", (30, 600)), ("5/s", (5, 1)), ("100/1h", (100, 3600)), ("500/d", (500, 86400)), ("rác", (30, 600))],
)
def test_the_rate_limit_setting_is_read_as_count_per_window(spec, expected):
    rate = Rate.parse(spec, default="30/10m")
    assert (rate.requests, rate.seconds) == expected


@pytest.mark.parametrize("spec", ["60/00m", "0/10m", "10/0s", ""])
def test_a_zero_count_or_window_falls_back_to_the_default(spec):
    rate = Rate.parse(spec, default="30/10m")
    assert (rate.requests, rate.seconds) == (30, 600) and rate.retry_after(now=0) == 600


def test_behind_a_proxy_the_address_it_appended_is_counted_not_one_the_client_wrote(client, dossier, settings):
    settings.MOTCUA_TRUST_X_FORWARDED_FOR = True
    settings.MOTCUA_SURVEY_RATE_LIMIT = "2/1h"
    url = surveys.survey_link_for(dossier).removeprefix("http://127.0.0.1:8000")
    # The same client (appended last by the proxy) forging a new first entry each time.
    statuses = [client.get(url, HTTP_X_FORWARDED_FOR=f"1.2.3.{i}, 203.0.113.7").status_code for i in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(url, HTTP_X_FORWARDED_FOR="203.0.113.8").status_code == 200


def test_a_mistyped_limit_falls_back_and_the_answer_says_when_to_retry(client, dossier, settings):
    settings.MOTCUA_SURVEY_RATE_LIMIT = "ba mươi"  # unreadable: the default 30/10m applies
    url = surveys.survey_link_for(dossier).removeprefix("http://127.0.0.1:8000")
    assert client.get(url).status_code == 200
    settings.MOTCUA_SURVEY_RATE_LIMIT = "1/1h"
    client.get(url)
    limited = client.get(url)
    assert limited.status_code == 429 and 1 <= int(limited["Retry-After"]) <= 3600


def test_the_counter_flow_from_the_invitation_to_the_idle_screen(dossier, clerk):
    client = logged_in(clerk)
    idle = reverse("hoso:survey_counter")
    assert "Chờ đánh giá" in client.get(idle).content.decode()
    assert client.get(reverse("hoso:survey_counter_poll")).json() == {"url": None}
    response = client.post(reverse("hoso:survey_invite", args=[dossier.pk]), follow=True)
    assert "Đã mời công dân đánh giá" in response.content.decode()
    vote_url = client.get(reverse("hoso:survey_counter_poll")).json()["url"]
    assert client.get(idle)["Location"] == vote_url
    page = client.get(vote_url).content.decode()
    assert "Nguyễn V. A." in page and "0912345678" not in page
    response = client.post(vote_url, {"level": "very_satisfied"})
    assert response["Location"] == f"{idle}?cam-on=1"
    assert "Cảm ơn" in client.get(response["Location"]).content.decode()
    assert SatisfactionRating.objects.get().channel == "counter"
    assert client.get(reverse("hoso:survey_counter_poll")).json() == {"url": None}
    assert "đã được ghi nhận" in client.get(vote_url).content.decode()


def test_skipping_at_the_counter_goes_back_to_idle_without_a_rating(dossier, clerk):
    client = logged_in(clerk)
    token = surveys.invite_at_counter(dossier_id=dossier.pk, actor=clerk)
    response = client.post(reverse("hoso:survey_counter_vote", args=[token.token]), {"bo_qua": "1"})
    assert response["Location"] == reverse("hoso:survey_counter")
    assert client.get(reverse("hoso:survey_counter")).status_code == 200
    assert not SatisfactionRating.objects.exists()


def test_the_paper_form_page_records_a_paper_rating(dossier, clerk):
    client = logged_in(clerk)
    url = reverse("hoso:survey_paper", args=[dossier.pk])
    assert "Ghi nhận phiếu đánh giá giấy" in client.get(url).content.decode()
    assert "Xin chọn một mức độ" in client.post(url, {}).content.decode()
    response = client.post(url, {"level": "dissatisfied", "comment": "Chờ lâu"})
    assert response["Location"] == reverse("hoso:detail", args=[dossier.pk])
    rating = SatisfactionRating.objects.get()
    assert (rating.channel, rating.recorded_by, FollowUp.objects.count()) == ("paper", clerk, 1)
    client.post(url, {"level": "very_satisfied"})  # repeated POST: harmless
    assert SatisfactionRating.objects.get().level == "dissatisfied"


def test_the_dossier_panel_offers_the_invitation_then_shows_the_rating(dossier, clerk, rf):
    request = rf.get("/")
    html = render_to_string("hoso/surveys/_dossier_panel.html", {"dossier": dossier, "user": clerk}, request)
    assert "Mời đánh giá tại quầy" in html and "Nhập phiếu đánh giá giấy" in html
    rate_by_link(dossier, SATISFIED)
    dossier = Dossier.objects.get(pk=dossier.pk)
    html = render_to_string("hoso/surveys/_dossier_panel.html", {"dossier": dossier, "user": clerk}, request)
    assert "Mời đánh giá tại quầy" not in html and "Hài lòng" in html and "Mã QR / đường dẫn" in html


def test_the_leaders_page_lists_open_items_and_updates_them(dossier, leader):
    rate_by_link(dossier, UNHAPPY, "Cán bộ hách dịch")
    item = FollowUp.objects.get()
    client = logged_in(leader)
    page = client.get(reverse("hoso:follow_ups")).content.decode()
    assert dossier.code in page and "Cán bộ hách dịch" in page
    response = client.post(
        reverse("hoso:follow_up_update", args=[item.pk]),
        {f"y{item.pk}-status": "resolved", f"y{item.pk}-note": "Đã xin lỗi công dân"},
        follow=True,
    )
    assert "Đã cập nhật" in response.content.decode()
    assert dossier.code not in client.get(reverse("hoso:follow_ups")).content.decode()
    assert dossier.code in client.get(reverse("hoso:follow_ups") + "?tat-ca=1").content.decode()
    bad = client.post(reverse("hoso:follow_up_update", args=[item.pk]), {f"y{item.pk}-status": "lạ"}, follow=True)
    assert "không hợp lệ" in bad.content.decode()


def test_the_open_follow_ups_fragment_counts_the_open_items(dossier, leader, rf):
    rate_by_link(dossier, UNHAPPY, "Chậm trễ")
    context = {"open_follow_ups": surveys.open_follow_ups(leader.agency_id), "user": leader}
    html = render_to_string("hoso/surveys/_open_follow_ups.html", context, rf.get("/"))
    assert dossier.code in html and "Chậm trễ" in html and ">1<" in html.replace(" ", "")


# -- permissions ------------------------------------------------------------------------------
STAFF_PAGES = [
    ("get", "hoso:survey_counter", False),
    ("get", "hoso:survey_counter_poll", False),
    ("get", "hoso:follow_ups", False),
    ("get", "hoso:survey_paper", True),
    ("post", "hoso:survey_invite", True),
]


@pytest.mark.parametrize(("method", "name", "needs_pk"), STAFF_PAGES)
def test_anonymous_visitors_are_sent_to_the_login_page(client, dossier, method, name, needs_pk):
    url = reverse(name, args=[dossier.pk] if needs_pk else [])
    response = getattr(client, method)(url)
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_anonymous_visitors_cannot_open_a_counter_vote(client, dossier, clerk):
    token = surveys.invite_at_counter(dossier_id=dossier.pk, actor=clerk)
    response = client.get(reverse("hoso:survey_counter_vote", args=[token.token]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_another_wards_staff_get_404_on_this_wards_dossiers_and_tokens(dossier, clerk, other_clerk, other_agency):
    token = surveys.invite_at_counter(dossier_id=dossier.pk, actor=clerk)
    item = FollowUp.objects.get(rating=rate_by_link(returned_dossier_for_follow_up(dossier, clerk), UNHAPPY))
    client = logged_in(other_clerk)
    assert client.get(reverse("hoso:survey_counter_vote", args=[token.token])).status_code == 404
    assert client.get(reverse("hoso:survey_paper", args=[dossier.pk])).status_code == 404
    assert client.post(reverse("hoso:survey_invite", args=[dossier.pk])).status_code == 404
    other_leader = UserFactory(agency=other_agency, role=Role.LEADER)
    assert logged_in(other_leader).post(reverse("hoso:follow_up_update", args=[item.pk])).status_code == 404
    assert not SatisfactionRating.objects.filter(dossier=dossier).exists()


def returned_dossier_for_follow_up(dossier, clerk) -> Dossier:
    """A second returned dossier of the same ward (for a follow-up item)."""
    return returned_dossier(dossier.agency, clerk, dossier.officer, dossier.procedure, name="Lê Văn Cường")


def test_wrong_roles_get_403(dossier, officer, clerk, leader):
    assert logged_in(officer).get(reverse("hoso:survey_paper", args=[dossier.pk])).status_code == 403
    assert logged_in(officer).get(reverse("hoso:survey_counter")).status_code == 403
    assert logged_in(leader).post(reverse("hoso:survey_invite", args=[dossier.pk])).status_code == 403
    assert logged_in(clerk).get(reverse("hoso:follow_ups")).status_code == 403
    assert not SurveyToken.objects.filter(channel=SurveyChannel.COUNTER).exists()


# -- reads never write: the link token is issued by the ratable transition (issue 11) ------------
def _writes(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))]


def test_the_result_ready_and_return_transitions_issue_the_link_token(agency, clerk, officer, procedure):
    d = ready_dossier(agency, clerk, officer, procedure)
    (ready_token,) = SurveyToken.objects.filter(dossier=d, channel=SurveyChannel.LINK)
    d = workflow.return_result(dossier_id=d.pk, actor=clerk, collector="Nguyễn Văn An", now=RETURNED)
    assert list(SurveyToken.objects.filter(dossier=d)) == [ready_token]
    assert survey_links.survey_link(d) == survey_links.survey_url(ready_token.token)


def test_the_lookup_the_slip_and_the_message_only_read_the_token(dossier):
    with CaptureQueriesContext(connection) as queries:
        view = public_view(Dossier.objects.get(pk=dossier.pk))
        slip = return_slip_context(dossier)
        event = dossier.events.get(action=Action.MARK_RESULT_READY)
        values = message_values(event)
    assert not _writes(queries)
    assert view.survey_url and slip["survey_url"] == view.survey_url == values["link_danh_gia"]


def test_without_a_token_the_reads_give_no_link_and_write_nothing(dossier):
    SurveyToken.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        assert public_view(Dossier.objects.get(pk=dossier.pk)).survey_url == ""
        assert return_slip_context(dossier)["survey_url"] == ""
        assert message_values(dossier.events.get(action=Action.MARK_RESULT_READY))["link_danh_gia"] == ""
    assert not _writes(queries)
    assert not SurveyToken.objects.exists()
