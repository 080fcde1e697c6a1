"""The clerk's page certifying an electronic copy of an original for a dossier (/truc-tuyen/ho-so/<pk>/chung-thuc/)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from hoso.models import Dossier
from motcua.constants import Role
from motcua.lib.dates import DayField
from motcua.permissions import get_for_ward, staff_required

from .certified_copies import CopyRefused, CopyRequest, certify_copy


class CopyForm(forms.Form):
    title = forms.CharField(label="Tên giấy tờ (bản chính)", max_length=300)
    book_number = forms.CharField(label="Quyển số sổ chứng thực", max_length=30)
    entry_number = forms.IntegerField(label="Số chứng thực", min_value=1, max_value=2_000_000_000)
    fee = forms.IntegerField(label="Lệ phí (đồng)", min_value=0, max_value=100_000_000, initial=0)
    certified_on = DayField(label="Ngày chứng thực (để trống: hôm nay)", required=False)
    scan = forms.FileField(label="Bản quét bản chính (PDF, JPEG hoặc PNG)")


@require_http_methods(["GET", "POST"])
@staff_required(Role.CLERK, Role.OFFICER, Role.LEADER)
def certify(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = get_for_ward(Dossier, request.user, pk=pk)
    form = CopyForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        copy = CopyRequest(data["title"], data["book_number"], data["entry_number"], data["fee"], data["certified_on"])
        try:
            entry = certify_copy(dossier_id=dossier.pk, actor=request.user, scan=data["scan"], request=copy)
        except CopyRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Đã chứng thực bản sao điện tử, số {entry.entry_number} quyển {entry.book_number}; "
                f"mã xác thực {entry.document.code if entry.document else ''}.",
            )
            return redirect("hoso:detail", pk=dossier.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "tructuyen/certify.html", {"dossier": dossier, "form": form}, status=status)
