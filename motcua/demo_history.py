"""The demo ward's recent past: a few hundred dossiers over the last months, made by the real services.

Every dossier is received, assigned, paused, extended, approved, returned, withdrawn, stopped and
rated through ``hoso.workflow`` and ``hoso.surveys`` with the historical instant passed as
``now=`` — the same code, checks, events and clock columns as a dossier handled at the desk, so
the board, worklists, tracking book, surveys and reports show figures at once and
``recompute_dossiers`` finds nothing to correct. The events are written inside
``recorded_silently()``: no message goes to the (fictitious) applicants, now or by the sweeper.

Deterministic: one seeded random generator draws every choice (the lookup keys alone stay truly
random: they guard real pages). Idempotent: a ward that already has dossiers gets none.

The mix follows a ward's year: chứng thực and hộ tịch dominate; most results are early or on
time, some late (a second supplement request, an apology with a new appointment, a slow
officer); a few are withdrawn or stopped; the newest are still in progress, a few overdue; about
half of the returned dossiers are rated, mostly satisfied, a few unhappy with a follow-up.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from hoso import surveys, workflow
from hoso import workcalendar as wc
from hoso.calendar_store import calendar_for
from hoso.constants import Delivery, FollowUpStatus, SatisfactionLevel, SurveyChannel
from hoso.events import recorded_silently
from hoso.limits import offer_limit
from hoso.models import Dossier
from motcua.constants import Role
from motcua.models import Agency, User
from thutuc.constants import Channel
from thutuc.models import AgencyProcedure

DEFAULT_COUNT = 360
HISTORY_DAYS = 150  # about five months back from now
SEED = 2026

# (procedure code, weight): the desk's everyday work. Certification and civil status dominate.
EVERYDAY = (
    ("2.000815", 30),  # chứng thực bản sao từ bản chính
    ("2.000884", 12),  # chứng thực chữ ký
    ("2.001035", 3),  # chứng thực giao dịch về động sản, quyền sử dụng đất
    ("2.000635", 6),  # bản sao trích lục hộ tịch
    ("1.001193", 12),  # đăng ký khai sinh
    ("1.000656", 4),  # đăng ký khai tử
    ("1.000894", 5),  # đăng ký kết hôn
    ("1.004873", 8),  # xác nhận tình trạng hôn nhân
    ("1.004859", 3),  # thay đổi, cải chính, bổ sung thông tin hộ tịch
    ("1.004837", 1),  # đăng ký giám hộ
)
OTHER_WEIGHT = 2.0  # each of a few procedures of other fields (land, construction, social protection…)
OTHER_COUNT = 8

# The staff the history needs besides the demo accounts (active, but without a usable password:
# nobody signs in as them). Officers by the fields they handle.
HISTORY_STAFF = (
    ("tuan-motcua", Role.CLERK, "Hoàng Minh Tuấn"),
    ("hong-tuphap", Role.OFFICER, "Đỗ Thị Hồng"),
    ("thang-diachinh", Role.OFFICER, "Vũ Đức Thắng"),
    ("ha-vhxh", Role.OFFICER, "Ngô Thanh Hà"),
)
JUSTICE_FIELDS = ("Chứng thực", "Hộ tịch")

FAMILY = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Huỳnh",
    "Phan",
    "Vũ",
    "Võ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Hồ",
    "Ngô",
    "Dương",
    "Lý",
    "Đinh",
    "Trịnh",
    "Mai",
    "Tạ",
]
MIDDLE_MALE = ["Văn", "Đức", "Minh", "Quang", "Hữu", "Thành", "Ngọc", "Xuân", "Công", "Trọng"]
MIDDLE_FEMALE = ["Thị", "Thu", "Ngọc", "Thanh", "Minh", "Hồng", "Phương", "Bảo", "Khánh", "Diệu"]
GIVEN_MALE = [
    "An",
    "Bình",
    "Cường",
    "Dũng",
    "Duy",
    "Hải",
    "Hiếu",
    "Hùng",
    "Huy",
    "Khánh",
    "Kiên",
    "Long",
    "Nam",
    "Phúc",
    "Quân",
    "Sơn",
    "Thắng",
    "Trung",
    "Tuấn",
    "Việt",
]
GIVEN_FEMALE = [
    "Anh",
    "Chi",
    "Dung",
    "Giang",
    "Hà",
    "Hạnh",
    "Hoa",
    "Hương",
    "Lan",
    "Linh",
    "Mai",
    "Nga",
    "Ngân",
    "Nhung",
    "Phương",
    "Tâm",
    "Thảo",
    "Trang",
    "Vy",
    "Yến",
]
STREETS = (
    "Hàng Bạc",
    "Hàng Đào",
    "Hàng Gai",
    "Hàng Bài",
    "Lý Thái Tổ",
    "Đinh Tiên Hoàng",
    "Tràng Tiền",
    "Hàng Bông",
    "Lò Sũ",
    "Mã Mây",
)

SUPPLEMENT_NOTES = (
    "Bổ sung bản chính giấy tờ tùy thân để đối chiếu.",
    "Tờ khai thiếu chữ ký của người yêu cầu; đề nghị ký bổ sung.",
    "Bổ sung văn bản ủy quyền có chứng thực của người nộp thay.",
    "Thông tin trên tờ khai chưa khớp với giấy tờ gốc; đề nghị khai lại.",
)
EXTENSION_REASONS = (
    "Cần xác minh thông tin với cơ quan nơi đăng ký trước đây; chưa nhận được văn bản trả lời.",
    "Hồ sơ phải lấy ý kiến phòng chuyên môn, thời gian trao đổi kéo dài hơn dự kiến.",
)
SEND_BACK_NOTES = ("Đề nghị kiểm tra lại họ tên và ngày sinh trên dự thảo kết quả.",)
HAPPY_COMMENTS = ("", "", "", "Cán bộ hướng dẫn tận tình, chu đáo.", "Giải quyết nhanh, đúng hẹn.", "Thủ tục gọn.")
UNHAPPY_COMMENTS = (
    "Phải đi lại nhiều lần mới nhận được kết quả.",
    "Trả kết quả chậm so với giấy hẹn.",
    "Hướng dẫn chưa rõ ràng, phải bổ sung giấy tờ hai lần.",
)
FOLLOW_UP_NOTES = (
    "Đã gọi điện cho công dân, xin lỗi và giải thích lý do chậm.",
    "Đã nhắc nhở công chức xử lý; công dân đồng ý với cách giải quyết.",
)


@dataclass
class History:
    """What the history wrote, for the command's message and the tests."""

    dossiers: int = 0
    ratings: int = 0
    follow_ups: int = 0
    skipped: bool = False


@dataclass(frozen=True)
class _Staff:
    clerks: list[User]
    leader: User
    justice: list[User]  # officers of chứng thực and hộ tịch
    others: list[User]


def _staff(agency: Agency) -> _Staff:
    users = {u.username: u for u in User.objects.filter(agency=agency, is_active=True)}
    for username, role, full_name in HISTORY_STAFF:
        if username not in users:
            first, _, last = full_name.rpartition(" ")
            user = User(username=username, agency=agency, role=role, last_name=first, first_name=last)
            user.set_unusable_password()
            user.full_clean()
            user.save()
            users[username] = user
    by_role: dict[str, list[User]] = {}
    for user in sorted(users.values(), key=lambda u: u.username):
        by_role.setdefault(user.role, []).append(user)
    officers = by_role[Role.OFFICER]
    justice = [u for u in officers if u.username in ("congchuc", "hong-tuphap")] or officers
    others = [u for u in officers if u not in justice] or officers
    return _Staff(clerks=by_role[Role.CLERK], leader=by_role[Role.LEADER][0], justice=justice, others=others)


def _procedures(agency: Agency) -> list[tuple[AgencyProcedure, float]]:
    """The ward's offers to draw from, with weights; only procedures with a computed limit."""
    offers = {
        o.procedure.code: o
        for o in AgencyProcedure.objects.filter(agency=agency, active=True, procedure__active=True)
        .select_related("procedure__field")
        .prefetch_related("procedure__documents")  # each receipt lists them: one query, not one a dossier
    }

    def computable(offer: AgencyProcedure) -> bool:
        return offer_limit(offer.procedure, offer, Channel.COUNTER) is not None

    chosen = [(offers[code], float(weight)) for code, weight in EVERYDAY if code in offers and computable(offers[code])]
    others = sorted(
        (
            o
            for o in offers.values()
            if o.procedure.field.name not in JUSTICE_FIELDS
            and computable(o)
            and 2 <= (o.procedure.time_limit_value or 0) <= 20
        ),
        key=lambda o: o.procedure.code,
    )
    chosen += [(o, OTHER_WEIGHT) for o in others[:OTHER_COUNT]]
    return chosen


def _receipt_instants(rng: random.Random, calendar: wc.WorkCalendar, now: datetime, count: int) -> list[datetime]:
    """`count` instants inside the ward's sessions over the last HISTORY_DAYS, busier on Mondays."""
    today = timezone.localtime(now).date()
    days = [today - timedelta(days=n) for n in range(HISTORY_DAYS, -1, -1)]
    # Mondays are busier; the last two weeks weigh more, so the worklists have today's work.
    weights = {
        d: (1.4 if d.weekday() == 0 else 1.0) * (2.5 if (today - d).days < 14 else 1.0)
        for d in days
        if calendar.is_working_day(d)
    }
    picked = rng.choices(list(weights), weights=list(weights.values()), k=count * 2)
    instants: list[datetime] = []
    for day in picked:
        sessions = calendar.sessions_on(day)
        start, end = rng.choice(sessions)
        span = (datetime.combine(day, end) - datetime.combine(day, start)).seconds
        moment = datetime.combine(day, start, tzinfo=calendar.tz) + timedelta(seconds=rng.randrange(0, span - 300))
        if moment < now - timedelta(minutes=20):
            instants.append(moment.replace(second=0))
        if len(instants) == count:
            break
    return sorted(instants)


def _person(rng: random.Random) -> tuple[str, str, str, str]:
    """A fictitious applicant: name, CCCD, mobile phone, address."""
    female = rng.random() < 0.5
    name = " ".join(
        (
            rng.choice(FAMILY),
            rng.choice(MIDDLE_FEMALE if female else MIDDLE_MALE),
            rng.choice(GIVEN_FEMALE if female else GIVEN_MALE),
        )
    )
    year = rng.randrange(1950, 2006)
    century = (0 if year < 2000 else 2) + (1 if female else 0)
    id_number = f"001{century}{year % 100:02d}{rng.randrange(10**6):06d}"
    phone = rng.choice(("09", "03", "08", "07")) + f"{rng.randrange(10**8):08d}"
    address = f"Số {rng.randrange(1, 120)} phố {rng.choice(STREETS)}, phường Hoàn Kiếm, Thành phố Hà Nội"
    return name, id_number, phone, address


class _Walk:
    """One dossier's life, step by step, each at a later instant, stopping at the present."""

    def __init__(self, dossier: Dossier, now: datetime, calendar: wc.WorkCalendar, rng: random.Random) -> None:
        self.dossier, self.now, self.calendar, self.rng = dossier, now, calendar, rng
        self.at = dossier.received_at

    def later(self, hours: float, *, before_due: bool = False) -> datetime:
        """`hours` of working time after the last step, on the minute (at least a minute later).

        With `before_due`, at most 40% of the working time left before the due time (a clerk
        or officer who acts promptly), so a prompt step never makes the dossier late by itself.
        """
        if before_due:
            hours = min(hours, max(self.hours_until(self.dossier.due_at), 0) * 0.4)
        moment = wc.add_working_time(self.calendar, self.at, timedelta(hours=hours))
        return _minute(max(moment, self.at + timedelta(minutes=1)))

    def between(self, until: datetime, low: float, high: float) -> datetime:
        """An instant part-way (`low`–`high`) from the last step to `until`, on the minute."""
        window = wc.working_time_between(self.calendar, self.at, until) * self.rng.uniform(low, high)
        return _minute(wc.add_working_time(self.calendar, self.at, window))

    def step(self, moment: datetime, action: Callable[..., Dossier], **kwargs: object) -> bool:
        """Do `action` at `moment` if that is past; False (and nothing done) when it is still to come."""
        moment = max(moment, _minute(self.at) + timedelta(minutes=1))
        if moment >= self.now:
            return False
        self.dossier = action(dossier_id=self.dossier.pk, now=moment, **kwargs)
        self.at = moment
        return True

    def hours_until(self, moment: datetime) -> float:
        return wc.working_time_between(self.calendar, self.at, moment).total_seconds() / 3600

    def finish_target(self, outcome: str) -> datetime:
        """When the result is ready for the outcome drawn, judged against the current due time."""
        due = self.dossier.due_at
        due_day = datetime.combine(timezone.localtime(due).date(), time.min, tzinfo=self.calendar.tz)
        if outcome == "early" and self.hours_until(due_day) > 0.5:
            return self.later(self.hours_until(due_day) * self.rng.uniform(0.3, 0.95))
        if outcome in ("early", "on_time") and self.at < due:
            start = max(self.at, due_day)
            window = wc.working_time_between(self.calendar, start, due)
            return _minute(wc.add_working_time(self.calendar, start, window * self.rng.uniform(0.3, 0.95)))
        return _minute(wc.add_working_time(self.calendar, max(due, self.at), timedelta(hours=self.rng.uniform(1, 20))))


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def _draw_outcome(rng: random.Random, overdue_possible: bool) -> str:
    outcomes = {
        "early": 30,
        "on_time": 33,
        "late": 2,
        "supplement": 9,
        "two_supplements": 1,
        "extend": 3,
        "withdraw": 3,
        "stop": 1.5,
        "stalled": 3 if overdue_possible else 0,
    }
    return rng.choices(list(outcomes), weights=list(outcomes.values()))[0]


def _live(walk: _Walk, staff: _Staff, outcome: str, history: History) -> None:
    """Walk one received dossier through its drawn life, as far as the present allows."""
    rng, dossier = walk.rng, walk.dossier
    clerk = dossier.clerk
    team = staff.justice if dossier.field.name in JUSTICE_FIELDS else staff.others
    officer = rng.choice(team)
    if not walk.step(walk.later(rng.uniform(0.1, 1.5), before_due=True), workflow.assign, actor=clerk, officer=officer):
        return
    if outcome == "stalled":
        return  # the officer has not acted yet: in progress, overdue once the due time passes
    if outcome == "withdraw":
        walk.step(walk.later(rng.uniform(1, 12)), workflow.withdraw, actor=clerk, note="Công dân có đơn xin rút hồ sơ.")
        return
    supplements = {"supplement": 1, "two_supplements": 2, "stop": 1}.get(outcome, 0)
    for _ in range(supplements):
        note = rng.choice(SUPPLEMENT_NOTES)
        asked = walk.later(rng.uniform(0.5, 4), before_due=True)
        if not walk.step(asked, workflow.request_supplement, actor=officer, missing=note):
            return
        if outcome == "stop":
            walk.step(
                walk.later(rng.uniform(16, 40)),
                workflow.stop,
                actor=staff.leader,
                reason="Người yêu cầu không bổ sung giấy tờ theo phiếu yêu cầu bổ sung; dừng giải quyết hồ sơ.",
            )
            return
        if not walk.step(walk.later(rng.uniform(3, 30)), workflow.complete_supplement, actor=clerk):
            return
    if outcome == "extend":
        shown = walk.dossier.shown_due_at
        issued = _minute(min(walk.later(0.5), shown - timedelta(minutes=30)))
        new_due = wc.add_working_days(walk.calendar, shown, rng.randint(2, 5))
        if issued > walk.at and walk.step(
            issued, workflow.extend, actor=officer, new_due_at=new_due, reason=rng.choice(EXTENSION_REASONS)
        ):
            window = wc.working_time_between(walk.calendar, walk.dossier.due_at, new_due)
            ready = _minute(wc.add_working_time(walk.calendar, walk.dossier.due_at, window * rng.uniform(0.2, 0.9)))
        else:
            ready = walk.finish_target("late")
    else:
        ready = walk.finish_target({"supplement": "on_time", "two_supplements": "on_time"}.get(outcome, outcome))
        if outcome == "supplement" and rng.random() < 0.5:
            ready = walk.finish_target("early")
    ready = max(ready, _minute(walk.at) + timedelta(minutes=4))
    if rng.random() < 0.75:  # signed by the leader
        if not walk.step(walk.between(ready, 0.5, 0.8), workflow.submit_for_approval, actor=officer):
            return
        if rng.random() < 0.08:
            if not walk.step(
                walk.between(ready, 0.2, 0.4), workflow.send_back, actor=staff.leader, note=SEND_BACK_NOTES[0]
            ):
                return
            if not walk.step(walk.between(ready, 0.3, 0.6), workflow.submit_for_approval, actor=officer):
                return
        if not walk.step(ready, workflow.approve, actor=staff.leader):
            return
    elif not walk.step(ready, workflow.mark_result_ready, actor=officer):
        return
    returned_at = walk.later(rng.uniform(0.3, 20) if rng.random() < 0.85 else rng.uniform(20, 80))
    post = walk.dossier.delivery == Delivery.POST
    if not walk.step(
        returned_at,
        workflow.return_result,
        actor=clerk,
        collector="" if post else walk.dossier.applicant_name,
        tracking_number=f"EV{rng.randrange(10**8):08d}VN" if post else "",
    ):
        return
    _rate(walk, staff, history)


def _rate(walk: _Walk, staff: _Staff, history: History) -> None:
    """About half the returned dossiers are rated, mostly satisfied; a late one is more often unhappy."""
    rng, dossier = walk.rng, walk.dossier
    if rng.random() > 0.55:
        return
    # A late result upsets some; beyond that, one answer in thirty is unhappy whatever the dates.
    unhappy = (dossier.timeliness == "late" and rng.random() < 0.3) or history.ratings % 30 == 12
    if unhappy:
        answer = surveys.Answer(SatisfactionLevel.DISSATISFIED, {}, rng.choice(UNHAPPY_COMMENTS))
    else:
        level = SatisfactionLevel.VERY_SATISFIED if rng.random() < 0.62 else SatisfactionLevel.SATISFIED
        answer = surveys.Answer(level, {}, rng.choice(HAPPY_COMMENTS))
    way = rng.choices(("counter", "link", "paper"), weights=(5, 3, 2))[0]
    moment = walk.at + timedelta(minutes=rng.randrange(1, 4))
    if way == "link":
        moment = _minute(walk.at + timedelta(hours=rng.uniform(1, 72)))
    if moment >= walk.now:
        return
    clerk = dossier.clerk
    if way == "counter":
        token = surveys.invite_at_counter(dossier_id=dossier.pk, actor=clerk, now=walk.at)
        rating = surveys.submit_by_token(
            token=token.token, answer=answer, channel=SurveyChannel.COUNTER, dossier_id=dossier.pk, now=moment
        )
    elif way == "link":
        token = surveys.link_token_for(dossier, now=walk.at)
        rating = surveys.submit_by_token(token=token.token, answer=answer, channel=SurveyChannel.LINK, now=moment)
    else:
        rating = surveys.record_paper(dossier_id=dossier.pk, actor=clerk, answer=answer, now=moment)
    history.ratings += 1
    follow_up = getattr(rating, "follow_up", None)
    if follow_up is None:
        return
    history.follow_ups += 1
    # The leader calls back: older complaints are resolved, a recent one waits on the board.
    age = walk.now - moment
    if age > timedelta(days=30):
        steps = [(FollowUpStatus.CONTACTED, ""), (FollowUpStatus.RESOLVED, rng.choice(FOLLOW_UP_NOTES))]
    elif age > timedelta(days=7):
        steps = [(FollowUpStatus.CONTACTED, "Đã liên hệ công dân, hẹn trao đổi trực tiếp.")]
    else:
        steps = []
    for i, (status, note) in enumerate(steps, start=1):
        surveys.update_follow_up(
            follow_up_id=follow_up.pk,
            actor=staff.leader,
            status=status,
            note=note,
            now=moment + timedelta(days=i),
        )


def load_history(
    agency: Agency,
    *,
    count: int = DEFAULT_COUNT,
    now: datetime | None = None,
    seed: int = SEED,
    progress: Callable[[int, int], None] | None = None,
) -> History:
    """Write `count` dossiers received over the last HISTORY_DAYS days for `agency` (see the module).

    Does nothing when the ward already has dossiers. `progress(done, count)` is called before the
    first dossier (done = 0), every 50 and after the last.
    """
    now = now or timezone.now()
    history = History()
    if Dossier.objects.filter(agency=agency).exists():
        history.skipped = True
        return history
    rng = random.Random(seed)  # noqa: S311 — reproducible demo data, not a secret
    calendar = calendar_for(agency.pk)
    staff = _staff(agency)
    offers = _procedures(agency)
    receipts = _receipt_instants(rng, calendar, now, count)
    if progress:
        progress(0, len(receipts))
    with transaction.atomic(), recorded_silently():
        for done, received in enumerate(receipts, start=1):
            offer, _ = rng.choices(offers, weights=[w for _, w in offers])[0]
            dossier = _receive(rng, agency, offer, staff, received)
            walk = _Walk(dossier, now, calendar, rng)
            overdue_possible = dossier.due_at < now - timedelta(hours=4) and now - received < timedelta(days=30)
            _live(walk, staff, _draw_outcome(rng, overdue_possible), history)
            history.dossiers += 1
            if progress and (done % 50 == 0 or done == len(receipts)):
                progress(done, len(receipts))
    return history


def _receive(rng: random.Random, agency: Agency, offer: AgencyProcedure, staff: _Staff, received: datetime) -> Dossier:
    procedure = offer.procedure
    channels = procedure.accepted_channels or [Channel.COUNTER]
    channel = Channel.COUNTER
    if Channel.ONLINE in channels and rng.random() < 0.45:
        channel = Channel.ONLINE
    elif Channel.POST in channels and rng.random() < 0.04:
        channel = Channel.POST
    name, id_number, phone, address = _person(rng)
    post = rng.random() < 0.05
    intake = workflow.Intake(
        procedure=procedure,
        offer=offer,
        applicant_name=name,
        applicant_id_number=id_number,
        applicant_phone=phone,
        applicant_address=address,
        channel=int(channel),
        delivery=Delivery.POST if post else Delivery.DESK,
        delivery_address=address if post else "",
        fee_amount=procedure.fee_for(channel) or 0,
        documents=[(d.pk, d.name, d.form, d.quantity) for d in procedure.documents.all()],
        token=uuid.UUID(int=rng.getrandbits(128), version=4),
    )
    clerk = staff.clerks[0] if rng.random() < 0.6 else staff.clerks[-1]
    return workflow.receive(agency=agency, actor=clerk, intake=intake, now=received)
