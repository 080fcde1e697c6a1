"""The signed-in citizen of a request and the `citizen_required` decorator for the citizen's pages."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache

from .models import Citizen
from .session import citizen_id, forget_citizen


def current_citizen(request: HttpRequest) -> Citizen | None:
    """The citizen signed in on this session (cached on the request), or None."""
    if hasattr(request, "_congdan_citizen"):
        return request._congdan_citizen
    pk = citizen_id(request)
    citizen = Citizen.objects.filter(pk=pk).first() if pk is not None else None
    if pk is not None and citizen is None:
        forget_citizen(request.session)  # the row is gone
    request._congdan_citizen = citizen  # type: ignore[attr-defined]
    return citizen


def citizen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Only a signed-in citizen passes (as `request.citizen`); others go to the citizen sign-in,
    then back. The answer is never cached (personal data)."""

    @wraps(view)
    @never_cache
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        citizen = current_citizen(request)
        if citizen is None:
            return redirect(f"{reverse('congdan:sign_in')}?{urlencode({'next': request.get_full_path()})}")
        request.citizen = citizen  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper
