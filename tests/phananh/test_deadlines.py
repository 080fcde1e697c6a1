"""Petition time limits on the real national calendar: weekends, holidays, make-up Saturdays."""

from datetime import datetime

import pytest

from hoso.calendar_store import calendar_for
from hoso.workcalendar import VN_TZ
from phananh import deadlines
from phananh.constants import Channel, Decision, Kind
from phananh.services import receive

from ..factories import load_holidays


def at(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=VN_TZ)


@pytest.fixture
def cal(agency):
    load_holidays()
    return calendar_for(agency.pk)


@pytest.mark.parametrize(
    ("received", "decide"),
    [
        (at(2026, 12, 4, 16, 0), at(2026, 12, 8, 16, 0)),  # Friday 16:00 → Tuesday 16:00 (weekend skipped)
        (at(2026, 12, 4, 18, 0), at(2026, 12, 9, 7, 30)),  # after hours: counts from Monday's opening
        (at(2025, 4, 29, 10, 0), at(2025, 5, 6, 10, 0)),  # 30/4, 1/5, 2/5 and the weekend off
        (at(2025, 4, 25, 9, 0), at(2025, 4, 28, 9, 0)),  # Saturday 26/4/2025 is a make-up working day
    ],
)
def test_decide_within_two_working_days(cal, received, decide):
    assert deadlines.schedule(cal, received_at=received).decide_due_at == decide


def test_more_info_five_answer_fifteen_publish_two(cal):
    received = at(2026, 12, 4, 16, 0)
    plan = deadlines.schedule(
        cal,
        received_at=received,
        decided_at=at(2026, 12, 7, 9, 0),
        decision=Decision.ACCEPTED,
        answered_at=at(2026, 12, 24, 15, 0),
    )
    assert plan.more_info_due_at == at(2026, 12, 11, 16, 0)  # 5 working days
    assert plan.answer_due_at == at(2026, 12, 25, 16, 0)  # 15 working days after receipt (Fri 04/12 16:00)
    assert plan.publish_due_at == at(2026, 12, 28, 15, 0)  # Thursday + 2 working days = Monday


def test_answer_clock_paused_while_waiting_for_the_sender(cal):
    base = {"received_at": at(2026, 12, 4, 16, 0), "decided_at": at(2026, 12, 7, 9, 0), "decision": Decision.ACCEPTED}
    waiting = deadlines.schedule(cal, **base, more_info_requested_at=at(2026, 12, 8, 9, 0))
    assert waiting.answer_due_at is None
    # Asked Tuesday 09:00, answered by the sender Thursday 09:00: two working days added.
    done = deadlines.schedule(
        cal, **base, more_info_requested_at=at(2026, 12, 8, 9, 0), more_info_received_at=at(2026, 12, 10, 9, 0)
    )
    assert done.answer_due_at == at(2026, 12, 29, 16, 0)


def test_refused_has_no_answer_due(cal):
    plan = deadlines.schedule(
        cal, received_at=at(2026, 12, 4, 16, 0), decided_at=at(2026, 12, 7, 9, 0), decision=Decision.REFUSED
    )
    assert plan.answer_due_at is None


def test_new_year_make_up_saturday_and_tet(cal):
    # Wednesday 31/12/2025 10:00: 1/1 and 2/1/2026 off → Monday 5/1 (1), Tuesday 6/1 (2).
    assert deadlines.schedule(cal, received_at=at(2025, 12, 31, 10, 0)).decide_due_at == at(2026, 1, 6, 10, 0)
    # Friday 9/1/2026: Saturday 10/1 is worked in exchange for 2/1 → Saturday (1), Monday 12/1 (2).
    assert deadlines.schedule(cal, received_at=at(2026, 1, 9, 10, 0)).decide_due_at == at(2026, 1, 12, 10, 0)
    # Friday 13/2/2026: Tết from 16/2 to 20/2 → Monday 23/2 (1), Tuesday 24/2 (2).
    assert deadlines.schedule(cal, received_at=at(2026, 2, 13, 10, 0)).decide_due_at == at(2026, 2, 24, 10, 0)


def test_a_received_petition_carries_its_due_times(agency, cal):
    petition = receive(
        agency=agency,
        kind=Kind.QUESTION,
        channel=Channel.PORTAL,
        content="Xin hỏi thủ tục đăng ký khai sinh cần giấy tờ gì?",
        sender_email="nguoi.gui@example.vn",
        at=at(2026, 12, 4, 16, 0),
    )
    assert petition.decide_due_at == at(2026, 12, 8, 16, 0)
    assert petition.due_at == petition.decide_due_at
    assert petition.answer_due_at == at(2026, 12, 25, 16, 0)  # shown from receipt
