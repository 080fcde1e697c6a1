"""The list of dossiers not synchronised with the national portal for more than a working day."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from motcua.constants import Role
from motcua.permissions import staff_required

from . import board, outbox


@staff_required(Role.LEADER, Role.ADMIN)
def unsynced(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    rows = board.unsynced(request.user.agency_id, now) if outbox.link_on() else []
    return render(request, "lienthong/unsynced.html", {"rows": rows, "now": now, "link_on": outbox.link_on()})
