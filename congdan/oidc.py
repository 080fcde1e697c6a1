"""The OpenID Connect client (Authlib): authorization code with PKCE (S256), state and nonce; the ID token
verified on the server (signature against the provider's JWKS, issuer, audience, expiry, nonce).

Configured by MOTCUA_OIDC_ISSUER, MOTCUA_OIDC_CLIENT_ID, MOTCUA_OIDC_CLIENT_SECRET, MOTCUA_OIDC_SCOPES
and MOTCUA_OIDC_ACR_VALUES; without an issuer citizen sign-in is off. Claims are only ever read from
the ID token the portal fetched itself from the token endpoint, never from the browser.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import requests
from authlib.integrations.base_client import OAuthError
from authlib.integrations.django_client import OAuth
from authlib.jose import JsonWebToken
from authlib.jose.errors import JoseError
from authlib.oidc.core import CodeIDToken
from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase

# Pending sign-ins of a session, by state: what the callback needs to finish each one.
PENDING_KEY = "congdan_oidc_pending"
PENDING_SECONDS = 10 * 60
PENDING_MAX = 5
# Discovery and the JWKS are read again at most this often (a key rotation is also caught at once:
# an unknown key id makes Authlib fetch the JWKS again).
METADATA_SECONDS = 3600
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
CLOCK_SKEW_SECONDS = 60
HTTP_TIMEOUT_SECONDS = 10


class SignInError(Exception):
    """The sign-in cannot finish; `message` is what the citizen reads (Vietnamese)."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(reason)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class OidcConfig:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    acr_values: str


def current_config() -> OidcConfig | None:
    """The provider settings, or None when citizen sign-in is not configured."""
    issuer = settings.MOTCUA_OIDC_ISSUER
    if not issuer or not settings.MOTCUA_OIDC_CLIENT_ID:
        return None
    scopes = settings.MOTCUA_OIDC_SCOPES.split()
    if "openid" not in scopes:
        scopes.insert(0, "openid")
    return OidcConfig(
        issuer=issuer.rstrip("/"),
        client_id=settings.MOTCUA_OIDC_CLIENT_ID,
        client_secret=settings.MOTCUA_OIDC_CLIENT_SECRET,
        scopes=" ".join(scopes),
        acr_values=settings.MOTCUA_OIDC_ACR_VALUES,
    )


_clients: dict[OidcConfig, tuple[float, Any]] = {}
_lock = threading.Lock()


def _client(config: OidcConfig) -> Any:
    """Authlib's client for this configuration, its discovery document cached for METADATA_SECONDS."""
    with _lock:
        made, client = _clients.get(config, (0.0, None))
        if client is None or time.monotonic() - made > METADATA_SECONDS:
            registry = OAuth()
            client = registry.register(
                name="motcua_oidc",
                client_id=config.client_id,
                client_secret=config.client_secret,
                server_metadata_url=f"{config.issuer}/.well-known/openid-configuration",
                client_kwargs={
                    "scope": config.scopes,
                    "code_challenge_method": "S256",
                    "default_timeout": HTTP_TIMEOUT_SECONDS,
                },
            )
            _clients[config] = (time.monotonic(), client)
    metadata = client.load_server_metadata()
    if str(metadata.get("issuer", "")).rstrip("/") != config.issuer:
        # OpenID Connect Discovery §4.3: the document must name the issuer it was fetched for.
        raise SignInError("Cấu hình nhà cung cấp định danh không khớp.", "issuer_mismatch")
    return client


def _provider_unavailable(error: Exception) -> SignInError:
    return SignInError(
        "Không kết nối được với hệ thống định danh điện tử. Vui lòng thử lại sau ít phút.",
        f"provider_unavailable: {type(error).__name__}",
    )


def begin(session: SessionBase, config: OidcConfig, redirect_uri: str) -> str:
    """The provider's authorization URL for a new sign-in; its state, nonce and PKCE verifier kept in the session."""
    try:
        client = _client(config)
        extra = {"acr_values": config.acr_values} if config.acr_values else {}
        started = client.create_authorization_url(
            redirect_uri, state=secrets.token_urlsafe(32), nonce=secrets.token_urlsafe(32), **extra
        )
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        raise _provider_unavailable(error) from error
    now = time.time()
    pending = {s: p for s, p in session.get(PENDING_KEY, {}).items() if p.get("exp", 0) > now}
    while len(pending) >= PENDING_MAX:
        pending.pop(min(pending, key=lambda s: pending[s]["exp"]))
    pending[started["state"]] = {
        "nonce": started["nonce"],
        "code_verifier": started["code_verifier"],
        "redirect_uri": redirect_uri,
        "exp": now + PENDING_SECONDS,
    }
    session[PENDING_KEY] = pending
    return str(started["url"])


def _take_pending(session: SessionBase, state: str) -> dict[str, Any]:
    pending = dict(session.get(PENDING_KEY, {}))
    entry = pending.pop(state, None) if state else None
    session[PENDING_KEY] = pending
    if not entry or entry.get("exp", 0) <= time.time():
        raise SignInError("Phiên đăng nhập không hợp lệ hoặc đã hết hạn. Vui lòng đăng nhập lại.", "state_mismatch")
    return dict(entry)


def verify_id_token(client: Any, config: OidcConfig, id_token: str, *, nonce: str, access_token: str) -> dict[str, Any]:
    """The ID token's claims once its signature (provider's JWKS), issuer, audience, expiry and nonce hold."""
    claims_options = {
        "iss": {"essential": True, "values": [client.load_server_metadata()["issuer"]]},
        "sub": {"essential": True},
        "aud": {"essential": True},
        "exp": {"essential": True},
        "iat": {"essential": True},
        "nonce": {"essential": True},
    }
    try:
        claims = JsonWebToken(ID_TOKEN_ALGORITHMS).decode(
            id_token,
            key=client.create_load_key(),
            claims_cls=CodeIDToken,
            claims_options=claims_options,
            claims_params={"nonce": nonce, "client_id": config.client_id, "access_token": access_token},
        )
        claims.validate(leeway=CLOCK_SKEW_SECONDS)
    except requests.RequestException as error:
        raise _provider_unavailable(error) from error
    except (JoseError, ValueError) as error:
        raise SignInError(
            "Không xác thực được thông tin định danh trả về. Vui lòng đăng nhập lại.",
            f"bad_id_token: {type(error).__name__}: {error}",
        ) from error
    wanted = config.acr_values.split()
    if wanted and claims.get("acr") is not None and str(claims["acr"]) not in wanted:
        # The provider says it authenticated at a level the portal did not ask for.
        raise SignInError(
            "Mức độ xác thực tài khoản định danh chưa đủ để đăng nhập. Vui lòng đăng nhập lại.",
            f"acr_not_requested: {claims['acr']}",
        )
    return dict(claims)


@dataclass(frozen=True)
class SignedIn:
    claims: dict[str, Any]
    id_token: str  # kept for the provider's sign-out (id_token_hint)


def finish(session: SessionBase, config: OidcConfig, params: dict[str, str]) -> SignedIn:
    """Verified claims of the citizen who just signed in at the provider (the callback's query)."""
    if params.get("error"):
        _take_pending(session, params.get("state", ""))  # the attempt is over either way
        if params["error"] == "access_denied":
            raise SignInError("Bạn đã hủy đăng nhập tại hệ thống định danh điện tử.", "access_denied")
        raise SignInError(
            "Hệ thống định danh điện tử báo lỗi, chưa đăng nhập được. Vui lòng thử lại.",
            f"provider_error: {params['error']}",
        )
    entry = _take_pending(session, params.get("state", ""))
    if not params.get("code"):
        raise SignInError("Thiếu mã xác thực từ hệ thống định danh điện tử.", "missing_code")
    try:
        client = _client(config)
        token = client.fetch_access_token(
            redirect_uri=entry["redirect_uri"], code=params["code"], code_verifier=entry["code_verifier"]
        )
    except OAuthError as error:
        raise SignInError(
            "Hệ thống định danh điện tử không chấp nhận yêu cầu đăng nhập. Vui lòng đăng nhập lại.",
            f"token_refused: {error}",
        ) from error
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        raise _provider_unavailable(error) from error
    id_token = token.get("id_token")
    if not isinstance(id_token, str):
        raise SignInError("Hệ thống định danh điện tử không trả về thông tin định danh.", "missing_id_token")
    access_token = str(token.get("access_token", ""))
    claims = verify_id_token(client, config, id_token, nonce=entry["nonce"], access_token=access_token)
    return SignedIn(claims=_with_userinfo(client, token, claims), id_token=id_token)


# Without these in the ID token, the provider is asked for them at its userinfo endpoint.
USERINFO_WANTED = ("SoDinhDanh", "HoVaTen")


def _with_userinfo(client: Any, token: dict[str, Any], claims: dict[str, Any]) -> dict[str, Any]:
    """The ID token's claims, completed from the userinfo endpoint (server to server, with the access
    token) when they lack the ID number or the name; the ID token's own claims always win."""
    if all(claims.get(name) for name in USERINFO_WANTED) or not client.load_server_metadata().get("userinfo_endpoint"):
        return claims
    try:
        extra = dict(client.userinfo(token=token))
    except (OAuthError, requests.RequestException, ValueError) as error:
        raise _provider_unavailable(error) from error
    if extra.get("sub") != claims.get("sub"):
        # OpenID Connect Core §5.3.2: a userinfo answer about someone else must not be used.
        raise SignInError("Thông tin định danh trả về không khớp. Vui lòng đăng nhập lại.", "userinfo_subject_mismatch")
    return {**extra, **claims}


def end_session_url(config: OidcConfig, id_token: str, after: str) -> str | None:
    """The provider's RP-initiated sign-out URL (its session ends too, then back to `after`), or None
    when the provider has no end_session_endpoint or cannot be reached (the portal's sign-out stands)."""
    try:
        endpoint = _client(config).load_server_metadata().get("end_session_endpoint")
    except (SignInError, requests.RequestException, ValueError):
        return None
    if not endpoint or not id_token:
        return None
    query = urlencode({"id_token_hint": id_token, "post_logout_redirect_uri": after, "client_id": config.client_id})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
