"""The report's petition figures and QĐ 766 group 5 equal hand counts on a hand-built set."""

import io
import json
from datetime import datetime

import pytest
from django.core.management import call_command

from baocao.exports import petition_sentence
from hoso.workcalendar import VN_TZ
from phananh import services
from phananh.constants import Action, Channel, Kind, Rating
from phananh.figures import petition_figures

from ..factories import load_holidays

TEXTS = {"public_subject": "Tiêu đề", "public_question": "Câu hỏi chung.", "public_answer": "Trả lời chung."}


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VN_TZ)


@pytest.fixture
def hand_built(agency, clerk, leader):
    """A on time and published on time; B decided and answered late; C refused; D published late;
    E a question still undecided (not overdue); F accepted, never answered (overdue); G received last
    year, answered on time in the window, never published, rated unhappy (reopened)."""
    load_holidays()

    def new(kind, received):
        return services.receive(
            agency=agency, kind=kind, channel=Channel.COUNTER, content="Nội dung", by=clerk, at=received
        ).pk

    def step(pk, action, when, **kw):
        return services.act(petition_id=pk, action=action, by=leader, at=when, **kw)

    def answer(pk, when):
        step(pk, Action.SUBMIT_ANSWER, when, answer="Trả lời")
        return step(pk, Action.APPROVE, when)

    a, b, c, d = (new(k, at(2026, 3, 2, 9)) for k in (Kind.PROCEDURE, Kind.CONDUCT, Kind.PROCEDURE, Kind.PROCEDURE))
    step(a, Action.ACCEPT, at(2026, 3, 3, 9))
    answer(a, at(2026, 3, 10, 9))
    services.publish(petition_id=a, by=leader, at=at(2026, 3, 11, 9), **TEXTS)
    step(b, Action.ACCEPT, at(2026, 3, 5, 9))
    answer(b, at(2026, 3, 30, 9))
    step(c, Action.REFUSE, at(2026, 3, 3, 9), note="Không thuộc thẩm quyền của phường.")
    step(d, Action.ACCEPT, at(2026, 3, 3, 9))
    answer(d, at(2026, 3, 10, 9))
    services.publish(petition_id=d, by=leader, at=at(2026, 3, 20, 9), **TEXTS)
    new(Kind.QUESTION, at(2026, 6, 29, 9))
    f = new(Kind.CONDUCT, at(2026, 5, 4, 9))
    step(f, Action.ACCEPT, at(2026, 5, 5, 9))
    g = new(Kind.PROCEDURE, at(2025, 12, 22, 9))
    step(g, Action.ACCEPT, at(2025, 12, 23, 9))
    done = answer(g, at(2026, 1, 6, 9))
    services.rate(token=done.token, rating=Rating.DISSATISFIED, at=at(2026, 1, 7, 9))
    return agency


EXPECTED = {
    "received": 6,
    "refused": 1,
    "answered": 4,
    "answered_on_time": 3,
    "answered_late": 1,
    "published": 2,
    "open": 2,
    "open_overdue": 1,
}


def test_figures_equal_hand_counts(hand_built):
    figures = petition_figures(agency_ids=[hand_built.pk], start=at(2026, 1, 1), end=at(2026, 6, 30, 23, 59, 59))
    assert {key: figures[key] for key in EXPECTED} == EXPECTED
    assert figures["by_kind"] == {"procedure": 3, "conduct": 2, "question": 1}
    assert figures["group_5"] == {
        "classified_share": 83.33,  # 5 of 6 classified as procedure or conduct
        "classified": 5,
        "on_time_share": 40.0,  # A and C of A, B, C, D, G
        "handled": 5,
        "handled_on_time": 2,
        "satisfied_share": 50.0,  # B late, G reopened, of A, B, D, G
        "unsatisfied": 2,
    }
    sentence = petition_sentence(figures)
    assert "tiếp nhận 6, từ chối 1, đã trả lời 4 (đúng hạn 3, quá hạn 1)" in sentence
    assert "xử lý đúng hạn 40,0%" in sentence


def test_compile_report_json_has_the_petitions(hand_built):
    out = io.StringIO()
    call_command(
        "compile_report", "--agency", hand_built.code, "--from", "2026-01-01", "--to", "2026-06-30", stdout=out
    )
    petitions = json.loads(out.getvalue())["petitions"]
    assert {key: petitions[key] for key in EXPECTED} == EXPECTED
