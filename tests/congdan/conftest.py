"""The portal pointed at the development identity provider, a helper that signs a citizen in through it, and the
demo ward with an online procedure and a citizen signed in directly (the online submission tests)."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from motcua.demo import load_demo
from tests.congdan.citizens import as_citizen, make_citizen
from tests.devidp import AN, idp_sign_in
from thutuc.models import Procedure


@pytest.fixture
def oidc(settings, devidp_server):
    settings.MOTCUA_OIDC_ISSUER = devidp_server.issuer
    settings.MOTCUA_OIDC_CLIENT_ID = devidp_server.client_id
    settings.MOTCUA_OIDC_CLIENT_SECRET = devidp_server.client_secret
    settings.MOTCUA_OIDC_SCOPES = "openid profile email phone address"
    settings.MOTCUA_OIDC_ACR_VALUES = ""
    return devidp_server


def start(client, next_path: str = "") -> str:
    """The portal's sign-in start: the provider's authorization URL it redirects to."""
    response = client.get("/cong-dan/dang-nhap/", {"next": next_path} if next_path else {})
    assert response.status_code == 302, response.content.decode()[:500]
    return str(response["Location"])


def local(url: str) -> str:
    """The path and query of a callback URL, for Django's test client."""
    parsed = urlparse(url)
    return f"{parsed.path}?{parsed.query}"


@pytest.fixture
def sign_in(client, oidc):
    """Sign in at the provider as the citizen with this ID number; the portal's answer to the callback."""

    def run(id_number: str, next_path: str = ""):
        return client.get(local(idp_sign_in(start(client, next_path), id_number)))

    return run


@pytest.fixture
def ward(db, settings, tmp_path):
    """The demo ward, files stored in this test's own folder."""
    settings.MEDIA_ROOT = tmp_path
    agency, _ = load_demo()
    return agency


@pytest.fixture
def procedure(ward):
    """Đăng ký khai sinh, received online."""
    procedure = Procedure.objects.get(code="1.001193")
    procedure.accepts_online = True
    procedure.save(update_fields=["accepts_online"])
    return procedure


@pytest.fixture
def an(client):
    """Nguyễn Văn An, signed in on the test client."""
    citizen = make_citizen(*AN)
    as_citizen(client, citizen)
    return citizen
