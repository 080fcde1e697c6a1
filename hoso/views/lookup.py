"""The public status lookup (no login): the page a receipt's QR code opens, and its JSON twin."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from django.conf import settings
from django.contrib.messages import get_messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_GET

from congdan.session import CITIZEN_KEY
from motcua.lib.ratelimit import Rate, check_and_read

from .. import lookup as public_lookup

NOT_FOUND = "Không tìm thấy hồ sơ với mã hồ sơ và mã tra cứu này. Hãy kiểm tra lại giấy tiếp nhận."
TOO_MANY = "Bạn đã tra cứu quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ít phút."


def _private(response: HttpResponse) -> HttpResponse:
    """Status pages are personal: never cached by a proxy, never indexed."""
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"  # the key is in the URL: don't leak it onwards
    return response


LOOKUP_RATE_DEFAULT = "60/10m"


def _limited(request: HttpRequest, code: str) -> tuple[int, Any]:
    """(0 when the request may go on, else the seconds to wait: the Retry-After of the 429; the
    cached public view of the code and key as typed, read in the same round trip, or None)."""
    rate = Rate.parse(settings.MOTCUA_LOOKUP_RATE_LIMIT, default=LOOKUP_RATE_DEFAULT)
    cache_key = public_lookup.first_cache_key(code, request.GET.get("k", ""))
    decision, cached = check_and_read(request, "lookup", rate, cache_key)
    return decision.retry_after, cached


def _too_many(response: HttpResponse, wait: int) -> HttpResponse:
    response["Retry-After"] = str(wait)
    return _private(response)


@require_GET
def lookup_form(request: HttpRequest) -> HttpResponse:
    """Ask for the code and the key printed on the receipt, then show the status."""
    code = request.GET.get("ma", "").strip()[:60]
    key = request.GET.get("k", "").strip()[:20]
    if code and key:
        return redirect(f"/tra-cuu/{quote(code, safe='')}/?k={quote(key, safe='')}")
    # The form was sent (either field is in the query string, even empty): say which is missing.
    sent = "ma" in request.GET or "k" in request.GET
    field_errors = {
        "ma": "Hãy nhập mã hồ sơ (in trên giấy tiếp nhận)." if sent and not code else "",
        "k": "Hãy nhập mã tra cứu (8 ký tự, in trên giấy tiếp nhận)." if sent and not key else "",
    }
    error = "Hãy nhập cả mã hồ sơ và mã tra cứu." if sent else ""
    context = {"code": code, "key": key, "error": error, "field_errors": field_errors}
    return _private(render(request, "hoso/lookup/form.html", context, status=400 if sent else 200))


@require_GET
def lookup(request: HttpRequest, code: str) -> HttpResponse:
    wait, cached = _limited(request, code)
    if wait:
        return _too_many(render(request, "hoso/lookup/form.html", {"code": code, "error": TOO_MANY}, status=429), wait)
    view = public_lookup.lookup(code, request.GET.get("k", ""), cached=cached)
    if view is None:
        return _private(render(request, "hoso/lookup/form.html", {"code": code, "error": NOT_FOUND}, status=404))
    # Only a page with nothing personal to this visitor is shared: no staff navigation, no
    # one-off messages waiting in the session.
    anonymous = (
        not request.user.is_authenticated
        and CITIZEN_KEY not in request.session  # a citizen's page names them
        and len(get_messages(request)) == 0
    )
    if anonymous and view.html:
        return _private(HttpResponse(view.html))
    response = render(request, "hoso/lookup/status.html", {"view": view, "agency": view.agency})
    if anonymous:
        public_lookup.remember_html(view, response.content.decode())
    return _private(response)


@require_GET
def lookup_json(request: HttpRequest, code: str) -> JsonResponse:
    wait, cached = _limited(request, code)
    if wait:
        return _too_many(JsonResponse({"error": TOO_MANY}, status=429), wait)
    view = public_lookup.lookup(code, request.GET.get("k", ""), cached=cached)
    if view is None:
        return _private(JsonResponse({"error": NOT_FOUND}, status=404))
    return _private(JsonResponse(view.as_json(), json_dumps_params={"ensure_ascii": False}))
