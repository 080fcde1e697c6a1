"""Role and ward checks shared by every staff view; account ranks (who may manage whose account)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Model, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404

from .constants import Role

ViewFunc = Callable[..., HttpResponse]
M = TypeVar("M", bound=Model)


NO_WARD = (
    "Tài khoản quản trị hệ thống không thuộc phường, xã nào nên không dùng được trang làm việc của bộ phận "
    "một cửa. Hãy dùng trang quản trị, hoặc xem báo cáo của các phường, xã ở mục Báo cáo."
)


def staff_required(*roles: str, ward_required: bool = True) -> Callable[[ViewFunc], ViewFunc]:
    """Anonymous users go to the login page; staff without one of `roles` get 403.

    With no roles given, any active member of staff of a ward passes. A superuser passes every
    role check, but a page that works on one ward's data (`ward_required`, the default) refuses a
    superuser attached to no ward with a Vietnamese 403 page instead of running without a ward.
    """

    def decorator(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not user.is_superuser and (user.agency_id is None or not user.is_active):
                raise PermissionDenied("Tài khoản chưa được gán cho cơ quan nào.")
            if ward_required and user.agency_id is None:
                raise PermissionDenied(NO_WARD)
            if roles and not user.has_role(*roles):
                raise PermissionDenied("Vai trò của bạn không được thực hiện chức năng này.")
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


def get_for_ward(
    queryset_or_model: type[Model] | QuerySet[M], user: Any, *, superuser_sees_all: bool = False, **lookup: Any
) -> M:
    """``get_object_or_404`` limited to the user's ward (the object's ``agency``): an object of another
    ward is a 404 like a missing one, so its existence is not disclosed.

    The desk's pages show only the user's own ward, superuser or not (the default). The report
    pages let a superuser read every ward's reports (``superuser_sees_all=True``). A user of no
    ward finds nothing there.
    """
    queryset = _default_manager(queryset_or_model)
    if not (superuser_sees_all and user.is_superuser):
        if user.agency_id is None:
            raise Http404("Tài khoản không thuộc phường, xã nào.")
        queryset = queryset.filter(agency_id=user.agency_id)
    return get_object_or_404(queryset, **lookup)


def _default_manager(queryset_or_model: type[Model] | QuerySet[M]) -> QuerySet[M]:
    if isinstance(queryset_or_model, QuerySet):
        return queryset_or_model
    return queryset_or_model._default_manager.all()


# -- ranks: who may manage whose account -------------------------------------------------------
# superuser (the province's system administrator) > ward admin > leader, officer, clerk.
RANK_STAFF = 1
RANK_WARD_ADMIN = 2
RANK_SUPERUSER = 3

# Either of these gives a ward admin's rank (a staff flag without the admin role still counts).
# ``rank`` reads them on one account, ``manageable`` in SQL: the rule is written here only.
WARD_ADMIN_MARKS: dict[str, object] = {"is_staff": True, "role": Role.ADMIN}


def rank(user: Any) -> int:
    """The user's rank: superuser, ward admin (either of WARD_ADMIN_MARKS) or staff."""
    if user.is_superuser:
        return RANK_SUPERUSER
    if any(getattr(user, name) == value for name, value in WARD_ADMIN_MARKS.items()):
        return RANK_WARD_ADMIN
    return RANK_STAFF


def _above_staff() -> Q:
    """The accounts whose ``rank`` is above RANK_STAFF, as a query."""
    condition = Q(is_superuser=True)
    for name, value in WARD_ADMIN_MARKS.items():
        condition |= Q(**{name: value})
    return condition


def can_manage(actor: Any, target: Any) -> bool:
    """Whether `actor` may see and change `target`'s account (its form, password, role, state).

    A superuser manages everyone. A ward admin manages only the accounts of their
    own ward whose rank is strictly below theirs: not themselves, not another ward admin of the
    ward, never a superuser (even one attached to the ward).
    """
    if not actor.is_active:
        return False
    if actor.is_superuser:
        return True
    return actor.agency_id is not None and target.agency_id == actor.agency_id and rank(target) < rank(actor)


def manageable(actor: Any, users: QuerySet[Any]) -> QuerySet[Any]:
    """The accounts among `users` that `actor` may manage: ``can_manage`` as a query."""
    if not actor.is_active or (actor.agency_id is None and not actor.is_superuser):
        return users.none()
    if actor.is_superuser:
        return users
    if rank(actor) == RANK_STAFF:
        return users.none()
    # A ward admin: their own ward's accounts of rank RANK_STAFF.
    return users.filter(agency_id=actor.agency_id).exclude(_above_staff())
