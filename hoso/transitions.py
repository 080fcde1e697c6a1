"""The dossier's transition table as data: which action leads from which statuses to which, by whom.

Pure data (no ORM): the workflow checks actions against it and the clock replays statuses from it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from motcua.constants import Role

from .constants import Action, Status


@dataclass(frozen=True)
class Transition:
    action: Action
    sources: frozenset[Status]
    target: Status | None  # None: the dossier stays in its state (extension, reassignment)
    roles: frozenset[str]
    # Officers may act only on dossiers assigned to them; leaders on every dossier of the ward.
    assigned_officer_only: bool = False


def _t(action: Action, sources: Iterable[Status], target: Status | None, *roles: str, own: bool = False) -> Transition:
    return Transition(action, frozenset(sources), target, frozenset(roles), own)


_WORKING = (Status.RECEIVED, Status.PROCESSING, Status.WAITING_SUPPLEMENT, Status.PENDING_APPROVAL)

TRANSITIONS: dict[Action, Transition] = {
    t.action: t
    for t in [
        _t(Action.ASSIGN, [Status.RECEIVED, Status.PROCESSING], Status.PROCESSING, Role.CLERK, Role.LEADER),
        _t(
            Action.REQUEST_SUPPLEMENT,
            [Status.PROCESSING],
            Status.WAITING_SUPPLEMENT,
            Role.OFFICER,
            Role.LEADER,
            own=True,
        ),
        _t(
            Action.COMPLETE_SUPPLEMENT,
            [Status.WAITING_SUPPLEMENT],
            Status.PROCESSING,
            Role.CLERK,
            Role.OFFICER,
            Role.LEADER,
            own=True,  # the clerk at the counter or the leader; of the officers, only the assigned one
        ),
        _t(Action.SUBMIT_FOR_APPROVAL, [Status.PROCESSING], Status.PENDING_APPROVAL, Role.OFFICER, own=True),
        _t(Action.APPROVE, [Status.PENDING_APPROVAL], Status.RESULT_READY, Role.LEADER),
        _t(Action.SEND_BACK, [Status.PENDING_APPROVAL], Status.PROCESSING, Role.LEADER),
        _t(Action.MARK_RESULT_READY, [Status.PROCESSING], Status.RESULT_READY, Role.OFFICER, Role.LEADER, own=True),
        _t(Action.RETURN_RESULT, [Status.RESULT_READY], Status.RETURNED, Role.CLERK),
        _t(Action.EXTEND, [*_WORKING, Status.TRANSFERRED], None, Role.OFFICER, Role.LEADER, own=True),
        _t(Action.STOP, _WORKING, Status.STOPPED, Role.LEADER),
        _t(Action.WITHDRAW, [*_WORKING, Status.TRANSFERRED], Status.WITHDRAWN, Role.CLERK, Role.LEADER),
        _t(Action.TRANSFER, [Status.PROCESSING], Status.TRANSFERRED, Role.OFFICER, Role.LEADER, own=True),
        _t(
            Action.TRANSFER_BACK,
            [Status.TRANSFERRED],
            Status.PROCESSING,
            Role.CLERK,
            Role.OFFICER,
            Role.LEADER,
            own=True,
        ),
    ]
}


# The intake creates the dossier: its first event leads from no status to one of these. An online
# submission (SUBMIT) creates it too; the desk then receives or refuses it (hoso.online).
INTAKE_TARGETS: dict[Action, Status] = {
    Action.SUBMIT: Status.SUBMITTED,
    Action.RECEIVE: Status.RECEIVED,
    Action.GUIDE: Status.GUIDED,
    Action.REFUSE: Status.REFUSED,
}
# Before it is received, the desk may ask once for more papers (hoso.online.request_papers); the
# citizen's upload puts the dossier back in the queue (hoso.online.resubmit).
ONLINE_TARGETS: dict[Action, Status] = {
    Action.REQUEST_PAPERS: Status.AWAITING_PAPERS,
    Action.RESUBMIT: Status.SUBMITTED,
}


def target_status(action: str, status: str) -> str:
    """The status after `action` taken in `status` (the same status for an action that keeps it)."""
    intake = INTAKE_TARGETS.get(action) or ONLINE_TARGETS.get(action)  # type: ignore[call-overload]
    if intake is not None:
        return intake.value
    transition = TRANSITIONS.get(action)  # type: ignore[call-overload]
    return status if transition is None or transition.target is None else transition.target.value
