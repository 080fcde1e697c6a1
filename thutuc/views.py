"""The public procedure catalogue: no login, mobile-first, printable."""

from __future__ import annotations

import re

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from .models import Procedure
from .selectors import fields_in_use, search_procedures

PAGE_SIZE = 25


def procedure_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()[:200]
    raw_field = request.GET.get("linh_vuc", "")
    field_id = int(raw_field) if re.fullmatch(r"[0-9]{1,9}", raw_field) else None
    procedures = search_procedures(query, field_id=field_id)
    page = Paginator(procedures, PAGE_SIZE).get_page(request.GET.get("trang"))
    context = {"page": page, "query": query, "field_id": field_id, "fields": fields_in_use()}
    return render(request, "thutuc/procedure_list.html", context)


def procedure_detail(request: HttpRequest, code: str) -> HttpResponse:
    procedure = get_object_or_404(
        Procedure.objects.select_related("field").prefetch_related("documents", "offers__agency"),
        code=code,
        active=True,
    )
    return render(request, "thutuc/procedure_detail.html", {"procedure": procedure})
