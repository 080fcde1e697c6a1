"""POST /api/v1/online-dossiers/: dossiers pushed by other systems, signed per client with HMAC-SHA256.

Headers: ``X-Client-Id``; ``X-Timestamp`` (Unix seconds, within ±300 s of our clock);
``X-Signature`` = hex HMAC-SHA256 of ``timestamp + "\\n" + raw body`` with the client's secret,
compared in constant time. The body is read at once when its Content-Length is declared (refused
before reading when over the limit), else in 1 MiB steps, its HMAC computed as it comes; then
parsed, checked, and written in one transaction. The ward's offer of the procedure, with its
papers, comes from the per-process catalogue cache (thutuc.offers). Answers: 201 with the new
dossier, 200 with the dossier already made for the same external id, or 4xx JSON
``{"error": "<Vietnamese reason>"}`` with nothing written.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Iterator
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError
from django.http import HttpRequest, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from hoso.constants import Delivery, IdKind
from hoso.models import Dossier
from hoso.workflow import Intake, WorkflowError
from motcua.lib.identity import normalise_phone, validate_cccd, validate_name
from thutuc.constants import Channel
from thutuc.models import AgencyProcedure
from thutuc.offers import offer_for

from . import services
from .filecheck import FileRejected, base64_chunks
from .models import ApiClient, ExternalSubmission

# Steps of a body read without a declared length: each read of gunicorn's input copies what it buffered.
READ_BYTES = 1024 * 1024
DELIVERIES = {"desk": Delivery.DESK, "post": Delivery.POST, "electronic": Delivery.ELECTRONIC}


class Refused(Exception):
    """A request answered with a 4xx and a Vietnamese reason."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def _error(status: int, reason: str) -> JsonResponse:
    return JsonResponse({"error": reason}, status=status, json_dumps_params={"ensure_ascii": False})


def _client(request: HttpRequest) -> ApiClient:
    client_id = request.headers.get("X-Client-Id", "").strip()
    client = ApiClient.objects.select_related("agency").filter(client_id=client_id, active=True).first()
    if not client_id or client is None:
        raise Refused(401, "Mã khách (X-Client-Id) không hợp lệ hoặc đã bị khóa.")
    return client


def _timestamp(request: HttpRequest) -> str:
    raw = request.headers.get("X-Timestamp", "").strip()
    if not raw.isdigit():
        raise Refused(401, "Thiếu X-Timestamp hoặc X-Timestamp không phải số giây Unix.")
    skew = settings.TRUCTUYEN_API_CLOCK_SKEW_SECONDS
    if abs(time.time() - int(raw)) > skew:
        raise Refused(401, f"X-Timestamp lệch quá {skew} giây so với đồng hồ máy chủ: hãy đồng bộ giờ và ký lại.")
    return raw


def _max_body() -> int:
    """The largest body accepted: every file at the per-dossier limit, in base64, plus the JSON around it."""
    return settings.TRUCTUYEN_MAX_DOSSIER_BYTES * 4 // 3 + 1024 * 1024


def _signed_body(request: HttpRequest, client: ApiClient, timestamp: str) -> bytes:
    """The raw body, read while its HMAC is computed; Refused when too large or wrongly signed."""
    limit = _max_body()
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        raise Refused(413, "Nội dung gửi lên quá lớn.")
    mac = hmac.new(client.secret.encode(), timestamp.encode() + b"\n", hashlib.sha256)
    chunks: list[bytes] = []
    size = 0
    # The declared length in one read (one buffer, no joining), then steps for anything after it.
    while chunk := request.read(declared if not chunks and declared else READ_BYTES):
        size += len(chunk)
        if size > limit:
            raise Refused(413, "Nội dung gửi lên quá lớn.")
        mac.update(chunk)
        chunks.append(chunk)
    signature = request.headers.get("X-Signature", "").strip().lower()
    if not hmac.compare_digest(mac.hexdigest().encode(), signature.encode()):
        raise Refused(401, "Chữ ký X-Signature không đúng.")
    return b"".join(chunks)  # the one chunk itself when it came in one read


def signed_request(request: HttpRequest) -> tuple[ApiClient, bytes]:
    """The calling system and the body it signed; Refused (401, 413) otherwise, nothing parsed yet."""
    client = _client(request)
    return client, _signed_body(request, client, _timestamp(request))


def _text(data: dict[str, Any], key: str, *, required: bool = False, limit: int = 300) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Refused(400, f"Trường “{key}” phải là chuỗi ký tự.")
    value = value.strip()
    if required and not value:
        raise Refused(400, f"Thiếu trường “{key}”.")
    if len(value) > limit:
        raise Refused(400, f"Trường “{key}” dài quá {limit} ký tự.")
    return value


def _offer(agency_id: int, code: str) -> AgencyProcedure:
    """The ward's active offer of the active procedure (with the procedure, its field and papers)."""
    offer = offer_for(agency_id, code)
    if offer is None:
        raise Refused(422, f"Thủ tục “{code}” không có trong danh mục cơ quan tiếp nhận.")
    return offer


def _intake(payload: dict[str, Any], offer: AgencyProcedure) -> Intake:
    applicant = payload.get("applicant")
    if not isinstance(applicant, dict):
        raise Refused(400, "Thiếu thông tin người nộp (“applicant”).")
    delivery = _text(payload, "result_delivery") or "desk"
    if delivery not in DELIVERIES:
        raise Refused(400, "“result_delivery” phải là “desk”, “post” hoặc “electronic”.")
    address = _text(applicant, "address")
    try:
        name = validate_name(_text(applicant, "name", required=True, limit=200), what="Họ tên người nộp")
        id_number = _text(applicant, "id_number", limit=20)
        id_number = validate_cccd(id_number, today=timezone.localdate()) if id_number else ""
        phone = _text(applicant, "phone", limit=20)
        phone = normalise_phone(phone) if phone else ""
        email = _text(applicant, "email", limit=254)
        if email:
            validate_email(email)  # its own message below: the field's name matters to the caller
    except ValidationError as exc:
        reason = "Thư điện tử của người nộp không hợp lệ." if exc.code == "invalid" else _first(exc)
        raise Refused(422, reason) from None
    if delivery == "post" and not address:
        raise Refused(422, "Nhận kết quả qua bưu chính: hãy gửi địa chỉ người nộp (“applicant.address”).")
    if delivery == "electronic" and not id_number:
        raise Refused(422, "Nhận kết quả điện tử: hãy gửi số định danh cá nhân của người nộp (“applicant.id_number”).")
    return Intake(
        procedure=offer.procedure,
        offer=offer,
        applicant_name=name,
        applicant_id_kind=IdKind.CCCD,
        applicant_id_number=id_number,
        applicant_phone=phone,
        applicant_email=email,
        applicant_address=address,
        channel=Channel.ONLINE,
        delivery=DELIVERIES[delivery],
        delivery_address=address if delivery == "post" else "",
    )


def _papers(payload: dict[str, Any]) -> list[services.Paper]:
    raw = payload.get("papers") or []
    if not isinstance(raw, list):
        raise Refused(400, "“papers” phải là một danh sách.")
    papers = []
    for index, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise Refused(400, f"Giấy tờ thứ {index} không đúng dạng.")
        filename = _text(item, "filename", limit=255) or f"giay-to-{index}"
        name = _text(item, "name", limit=500) or filename
        content = item.get("content_base64")
        if not isinstance(content, str) or not content:
            raise Refused(400, f"Giấy tờ “{name}”: thiếu nội dung tệp (“content_base64”).")
        papers.append(services.Paper(name=name, filename=filename, chunks=_lazy(content, filename)))
    return papers


def _lazy(content: str, filename: str) -> Iterator[bytes]:
    yield from base64_chunks(content, name=filename)


def _answer(dossier: Dossier, status: int) -> JsonResponse:
    due = dossier.intake_due_at
    return JsonResponse(
        {
            "code": dossier.code,
            "lookup_key": dossier.lookup_key,
            "status": dossier.status,
            "national_status": dossier.national_status,
            "intake_due_at": timezone.localtime(due).isoformat() if due else None,
        },
        status=status,
    )


def _existing(client: ApiClient, external_id: str) -> Dossier | None:
    found = ExternalSubmission.objects.select_related("dossier").filter(
        agency_id=client.agency_id, external_id=external_id
    )
    return next((row.dossier for row in found[:1]), None)


@csrf_exempt
@require_POST
def online_dossiers(request: HttpRequest) -> JsonResponse:
    try:
        client, body = signed_request(request)
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            raise Refused(400, "Nội dung không phải JSON hợp lệ (UTF-8).") from None
        del body  # the parsed payload is all that is kept
        if not isinstance(payload, dict):
            raise Refused(400, "Nội dung phải là một đối tượng JSON.")
        external_id = _text(payload, "external_id", required=True, limit=100)
        if (dossier := _existing(client, external_id)) is not None:
            return _answer(dossier, 200)
        offer = _offer(client.agency_id, _text(payload, "procedure_code", required=True, limit=60))
        intake, papers = _intake(payload, offer), _papers(payload)
        try:
            dossier = services.submit(
                agency=client.agency,
                intake=intake,
                papers=papers,
                source=f"api:{client.client_id}",
                client=client,
                external_id=external_id,
            )
        except IntegrityError:  # the same id pushed twice at once: the other request made it
            if (dossier := _existing(client, external_id)) is not None:
                return _answer(dossier, 200)
            raise
        return _answer(dossier, 201)
    except Refused as refused:
        return _error(refused.status, refused.reason)
    except FileRejected as exc:
        return _error(422, str(exc))
    except WorkflowError as exc:
        return _error(422, str(exc))
    except ValidationError as exc:  # a field the model refuses (length, format)
        return _error(422, _first(exc))


def _first(exc: ValidationError) -> str:
    return exc.messages[0] if exc.messages else "Dữ liệu không hợp lệ."
