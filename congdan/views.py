"""The citizen's pages: sign-in at the identity provider and its callback, sign-out, "Hồ sơ của tôi", its
supplement upload and the receipt (form 01) of a received dossier as a PDF."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from hoso.documents import DOCUMENTS, render_document
from hoso.models import Dossier
from tructuyen.filecheck import FileRejected

from . import oidc, selectors
from .access import citizen_required, current_citizen
from .claims import ClaimsError, identity_from_claims
from .services import sign_in as sign_in_citizen
from .session import ID_TOKEN_KEY, NEXT_KEY, forget_citizen, remember_citizen
from .supplements import add_supplement

logger = logging.getLogger(__name__)
DISABLED = "Chức năng đăng nhập bằng tài khoản định danh điện tử chưa được bật trên cổng này."


def _message(request: HttpRequest, text: str, status: int, title: str = "Đăng nhập công dân") -> HttpResponse:
    return render(request, "congdan/message.html", {"title": title, "text": text}, status=status)


def _safe_next(request: HttpRequest, target: str) -> str:
    allowed = url_has_allowed_host_and_scheme(target, allowed_hosts=None, require_https=False)
    return target if target.startswith("/") and allowed else ""


@require_GET
@never_cache
def sign_in(request: HttpRequest) -> HttpResponse:
    """Send the citizen to the identity provider (authorization code, PKCE, state, nonce)."""
    config = oidc.current_config()
    if config is None:
        return _message(request, DISABLED, status=404)
    target = _safe_next(request, request.GET.get("next", "")) or reverse("my_dossiers")
    if current_citizen(request) is not None:
        return redirect(target)
    try:
        url = oidc.begin(request.session, config, request.build_absolute_uri(reverse("congdan:callback")))
    except oidc.SignInError as error:
        logger.warning("Không bắt đầu được đăng nhập công dân: %s", error.reason)
        return _message(request, error.message, status=503)
    request.session[NEXT_KEY] = target
    return redirect(url)


@require_GET
@never_cache
def callback(request: HttpRequest) -> HttpResponse:
    """The provider sends the citizen back here; the ID token is fetched and verified by the server."""
    config = oidc.current_config()
    if config is None:
        return _message(request, DISABLED, status=404)
    try:
        signed_in = oidc.finish(request.session, config, request.GET.dict())
        citizen, how = sign_in_citizen(identity_from_claims(config.issuer, signed_in.claims), now=timezone.now())
    except oidc.SignInError as error:
        logger.warning("Đăng nhập công dân bị từ chối: %s", error.reason)
        return _message(request, error.message, status=503 if "unavailable" in error.reason else 400)
    except IntegrityError:
        # Two first sign-ins of the same person at once: the other one made the row.
        logger.warning("Đăng nhập công dân trùng lúc, đề nghị thử lại.")
        return _message(request, "Hệ thống đang bận, vui lòng đăng nhập lại.", status=409)
    except (ClaimsError, ValidationError) as error:
        logger.warning("Đăng nhập công dân bị từ chối: %s", error)
        text = str(error) if isinstance(error, ClaimsError) else " ".join(error.messages)
        return _message(request, text, status=400)
    target = request.session.pop(NEXT_KEY, "") or reverse("my_dossiers")
    remember_citizen(request, citizen.pk, signed_in.id_token)
    logger.info("Công dân #%s đăng nhập (%s).", citizen.pk, how)
    return redirect(_safe_next(request, target) or reverse("my_dossiers"))


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    """End the citizen's session here, then at the provider too when it offers RP-initiated sign-out
    (a shared PC at the desk must not keep the person signed in there)."""
    id_token = str(request.session.get(ID_TOKEN_KEY, ""))
    if request.user.is_authenticated:
        forget_citizen(request.session)
        request.session.cycle_key()
    else:
        request.session.flush()
    messages.info(request, "Bạn đã đăng xuất.")
    config = oidc.current_config()
    after = request.build_absolute_uri(reverse("thutuc:list"))
    provider = oidc.end_session_url(config, id_token, after) if config is not None and id_token else None
    return redirect(provider or after)


@citizen_required
def my_dossiers(request: HttpRequest) -> HttpResponse:
    """Hồ sơ của tôi: the drafts not sent yet, then the dossiers filed under the citizen's own ID number."""
    citizen = request.citizen  # type: ignore[attr-defined]
    rows = selectors.own_dossiers(citizen)
    logger.info("Công dân #%s xem danh sách hồ sơ của mình (%d hồ sơ).", citizen.pk, len(rows))
    context = {"citizen": citizen, "rows": rows, "drafts": selectors.unfinished_drafts(citizen)}
    return render(request, "congdan/my_dossiers.html", context)


@citizen_required
@require_POST
def supplement(request: HttpRequest, pk: int) -> HttpResponse:
    """The papers the desk asked for, uploaded to the citizen's own dossier (another's: 404)."""
    citizen = request.citizen  # type: ignore[attr-defined]
    try:
        files = add_supplement(dossier_id=pk, citizen=citizen, uploads=request.FILES.getlist("tep"))
    except Dossier.DoesNotExist:
        raise Http404 from None
    except FileRejected as exc:
        messages.error(request, str(exc))
    else:
        logger.info("Công dân #%s bổ sung %d tệp cho hồ sơ #%s.", citizen.pk, len(files), pk)
        messages.success(request, f"Đã gửi {len(files)} tệp bổ sung. Bộ phận một cửa sẽ kiểm tra và báo lại.")
    return redirect("my_dossiers")


RECEIPT = "tiep-nhan"


@citizen_required
def receipt(request: HttpRequest, pk: int) -> HttpResponse:
    """Form 01 of the citizen's own received dossier, as a PDF (another's, or one not received: 404)."""
    citizen = request.citizen  # type: ignore[attr-defined]
    dossier = (
        Dossier.objects.filter(pk=pk, applicant_id_number=citizen.id_number, code__isnull=False)
        .select_related("agency")
        .first()
    )
    if dossier is None or not DOCUMENTS[RECEIPT].available(dossier):
        logger.warning("Công dân #%s bị từ chối tải giấy tiếp nhận của hồ sơ #%s.", citizen.pk, pk)
        raise Http404
    pdf = render_document(dossier, RECEIPT)
    logger.info("Công dân #%s tải giấy tiếp nhận của hồ sơ %s.", citizen.pk, dossier.code)
    response = HttpResponse(pdf, content_type="application/pdf")
    add_never_cache_headers(response)  # the receipt holds the applicant's personal data
    response["Content-Disposition"] = f'attachment; filename="giay-tiep-nhan-{dossier.code}.pdf"'
    return response
