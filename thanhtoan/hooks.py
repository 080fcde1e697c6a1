"""The fees app's dossier hooks (registered in ThanhtoanConfig.ready through ``hoso.events``).

* A counter or postal receipt (RECEIVE) creates its dossier: the fee request from the catalogue is
  written with it (``fee_request_with_receipt``, a companion row: the same statement on PostgreSQL).
  The amount the clerk typed as collected on the intake form rules when it differs from the
  catalogue's, and is then that request's cash payment, by that clerk at that instant
  (docs/payments.md §1) — recorded once the dossier is saved (``fee_request_after_event``), in the
  receipt's transaction (``pays_at_intake``).
* An online submission (SUBMIT): the dossier's fee request — the one its draft was paid with, when
  the fee came first (``payments.paying_request``), else a new one from the catalogue.
* A receipt from the online queue of a dossier without one (submitted before this app): a new one.
"""

from __future__ import annotations

from hoso.constants import Action
from hoso.events import Companion, creates_dossier
from hoso.models import DossierEvent

from . import fees
from .models import FeeLine, FeeRequest, PayChannel
from .payments import paying_request

CLERK_LINE = "Phí, lệ phí (cán bộ tiếp nhận ghi)"


def _collected_at_intake(event: DossierEvent) -> int:
    """The amount the receiving clerk typed as collected (0: none)."""
    return event.dossier.fee_amount if event.actor_id is not None else 0


def fee_request_with_receipt(event: DossierEvent) -> list[Companion]:
    """The fee request (and its lines) to write with the dossier a receipt creates."""
    if not creates_dossier(event):
        return []
    dossier = event.dossier
    request, lines = fees.unsaved_request(
        agency_id=dossier.agency_id, procedure=dossier.procedure, channel=dossier.channel, now=event.at
    )
    collected = _collected_at_intake(event)
    if collected and collected != request.amount_due:  # the clerk's amount rules: the catalogue's was text or other
        lines = [FeeLine(name=CLERK_LINE, amount=collected, source="clerk")]
        request.amount_due = collected
    return [Companion(request, "dossier", tuple(lines), "request")]


def pays_at_intake(event: DossierEvent) -> bool:
    """Whether ``fee_request_after_event`` records a cash payment for the dossier `event` creates
    (the receipt is then one transaction with it: ``hoso.events.on_new_dossier``'s ``writes_after``)."""
    return creates_dossier(event) and bool(_collected_at_intake(event))


def fee_request_after_event(event: DossierEvent) -> None:
    if event.action not in (Action.SUBMIT, Action.RECEIVE):
        return
    dossier = event.dossier
    if creates_dossier(event):  # its request was written with it (fee_request_with_receipt)
        if collected := _collected_at_intake(event):
            fees.record_counter_payment(
                dossier_id=dossier.pk,
                actor=event.actor,
                channel=PayChannel.CASH,
                amount=collected,
                now=event.at,
                at_intake=True,
            )
        return
    if event.action == Action.SUBMIT and (request_id := paying_request()) is not None:
        FeeRequest.objects.filter(pk=request_id).update(dossier=dossier)
        return
    # One received from the online queue may have had its request since its submission.
    if event.from_status and FeeRequest.objects.filter(dossier_id=dossier.pk).exists():
        return
    fees.new_request(
        agency_id=dossier.agency_id, procedure=dossier.procedure, channel=dossier.channel, now=event.at, dossier=dossier
    )
