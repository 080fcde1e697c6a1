"""The desk's worklists: the clerk's day, the officer's queue, the leader's board and search.

Thin views: permission → selector (hoso.worklists) → render. `now` is read once per request and
passed down; every list is limited to the user's own ward.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from motcua.constants import Role
from motcua.permissions import staff_required

from .. import surveys, worklists
from ..forms import DossierSearchForm

SEARCH_PAGE_SIZE = 25
QUEUE_PAGE_SIZE = 50


@staff_required(Role.CLERK, Role.LEADER)
def clerk_day(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    sections = worklists.clerk_day(request.user.agency_id, now=now)
    return render(request, "hoso/worklists/clerk_day.html", {"sections": sections, "now": now})


@staff_required(Role.OFFICER, Role.LEADER)
def officer_queue(request: HttpRequest) -> HttpResponse:
    """An officer sees their own queue; a leader picks an officer (or sees the whole ward)."""
    now = timezone.now()
    agency_id = request.user.agency_id
    officer, choices = request.user, []
    if request.user.role != Role.OFFICER:
        choices = worklists.officers(agency_id)
        officer = next((o for o in choices if str(o.pk) == request.GET.get("can_bo")), None)
        if officer is None and request.GET.get("can_bo"):
            messages.warning(request, "Không có công chức này trong cơ quan: đang hiển thị toàn bộ hồ sơ.")
    queue = worklists.open_queue(agency_id, officer_id=officer.pk if officer else None)
    page = Paginator(queue, QUEUE_PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {
        "officer": officer,
        "officers": choices,
        "page": page,
        "rows": worklists.rows(page.object_list, now=now, agency_id=agency_id),
        "counts": worklists.queue_counts(queue, now=now, agency_id=agency_id),
        "now": now,
    }
    return render(request, "hoso/worklists/officer_queue.html", context)


@staff_required(Role.LEADER)
def leader_board(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    board = worklists.leader_board(request.user.agency_id, now=now)
    context = {"board": board, "now": now, "open_follow_ups": surveys.open_follow_ups(request.user.agency_id)}
    return render(request, "hoso/worklists/leader_board.html", context)


@staff_required()
def search(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    agency_id = request.user.agency_id
    form = DossierSearchForm(request.GET or None, procedures=worklists.offered_procedures(agency_id))
    page, rows, criteria = None, [], None
    if not form.is_bound or form.is_valid():
        criteria = form.criteria()
        found = worklists.search_dossiers(agency_id, criteria, now=now)
        page = Paginator(found, SEARCH_PAGE_SIZE).get_page(request.GET.get("trang"))
        rows = worklists.rows(page.object_list, now=now, agency_id=agency_id)
    filtered = criteria != worklists.Criteria()
    context = {"form": form, "page": page, "rows": rows, "filtered": filtered, "now": now}
    return render(request, "hoso/worklists/search.html", context)
