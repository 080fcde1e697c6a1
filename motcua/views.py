"""Staff home page, health check and error pages."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.utils.cache import add_never_cache_headers
from django.views.decorators.cache import never_cache

from .constants import Role
from .lib import health
from .middleware import clear_site_data
from .permissions import staff_required


def index(request: HttpRequest) -> HttpResponse:
    """Staff land on their work page; everyone else on the public catalogue."""
    return redirect("home" if request.user.is_authenticated else "thutuc:list")


ROLE_HOME = {
    Role.CLERK: "hoso:worklist_clerk",
    Role.OFFICER: "hoso:worklist_officer",
    Role.LEADER: "hoso:worklist_leader",
}


@staff_required(ward_required=False)
def home(request: HttpRequest) -> HttpResponse:
    """Each role starts on its own worklist; admins, and a superuser of no ward, on the overview."""
    target = ROLE_HOME.get(request.user.role) if request.user.agency_id else None
    if target and request.GET.get("tong-quan") != "1":
        return redirect(target)
    return render(request, "motcua/home.html", {"agency": request.user.agency})


@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Each component's status; 200 when the portal can serve (maybe degraded), 503 when it cannot.

    See docs/operations.md: the database is required; Redis (cache) and the broker are not.
    ``?full=1`` (staff or the health token) adds a worker's ping, beat's heartbeat and the backlogs.
    """
    if not request.GET.get("full"):
        body, status = health.report()
        return JsonResponse(body, status=status)
    if not _may_see_full_health(request):
        return JsonResponse(
            {"detail": "Cần đăng nhập tài khoản quản trị hoặc gửi mã kiểm tra để xem kiểm tra đầy đủ."}, status=403
        )
    body, status = health.full_report()
    return JsonResponse(body, status=status)


def _may_see_full_health(request: HttpRequest) -> bool:
    """Staff (the admin role or a superuser) signed in, or ``Authorization: Bearer <MOTCUA_HEALTH_TOKEN>``."""
    if request.user.is_authenticated and request.user.is_staff:
        return True
    token = settings.MOTCUA_HEALTH_TOKEN
    given = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    return bool(token) and hmac.compare_digest(given.encode(), token.encode())


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico on every page without a <link rel="icon"> (the admin, PDFs)."""
    return redirect(static("img/favicon.svg"), permanent=True)


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    message = str(exception) if exception and str(exception) else "Bạn không có quyền truy cập trang này."
    return render(request, "403.html", {"message": message}, status=403)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form sent with an expired or missing security token (CSRF_FAILURE_VIEW): say so in
    Vietnamese and tell the person to go back and reload, instead of Django's English 403."""
    response = render(request, "403_csrf.html", status=403)
    add_never_cache_headers(response)
    return response


class StaffLogoutView(auth_views.LogoutView):
    """Sign-out (POST only) that also tells the browser to drop this site's cached pages and
    storage: the next person at a shared counter PC cannot page back through the last one's work."""

    def post(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        return clear_site_data(super().post(request, *args, **kwargs))
