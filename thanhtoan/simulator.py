"""A local stand-in of the national payment platform (``payment_gateway_simulator``), on 127.0.0.1 only.

It speaks ``thanhtoan.protocol``: ``POST /init`` (checks the partner and the check code, keeps the
transaction, answers the payment page's URL), ``GET /pay/<token>`` (a page with three buttons:
*Thanh toán* — paid, the callback is sent, then the browser goes back; *Hủy thanh toán* — failed,
likewise; *Không gửi thông báo* — paid, but no callback: only the reconciliation's QUERY learns it),
``POST /query`` (state 1 paid, 3 pending, 4 failed). Callbacks are form-encoded POSTs to the
``UrlThongBao`` the portal gave, signed with the same secret. Tests drive it directly too
(``decide``) and read what it sent (``callbacks``).
"""

from __future__ import annotations

import contextlib
import html
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

import requests

from motcua.lib.loopback import LoopbackServer

from . import protocol as p

DECISIONS = ("pay", "fail", "silent")


@dataclass
class Held:
    message: dict[str, Any]
    state: str = p.QUERY_PENDING
    provider_id: str = field(default_factory=lambda: "GD" + secrets.token_hex(6).upper())


class PaymentStandIn(LoopbackServer):
    """The stand-in's state and server; ``start()`` returns its base URL."""

    thread_name = "payment-stand-in"

    def __init__(self, port: int = 0, *, partner: str = "MOTCUA", secret: str = "") -> None:
        self.port, self.partner, self.secret = port, partner, secret
        self.held: dict[str, Held] = {}  # by token
        self.by_reference: dict[str, str] = {}
        self.callbacks: list[tuple[dict[str, Any], int, str]] = []  # (sent, HTTP status, answer)
        self.lock = threading.Lock()

    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    # -- the protocol ----------------------------------------------------------------------------
    def init(self, body: dict[str, Any]) -> dict[str, Any]:
        if body.get("MaDoiTac") != self.partner or not p.verify(body, p.INIT_FIELDS, self.secret):
            return {"error_code": "1", "message": "Sai mã đối tác hoặc mã xác thực"}
        reference = str(body.get("MaThamChieu", ""))
        with self.lock:
            if reference in self.by_reference:
                return {"error_code": "2", "message": "Mã tham chiếu đã dùng"}
            token = secrets.token_urlsafe(12)
            self.held[token] = Held(dict(body))
            self.by_reference[reference] = token
        return {"error_code": "0", "url": f"{self.url}pay/{token}"}

    def query(self, body: dict[str, Any]) -> dict[str, Any]:
        if not p.verify(body, p.QUERY_FIELDS, self.secret):
            return {"error_code": "1", "message": "Sai mã xác thực"}
        reference = str(body.get("MaThamChieu", ""))
        with self.lock:
            held = self.held.get(self.by_reference.get(reference, ""))
        if held is None:
            return {"error_code": "3", "message": "Không có giao dịch"}
        answer = {
            "error_code": "0",
            "MaDoiTac": self.partner,
            "MaThamChieu": reference,
            "TrangThai": held.state,
            "SoTien": held.message.get("SoTien"),
            "MaTienTe": held.message.get("MaTienTe", "VND"),
            "MaGiaoDich": held.provider_id,
        }
        return p.signed(answer, p.QUERY_ANSWER_FIELDS, self.secret)

    def callback_message(self, held: Held, paid: bool) -> dict[str, Any]:
        message = {
            "LoaiBanTin": "1",
            "MaLoi": p.PAID if paid else "24",
            "MaDoiTac": self.partner,
            "MaThamChieu": held.message.get("MaThamChieu", ""),
            "SoTien": held.message.get("SoTien", ""),
            "MaTienTe": held.message.get("MaTienTe", "VND"),
            "MaGiaoDich": held.provider_id,
            "MaNganHang": "NHGL",
            "ThoiGianGD": p.stamp(datetime.now(p.VIETNAM)),
            "ThongTinGiaoDich": held.message.get("ThongTinGiaoDich", ""),
        }
        return p.signed(message, p.CALLBACK_FIELDS, self.secret)

    def decide(self, token: str, decision: str) -> str | None:
        """The payer's choice on the page; returns where the browser goes back to (None: unknown token)."""
        with self.lock:
            held = self.held.get(token)
            if held is None or decision not in DECISIONS:
                return None
            if held.state != p.QUERY_PENDING:
                return str(held.message.get("UrlTraVe", ""))
            held.state = p.QUERY_FAILED if decision == "fail" else p.QUERY_PAID
        if decision != "silent":
            self.send_callback(held, paid=decision == "pay")
        return str(held.message.get("UrlTraVe", ""))

    def send_callback(self, held: Held, *, paid: bool) -> None:
        message = self.callback_message(held, paid)
        try:
            response = requests.post(str(held.message.get("UrlThongBao", "")), data=message, timeout=15)
            status, text = response.status_code, response.text
        except requests.RequestException as exc:
            status, text = 0, exc.__class__.__name__
        with self.lock:
            self.callbacks.append((message, status, text))

    def page(self, token: str) -> str | None:
        with self.lock:
            held = self.held.get(token)
        if held is None:
            return None
        m = held.message
        receipt = m.get("ThongTinBienLai") or {}
        amount = f"{int(m.get('SoTien', 0)):,}".replace(",", ".")
        buttons = "".join(
            f'<button type="submit" name="quyet_dinh" value="{value}" id="{value}">{label}</button> '
            for value, label in (("pay", "Thanh toán"), ("fail", "Hủy thanh toán"), ("silent", "Không gửi thông báo"))
        )
        return (
            '<!doctype html><html lang="vi"><head><meta charset="utf-8"><title>Cổng thanh toán (giả lập)</title></head>'
            "<body><h1>Cổng thanh toán (giả lập)</h1>"
            f"<p>Mã tham chiếu: {html.escape(str(m.get('MaThamChieu', '')))}</p>"
            f"<p>Nội dung: {html.escape(str(m.get('ThongTinGiaoDich', '')))}</p>"
            f"<p>Đơn vị: {html.escape(str(receipt.get('TenDonVi', '')))}</p>"
            f'<p>Số tiền: <strong id="so-tien">{amount} đồng</strong></p>'
            f'<form method="post" action="/pay/{html.escape(token)}">{buttons}</form></body></html>'
        )


def _handler_for(stand_in: PaymentStandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.path.startswith("/pay/"):
                choice = parse_qs(raw.decode("utf-8", "replace")).get("quyet_dinh", [""])[0]
                back = stand_in.decide(self.path[len("/pay/") :], choice)
                if back is None:
                    self._send(HTTPStatus.NOT_FOUND, "text/plain", "Không có giao dịch")
                    return
                self.send_response(HTTPStatus.SEE_OTHER)
                self.send_header("Location", back)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            try:
                body = json.loads(raw or b"{}")
            except ValueError:
                body = None
            if not isinstance(body, dict):
                self._json({"error_code": "9", "message": "JSON không hợp lệ"}, HTTPStatus.BAD_REQUEST)
                return
            routes = {"/init": stand_in.init, "/query": stand_in.query}
            handler = routes.get(self.path)
            if handler is None:
                self._json({"error_code": "9", "message": "Không có dịch vụ này"}, HTTPStatus.NOT_FOUND)
                return
            self._json(handler(body))

        def do_GET(self) -> None:
            page = stand_in.page(self.path[len("/pay/") :]) if self.path.startswith("/pay/") else None
            if page is None:
                self._send(HTTPStatus.NOT_FOUND, "text/plain", "Không có giao dịch")
            else:
                self._send(HTTPStatus.OK, "text/html", page)

        def _json(self, answer: dict[str, Any], status: int = HTTPStatus.OK) -> None:
            self._send(status, "application/json", json.dumps(answer, ensure_ascii=False))

        def _send(self, status: int, kind: str, text: str) -> None:
            data = text.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
