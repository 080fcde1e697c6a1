"""Fees of imported dossiers (``import_dossiers``' columns ``fee_amount`` and ``paid_online``; docs/payments.md §1).

A row with a fee gets what a native dossier paid at receipt has: its fee request (one line, the
amount), and one succeeded payment at the receipt instant — online when ``paid_online``, else at
the desk. No receipt number is issued (the old system issued its own) and no event is written
(imported history is never notified nor synchronised). Bulk-written: three INSERTs per batch.
"""

from __future__ import annotations

from typing import Any

from django.db import connection

from hoso.models import Dossier

from .models import FeeLine, FeeRequest, FeeState, PayChannel, PaymentTransaction, TxState

BATCH = 2_000
PROVIDER = "import"


def import_fees(dossiers: list[dict[str, Any]]) -> int:
    """The fee rows of just-written dossiers (their column values, ``id`` set on PostgreSQL); returns how many."""
    rows = [v for v in dossiers if v.get("fee_amount")]
    if not rows:
        return 0
    if any("id" not in v for v in rows):  # bulk_create without returned ids (not PostgreSQL)
        from_db = dict(Dossier.objects.filter(code__in=[v["code"] for v in rows]).values_list("code", "pk"))
        rows = [{**v, "id": from_db[v["code"]]} for v in rows]
    batch_size = BATCH if connection.vendor == "postgresql" else 500
    for i in range(0, len(rows), batch_size):
        chunk = rows[i : i + batch_size]
        requests = FeeRequest.objects.bulk_create(
            [
                FeeRequest(
                    agency_id=v["agency_id"],
                    procedure_id=v["procedure_id"],
                    dossier_id=v["id"],
                    channel=v["channel"],
                    amount_due=v["fee_amount"],
                    state=FeeState.PAID,
                    paid_at=v["received_at"],
                    created_at=v["received_at"],
                )
                for v in chunk
            ]
        )
        FeeLine.objects.bulk_create(
            [
                FeeLine(request=r, name="Phí, lệ phí (nhập từ hệ thống cũ)", amount=r.amount_due, source=PROVIDER)
                for r in requests
            ]
        )
        PaymentTransaction.objects.bulk_create(
            [
                PaymentTransaction(
                    request=r,
                    reference=f"NK{v['id']}",
                    amount=v["fee_amount"],
                    channel=PayChannel.ONLINE if v.get("paid_online") else PayChannel.CASH,
                    provider=PROVIDER,
                    state=TxState.SUCCEEDED,
                    started_at=v["received_at"],
                    settled_at=v["received_at"],
                    settled_by=PROVIDER,
                )
                for r, v in zip(requests, chunk, strict=True)
            ]
        )
    return len(rows)
