"""Satisfaction surveys (docs/satisfaction.md): tokens, ratings, follow-ups.

Writes (services) and reads (selectors) of issue 6 in one module; the figures are the report's
(``baocao.satisfaction``).

* **One rating per dossier.** A dossier can be rated once it is returned (status ``returned``),
  by any of three channels: the counter screen (``SurveyToken`` channel ``counter``, valid
  ``COUNTER_VALIDITY``), the link / QR code printed on the return slip and sent with the
  result-ready notification (channel ``link``, valid ``LINK_VALIDITY`` after the return), or a
  paper form a clerk records afterwards (channel ``paper``, ``recorded_by`` = the clerk). The
  database enforces the rule (``SatisfactionRating.dossier`` is one-to-one); a concurrent second
  insert is caught inside a savepoint and reported as ``AlreadyRated``.
* **A token works once.** Submitting through a token locks its row; a used, expired or unknown
  token, or a dossier not yet returned, raises ``SurveyError`` with a Vietnamese message.
* **Follow-up.** An unhappy level (``UNHAPPY_LEVELS``) or a negative comment (``is_negative_comment``)
  opens one ``FollowUp`` in the leader's worklist, in the same transaction as the rating.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from functools import partial

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from motcua.constants import Role
from motcua.lib.text import fold, normalise_spaces
from motcua.models import Agency, User

from .constants import (
    FIVE_LEVELS,
    THREE_LEVELS,
    UNHAPPY_LEVELS,
    Action,
    FollowUpStatus,
    SatisfactionLevel,
    Status,
    SurveyChannel,
)
from .lookup import forget as forget_public_view
from .models import Dossier, DossierEvent, FollowUp, SatisfactionRating, SurveyCriterion, SurveyToken
from .survey_links import (
    RATEABLE_LINK_STATUSES,
    effective_expiry,
    issue_token,
    new_token_string,
    survey_url,
)

COUNTER_VALIDITY = timedelta(minutes=30)
COMMENT_MAX_LENGTH = 2000
TOKEN_MAX_LENGTH = 64
PAPER_ROLES = (Role.CLERK, Role.LEADER)
OPEN_FOLLOW_UP_STATUSES = (FollowUpStatus.NEW, FollowUpStatus.CONTACTED)

# -- negative comments ------------------------------------------------------------------------
# The rule, kept simple and explainable to a leader. A comment is negative when one of these
# phrases occurs as whole words, unless a negation stands just before it, or before it with only
# filler words in between ("không phiền hà", "không có gì phiền hà", "chẳng phải chờ lâu" are
# praise; "không hiểu sao chậm trễ" is not; punctuation ends a clause). Phrases that already start
# with a negation ("không hài lòng") are matched as they are. Words — negations too — are compared
# with their diacritics when the citizen typed them ("kèm" is not "kém", "hệ" is not "hề"), and
# without when a word was typed with none at all ("kem" is "kém").
NEGATIVE_PHRASES: tuple[str, ...] = (
    "không hài lòng",
    "rất không hài lòng",
    "chưa hài lòng",
    "chậm trễ",
    "chậm trể",  # the common misspelling
    "chậm tiến độ",
    "trễ hẹn",
    "trể hẹn",
    "quá hạn",
    "sai hẹn",
    "phiền hà",
    "nhũng nhiễu",
    "hách dịch",
    "gây khó",
    "khó dễ",
    "cửa quyền",
    "tiêu cực",
    "bồi dưỡng",
    "tiền ngoài",
    "thái độ kém",
    "thái độ không tốt",
    "không nhiệt tình",
    "không tận tình",
    "không chu đáo",
    "thô lỗ",
    "cáu gắt",
    "thiếu tôn trọng",
    "bức xúc",
    "thất vọng",
    "tệ hại",
    "kém",
    "đi lại nhiều lần",
    "phải đi lại",
    "chờ đợi lâu",
    "chờ lâu",
)
NEGATIONS = ("không", "chẳng", "chả", "chưa", "hề", "ko", "k")
# Words that may stand between a negation and what it negates: "không có gì phiền hà",
# "chẳng phải chờ lâu", "không hề thấy nhũng nhiễu".
FILLERS = frozenset({"có", "gì", "phải", "bị", "thấy", "còn", "hề", "chút", "nào", "hơi", "quá", "lắm"})
_CLAUSES = re.compile(r"[^\w\s]+", re.UNICODE)


def _words(text: str) -> list[tuple[str, str]]:
    """(word as typed, lower case and composed; the same folded) for each word of a clause."""
    return [(word, fold(word)) for word in unicodedata.normalize("NFC", text.lower()).split()]


_PHRASES = [_words(phrase) for phrase in NEGATIVE_PHRASES]
_NEGATIONS = [_words(word)[0] for word in NEGATIONS]
_FILLERS = [_words(word)[0] for word in FILLERS]


def _same_word(typed: tuple[str, str], listed: tuple[str, str]) -> bool:
    word, folded = typed
    return word == listed[0] or (word == folded and folded == listed[1])


def _negated(words: list[tuple[str, str]], start: int) -> bool:
    """A negation right before ``words[start]``, or before it with only FILLERS in between."""
    i = start - 1
    while i >= 0 and not any(_same_word(words[i], n) for n in _NEGATIONS):
        if not any(_same_word(words[i], f) for f in _FILLERS):
            return False
        i -= 1
    return i >= 0


def is_negative_comment(comment: str) -> bool:
    """True when the comment holds a phrase of NEGATIVE_PHRASES not negated within its clause
    (a negation just before it, fillers aside).

    Examples: "Cán bộ thái độ kém" → True; "Không phải đi lại, không phiền hà" → False;
    "Gửi kèm mẫu tờ khai" → False; "thai do kem" → True; "" → False.
    """
    for clause in _CLAUSES.split(comment or ""):
        words = _words(clause)
        for phrase in _PHRASES:
            size = len(phrase)
            for start in range(len(words) - size + 1):
                if not all(_same_word(w, p) for w, p in zip(words[start : start + size], phrase, strict=True)):
                    continue
                if any(_same_word(phrase[0], n) for n in _NEGATIONS) or not _negated(words, start):
                    return True
    return False


# -- errors and token states ------------------------------------------------------------------
class SurveyError(Exception):
    """A refused survey action; the message is Vietnamese and shown to the user as it is."""


class AlreadyRated(SurveyError):
    """The dossier already has its rating (whatever the channel)."""

    def __init__(self, message: str = "Đánh giá của hồ sơ này đã được ghi nhận trước đó. Xin cảm ơn!") -> None:
        super().__init__(message)


class TokenState(StrEnum):
    VALID = "valid"
    UNKNOWN = "unknown"
    USED = "used"
    EXPIRED = "expired"
    NOT_RETURNED = "not_returned"
    RATED = "rated"


TOKEN_MESSAGES: dict[TokenState, str] = {
    TokenState.UNKNOWN: "Mã đánh giá không đúng. Xin kiểm tra lại đường dẫn hoặc mã QR trên phiếu trả kết quả.",
    TokenState.USED: "Đánh giá của hồ sơ này đã được ghi nhận trước đó. Xin cảm ơn!",
    TokenState.RATED: "Đánh giá của hồ sơ này đã được ghi nhận trước đó. Xin cảm ơn!",
    TokenState.EXPIRED: "Mã đánh giá đã hết hạn sử dụng.",
    TokenState.NOT_RETURNED: "Hồ sơ chưa được trả kết quả: xin đánh giá sau khi nhận kết quả.",
}


@dataclass(frozen=True)
class TokenCheck:
    """What a token allows now: its row (None when unknown), the dossier and the state."""

    token: SurveyToken | None
    state: TokenState

    @property
    def message(self) -> str:
        return TOKEN_MESSAGES.get(self.state, "")

    @property
    def valid(self) -> bool:
        return self.state is TokenState.VALID


def levels_for(agency: Agency) -> tuple[SatisfactionLevel, ...]:
    """The agency's scale: three levels by default, five when ``survey_scale`` is 5."""
    return FIVE_LEVELS if agency.survey_scale == 5 else THREE_LEVELS


def active_criteria(agency_id: int) -> list[SurveyCriterion]:
    """The optional questions the ward asks with the rating, in display order."""
    return list(SurveyCriterion.objects.filter(agency_id=agency_id, active=True).order_by("position", "id"))


def _state(token: SurveyToken, dossier: Dossier, now: datetime, *, rated: bool) -> TokenState:
    if token.used_at is not None:
        return TokenState.USED
    if rated:
        return TokenState.RATED
    if now > effective_expiry(token, dossier):
        return TokenState.EXPIRED
    if dossier.status != Status.RETURNED:
        return TokenState.NOT_RETURNED
    return TokenState.VALID


def check_token(token: str, *, now: datetime | None = None, channel: str | None = None) -> TokenCheck:
    """The state of a token string typed by anyone: never raises, unknown for any bad input.

    With `channel`, a token of another channel counts as unknown (a link token does not open the
    counter screen and the other way round).
    """
    now = now or timezone.now()
    if not token or len(token) > TOKEN_MAX_LENGTH:
        return TokenCheck(None, TokenState.UNKNOWN)
    row = SurveyToken.objects.select_related("dossier", "dossier__agency").filter(token=token).first()
    if row is None or (channel is not None and row.channel != channel):
        return TokenCheck(None, TokenState.UNKNOWN)
    rated = SatisfactionRating.objects.filter(dossier_id=row.dossier_id).exists()
    return TokenCheck(row, _state(row, row.dossier, now, rated=rated))


# -- tokens -----------------------------------------------------------------------------------
def _returned_by(dossier: Dossier) -> int | None:
    """The id of the clerk who handed the result over (the latest RETURN_RESULT event's actor)."""
    return (
        DossierEvent.objects.filter(dossier=dossier, action=Action.RETURN_RESULT)
        .order_by("-at", "-id")
        .values_list("actor_id", flat=True)
        .first()
    )


@transaction.atomic
def invite_at_counter(*, dossier_id: int, actor: User, now: datetime | None = None) -> SurveyToken:
    """Put `dossier` on the counter screen of `actor`, the clerk who returned it (channel counter).

    Reuses a live counter token of the dossier (a repeated click is harmless), otherwise creates one
    valid COUNTER_VALIDITY. Raises SurveyError when the actor is not a clerk of the dossier's ward,
    is not the clerk who returned it, the dossier is not returned, or it is already rated.
    """
    now = now or timezone.now()
    dossier = Dossier.objects.select_for_update().filter(pk=dossier_id).first()
    if dossier is None or not actor.is_active or actor.agency_id != dossier.agency_id:
        raise SurveyError("Không tìm thấy hồ sơ trong cơ quan của bạn.")
    if actor.role != Role.CLERK:
        raise SurveyError("Chỉ cán bộ một cửa mời công dân đánh giá tại quầy.")
    if dossier.status != Status.RETURNED:
        raise SurveyError(TOKEN_MESSAGES[TokenState.NOT_RETURNED])
    if SatisfactionRating.objects.filter(dossier=dossier).exists():
        raise AlreadyRated()
    if _returned_by(dossier) != actor.pk:
        raise SurveyError("Chỉ cán bộ đã trả kết quả hồ sơ này mời đánh giá tại quầy của mình.")
    live = (
        SurveyToken.objects.filter(
            dossier=dossier, channel=SurveyChannel.COUNTER, used_at__isnull=True, expires_at__gt=now
        )
        .order_by("-created_at")
        .first()
    )
    if live is not None:
        return live
    token = SurveyToken(
        dossier=dossier,
        token=new_token_string(),
        channel=SurveyChannel.COUNTER,
        created_at=now,
        expires_at=now + COUNTER_VALIDITY,
    )
    token.full_clean()
    token.save()
    return token


def pending_counter_token(*, clerk: User, now: datetime | None = None) -> SurveyToken | None:
    """The oldest live counter invitation for dossiers `clerk` returned (what the idle screen shows next)."""
    now = now or timezone.now()
    returned_by_clerk = DossierEvent.objects.filter(action=Action.RETURN_RESULT, actor=clerk).values("dossier_id")
    return (
        SurveyToken.objects.filter(
            channel=SurveyChannel.COUNTER,
            used_at__isnull=True,
            expires_at__gt=now,
            dossier__agency_id=clerk.agency_id,
            dossier__status=Status.RETURNED,
            dossier__rating__isnull=True,
            dossier_id__in=returned_by_clerk,
        )
        .order_by("created_at", "id")
        .first()
    )


@transaction.atomic
def decline_at_counter(*, token: str, actor: User, now: datetime | None = None) -> None:
    """The citizen declines to rate: the live counter token of `actor`'s ward ends now (idempotent)."""
    now = now or timezone.now()
    SurveyToken.objects.filter(
        token=token,
        channel=SurveyChannel.COUNTER,
        used_at__isnull=True,
        expires_at__gt=now,
        dossier__agency_id=actor.agency_id,
    ).update(expires_at=now)


def link_token_for(dossier: Dossier, *, now: datetime | None = None) -> SurveyToken:
    """The dossier's live link token, issued when missing (``survey_links.issue_token``).

    Raises SurveyError for a dossier without a result yet or past the 14 days after its return.
    """
    if dossier.status not in RATEABLE_LINK_STATUSES:
        raise SurveyError("Hồ sơ chưa có kết quả: chưa tạo được đường dẫn đánh giá.")
    token = issue_token(dossier, now=now)
    if token is None:
        raise SurveyError("Đã quá 14 ngày kể từ ngày trả kết quả: không còn nhận đánh giá qua đường dẫn.")
    return token


def survey_link_for(dossier: Dossier, *, now: datetime | None = None) -> str:
    """The absolute survey URL of the dossier's link token, issued when missing (tests).

    Raises SurveyError when the dossier has no result yet or the 14 days have passed. Pages and
    messages read the link with ``survey_links.survey_link`` instead, which never writes.
    """
    return survey_url(link_token_for(dossier, now=now).token)


# -- ratings ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Answer:
    """What the citizen chose: a level, optional criteria answers {criterion id: option}, a comment."""

    level: str
    answers: Mapping[str, str]
    comment: str = ""


def clean_answer(agency: Agency, answer: Answer) -> tuple[str, dict[str, str], str]:
    """Check the answer against the agency's scale and criteria; raise SurveyError otherwise."""
    levels = {str(level) for level in levels_for(agency)}
    if answer.level not in levels:
        raise SurveyError("Xin chọn một mức độ hài lòng trong danh sách.")
    criteria = {str(c.pk): c for c in active_criteria(agency.pk)}
    answers: dict[str, str] = {}
    for key, value in answer.answers.items():
        if value in ("", None):
            continue
        criterion = criteria.get(str(key))
        if criterion is None or str(value) not in [str(option) for option in criterion.options]:
            raise SurveyError("Câu trả lời cho tiêu chí đánh giá không hợp lệ.")
        answers[str(key)] = str(value)
    comment = (answer.comment or "").strip()
    if len(comment) > COMMENT_MAX_LENGTH:
        raise SurveyError(f"Ý kiến dài quá {COMMENT_MAX_LENGTH} ký tự.")
    return answer.level, answers, comment


def needs_follow_up(level: str, comment: str) -> bool:
    """An unhappy level, or a negative comment whatever the level."""
    return level in UNHAPPY_LEVELS or is_negative_comment(comment)


def _create_rating(
    dossier: Dossier, answer: Answer, *, channel: str, recorded_by: User | None, now: datetime
) -> SatisfactionRating:
    """Insert the rating (and its follow-up) inside a savepoint; AlreadyRated on a duplicate."""
    level, answers, comment = clean_answer(dossier.agency, answer)
    rating = SatisfactionRating(
        dossier=dossier,
        agency_id=dossier.agency_id,
        procedure_id=dossier.procedure_id,
        field_id=dossier.field_id,
        clerk_id=dossier.clerk_id,
        officer_id=dossier.officer_id,
        level=level,
        scale=dossier.agency.survey_scale,
        answers=answers,
        comment=comment,
        channel=channel,
        recorded_by=recorded_by,
        created_at=now,
    )
    rating.full_clean(exclude=["dossier", "agency", "procedure", "field", "clerk", "officer", "recorded_by"])
    try:
        with transaction.atomic():
            rating.save()
    except IntegrityError as exc:
        # The one-to-one constraint: another submit for this dossier won the race.
        if SatisfactionRating.objects.filter(dossier_id=dossier.pk).exists():
            raise AlreadyRated() from exc
        raise
    if needs_follow_up(level, comment):
        FollowUp.objects.create(rating=rating, agency_id=dossier.agency_id, created_at=now, updated_at=now)
    # The public status page offered the survey: once rated, it must stop offering it.
    transaction.on_commit(partial(forget_public_view, dossier.code, dossier.lookup_key))
    return rating


@transaction.atomic
def submit_by_token(
    *,
    token: str,
    answer: Answer,
    channel: str,
    dossier_id: int | None = None,
    now: datetime | None = None,
) -> SatisfactionRating:
    """Record the vote of a counter screen or a link, and mark the token used (once).

    `channel` must be the token's channel; with `dossier_id`, the token must belong to that
    dossier. Raises SurveyError (unknown, expired, not returned, wrong dossier or channel, bad
    answer) or AlreadyRated (used token, or a rating exists from any channel).
    """
    now = now or timezone.now()
    if not token or len(token) > TOKEN_MAX_LENGTH:
        raise SurveyError(TOKEN_MESSAGES[TokenState.UNKNOWN])
    row = SurveyToken.objects.select_for_update().filter(token=token, channel=channel).first()
    if row is None or (dossier_id is not None and row.dossier_id != dossier_id):
        raise SurveyError(TOKEN_MESSAGES[TokenState.UNKNOWN])
    dossier = Dossier.objects.select_related("agency").get(pk=row.dossier_id)
    rated = SatisfactionRating.objects.filter(dossier_id=dossier.pk).exists()
    state = _state(row, dossier, now, rated=rated)
    if state in (TokenState.USED, TokenState.RATED):
        raise AlreadyRated()
    if state is not TokenState.VALID:
        raise SurveyError(TOKEN_MESSAGES[state])
    rating = _create_rating(dossier, answer, channel=channel, recorded_by=None, now=now)
    row.used_at = now
    row.save(update_fields=["used_at"])
    return rating


@transaction.atomic
def record_paper(*, dossier_id: int, actor: User, answer: Answer, now: datetime | None = None) -> SatisfactionRating:
    """Record a paper survey form (channel paper, recorded_by = actor).

    Allowed to clerks and leaders of the dossier's ward (officers do not handle the desk's paper
    forms). Raises SurveyError (wrong ward or role, not returned, bad answer) or AlreadyRated.
    """
    now = now or timezone.now()
    dossier = Dossier.objects.select_related("agency").filter(pk=dossier_id).first()
    if dossier is None or not actor.is_active or actor.agency_id != dossier.agency_id:
        raise SurveyError("Không tìm thấy hồ sơ trong cơ quan của bạn.")
    if actor.role not in PAPER_ROLES:
        raise SurveyError("Chỉ cán bộ một cửa hoặc lãnh đạo nhập phiếu đánh giá giấy.")
    if dossier.status != Status.RETURNED:
        raise SurveyError(TOKEN_MESSAGES[TokenState.NOT_RETURNED])
    if SatisfactionRating.objects.filter(dossier_id=dossier.pk).exists():
        raise AlreadyRated()
    return _create_rating(dossier, answer, channel=SurveyChannel.PAPER, recorded_by=actor, now=now)


# -- follow-ups -------------------------------------------------------------------------------
def open_follow_ups(agency_id: int) -> QuerySet[FollowUp]:
    """The ward's follow-ups not yet resolved, new first then oldest first, with rating and dossier."""
    return (
        FollowUp.objects.filter(agency_id=agency_id, status__in=OPEN_FOLLOW_UP_STATUSES)
        .select_related("rating", "rating__dossier", "updated_by")
        .order_by("status", "created_at", "id")
    )


def follow_ups_for(agency_id: int, *, include_resolved: bool = False) -> QuerySet[FollowUp]:
    """The leader's list: open items, or every item of the ward with `include_resolved`."""
    if not include_resolved:
        return open_follow_ups(agency_id)
    return (
        FollowUp.objects.filter(agency_id=agency_id)
        .select_related("rating", "rating__dossier", "updated_by")
        .order_by("status", "-created_at", "-id")
    )


@transaction.atomic
def update_follow_up(
    *, follow_up_id: int, actor: User, status: str, note: str, now: datetime | None = None
) -> FollowUp:
    """The leader moves a follow-up to `status` and writes what was done (note appended, dated).

    Raises SurveyError unless actor is a leader of the follow-up's ward, status is a
    FollowUpStatus, and a note is given when resolving.
    """
    item = FollowUp.objects.select_for_update().filter(pk=follow_up_id).first()
    if item is None or not actor.is_active or actor.agency_id != item.agency_id:
        raise SurveyError("Không tìm thấy ý kiến cần xử lý trong cơ quan của bạn.")
    if actor.role != Role.LEADER:
        raise SurveyError("Chỉ lãnh đạo cập nhật việc xử lý ý kiến không hài lòng.")
    if status not in FollowUpStatus.values:
        raise SurveyError("Trạng thái xử lý không hợp lệ.")
    note = normalise_spaces(note)
    if status == FollowUpStatus.RESOLVED and not note and not item.note:
        raise SurveyError("Hãy ghi kết quả xử lý trước khi đánh dấu đã giải quyết.")
    now = now or timezone.now()
    if note:
        stamp = timezone.localtime(now).strftime("%d/%m/%Y %H:%M")
        line = f"{stamp} – {actor}: {note}"
        item.note = f"{item.note}\n{line}" if item.note else line
    item.status = status
    item.updated_by = actor
    item.updated_at = now
    item.save(update_fields=["status", "note", "updated_by", "updated_at"])
    return item
