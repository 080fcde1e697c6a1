"""The dossier clock: due time in force, pauses, extensions, timeliness, from the events. Pure.

No ORM, no settings, no clock: callers pass the calendar, the base due time and the events in.
``compute_clock`` is the one function that turns a dossier's events into every clock column
(docs/due-dates.md, docs/timeliness.md); the workflow, the import, ``recompute_dossiers``, the
test builders and the benchmarks all call it. ``apply_events`` replays only the pauses and
extensions (with the Vietnamese explanation); ``classify`` judges timeliness.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, Protocol

from .calendar_words import when
from .constants import Action
from .transitions import target_status
from .workcalendar import (
    WorkCalendar,
    _check_count,
    _local,
    add_working_time,
    working_time_between,
)

__all__ = [
    "ClockState",
    "DossierClock",
    "Extend",
    "Pause",
    "Resume",
    "Timeliness",
    "apply_events",
    "classify",
    "clock_events",
    "compute_clock",
    "late_by_rule",
]


@dataclass(frozen=True)
class Pause:
    """The clock stops: a supplement was requested at ``at``."""

    at: datetime


@dataclass(frozen=True)
class Resume:
    """The clock restarts: the complete supplement arrived at ``at``."""

    at: datetime


@dataclass(frozen=True)
class Extend:
    """Apology with a new appointment issued at ``at`` (form 04)."""

    at: datetime
    new_due: datetime


@dataclass(frozen=True)
class ClockState:
    """The dossier clock after its events.

    ``due_at`` is the original due date moved by the pauses: statistics judge by it.
    ``shown_due_at`` is what the citizen is told: the last extension's ``new_due`` (moved by the
    pauses after that extension), or ``due_at`` when there was no extension.
    """

    due_at: datetime
    shown_due_at: datetime
    paused: bool
    supplement_requests: int
    extensions: int
    steps: tuple[str, ...]


class Timeliness(StrEnum):
    """How a dossier stands against its due date (docs/timeliness.md)."""

    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"
    WITHIN = "within_deadline"
    OVERDUE = "overdue"


class _Replay:
    """The clock replayed one event at a time: ``apply_events`` and ``compute_clock`` share it."""

    def __init__(self, cal: WorkCalendar, base_due: datetime, *, explain: bool = True) -> None:
        self.cal = cal
        self.due = _local(cal, base_due, "Hạn")
        self.shown: datetime | None = None
        self.extended_at: datetime | None = None
        self.paused_since: datetime | None = None
        self.requests = 0
        self.extensions = 0
        self.explain = explain
        self.steps: list[str] = [f"Hạn ban đầu: {when(self.due)}."] if explain else []
        self.last: datetime | None = None

    def _shift(self, since: datetime, until: datetime, *, open_pause: bool) -> None:
        cal = self.cal
        waited = working_time_between(cal, since, until)
        if waited > timedelta(0):
            self.due = add_working_time(cal, self.due, waited)
        if self.shown is not None and self.extended_at is not None:
            shown_waited = working_time_between(cal, max(since, self.extended_at), until)
            if shown_waited > timedelta(0):
                self.shown = add_working_time(cal, self.shown, shown_waited)
        if self.explain:
            lead = (
                f"Đang chờ bổ sung, tính đến {when(until)}"
                if open_pause
                else (f"Nhận đủ hồ sơ bổ sung lúc {when(until)}")
            )
            self.steps.append(f"{lead}: dừng {_duration(waited)} làm việc, hạn dời đến {when(self.due)}.")

    def step(self, ev: Pause | Resume | Extend) -> None:
        ev_at = _local(self.cal, ev.at, "Thời điểm sự kiện")
        if self.last is not None and ev_at < self.last:
            raise ValueError("Các sự kiện phải theo thứ tự thời gian.")
        self.last = ev_at
        if isinstance(ev, Pause):
            if self.paused_since is not None:
                raise ValueError("Hồ sơ đang chờ bổ sung: không thể yêu cầu bổ sung thêm lần nữa.")
            self.paused_since = ev_at
            self.requests += 1
            if self.explain:
                self.steps.append(f"Yêu cầu bổ sung lần {self.requests} lúc {when(ev_at)}: tạm dừng tính thời gian.")
        elif isinstance(ev, Resume):
            if self.paused_since is None:
                raise ValueError("Nhận hồ sơ bổ sung khi chưa có yêu cầu bổ sung.")
            self._shift(self.paused_since, ev_at, open_pause=False)
            self.paused_since = None
        elif isinstance(ev, Extend):
            self.shown = _local(self.cal, ev.new_due, "Hạn mới")
            self.extended_at = ev_at
            self.extensions += 1
            if self.explain:
                self.steps.append(f"Xin lỗi và hẹn lại lúc {when(ev_at)}: hạn mới {when(self.shown)}.")
        else:
            raise ValueError(f"Sự kiện không hợp lệ: {ev!r}.")

    def close(self, at: datetime | None) -> ClockState:
        if self.paused_since is not None:
            if at is not None:
                now = _local(self.cal, at)
                if self.last is not None and now < self.last:
                    raise ValueError("Thời điểm xem trạng thái không được trước sự kiện cuối cùng.")
                self._shift(self.paused_since, now, open_pause=True)
            elif self.explain:
                self.steps.append("Đang chờ bổ sung: hạn chưa tính thêm thời gian chờ.")
        return ClockState(
            due_at=self.due,
            shown_due_at=self.shown if self.shown is not None else self.due,
            paused=self.paused_since is not None,
            supplement_requests=self.requests,
            extensions=self.extensions,
            steps=tuple(self.steps),
        )


def apply_events(
    cal: WorkCalendar,
    base_due: datetime,
    events: Sequence[Pause | Resume | Extend],
    *,
    at: datetime | None = None,
) -> ClockState:
    """Replay the clock events of a dossier over its base due date.

    Events must be in time order (equal instants allowed); a ``Resume`` needs an open ``Pause``
    and a ``Pause`` may not start while one is open. Each completed pause moves ``due_at`` — and
    ``shown_due_at`` by the part of the pause after the extension — forward by the working time
    waited (``add_working_time``). An open pause is closed at ``at`` when given (the clock is
    stopped, so the deadline keeps sliding; ``at`` may not precede the last event); without
    ``at`` the due dates stay as they were when the pause began.
    """
    replay = _Replay(cal, base_due)
    for ev in events:
        replay.step(ev)
    return replay.close(at)


def _duration(td: timedelta) -> str:
    minutes = td // timedelta(minutes=1)
    hours, minutes = divmod(minutes, 60)
    if hours and minutes:
        return f"{hours} giờ {minutes} phút"
    return f"{hours} giờ" if hours else f"{minutes} phút"


def late_by_rule(*, supplement_requests: int, extensions: int) -> bool:
    """Late whatever the dates say: an apology with a new appointment was issued, or supplements
    were requested more than once (docs/timeliness.md §1). Shared by ``classify`` and the wording
    of slips (``hoso.result_timing``)."""
    return supplement_requests > 1 or extensions > 0


def classify(
    cal: WorkCalendar,
    due_at: datetime,
    *,
    finished_at: datetime | None = None,
    at: datetime | None = None,
    supplement_requests: int = 0,
    extensions: int = 0,
) -> Timeliness:
    """Timeliness against the pause-adjusted original due (never an extension's new date).

    Finished (``finished_at`` given; ``at`` is then ignored): LATE if more than one supplement
    request, if an apology and new appointment was issued (``extensions`` > 0: docs/timeliness.md §1,
    "the dossier still counts as late in statistics"), or if finished after ``due_at``; EARLY if
    finished on a local date before the due date; otherwise ON_TIME. Unfinished: WITHIN if
    ``at <= due_at`` else OVERDUE (``at`` required) — an extension never moves that due time.
    """
    _check_count(supplement_requests, "Số lần yêu cầu bổ sung")
    _check_count(extensions, "Số lần gia hạn")
    due = _local(cal, due_at, "Hạn")
    if finished_at is not None:
        fin = _local(cal, finished_at, "Thời điểm xử lý xong")
        if late_by_rule(supplement_requests=supplement_requests, extensions=extensions) or fin > due:
            return Timeliness.LATE
        return Timeliness.EARLY if fin.date() < due.date() else Timeliness.ON_TIME
    if at is None:
        raise ValueError("Cần thời điểm xét (at) cho hồ sơ chưa xử lý xong.")
    return Timeliness.WITHIN if _local(cal, at) <= due else Timeliness.OVERDUE


# -- every clock column of a dossier ------------------------------------------------------------
class _EventLike(Protocol):
    action: Any
    at: datetime
    data: Any


# An event: a DossierEvent (or anything with action, at, data) or a plain (action, at, data) tuple.
ClockEventInput = _EventLike | tuple[str, datetime, Mapping[str, Any]]

_FINISH = frozenset({Action.APPROVE, Action.MARK_RESULT_READY})
_DATE_COLUMNS = {Action.RETURN_RESULT: "returned_at", Action.WITHDRAW: "withdrawn_at", Action.STOP: "stopped_at"}


@dataclass(frozen=True)
class DossierClock:
    """Every clock column of a dossier after its events, and the due time and status after each event.

    The column names are the ``Dossier`` fields (``CLOCK_COLUMNS``); ``event_due_at`` and
    ``event_status`` are aligned with the events given.
    """

    status: str
    base_due_at: datetime
    due_at: datetime
    shown_due_at: datetime
    paused_at: datetime | None
    supplement_requests: int
    extensions: int
    result_ready_at: datetime | None
    timeliness: str
    resolution_seconds: int | None
    returned_at: datetime | None
    withdrawn_at: datetime | None
    stopped_at: datetime | None
    event_due_at: tuple[datetime, ...]
    event_status: tuple[str, ...]

    def columns(self) -> dict[str, Any]:
        """The clock columns by field name."""
        return {name: getattr(self, name) for name in CLOCK_COLUMNS}


CLOCK_COLUMNS = (
    "status",
    "base_due_at",
    "due_at",
    "shown_due_at",
    "paused_at",
    "supplement_requests",
    "extensions",
    "result_ready_at",
    "timeliness",
    "resolution_seconds",
    "returned_at",
    "withdrawn_at",
    "stopped_at",
)


def _plain(event: ClockEventInput) -> tuple[str, datetime, Mapping[str, Any]]:
    if isinstance(event, tuple):
        return event
    return event.action, event.at, event.data


def clock_events(events: Iterable[ClockEventInput]) -> list[Pause | Resume | Extend]:
    """The pauses, resumptions and extensions among a dossier's events."""
    result: list[Pause | Resume | Extend] = []
    for event in events:
        action, at, data = _plain(event)
        if action == Action.REQUEST_SUPPLEMENT:
            result.append(Pause(at=at))
        elif action == Action.COMPLETE_SUPPLEMENT:
            result.append(Resume(at=at))
        elif action == Action.EXTEND:
            result.append(Extend(at=at, new_due=datetime.fromisoformat(data["new_due_at"])))
    return result


def compute_clock(
    cal: WorkCalendar,
    *,
    received_at: datetime,
    base_due: datetime,
    events: Iterable[ClockEventInput],
    status: str = "",
) -> DossierClock:
    """Every clock column of a dossier from its base due time and its events, in time order.

    The due time in force (``due_at``) is the base moved by the completed pauses; ``shown_due_at``
    the last extension's date moved likewise; at each result ready (approve or mark ready) the
    timeliness is judged against the due time then in force and the resolution time is the working
    time since receipt less the waits (QĐ 766 2.2). ``status`` is the status before the first event
    ("" when the events start with the intake).
    """
    replay = _Replay(cal, base_due, explain=False)
    received = received_at
    event_due: list[datetime] = []
    event_status: list[str] = []
    last_pause: datetime | None = None
    paused_total = timedelta(0)
    result_ready_at: datetime | None = None
    timeliness = ""
    resolution: int | None = None
    dates: dict[str, datetime | None] = {"returned_at": None, "withdrawn_at": None, "stopped_at": None}
    for event in events:
        action, at, data = _plain(event)
        if action == Action.REQUEST_SUPPLEMENT:
            replay.step(Pause(at=at))
            last_pause = at
        elif action == Action.COMPLETE_SUPPLEMENT:
            since = replay.paused_since
            replay.step(Resume(at=at))
            if since is not None:
                paused_total += working_time_between(cal, since, at)
        elif action == Action.EXTEND:
            replay.step(Extend(at=at, new_due=datetime.fromisoformat(data["new_due_at"])))
        elif action in _FINISH:
            result_ready_at = at
            timeliness = classify(
                cal,
                replay.due,
                finished_at=at,
                supplement_requests=replay.requests,
                extensions=replay.extensions,
            ).value
            total = working_time_between(cal, received, at) - paused_total
            resolution = max(0, int(total.total_seconds()))
        elif action in _DATE_COLUMNS:
            dates[_DATE_COLUMNS[action]] = at  # type: ignore[index]
        status = target_status(action, status)
        event_due.append(replay.due)
        event_status.append(status)
    state = replay.close(None)
    return DossierClock(
        status=status,
        base_due_at=base_due,
        due_at=state.due_at,
        shown_due_at=state.shown_due_at,
        paused_at=last_pause if state.paused else None,
        supplement_requests=state.supplement_requests,
        extensions=state.extensions,
        result_ready_at=result_ready_at,
        timeliness=timeliness,
        resolution_seconds=resolution,
        returned_at=dates["returned_at"],
        withdrawn_at=dates["withdrawn_at"],
        stopped_at=dates["stopped_at"],
        event_due_at=tuple(event_due),
        event_status=tuple(event_status),
    )
