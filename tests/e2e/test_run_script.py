"""`./run` on a fresh database answers as in production: Vietnamese error pages, compressed cached
static files, and a demo ward whose leader board and reports have figures at once."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.conf import settings

from motcua.demo import DEMO_PASSWORD

pytestmark = pytest.mark.e2e
YEAR = 365 * 24 * 3600


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 — http://127.0.0.1 only
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 — our own local server
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """./run on SQLite in a fresh folder, tasks eager, no DEBUG, no SECRET_KEY: as a new user starts it."""
    var = tmp_path_factory.mktemp("run-var")
    port = _free_port()
    keep = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG", "SECRET_KEY", "ALLOWED"))}
    for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "STATIC_MANIFEST", "MOTCUA_PUBLIC_URL"):
        keep.pop(name, None)
    env = {**keep, "MOTCUA_VAR_DIR": str(var), "PORT": str(port)}
    log = (var / "run.log").open("w")
    process = subprocess.Popen(
        ["./run"], cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 600  # the first collectstatic compresses every file (about a minute)
        while time.monotonic() < deadline:
            if process.poll() is not None:
                pytest.fail("./run stopped:\n" + (var / "run.log").read_text())
            try:
                if _get(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            time.sleep(2)
        else:
            pytest.fail("./run did not answer:\n" + (var / "run.log").read_text())
        yield base, var
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)
        log.close()


def test_an_unknown_address_gets_the_vietnamese_page_not_the_debug_page(served):
    base, var = served
    status, _, body = _get(f"{base}/khong-co-trang-nay/")
    assert status == 404
    text = body.decode()
    assert "Không tìm thấy trang" in text and "Page not found" not in text and "URLconf" not in text
    key = var / "secret_key"  # made once, readable by its owner only
    assert key.exists() and key.stat().st_mode & 0o777 == 0o600


def test_a_public_page_and_its_assets_come_compressed_and_cached(served):
    base, var = served
    status, _, body = _get(f"{base}/tra-cuu/", **{"Accept-Encoding": "identity"})
    assert status == 200
    assets = re.findall(r'(?:href|src)="(/static/[^"]+)"', body.decode())
    weight = plain = len(body)
    for url in assets:
        status, headers, content = _get(base + url, **{"Accept-Encoding": "br, gzip"})
        assert status == 200 and headers["Content-Encoding"] in ("br", "gzip"), url
        assert int(re.search(r"max-age=(\d+)", headers["Cache-Control"]).group(1)) >= YEAR, url
        weight += len(content)
        plain += len(_get(base + url)[2])
    (var / "weight.txt").write_text(f"{weight} {plain}\n")
    assert plain > 250_000 and weight < 80_000, (weight, plain)


def test_the_leader_board_has_figures_at_once(served, browser):
    base, _ = served
    page = browser.new_page(viewport={"width": 1366, "height": 900})
    page.goto(f"{base}/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("lanhdao")
    page.get_by_label("Mật khẩu").fill(DEMO_PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Đăng nhập").click()
    page.goto(f"{base}/ho-so/lanh-dao/")
    text = page.inner_text("main")
    overdue = re.search(r"Quá hạn toàn phường\s+(\d+)", text)
    assert overdue and int(overdue.group(1)) > 0, text[:500]
    assert re.search(r"Đang giải quyết\s+(\d+)", text) and "000.00.01.H26-" in text
    page.close()


def test_citizen_sign_in_goes_to_the_development_identity_provider(served):
    base, var = served
    status, _, body = _get(f"{base}/cong-dan/dang-nhap/")  # followed to the provider's sign-in page
    text = body.decode()
    assert status == 200 and "Đăng nhập tài khoản định danh điện tử" in text and "Nguyễn Văn An" in text
    log = (var / "run.log").read_text()
    assert "Công dân thử nghiệm" in log and "001085012345" in log
    assert (var / "devidp" / "oidc_rsa.pem").stat().st_mode & 0o777 == 0o600
