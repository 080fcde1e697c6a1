"""The development identity provider (devidp/) as a real server for the tests: a subprocess on a free loopback port.

`devidp_server` (session): migrated and seeded once, the portal registered as its confidential client.
`idp_sign_in` drives a browser's part of the code flow with `requests` (sign-in form, authorization).
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlparse

import pytest
import requests

ROOT = Path(__file__).resolve().parents[1]
CLIENT_ID = "motcua-test-portal"
PASSWORD = "vneid-demo-2026"
# (ID number, full name) of the seeded demo citizens (devidp/citizens.py).
AN = ("001085012345", "Nguyễn Văn An")
NGOC = ("001192034567", "Trần Thị Bích Ngọc")
CHAU = ("001301056789", "Lê Minh Châu")


@dataclass(frozen=True)
class DevIdp:
    issuer: str
    client_id: str
    client_secret: str
    var_dir: Path

    @property
    def signing_key_pem(self) -> bytes:
        return (self.var_dir / "oidc_rsa.pem").read_bytes()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "devidp", *args], cwd=ROOT, env=env, check=True, capture_output=True)


@pytest.fixture(scope="session")
def devidp_server(tmp_path_factory):
    var_dir = tmp_path_factory.mktemp("devidp")
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DEVIDP_VAR_DIR=str(var_dir), DEVIDP_PORT=str(port), DEVIDP_HOST="127.0.0.1", PYTHONUNBUFFERED="1")
    secret = secrets.token_urlsafe(32)
    (var_dir / "client_secret").write_text(secret, encoding="utf-8")
    _run(env, "migrate", "-v0")
    _run(
        env,
        "seed_devidp",
        "--client-id",
        CLIENT_ID,
        "--client-secret-file",
        str(var_dir / "client_secret"),
        "--redirect-uri",
        "http://testserver/cong-dan/oidc/callback/",
        "--redirect-uri",
        "http://127.0.0.1/cong-dan/oidc/callback/",  # any port of the loopback (RFC 8252 §7.3): live_server
        "--post-logout-redirect-uri",
        "http://testserver/thu-tuc/",
        "--post-logout-redirect-uri",
        "http://127.0.0.1/thu-tuc/",
    )
    log = (var_dir / "server.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "devidp", "serve_devidp"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT
    )
    issuer = f"http://127.0.0.1:{port}/o"
    deadline = time.monotonic() + 60
    try:
        while True:
            try:
                if requests.get(f"{issuer}/.well-known/openid-configuration", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = (var_dir / "server.log").read_text()
                pytest.fail(f"Nhà cung cấp định danh thử nghiệm không khởi động được:\n{output}")
            time.sleep(0.2)
        yield DevIdp(issuer=issuer, client_id=CLIENT_ID, client_secret=secret, var_dir=var_dir)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


def idp_sign_in(authorization_url: str, id_number: str, password: str = PASSWORD) -> str:
    """What a browser does at the provider: sign in with the form, authorize; the callback URL it is sent to."""
    browser = requests.Session()
    first = browser.get(authorization_url, allow_redirects=False, timeout=10)
    assert first.status_code == 302, first.text[:500]
    login_url = urljoin(authorization_url, first.headers["Location"])
    form = browser.get(login_url, timeout=10)
    assert form.status_code == 200
    posted = browser.post(
        urljoin(login_url, "/dang-nhap/"),
        data={
            "csrfmiddlewaretoken": browser.cookies["devidp_csrftoken"],
            "so_dinh_danh": id_number,
            "mat_khau": password,
            "next": parse_qs(urlparse(login_url).query)["next"][0],
        },
        allow_redirects=False,
        timeout=10,
    )
    assert posted.status_code == 302, posted.text[:500]
    authorized = browser.get(urljoin(login_url, posted.headers["Location"]), allow_redirects=False, timeout=10)
    assert authorized.status_code == 302, authorized.text[:500]
    return str(authorized.headers["Location"])
