"""The fees app's after-event hook (registered in ThanhtoanConfig.ready through ``hoso.events.on_event``).

* An online submission (SUBMIT): the dossier's fee request — the one its draft was paid with, when
  the fee came first (``payments.paying_request``), else a new one from the catalogue.
* A counter or postal receipt (RECEIVE) of a dossier without one: a fee request from the catalogue;
  the amount the clerk typed as collected on the intake form is that request's cash payment, by
  that clerk at that instant (docs/payments.md §1).
"""

from __future__ import annotations

from hoso.constants import Action
from hoso.models import DossierEvent

from . import fees
from .models import FeeLine, FeeRequest, PayChannel
from .payments import paying_request


def fee_request_after_event(event: DossierEvent) -> None:
    if event.action not in (Action.SUBMIT, Action.RECEIVE):
        return
    dossier = event.dossier
    if event.action == Action.SUBMIT and (request_id := paying_request()) is not None:
        FeeRequest.objects.filter(pk=request_id).update(dossier=dossier)
        return
    # A dossier created by this very event (a counter receipt: no status before it) has no request
    # yet; one received from the online queue may have had its request since its submission.
    if event.from_status and FeeRequest.objects.filter(dossier_id=dossier.pk).exists():
        return
    request = fees.new_request(
        agency_id=dossier.agency_id, procedure=dossier.procedure, channel=dossier.channel, now=event.at, dossier=dossier
    )
    if event.action != Action.RECEIVE or not dossier.fee_amount or event.actor is None:
        return
    if dossier.fee_amount != request.amount_due:  # the clerk's amount rules: the catalogue's was text or other
        request.lines.all().delete()
        FeeLine.objects.create(
            request=request, name="Phí, lệ phí (cán bộ tiếp nhận ghi)", amount=dossier.fee_amount, source="clerk"
        )
        FeeRequest.objects.filter(pk=request.pk).update(amount_due=dossier.fee_amount)
    fees.record_counter_payment(
        dossier_id=dossier.pk,
        actor=event.actor,
        channel=PayChannel.CASH,
        amount=dossier.fee_amount,
        now=event.at,
        at_intake=True,
    )
