"""The ward accountant's day: the differences to look at, and the day's collections as XLSX (docs/payments.md §4).

A day is a Vietnam calendar day; every instant on these pages is Vietnam time on the 24-hour clock
(``protocol.shown``).
"""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from openpyxl import Workbook

from motcua.lib.dates import DATE_INPUT_FORMATS
from motcua.lib.tabular import escape_text, write_only_row
from motcua.permissions import staff_required

from .models import FeeRequest, FeeState, PayChannel, PaymentNotice, PaymentTransaction, Timing, TxState
from .protocol import VIETNAM, shown


@dataclass(frozen=True)
class Difference:
    at: str
    reference: str
    dossier_code: str
    what: str


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0, 0), tzinfo=VIETNAM)
    return start, start + timedelta(days=1)


def differences(agency_id: int, day: date) -> list[Difference]:
    """What does not add up on ``day``: online payments without an outcome, provider messages refused
    (bad check code, other amount), fees collected first but not (fully) paid, payments above what was owed."""
    start, end = day_bounds(day)
    rows: list[Difference] = []
    open_tx = PaymentTransaction.objects.filter(
        request__agency_id=agency_id,
        channel=PayChannel.ONLINE,
        started_at__gte=start,
        started_at__lt=end,
        state__in=(TxState.STARTED, TxState.PENDING),
    ).select_related("request__dossier")
    for tx in open_tx:
        code = (tx.request.dossier.code if tx.request.dossier else "") or ""
        rows.append(Difference(shown(tx.started_at), tx.reference, code, "Giao dịch trực tuyến chưa có kết quả"))
    refused = (
        PaymentNotice.objects.filter(received_at__gte=start, received_at__lt=end)
        .exclude(outcome__startswith="Thanh toán")
        .exclude(outcome__startswith="Đã ghi nhận")
        .exclude(outcome="Đang chờ xử lý")
    )
    refused = refused.filter(transaction__request__agency_id=agency_id) | refused.filter(transaction__isnull=True)
    for notice in refused.order_by("received_at"):
        rows.append(Difference(shown(notice.received_at), notice.reference, "", notice.outcome))
    requests = FeeRequest.objects.filter(
        agency_id=agency_id, dossier__received_at__gte=start, dossier__received_at__lt=end, exempt=False
    ).select_related("dossier")
    for request in requests.prefetch_related("transactions"):
        paid = sum(t.amount for t in request.transactions.all() if t.state == TxState.SUCCEEDED)
        assert request.dossier is not None
        code = request.dossier.code or ""
        if request.timing == Timing.BEFORE and paid < request.amount_due:
            rows.append(
                Difference(
                    shown(request.dossier.received_at),
                    "",
                    code,
                    f"Thu trước nhưng mới thu {paid} / {request.amount_due} đồng",
                )
            )
        elif paid > request.amount_due:
            rows.append(
                Difference(
                    shown(request.dossier.received_at),
                    "",
                    code,
                    f"Thu {paid} đồng, nhiều hơn {request.amount_due} đồng phải nộp",
                )
            )
    return rows


def collections(agency_id: int, day: date) -> list[tuple[str, str, str, int, int]]:
    """(procedure code, name, channel, payments, đồng) of the payments settled as succeeded on ``day``."""
    start, end = day_bounds(day)
    totals: dict[tuple[str, str, str], list[int]] = defaultdict(lambda: [0, 0])
    rows = PaymentTransaction.objects.filter(
        request__agency_id=agency_id, state=TxState.SUCCEEDED, settled_at__gte=start, settled_at__lt=end
    ).values_list("request__procedure__code", "request__procedure__name", "channel", "amount")
    for code, name, channel, amount in rows:
        total = totals[(code, name, PayChannel(channel).label)]
        total[0] += 1
        total[1] += amount
    return [(code, name, channel, n, amount) for (code, name, channel), (n, amount) in sorted(totals.items())]


def collections_workbook(agency_name: str, day: date, rows: list[tuple[str, str, str, int, int]]) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Thu phí, lệ phí")
    sheet.append(write_only_row(sheet, [f"{agency_name}: phí, lệ phí đã thu ngày {day:%d/%m/%Y}"]))
    sheet.append(write_only_row(sheet, ["Mã thủ tục", "Tên thủ tục", "Hình thức", "Số giao dịch", "Số tiền (đồng)"]))
    for code, name, channel, count, amount in rows:
        sheet.append(write_only_row(sheet, [escape_text(code), escape_text(name), channel, count, amount]))
    sheet.append(write_only_row(sheet, ["Tổng cộng", "", "", sum(r[3] for r in rows), sum(r[4] for r in rows)]))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _day(request: HttpRequest) -> tuple[date, str]:
    raw = request.GET.get("ngay", "").strip()[:10]
    if not raw:
        return timezone.localdate(), ""
    for pattern in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(raw, pattern).replace(tzinfo=VIETNAM).date(), ""
        except ValueError:
            continue
    return timezone.localdate(), "Ngày không hợp lệ: hãy nhập theo dạng ngày/tháng/năm, ví dụ 05/03/2026."


@staff_required("clerk", "leader", "admin")
def differences_page(request: HttpRequest) -> HttpResponse:
    day, error = _day(request)
    agency_id = request.user.agency_id  # type: ignore[union-attr]
    context = {
        "day": day,
        "error": error,
        "rows": differences(agency_id, day),
        "collections": collections(agency_id, day),
        "open_count": PaymentTransaction.objects.filter(request__agency_id=agency_id, state=TxState.STARTED).count(),
        "awaiting": FeeRequest.objects.filter(agency_id=agency_id, state=FeeState.AWAITING).count(),
    }
    return render(request, "thanhtoan/differences.html", context, status=400 if error else 200)


@staff_required("clerk", "leader", "admin")
def collections_xlsx(request: HttpRequest) -> HttpResponse:
    day, _error = _day(request)
    agency = request.user.agency  # type: ignore[union-attr]
    data = collections_workbook(agency.name, day, collections(agency.pk, day))
    response = HttpResponse(data, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="thu-phi-{day:%Y-%m-%d}.xlsx"'
    response["Cache-Control"] = "no-store, private"
    return response
