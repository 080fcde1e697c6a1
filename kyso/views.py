"""The public verification page (/xac-thuc/) and the leader's pages for a document to sign on their PC.

The public page shows who issued a document, who signed it and when, and whether it was altered;
never the applicant (docs/personal-data.md). Uploads are limited in size (MOTCUA_VERIFY_MAX_BYTES)
and in number per client (the lookup's rate).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_http_methods, require_POST

from motcua.constants import Role
from motcua.lib.ratelimit import Rate, check
from motcua.permissions import get_for_ward, staff_required

from .models import SignedDocument
from .services import UploadRefused, Verdict, accept_signed_upload, find_code, verify_bytes
from .signing import SigningError
from .verify import NotAPdf

TOO_MANY = "Bạn đã kiểm tra quá nhiều lần trong thời gian ngắn. Vui lòng thử lại sau ít phút."
NO_FILE = "Hãy chọn tệp PDF hoặc nhập mã xác thực in trên văn bản."
CODE_NOT_FOUND = "Không tìm thấy văn bản nào có mã xác thực này."


def _max_mb() -> int:
    return int(settings.MOTCUA_VERIFY_MAX_BYTES // (1024 * 1024))


def _read_upload(request: HttpRequest) -> bytes | str:
    """The uploaded PDF's bytes, or the Vietnamese reason it is refused."""
    upload = request.FILES.get("tep")
    if upload is None:
        return NO_FILE
    if upload.size is None or upload.size > settings.MOTCUA_VERIFY_MAX_BYTES:
        return f"Tệp quá lớn (tối đa {_max_mb()} MB)."
    data = upload.read()
    if not data.startswith(b"%PDF-"):
        return "Tệp không phải là PDF."
    return data


@require_http_methods(["GET", "POST"])
def verify_page(request: HttpRequest) -> HttpResponse:
    """Upload a PDF or type a code; the answer on the same page."""
    context: dict[str, object] = {"max_mb": _max_mb(), "code": ""}
    status = 200
    asked = request.method == "POST" or "ma" in request.GET
    if asked and (wait := check(request, "verify", Rate.parse(settings.MOTCUA_LOOKUP_RATE_LIMIT)).retry_after):
        response = render(request, "kyso/verify.html", {**context, "error": TOO_MANY}, status=429)
        response["Retry-After"] = str(wait)
        return _private(response)
    if request.method == "POST":
        data = _read_upload(request)
        if isinstance(data, str):
            context["error"], status = data, 200 if data == NO_FILE else 400
        else:
            try:
                verdict: Verdict = verify_bytes(data)
            except NotAPdf as exc:
                context["error"], status = str(exc), 400
            else:
                context["verdict"] = verdict
                context["document"] = verdict.document
    elif "ma" in request.GET:
        code = request.GET.get("ma", "").strip()[:40]
        context["code"] = code
        document = find_code(code)
        if document is None:
            context["error"], status = (CODE_NOT_FOUND if code else NO_FILE), 404 if code else 200
        else:
            context["document"] = document
            context["records"] = list(document.signatures.all())
    return _private(render(request, "kyso/verify.html", context, status=status))


def _private(response: HttpResponse) -> HttpResponse:
    add_never_cache_headers(response)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@staff_required(Role.LEADER, Role.ADMIN)
def document_page(request: HttpRequest, code: str) -> HttpResponse:
    """A document of the ward: download it to sign on the PC, upload it signed."""
    document = get_for_ward(SignedDocument, request.user, code=code)
    return render(request, "kyso/document.html", {"document": document, "records": document.signatures.all()})


@staff_required(Role.LEADER, Role.ADMIN)
def document_pdf(request: HttpRequest, code: str) -> HttpResponse:
    document = get_for_ward(SignedDocument, request.user, code=code)
    response = HttpResponse(bytes(document.pdf), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{document.code}.pdf"'
    return _private(response)


@require_POST
@staff_required(Role.LEADER)
def upload_signed(request: HttpRequest, code: str) -> HttpResponse:
    """Keep a PDF the leader signed on their PC if it validates, then the organisation signs."""
    document = get_for_ward(SignedDocument, request.user, code=code)
    data = _read_upload(request)
    try:
        if isinstance(data, str):
            raise UploadRefused(data)
        accept_signed_upload(
            document,
            data,
            position=request.user.agency.leader_title if request.user.agency else "",
            countersign_after="co-quan-ky" in request.POST,
        )
    except (UploadRefused, SigningError) as exc:
        messages.error(request, f"Không nhận tệp đã ký: {exc}")
    else:
        messages.success(request, "Đã nhận văn bản đã ký số; chữ ký hợp lệ.")
    return redirect("kyso:document", code=document.code)
