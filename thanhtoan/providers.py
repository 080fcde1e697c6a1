"""The payment provider behind one interface: start a payment, read a callback, answer it, query a state.

``provider()`` returns the configured one. ``NationalPlatform`` speaks the national payment
platform's protocol (``thanhtoan.protocol``; docs/payments.md §2) to the address in
``MOTCUA_PAYMENT_URL`` — the real platform in production, ``payment_gateway_simulator`` (the local
stand-in, same protocol) in the demo and the tests. Another provider (a provincial gateway) is one
more class with these four methods. TLS certificates are always verified (``requests``' default).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import requests
from django.conf import settings
from django.urls import reverse

from . import protocol as p


class ProviderError(Exception):
    """The provider could not be reached or refused the request (message in Vietnamese)."""


@dataclass(frozen=True)
class Payment:
    """What a payment start needs to say."""

    reference: str
    amount: int
    description: str
    procedure_code: str
    procedure_name: str
    agency_code: str
    agency_name: str
    dossier_code: str
    payer_name: str
    lines: list[dict[str, Any]]
    client_ip: str
    now: datetime


@dataclass(frozen=True)
class Started:
    url: str
    raw_request: dict[str, Any]
    raw_answer: dict[str, Any]


@dataclass(frozen=True)
class Notice:
    """A provider's word on one reference: ``paid`` True/False, or None while still pending."""

    reference: str
    verified: bool
    paid: bool | None
    amount: int | None
    currency: str
    provider_transaction: str
    raw: dict[str, Any] = field(default_factory=dict)


class Provider(Protocol):
    name: str

    def start(self, payment: Payment) -> Started: ...

    def read_callback(self, params: dict[str, str]) -> Notice: ...

    def reply(self, reference: str, code: str, now: datetime) -> dict[str, Any]: ...

    def query(self, reference: str, now: datetime) -> Notice: ...


def _int(value: object) -> int | None:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


class NationalPlatform:
    """The national payment platform (protocol 1.0.6), or its stand-in at the same address format."""

    name = "national"

    def __init__(self, base_url: str, partner: str, secret: str, timeout: int = 15) -> None:
        self.base_url = base_url.rstrip("/") + "/"
        self.partner, self.secret, self.timeout = partner, secret, timeout

    def _post(self, path: str, message: dict[str, Any]) -> dict[str, Any]:
        try:
            response = requests.post(self.base_url + path, json=message, timeout=self.timeout)
            answer = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise ProviderError(f"Không kết nối được cổng thanh toán: {exc.__class__.__name__}") from exc
        if not isinstance(answer, dict):
            raise ProviderError("Cổng thanh toán trả lời không đúng định dạng.")
        return answer

    def start(self, payment: Payment) -> Started:
        message: dict[str, Any] = {
            "PhienBan": p.VERSION,
            "MaDoiTac": self.partner,
            "MaThamChieu": payment.reference,
            "SoTien": payment.amount,
            "LoaiHinhThanhToan": "PAY",
            "MaKenhThanhToan": "1",
            "MaThietBi": "1",
            "NgonNgu": "vi-VN",
            "MaTienTe": "VND",
            "MaNganHang": "",
            "ThongTinGiaoDich": payment.description[:200],
            "ThoiGianGD": p.stamp(payment.now),
            "Ip": payment.client_ip,
            "UrlTraVe": settings.MOTCUA_PUBLIC_URL + reverse("thanhtoan:returned", args=[payment.reference]),
            "UrlThongBao": settings.MOTCUA_PUBLIC_URL + reverse("thanhtoan:callback"),
            "ThongTinBienLai": {
                "MaDichVu": "2",  # procedure fee
                "MaTTHC": payment.procedure_code,
                "TenTTHC": payment.procedure_name,
                "MaDonVi": payment.agency_code,
                "TenDonVi": payment.agency_name,
                "MaHoSo": payment.dossier_code,
                "PhiLePhi": payment.lines,
                "HoTenNguoiNop": payment.payer_name,
            },
        }
        message = p.signed(message, p.INIT_FIELDS, self.secret)
        answer = self._post("init", message)
        url = str(answer.get("url", ""))
        if str(answer.get("error_code")) != "0" or not url.startswith(("http://", "https://")):
            raise ProviderError(f"Cổng thanh toán từ chối khởi tạo giao dịch (mã {answer.get('error_code', '?')}).")
        return Started(url=url, raw_request=message, raw_answer=answer)

    def read_callback(self, params: dict[str, str]) -> Notice:
        verified = p.verify(params, p.CALLBACK_FIELDS, self.secret) and params.get("MaDoiTac") == self.partner
        return Notice(
            reference=str(params.get("MaThamChieu", ""))[:60],
            verified=verified,
            paid=str(params.get("MaLoi", "")) == p.PAID,
            amount=_int(params.get("SoTien")),
            currency=str(params.get("MaTienTe", "")),
            provider_transaction=str(params.get("MaGiaoDich", ""))[:60],
            raw=dict(params),
        )

    def reply(self, reference: str, code: str, now: datetime) -> dict[str, Any]:
        message: dict[str, Any] = {
            "MaLoi": code,
            "MoTaLoi": p.REPLY_TEXT.get(code, ""),
            "MaDoiTac": self.partner,
            "MaThamChieu": reference,
            "ThoiGianGD": p.stamp(now),
        }
        return p.signed(message, p.REPLY_FIELDS, self.secret)

    def query(self, reference: str, now: datetime) -> Notice:
        message: dict[str, Any] = {
            "MaDoiTac": self.partner,
            "MaThamChieu": reference,
            "LoaiHinhThanhToan": "QUERY",
            "ThoiGianGD": p.stamp(now),
        }
        answer = self._post("query", p.signed(message, p.QUERY_FIELDS, self.secret))
        state = str(answer.get("TrangThai", ""))
        return Notice(
            reference=str(answer.get("MaThamChieu", "")),
            verified=p.verify(answer, p.QUERY_ANSWER_FIELDS, self.secret) and answer.get("MaThamChieu") == reference,
            paid=True if state == p.QUERY_PAID else False if state == p.QUERY_FAILED else None,
            amount=_int(answer.get("SoTien")),
            currency=str(answer.get("MaTienTe", "")),
            provider_transaction=str(answer.get("MaGiaoDich", ""))[:60],
            raw=answer,
        )


def payments_on() -> bool:
    return bool(settings.MOTCUA_PAYMENT_URL and settings.MOTCUA_PAYMENT_SECRET)


def provider() -> Provider:
    """The configured provider (``MOTCUA_PAYMENT_*``); ProviderError when online payment is off."""
    if not payments_on():
        raise ProviderError("Chưa cấu hình cổng thanh toán trực tuyến.")
    return NationalPlatform(
        settings.MOTCUA_PAYMENT_URL,
        settings.MOTCUA_PAYMENT_PARTNER,
        settings.MOTCUA_PAYMENT_SECRET,
        settings.MOTCUA_PAYMENT_TIMEOUT,
    )
