"""The fees app's pages: the provider's callback, the citizen's payment and return page, the clerk's
counter payment and exemption on the dossier page (docs/payments.md)."""

from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.db import DatabaseError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from congdan.access import citizen_required
from congdan.models import Draft
from hoso.models import Dossier
from motcua.lib.text import ascii_digits
from motcua.permissions import get_for_ward, staff_required

from . import fees, payments
from .models import FeeRequest, PaymentTransaction
from .providers import ProviderError, payments_on

logger = logging.getLogger(__name__)


@csrf_exempt
@require_POST
def callback(request: HttpRequest) -> HttpResponse:
    """The provider's server-to-server callback (form-encoded or JSON); the reply is JSON."""
    if request.content_type == "application/json":
        try:
            body = json.loads(request.body or b"{}")
        except ValueError:
            body = None
        params = {str(k): str(v) for k, v in body.items()} if isinstance(body, dict) else {}
    else:
        params = {k: request.POST.get(k, "") for k in request.POST}
    if not payments_on():
        return JsonResponse({"MaLoi": "99", "MoTaLoi": "Chưa cấu hình cổng thanh toán"}, status=404)
    return JsonResponse(payments.handle_callback(params))


def _client_ip(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))[:45]


def _start(request: HttpRequest, fee_request: FeeRequest, back: str) -> HttpResponse:
    citizen = request.citizen  # type: ignore[attr-defined]
    try:
        url = payments.start(request=fee_request, payer_name=citizen.full_name, client_ip=_client_ip(request))
    except ProviderError as exc:
        messages.error(request, f"Chưa thanh toán được: {exc}")
        return redirect(back)
    return redirect(url)


@citizen_required
@require_POST
def pay_dossier(request: HttpRequest, pk: int) -> HttpResponse:
    """“Thanh toán”: a dossier of the signed-in citizen with a fee still owed (404 for anyone else's)."""
    citizen = request.citizen  # type: ignore[attr-defined]
    dossier = get_object_or_404(Dossier, pk=pk, applicant_id_number=citizen.id_number)
    fee_request = fees.request_for_read(dossier)
    if fee_request is None:
        raise Http404
    return _start(request, fee_request, reverse("my_dossiers"))


@citizen_required
@require_POST
def pay_draft(request: HttpRequest, pk: int) -> HttpResponse:
    """Sending an online dossier whose fee comes first: pay, and the dossier is sent when the payment succeeds."""
    citizen = request.citizen  # type: ignore[attr-defined]
    draft = get_object_or_404(Draft, pk=pk, citizen=citizen, dossier__isnull=True)
    fee_request = fees.request_for_draft(draft, now=timezone.now())
    return _start(request, fee_request, reverse("nophoso:review", args=[draft.pk]))


def returned(request: HttpRequest, reference: str) -> HttpResponse:
    """Where the payment page sends the citizen back: the transaction's state as we know it (the
    callback or the reconciliation settles it; nothing the browser brings counts)."""
    tx = PaymentTransaction.objects.select_related("request__dossier").filter(reference=reference[:40]).first()
    if tx is None:
        raise Http404
    dossier = tx.request.dossier
    context = {"tx": tx, "dossier": dossier, "paid": tx.state == "succeeded"}
    response = render(request, "thanhtoan/returned.html", context)
    response["Cache-Control"] = "no-store, private"
    return response


def _amount(raw: str) -> int | None:
    text = ascii_digits(raw).strip().lower().removesuffix("đồng").removesuffix("đ").replace(".", "").replace(",", "")
    text = text.replace(" ", "")
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 12 else None


@staff_required("clerk", "leader")
@require_POST
def counter_payment(request: HttpRequest, pk: int) -> HttpResponse:
    """The clerk records a cash or transfer payment taken at the desk."""
    dossier = get_for_ward(Dossier, request.user, pk=pk)
    amount = _amount(request.POST.get("so_tien", ""))
    if amount is None:
        messages.error(request, "Số tiền ghi bằng số đồng, ví dụ 50.000.")
        return redirect("hoso:detail", dossier.pk)
    try:
        tx = fees.record_counter_payment(
            dossier_id=dossier.pk,
            actor=request.user,  # type: ignore[arg-type]
            channel=request.POST.get("hinh_thuc", ""),
            amount=amount,
            note=request.POST.get("ghi_chu", "")[:300],
            now=timezone.now(),
        )
    except fees.FeeError as exc:
        messages.error(request, str(exc))
    except DatabaseError:
        logger.exception("Không ghi được khoản thu của hồ sơ %s", dossier.pk)
        messages.error(request, "Chưa ghi được khoản thu: hãy thử lại.")
    else:
        messages.success(request, f"Đã ghi nhận khoản thu {tx.amount:,} đồng.".replace(",", "."))
    return redirect("hoso:detail", dossier.pk)


@staff_required("clerk", "leader")
@require_POST
def exemption(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_for_ward(Dossier, request.user, pk=pk)
    try:
        fees.set_exemption(
            dossier_id=dossier.pk,
            actor=request.user,  # type: ignore[arg-type]
            reason=request.POST.get("ly_do", "")[:300],
            now=timezone.now(),
        )
    except fees.FeeError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Đã ghi miễn phí, lệ phí.")
    return redirect("hoso:detail", dossier.pk)
