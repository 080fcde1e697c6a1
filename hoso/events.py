"""What runs after the workflow writes a dossier event, and the switch for history recorded silently.

The workflow (``hoso.workflow``) calls ``event_written(event)`` inside its transaction, right after
saving the event; each callback registered with ``on_event`` runs then, in registration order, in
the same transaction (a callback that defers work past the commit uses ``transaction.on_commit``).
The notifications register theirs in ``HosoConfig.ready`` (``hoso.tasks.notify_after_commit``), so
the workflow needs to know nothing of them.

Another app may also write rows *with* a new dossier (``on_new_dossier``): the fees app's request
of a counter receipt. The workflow asks for them before the dossier is saved and
``hoso.creation.save_new`` writes them with it, in the same statement on PostgreSQL.

History recorded after the fact (the demo ward's past months, ``motcua.demo_history``) is written
inside ``recorded_silently()``: the workflow marks its events ``data["silent"] = True`` and nobody
is told about them, now or later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.db.models import Model

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
    """Called by the workflow once `event` is saved, inside the action's transaction."""
    for callback in list(_callbacks):
        callback(event)


@dataclass(frozen=True)
class Companion:
    """A row written with a new dossier (unsaved when built): ``row``'s foreign key ``link`` is set to
    the dossier, and each of ``children``'s foreign key ``child_link`` to ``row``."""

    row: Model
    link: str = "dossier"
    children: tuple[Model, ...] = ()
    child_link: str = ""


CompanionBuilder = Callable[[DossierEvent], Sequence[Companion]]

_builders: list[CompanionBuilder] = []


def on_new_dossier(builder: CompanionBuilder) -> CompanionBuilder:
    """Ask `builder(event)` for the rows to write with every dossier the workflow creates; `event` is
    the dossier's first event, neither it nor its dossier saved yet (registering twice is harmless).
    The after-event callbacks still run once they are saved."""
    if builder not in _builders:
        _builders.append(builder)
    return builder


def companions_for(event: DossierEvent) -> list[Companion]:
    """The rows the registered builders write with the dossier `event` creates."""
    return [companion for builder in list(_builders) for companion in builder(event)]


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
