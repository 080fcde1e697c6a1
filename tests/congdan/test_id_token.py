"""The ID token is checked on the server: another key, another nonce, audience, issuer or an expired one is refused.

The provider's answer to the code exchange is replaced by a token the test signs itself (with the dev
provider's own key, read from its var directory, or with a stranger's key); nothing is written.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from authlib.integrations.django_client import DjangoOAuth2App
from authlib.jose import JsonWebKey, jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from congdan.models import Citizen
from congdan.session import CITIZEN_KEY
from tests.devidp import AN

from .conftest import start

pytestmark = pytest.mark.django_db


def _stranger_pem() -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    encoding, private_format = serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8
    return key.private_bytes(encoding, private_format, serialization.NoEncryption())


def _provider_kid(oidc) -> str:
    keys = requests.get(f"{oidc.issuer}/.well-known/jwks.json", timeout=5).json()["keys"]
    return str(keys[0]["kid"])


def _claims(oidc, nonce: str, **changes: object) -> dict[str, object]:
    now = int(time.time())
    claims: dict[str, object] = {
        "iss": oidc.issuer,
        "sub": "vneid-demo-0001",
        "aud": oidc.client_id,
        "iat": now,
        "exp": now + 300,
        "nonce": nonce,
        "SoDinhDanh": AN[0],
        "HoVaTen": AN[1],
        "loAs": "2",
    }
    claims.update(changes)
    return {k: v for k, v in claims.items() if v is not None}


def _callback_with(client, monkeypatch, sign) -> object:
    """Start a real sign-in, then answer the code exchange with the token `sign(nonce)` makes."""
    query = parse_qs(urlparse(start(client)).query)
    nonce = query["nonce"][0]

    def exchange(self, **kwargs):
        return {"access_token": "opaque", "token_type": "Bearer", "id_token": sign(nonce)}

    monkeypatch.setattr(DjangoOAuth2App, "fetch_access_token", exchange)
    return client.get("/cong-dan/oidc/callback/", {"code": "any", "state": query["state"][0]})


def _signed(pem: bytes, kid: str, claims: dict[str, object]) -> str:
    return jwt.encode({"alg": "RS256", "kid": kid}, claims, pem).decode()


def _refused(response) -> None:
    assert response.status_code == 400, response.content.decode()[:300]
    assert "Không xác thực được thông tin định danh" in response.content.decode()
    assert not Citizen.objects.exists()


def test_a_token_signed_with_the_provider_key_and_right_nonce_is_accepted(client, oidc, monkeypatch):
    kid = _provider_kid(oidc)
    good = lambda nonce: _signed(oidc.signing_key_pem, kid, _claims(oidc, nonce))  # noqa: E731
    response = _callback_with(client, monkeypatch, good)
    assert response.status_code == 302 and Citizen.objects.get().id_number == AN[0]
    assert CITIZEN_KEY in client.session


def test_a_nonce_mismatch_is_refused(client, oidc, monkeypatch):
    kid = _provider_kid(oidc)
    _refused(
        _callback_with(
            client, monkeypatch, lambda nonce: _signed(oidc.signing_key_pem, kid, _claims(oidc, "other-" + nonce))
        )
    )
    assert CITIZEN_KEY not in client.session


def test_a_token_without_nonce_is_refused(client, oidc, monkeypatch):
    kid = _provider_kid(oidc)
    _refused(_callback_with(client, monkeypatch, lambda nonce: _signed(oidc.signing_key_pem, kid, _claims(oidc, None))))


@pytest.mark.parametrize("same_kid", [True, False], ids=["provider-kid", "unknown-kid"])
def test_a_token_signed_by_another_key_is_refused(client, oidc, monkeypatch, same_kid):
    kid = _provider_kid(oidc) if same_kid else "stranger"
    stranger = _stranger_pem()
    _refused(_callback_with(client, monkeypatch, lambda nonce: _signed(stranger, kid, _claims(oidc, nonce))))


@pytest.mark.parametrize(
    "changes",
    [
        {"aud": "another-client"},
        {"iss": "http://127.0.0.1:1/o"},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
        {"sub": None},
    ],
    ids=["audience", "issuer", "expired", "no-subject"],
)
def test_a_token_with_wrong_claims_is_refused(client, oidc, monkeypatch, changes):
    kid = _provider_kid(oidc)
    _refused(
        _callback_with(
            client, monkeypatch, lambda nonce: _signed(oidc.signing_key_pem, kid, _claims(oidc, nonce, **changes))
        )
    )


def _hs256(secret: bytes, kid: str, claims: dict[str, object]) -> str:
    def part(data: bytes) -> bytes:
        return base64.urlsafe_b64encode(data).rstrip(b"=")

    header = part(json.dumps({"alg": "HS256", "kid": kid}).encode())
    body = part(json.dumps(claims).encode())
    signature = part(hmac.new(secret, header + b"." + body, hashlib.sha256).digest())
    return (header + b"." + body + b"." + signature).decode()


def test_an_hmac_token_keyed_with_the_public_key_is_refused(client, oidc, monkeypatch):
    """Algorithm confusion: HS256 is never accepted for ID tokens, whatever the key."""
    public = JsonWebKey.import_key(oidc.signing_key_pem).get_public_key()
    secret = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    kid = _provider_kid(oidc)
    _refused(_callback_with(client, monkeypatch, lambda nonce: _hs256(secret, kid, _claims(oidc, nonce))))


def test_an_answer_without_id_token_is_refused(client, oidc, monkeypatch):
    query = parse_qs(urlparse(start(client)).query)
    monkeypatch.setattr(DjangoOAuth2App, "fetch_access_token", lambda self, **kw: {"access_token": "x"})
    response = client.get("/cong-dan/oidc/callback/", {"code": "any", "state": query["state"][0]})
    assert response.status_code == 400 and not Citizen.objects.exists()


@pytest.mark.parametrize("subject, accepted", [("vneid-demo-0001", True), ("someone-else", False)])
def test_missing_claims_come_from_userinfo_about_the_same_subject(client, oidc, monkeypatch, subject, accepted):
    kid = _provider_kid(oidc)
    answer = {"sub": subject, "SoDinhDanh": AN[0], "HoVaTen": AN[1]}
    monkeypatch.setattr(DjangoOAuth2App, "userinfo", lambda self, **kwargs: answer)
    bare = lambda nonce: _signed(oidc.signing_key_pem, kid, _claims(oidc, nonce, SoDinhDanh=None, HoVaTen=None))  # noqa: E731
    response = _callback_with(client, monkeypatch, bare)
    if accepted:
        assert response.status_code == 302 and Citizen.objects.get().full_name == AN[1]
    else:
        assert response.status_code == 400 and not Citizen.objects.exists()


@pytest.mark.parametrize("acr, accepted", [("loa2", True), ("loa1", False)])
def test_an_acr_other_than_the_requested_ones_is_refused(client, oidc, settings, monkeypatch, acr, accepted):
    settings.MOTCUA_OIDC_ACR_VALUES = "loa2 loa3"
    query = parse_qs(urlparse(start(client)).query)
    assert query["acr_values"] == ["loa2 loa3"]
    kid = _provider_kid(oidc)
    token = lambda nonce: _signed(oidc.signing_key_pem, kid, _claims(oidc, nonce, acr=acr))  # noqa: E731
    response = _callback_with(client, monkeypatch, token)
    assert (response.status_code == 302) is accepted and Citizen.objects.exists() is accepted
