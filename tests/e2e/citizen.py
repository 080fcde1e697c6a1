"""The citizen's sign-in in the browser tests: at the development identity provider (``devidp_portal``
in conftest.py points the portal at it), or, where the sign-in is not what a test is about, a session
cookie made directly."""

from __future__ import annotations

from importlib import import_module

from django.conf import settings
from django.utils import timezone

from congdan.models import Citizen
from congdan.session import CITIZEN_KEY, LAST_SEEN_KEY, SIGNED_IN_AT_KEY
from tests.devidp import AN, PASSWORD
from tests.e2e.conftest import PHONE


def provider_page(issuer: str) -> str:
    """The URL pattern of the provider's sign-in page."""
    return f"{issuer.removesuffix('/o')}/dang-nhap/**"


def sign_in_at_devidp(page, issuer: str, id_number: str = AN[0], password: str = PASSWORD) -> None:
    """On the provider's page the portal sent the browser to: fill in the form and send it."""
    page.wait_for_url(provider_page(issuer))
    page.get_by_label("Số định danh cá nhân").fill(id_number)
    page.get_by_label("Mật khẩu").fill(password)
    page.get_by_role("button", name="Đăng nhập").click()


def citizen_signs_in(browser, base: str, issuer: str, start: str):
    """A new phone context opens ``start``, signs in at the provider and is back at ``start``."""
    context = browser.new_context(locale="vi-VN", accept_downloads=True, **PHONE)
    page = context.new_page()
    page.goto(f"{base}{start}")
    sign_in_at_devidp(page, issuer)
    page.wait_for_url(f"{base}{start}")
    return context, page


def signed_in_cookie(base: str, *, id_number: str, full_name: str, subject: str) -> dict[str, str]:
    """A new citizen and the session cookie of their sign-in, for ``context.add_cookies``."""
    citizen = Citizen.objects.create(
        issuer="https://idp.test", subject=subject, id_number=id_number, full_name=full_name
    )
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    now = int(timezone.now().timestamp())
    session.update({CITIZEN_KEY: citizen.pk, SIGNED_IN_AT_KEY: now, LAST_SEEN_KEY: now})
    session.create()
    return {"name": settings.SESSION_COOKIE_NAME, "value": session.session_key or "", "url": base}
