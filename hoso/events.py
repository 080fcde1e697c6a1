"""What runs after the workflow writes a dossier event, and the switch for history recorded silently.

The workflow (``hoso.workflow``) calls ``event_written(event)`` inside its transaction, right after
saving the event; each callback registered with ``on_event`` runs then, in registration order, in
the same transaction (a callback that defers work past the commit uses ``transaction.on_commit``).
The notifications register theirs in ``HosoConfig.ready`` (``hoso.tasks.notify_after_commit``), so
the workflow needs to know nothing of them.

Another app may also write rows *with* a new dossier (``on_new_dossier``): the fees app's request
of a counter receipt, the national link's outbox row. The workflow asks for them before the dossier
is saved and ``hoso.creation.save_new`` writes them with it, in the same statement on PostgreSQL.
A receipt is then that one statement and nothing more (no BEGIN, no COMMIT of its own): its
after-event callbacks run once it is committed and may not write (``writes_refused``) — unless a
builder said the receipt needs more (``writes_after``: the fees app's cash taken at the counter),
in which case the statement and the callbacks share one transaction, as every other action does.

History recorded after the fact (the demo ward's past months, ``motcua.demo_history``) is written
inside ``recorded_silently()``: the workflow marks its events ``data["silent"] = True`` and nobody
is told about them, now or later.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Model

from .constants import Action
from .models import DossierEvent

EventCallback = Callable[[DossierEvent], None]

_callbacks: list[EventCallback] = []
_silent: ContextVar[bool] = ContextVar("motcua_recorded_silently", default=False)


def on_event(callback: EventCallback) -> EventCallback:
    """Run `callback(event)` after every event the workflow writes (registering twice is harmless)."""
    if callback not in _callbacks:
        _callbacks.append(callback)
    return callback


def event_written(event: DossierEvent) -> None:
    """Called by the workflow once `event` is saved: inside the action's transaction, or — a receipt
    made in one statement — once that statement committed, with writes refused (``writes_refused``)."""
    for callback in list(_callbacks):
        callback(event)


@dataclass(frozen=True)
class Companion:
    """A row written with a new dossier (unsaved when built): ``row``'s foreign key ``link`` is set to
    the dossier, and each of ``children``'s foreign key ``child_link`` to ``row``.

    What only the write itself knows is filled in by it: ``event_key`` names a field of ``row`` that
    gets the key of the dossier's first event; each path of ``code_at`` (a JSON field of ``row``,
    then the keys, or list positions, inside it) gets the dossier's code.
    """

    row: Model
    link: str = "dossier"
    children: tuple[Model, ...] = ()
    child_link: str = ""
    event_key: str = ""
    code_at: tuple[tuple[str, ...], ...] = ()

    def fill(self, code: str, event_key: int | None) -> None:
        """Set on ``row`` what the write filled in (the database has it already on PostgreSQL)."""
        if self.event_key:
            setattr(self.row, self.event_key, event_key)
        for field, *path in self.code_at:
            place: Any = getattr(self.row, field)
            for step in path[:-1]:
                place = place[int(step)] if isinstance(place, list) else place[step]
            last = path[-1]
            place[int(last) if isinstance(place, list) else last] = code


CompanionBuilder = Callable[[DossierEvent], Sequence[Companion]]
Predicate = Callable[[DossierEvent], bool]

_builders: list[CompanionBuilder] = []
_writes_after: list[Predicate] = []


def on_new_dossier(builder: CompanionBuilder, *, writes_after: Predicate | None = None) -> CompanionBuilder:
    """Ask `builder(event)` for the rows to write with every dossier the workflow creates; `event` is
    the dossier's first event, neither it nor its dossier saved yet (registering twice is harmless).
    The after-event callbacks still run once they are saved. ``writes_after(event)``: whether the
    same app's after-event callback will write for this event (then the receipt is a transaction)."""
    if builder not in _builders:
        _builders.append(builder)
    if writes_after is not None and writes_after not in _writes_after:
        _writes_after.append(writes_after)
    return builder


def creates_dossier(event: DossierEvent) -> bool:
    """A receipt at the counter or by post: the event that creates its dossier (no status before
    it), the one the builders of ``on_new_dossier`` write rows with."""
    return event.action == Action.RECEIVE and not event.from_status


def companions_for(event: DossierEvent) -> list[Companion]:
    """The rows the registered builders write with the dossier `event` creates."""
    return [companion for builder in list(_builders) for companion in builder(event)]


def writes_after_creation(event: DossierEvent) -> bool:
    """Whether an after-event callback will write for the dossier `event` creates (``on_new_dossier``)."""
    return any(predicate(event) for predicate in list(_writes_after))


# A read that locks rows (SELECT … FOR UPDATE / NO KEY UPDATE / SHARE / KEY SHARE) means to write next.
_LOCKING = re.compile(r"\bFOR\s+(NO\s+KEY\s+UPDATE|UPDATE|KEY\s+SHARE|SHARE)\b", re.IGNORECASE)


class WriteRefused(RuntimeError):
    """An after-event callback wrote after a receipt made in one statement (see the module docstring)."""


@contextmanager
def writes_refused() -> Iterator[None]:
    """Within the block, any statement but a plain read (or a savepoint's) raises ``WriteRefused``
    before it reaches the database. The block of the after-event callbacks of a receipt already
    committed: what they would write belongs with the dossier (a companion), or their builder
    declares ``writes_after`` and the receipt is a transaction."""

    def refuse(execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        head = sql.lstrip()[:9].upper()
        reads = head.startswith("SELECT") and not _LOCKING.search(sql)
        if not (reads or head.startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))):
            raise WriteRefused(
                "Sau khi tiếp nhận (một câu lệnh, đã ghi xong) không được ghi thêm: hãy ghi cùng hồ sơ "
                f"(hoso.events.on_new_dossier). Câu lệnh: {sql[:120]}"
            )
        return execute(sql, params, many, context)

    with connection.execute_wrapper(refuse):
        yield


@contextmanager
def recorded_silently() -> Iterator[None]:
    """Workflow events written inside this block are history: marked silent, never notified."""
    token = _silent.set(True)
    try:
        yield
    finally:
        _silent.reset(token)


def recording_silently() -> bool:
    return _silent.get()
