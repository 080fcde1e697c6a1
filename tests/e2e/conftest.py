"""Playwright in Debian's Chromium (never a downloaded browser) against Django's live server."""

from __future__ import annotations

import os
import shutil
import tempfile

import pytest

from tests.conftest import need

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# The machine has no network beyond localhost: keep Chromium from calling home.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 2, "is_mobile": True, "has_touch": True}

# Playwright's sync API runs an event loop in this thread; the ORM calls made by the tests
# themselves are synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture(scope="session")
def browser():
    need(os.path.exists(CHROMIUM) or shutil.which("chromium") is not None, f"Chromium not found at {CHROMIUM}.")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        profile = tempfile.mkdtemp(prefix="motcua-chromium-")
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def phone_page(browser):
    context = browser.new_context(locale="vi-VN", **PHONE)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def desktop_page(browser):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1366, "height": 900}, accept_downloads=True)
    page = context.new_page()
    yield page
    context.close()


@pytest.hookimpl(tryfirst=True)  # before -m deselects
def pytest_collection_modifyitems(config, items):
    """Every test under tests/e2e/ carries the e2e marker, so `-m e2e` / `-m "not e2e"` split the suite exactly."""
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here + os.sep) and item.get_closest_marker("e2e") is None:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture
def devidp_portal(live_server, settings, devidp_server) -> str:
    """The portal signs citizens in at the development identity provider; returns its base URL on
    127.0.0.1 (the provider accepts any loopback port for the callback, RFC 8252 §7.3)."""
    settings.MOTCUA_OIDC_ISSUER = devidp_server.issuer
    settings.MOTCUA_OIDC_CLIENT_ID = devidp_server.client_id
    settings.MOTCUA_OIDC_CLIENT_SECRET = devidp_server.client_secret
    return live_server.url.replace("localhost", "127.0.0.1")
