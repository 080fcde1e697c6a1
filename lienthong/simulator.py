"""A local stand-in of the national portal for the demo and the tests (``national_portal_simulator``).

It speaks the protocol of ``lienthong.adapter`` on 127.0.0.1 only, keeps what it receives (records by
dossier code, every progress step as received — duplicates included, so a test sees them) in memory
or in a JSON file, keeps each record's fee list (``DanhSachLePhi``, as the last record sent had it:
an update replaces it) and the satisfaction ratings (``DongBoDanhGia``), answers ``TraCuuHoSo``,
and shows what it holds at ``GET /_inspect/<code>``.
Failures can be injected: a share of requests answered 503 (``fail_rate``), a delay before each
answer (``latency_ms``: longer than the client's timeout is a timeout), and, one at a time from a
test, "already exists", 5xx or an expired session (``fail_next``).
"""

from __future__ import annotations

import contextlib
import json
import random
import secrets
import threading
import time
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from motcua.lib.loopback import LoopbackServer

FAULTS = ("exists", "5xx", "expire")


class StandIn(LoopbackServer):
    """The stand-in's state and server; ``start()`` returns its address, ``stop()`` closes it
    (the state stays: start it again for "the portal was down, then back")."""

    thread_name = "national-stand-in"

    def __init__(
        self,
        port: int = 0,
        *,
        user: str = "",
        password: str = "",
        fail_rate: float = 0.0,
        latency_ms: int = 0,
        state_file: str | None = None,
    ) -> None:
        self.port = port
        self.user, self.password = user, password
        self.fail_rate, self.latency_ms = fail_rate, latency_ms
        self.state_file = Path(state_file) if state_file else None
        self.records: dict[str, dict[str, Any]] = {}
        self.progress: dict[str, list[dict[str, Any]]] = {}
        self.ratings: dict[str, list[dict[str, Any]]] = {}
        self.fees: dict[str, list[dict[str, Any]]] = {}
        self.sessions: set[str] = set()
        self.logins = 0
        self.calls: list[str] = []
        self.faults: list[str] = []
        self.lock = threading.Lock()
        self._random = random.Random()  # noqa: S311 — injected failures, not secrets
        self._load()

    # -- lifecycle -------------------------------------------------------------------------------
    def handler(self) -> type[BaseHTTPRequestHandler]:
        return _handler_for(self)

    def fail_next(self, fault: str) -> None:
        if fault not in FAULTS:
            raise ValueError(f"Lỗi giả lập không có: {fault} (có: {', '.join(FAULTS)})")
        with self.lock:
            self.faults.append(fault)

    def expire_sessions(self) -> None:
        with self.lock:
            self.sessions.clear()

    # -- the protocol ----------------------------------------------------------------------------
    def answer(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """(HTTP status, JSON answer) for one POST."""
        if self.latency_ms:
            time.sleep(self.latency_ms / 1000)
        service = str(body.get("service", ""))
        with self.lock:
            self.calls.append(service)
            fault = self.faults.pop(0) if self.faults else ""
            if fault == "5xx" or (self.fail_rate and self._random.random() < self.fail_rate):
                return HTTPStatus.SERVICE_UNAVAILABLE, {"error_code": -1, "message": "Hệ thống đang bận"}
            if service == "DangNhap":
                return HTTPStatus.OK, self._login(body)
            if fault == "expire":
                self.sessions.clear()
            if body.get("session") not in self.sessions:
                return HTTPStatus.OK, {"error_code": -2, "message": "Phiên làm việc hết hạn"}
            if fault == "exists":
                return HTTPStatus.OK, {"error_code": -3, "message": "Hồ sơ đã tồn tại"}
            handlers = {
                "DongBoHoSoMC": self._records,
                "CapNhatTienDoHoSoMC": self._steps,
                "DongBoDanhGia": self._ratings,
                "TraCuuHoSo": self._lookup,
            }
            if service not in handlers:
                return HTTPStatus.OK, {"error_code": 1, "message": f"Không có dịch vụ {service}"}
            return HTTPStatus.OK, handlers[service](body)

    def _login(self, body: dict[str, Any]) -> dict[str, Any]:
        if self.user and (body.get("username") != self.user or body.get("password") != self.password):
            return {"error_code": 1, "message": "Sai tên đăng nhập hoặc mật khẩu"}
        session = secrets.token_hex(16)
        self.sessions.add(session)
        self.logins += 1
        return {"error_code": 0, "session": session}

    def _records(self, body: dict[str, Any]) -> dict[str, Any]:
        unit, updating = str(body.get("madonvi", "")), bool(body.get("isUpdating"))
        records = body.get("data") or []
        for record in records:
            code = str(record.get("MaHoSo", ""))
            if not code or not code.startswith(unit):
                return {"error_code": 5, "message": f"Mã hồ sơ {code!r} phải bắt đầu bằng mã đơn vị {unit}"}
            if not updating and code in self.records:
                return {"error_code": 3, "message": f"Hồ sơ {code} đã tồn tại"}
        for record in records:
            self.records[str(record["MaHoSo"])] = dict(record)
            self.fees[str(record["MaHoSo"])] = [dict(fee) for fee in record.get("DanhSachLePhi") or []]
        self._save()
        return {"error_code": 0, "message": "Thành công"}

    def _steps(self, body: dict[str, Any]) -> dict[str, Any]:
        for step in body.get("data") or []:
            self.progress.setdefault(str(step.get("MaHoSo", "")), []).append(dict(step))
        self._save()
        return {"error_code": 0, "message": "Thành công"}

    def _ratings(self, body: dict[str, Any]) -> dict[str, Any]:
        for rating in body.get("data") or []:
            self.ratings.setdefault(str(rating.get("MaHoSo", "")), []).append(dict(rating))
        self._save()
        return {"error_code": 0, "message": "Thành công"}

    def _lookup(self, body: dict[str, Any]) -> dict[str, Any]:
        code = str((body.get("data") or {}).get("MaHoSo", ""))
        if code not in self.records:
            return {"error_code": 4, "message": "Không tìm thấy hồ sơ"}
        return {"error_code": 0, "result": self.records[code]}

    def inspect(self, code: str) -> dict[str, Any] | None:
        with self.lock:
            if code not in self.records and code not in self.progress:
                return None
            return {
                "record": self.records.get(code),
                "progress": list(self.progress.get(code, [])),
                "ratings": list(self.ratings.get(code, [])),
                "fees": list(self.fees.get(code, [])),
            }

    # -- the state file --------------------------------------------------------------------------
    def _load(self) -> None:
        if self.state_file and self.state_file.exists():
            state = json.loads(self.state_file.read_text(encoding="utf-8"))
            self.records, self.progress = state.get("records", {}), state.get("progress", {})
            self.ratings, self.fees = state.get("ratings", {}), state.get("fees", {})

    def _save(self) -> None:
        if self.state_file:
            state = {"records": self.records, "progress": self.progress, "ratings": self.ratings, "fees": self.fees}
            self.state_file.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")


def _handler_for(stand_in: StandIn) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real portal behind a web server
        disable_nagle_algorithm = True  # one answer = one write: no 40 ms wait for a delayed ACK
        wbufsize = 64 * 1024  # headers and body leave together (flushed after each request)

        def do_POST(self) -> None:
            if self.server is not stand_in.server:  # a kept-alive connection to a stand-in since stopped
                self.close_connection = True
                return
            length = int(self.headers.get("Content-Length") or 0)
            try:
                body = json.loads(self.rfile.read(length) or b"{}")
            except ValueError:
                self._send(HTTPStatus.BAD_REQUEST, {"error_code": 1, "message": "JSON không hợp lệ"})
                return
            if not isinstance(body, dict):
                self._send(HTTPStatus.BAD_REQUEST, {"error_code": 1, "message": "JSON không hợp lệ"})
                return
            self._send(*stand_in.answer(body))

        def do_GET(self) -> None:
            prefix = "/_inspect/"
            held = stand_in.inspect(unquote(self.path[len(prefix) :])) if self.path.startswith(prefix) else None
            if held is None:
                self._send(HTTPStatus.NOT_FOUND, {"error": "Không có hồ sơ này"})
            else:
                self._send(HTTPStatus.OK, held)

        def _send(self, status: int, answer: dict[str, Any]) -> None:
            data = json.dumps(answer, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            # The client may have given up (a timeout): what it sent is kept all the same.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler
