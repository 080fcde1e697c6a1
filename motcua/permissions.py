"""Role and ward checks shared by every staff view."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

ViewFunc = Callable[..., HttpResponse]


def staff_required(*roles: str) -> Callable[[ViewFunc], ViewFunc]:
    """Anonymous users go to the login page; staff without one of `roles` get 403.

    With no roles given, any active member of staff of a ward passes.
    """

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_superuser and (user.agency_id is None or not user.is_active):
                raise PermissionDenied("Tài khoản chưa được gán cho cơ quan nào.")
            if roles and not user.has_role(*roles):
                raise PermissionDenied("Vai trò của bạn không được thực hiện chức năng này.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def check_agency(user: Any, agency_id: int | None) -> None:
    """Raise PermissionDenied unless the user works for that agency (superusers see all)."""
    if user.is_superuser:
        return
    if agency_id is None or user.agency_id != agency_id:
        raise PermissionDenied("Hồ sơ/dữ liệu này thuộc cơ quan khác.")
