"""The dossier's fees as the record's ``DanhSachLePhi``, read from the fees app's rows (docs/national-link.md §2).

One entry per line of the dossier's fee request (``thanhtoan``): what is due (``Gia``), whether it
was paid, how (at the counter in cash, by transfer, online) and the receipt. Nothing is guessed: a
dossier without a fee request lists no fee; a payment imported from the old system has no receipt
of ours, so its ``SoBienLai`` stays empty.
"""

from __future__ import annotations

from typing import Any

from hoso.models import Dossier, DossierEvent
from thanhtoan.models import FeeRequest, LineKind, PayChannel, PaymentTransaction, Receipt, TxState

from . import mapping

# LoaiPhiLePhi: 1 lệ phí (the catalogue's charge), 2 phí (a fee the ward's rule adds).
LINE_KIND = {LineKind.CHARGE: 1, LineKind.FEE: 2}
# HinhThucThu: 1 cash at the one-stop desk, 2 bank transfer, 3 online (the national payment platform).
PAY_CHANNEL = {PayChannel.CASH: 1, PayChannel.TRANSFER: 2, PayChannel.ONLINE: 3}


def receipt_number(receipt: Receipt | None) -> str:
    return f"{receipt.series} số {receipt.number:07d}" if receipt is not None else ""


def fee_list(dossier: Dossier) -> list[dict[str, Any]]:
    """``DanhSachLePhi`` from the dossier's fee request, its lines and its succeeded payments (three queries)."""
    request = FeeRequest.objects.filter(dossier_id=dossier.pk).first()
    if request is None:
        return []
    paid = list(
        PaymentTransaction.objects.filter(request=request, state=TxState.SUCCEEDED)
        .select_related("receipt")
        .order_by("settled_at", "id")
    )
    last = paid[-1] if paid else None
    payment = {
        "MienPhi": int(request.exempt),
        "DaThanhToan": int(request.state == "paid"),
        "TrangThaiThanhToan": request.get_state_display(),
        "HinhThucThu": PAY_CHANNEL[PayChannel(last.channel)] if last else "",
        "ThanhToanTrucTuyen": int(any(tx.channel == PayChannel.ONLINE for tx in paid)),
        "SoTienDaNop": sum(tx.amount for tx in paid),
        "NgayThanhToan": mapping.national_instant(last.settled_at) if last else "",
        "SoBienLai": ", ".join(n for tx in paid if (n := receipt_number(getattr(tx, "receipt", None)))),
        "MaThamChieu": [tx.reference for tx in paid],
    }
    return [
        {
            "TenPhiLePhi": line.name,
            "MaPhiLePhi": str(line.pk),
            "LoaiPhiLePhi": LINE_KIND[LineKind(line.kind)],
            "Gia": line.amount,
            **payment,
        }
        for line in request.lines.all().order_by("id")
    ]


def paid_entry(event: DossierEvent) -> dict[str, Any]:
    """The payment a PAY event recorded (its data: reference, amount, channel), without a query."""
    data = event.data or {}
    channel = str(data.get("channel", ""))
    return {
        "MaThamChieu": str(data.get("reference", "")),
        "SoTien": int(data.get("amount") or 0),
        "HinhThucThu": PAY_CHANNEL.get(PayChannel(channel), "") if channel in PayChannel.values else "",
        "NgayThanhToan": mapping.national_instant(event.at),
    }
