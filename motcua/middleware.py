"""Requests no page can answer, turned away before any view runs."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


def reject_null_characters(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    """A NUL character in the path or the query string (``%00``) reaches no real page, and
    PostgreSQL refuses it in any query: answer 400 with the Vietnamese page, not a 500."""

    def middleware(request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        if "\x00" in request.path or "%00" in query or "\x00" in query:
            return render(request, "400.html", status=400)
        return get_response(request)

    return middleware
