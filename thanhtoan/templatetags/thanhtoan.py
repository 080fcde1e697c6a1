"""{% load thanhtoan %}: ``{% fee_panel dossier %}`` on the desk's dossier page, ``{% citizen_fee dossier %}``
in "Hồ sơ của tôi", and the ``gio_vn`` filter (an instant in Vietnam time, 24-hour clock)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django import template

from thanhtoan import fees, protocol
from thanhtoan.models import FeeRequest, FeeState, PayChannel, TxState
from thanhtoan.providers import payments_on

register = template.Library()


def _request(dossier: Any) -> FeeRequest | None:
    return FeeRequest.objects.filter(dossier_id=dossier.pk).prefetch_related("lines").first()


@register.filter
def gio_vn(value: datetime | None) -> str:
    return protocol.shown(value)


@register.inclusion_tag("thanhtoan/_fee_panel.html", takes_context=True)
def fee_panel(context: Any, dossier: Any) -> dict[str, Any]:
    request = _request(dossier)
    transactions = (
        list(request.transactions.select_related("recorded_by", "receipt").order_by("started_at", "id"))
        if request
        else []
    )
    user = context["request"].user
    return {
        "dossier": dossier,
        "fee": request,
        "transactions": transactions,
        "owed": fees.owed_now(request) if request else None,
        "can_collect": user.has_role("clerk", "leader") and user.agency_id == dossier.agency_id,
        "channels": [(PayChannel.CASH, PayChannel.CASH.label), (PayChannel.TRANSFER, PayChannel.TRANSFER.label)],
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("thanhtoan/_citizen_fee.html", takes_context=True)
def citizen_fee(context: Any, dossier: Any) -> dict[str, Any]:
    request = _request(dossier)
    owed = fees.owed_now(request) if request else 0
    paid = request is not None and (request.state == FeeState.PAID or (owed == 0 and request.owed > 0))
    open_online = (
        request is not None
        and request.transactions.filter(
            channel=PayChannel.ONLINE, state__in=(TxState.STARTED, TxState.PENDING)
        ).exists()
    )
    return {
        "dossier": dossier,
        "fee": request,
        "owed": owed,
        "paid": paid,
        "open_online": open_online,
        "can_pay": bool(request)
        and owed > 0
        and not request.exempt
        and payments_on()
        and request.state not in (FeeState.REFUNDED, FeeState.CANCELLED),
        "csrf_token": context.get("csrf_token"),
    }
