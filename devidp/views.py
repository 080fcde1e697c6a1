"""The development provider's sign-in page: the demo citizens listed, their number and the demo password."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import authenticate, login, logout
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from .models import DemoCitizen


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}, require_https=False):
        return target
    return ""


@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """Sign in with an ID number and the demo password, then go on to the authorization request."""
    error = ""
    if request.method == "POST":
        number = request.POST.get("so_dinh_danh", "").strip()
        user = authenticate(request, username=number, password=request.POST.get("mat_khau", ""))
        if user is not None:
            login(request, user)
            return redirect(_safe_next(request) or "index")
        error = "Số định danh hoặc mật khẩu không đúng."
    context = {
        "citizens": DemoCitizen.objects.all(),
        "next": _safe_next(request),
        "error": error,
        "password": settings.DEVIDP_DEMO_PASSWORD,
        "signed_in": request.user.is_authenticated,
    }
    return render(request, "devidp/sign_in.html", context, status=400 if error else 200)


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect("index")
