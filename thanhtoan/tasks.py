"""Celery tasks of the fees app: the reconciliation of online payments that got no callback."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from celery import shared_task
from django.utils import timezone

from .models import PayChannel, PaymentTransaction, TxState
from .payments import settle_by_query
from .providers import ProviderError, payments_on

logger = logging.getLogger(__name__)

QUIET_AFTER = timedelta(minutes=30)  # a callback normally comes within minutes
GIVE_UP_AFTER = timedelta(days=3)  # older ones are the accountant's (differences list)


def open_transactions(now: datetime) -> list[int]:
    """Online transactions started between 3 days and 30 minutes ago, still without an outcome."""
    return list(
        PaymentTransaction.objects.filter(
            channel=PayChannel.ONLINE,
            state__in=(TxState.STARTED, TxState.PENDING),
            started_at__gte=now - GIVE_UP_AFTER,
            started_at__lte=now - QUIET_AFTER,
        )
        .order_by("started_at")
        .values_list("pk", flat=True)
    )


def reconcile(now: datetime | None = None) -> dict[str, int]:
    now = now or timezone.now()
    counts: dict[str, int] = {}
    for tx_id in open_transactions(now):
        try:
            outcome = settle_by_query(tx_id, now=now)
        except ProviderError as exc:
            logger.warning("Đối soát giao dịch %s: %s", tx_id, exc)
            outcome = "unreachable"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


@shared_task(acks_late=True, soft_time_limit=5 * 60, time_limit=6 * 60)
def reconcile_open_payments() -> dict[str, int]:
    """Every 10 minutes (beat): query the provider about open transactions and settle them."""
    if not payments_on():
        return {}
    return reconcile()
