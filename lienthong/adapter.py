"""The national portal behind one interface: log in, send or update a record, send progress steps, look up.

The protocol (docs/national-link.md §1): every call is ``POST {url}`` with a
JSON body. Logging in: ``{"service": "DangNhap", "username", "password"}`` → ``{"error_code": 0,
"session": "…"}``. Then ``{"session", "madonvi", "service", "data"}`` with the services
``DongBoHoSoMC`` (``data``: a list of records, ``isUpdating`` true for an update),
``CapNhatTienDoHoSoMC`` (``data``: a list of steps), ``DongBoDanhGia`` (``data``: a list of satisfaction
ratings) and ``TraCuuHoSo`` (``data``: ``{"MaHoSo"}``).
Answers carry ``error_code``: 0 done, 3 / -3 the dossier already exists, -2 (or HTTP 401) the
session expired; any other code is a refusal of the data. HTTP 5xx, timeouts and unreadable
answers are transient: the outbox tries again later.

TLS certificates are always verified (``requests``' default, a custom CA through
``REQUESTS_CA_BUNDLE``): there is no switch to turn that off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings

LOGIN = "DangNhap"
SEND_RECORD = "DongBoHoSoMC"
SEND_PROGRESS = "CapNhatTienDoHoSoMC"
LOOKUP = "TraCuuHoSo"
SEND_RATINGS = "DongBoDanhGia"

OK = 0
ALREADY_EXISTS = (3, -3)
SESSION_EXPIRED = -2
NOT_FOUND = 4
CONNECT_TIMEOUT = 5.0


class PortalError(Exception):
    """The portal could not take the call. ``transient``: worth trying again later."""

    def __init__(self, message: str, *, transient: bool, code: int | None = None) -> None:
        super().__init__(message)
        self.transient = transient
        self.code = code


class SessionExpired(PortalError):
    def __init__(self) -> None:
        super().__init__("Phiên làm việc với Cổng DVC quốc gia đã hết hạn.", transient=True)


class AlreadyExists(PortalError):
    def __init__(self, message: str) -> None:
        super().__init__(message or "Hồ sơ đã có trên Cổng DVC quốc gia.", transient=False)


@dataclass
class NationalPortal:
    """One agency's connection (``unit`` is the agency's code, ``madonvi``)."""

    url: str
    user: str
    password: str
    unit: str
    timeout: float = 15.0
    http: requests.Session = field(default_factory=requests.Session)
    session: str = ""
    logins: int = 0

    @classmethod
    def from_settings(cls, unit: str) -> NationalPortal:
        return cls(
            url=settings.MOTCUA_NATIONAL_PORTAL_URL,
            user=settings.MOTCUA_NATIONAL_PORTAL_USER,
            password=settings.MOTCUA_NATIONAL_PORTAL_PASSWORD,
            unit=unit,
            timeout=float(settings.MOTCUA_NATIONAL_PORTAL_TIMEOUT),
        )

    # -- the interface -------------------------------------------------------------------------
    def login(self) -> str:
        answer = self._post({"service": LOGIN, "username": self.user, "password": self.password})
        code = answer.get("error_code")
        if code != OK or not answer.get("session"):
            raise PortalError(f"Đăng nhập Cổng DVC quốc gia không được: {_message(answer)}", transient=True)
        self.session = str(answer["session"])
        self.logins += 1
        return self.session

    def send_record(self, record: dict[str, Any], updating: bool) -> bool:
        """Send (or update) the record; "already exists" on a new one → sent again as an update.
        Returns whether it went as an update."""
        try:
            self._call(SEND_RECORD, [record], isUpdating=updating)
        except AlreadyExists:
            if updating:
                raise
            self._call(SEND_RECORD, [record], isUpdating=True)
            return True
        return updating

    def send_progress(self, steps: list[dict[str, Any]]) -> None:
        if steps:
            self._call(SEND_PROGRESS, steps)

    def send_ratings(self, ratings: list[dict[str, Any]]) -> None:
        if ratings:
            self._call(SEND_RATINGS, ratings)

    def lookup(self, code: str) -> dict[str, Any] | None:
        """The portal's record of the dossier, or None when it holds none."""
        try:
            answer = self._call(LOOKUP, {"MaHoSo": code})
        except PortalError as exc:
            if exc.code == NOT_FOUND:
                return None
            raise
        result = answer.get("result")
        return result if isinstance(result, dict) else None

    # -- plumbing -------------------------------------------------------------------------------
    def _call(self, service: str, data: Any, **extra: Any) -> dict[str, Any]:
        """One service call with the session; an expired session → log in again, once."""
        if not self.session:
            self.login()
        try:
            return self._checked(service, data, extra)
        except SessionExpired:
            self.login()
            return self._checked(service, data, extra)

    def _checked(self, service: str, data: Any, extra: dict[str, Any]) -> dict[str, Any]:
        body = {"session": self.session, "madonvi": self.unit, "service": service, **extra, "data": data}
        answer = self._post(body)
        code = answer.get("error_code")
        if code == OK:
            return answer
        if code == SESSION_EXPIRED:
            raise SessionExpired()
        if code in ALREADY_EXISTS:
            raise AlreadyExists(_message(answer))
        message = f"Cổng DVC quốc gia từ chối ({service}, mã {code}): {_message(answer)}"
        raise PortalError(message, transient=False, code=code if isinstance(code, int) else None)

    def _post(self, body: dict[str, Any]) -> dict[str, Any]:
        try:
            response = self.http.post(self.url, json=body, timeout=(CONNECT_TIMEOUT, self.timeout))
        except requests.Timeout as exc:
            raise PortalError(
                f"Cổng DVC quốc gia không trả lời kịp ({exc.__class__.__name__}).", transient=True
            ) from exc
        except requests.RequestException as exc:
            raise PortalError(
                f"Không kết nối được Cổng DVC quốc gia: {exc.__class__.__name__}.", transient=True
            ) from exc
        if response.status_code == 401:
            raise SessionExpired()
        if response.status_code >= 500 or response.status_code == 429:
            raise PortalError(f"Cổng DVC quốc gia lỗi HTTP {response.status_code}.", transient=True)
        try:
            answer = response.json()
        except ValueError as exc:
            raise PortalError(
                f"Câu trả lời của Cổng DVC quốc gia không đọc được (HTTP {response.status_code}).", transient=True
            ) from exc
        if not isinstance(answer, dict):
            raise PortalError("Câu trả lời của Cổng DVC quốc gia không đúng định dạng.", transient=True)
        return answer


def _message(answer: dict[str, Any]) -> str:
    return str(answer.get("message") or answer.get("error_code"))
