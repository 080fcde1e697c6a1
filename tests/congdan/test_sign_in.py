"""Citizen sign-in through the real development identity provider: the whole code flow, linking, next pages."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from django.test import Client

from congdan.models import Citizen
from congdan.session import CITIZEN_KEY
from tests.devidp import AN, CHAU, NGOC, idp_sign_in

from .conftest import local, start

pytestmark = pytest.mark.django_db


def test_the_authorization_request_uses_pkce_state_and_nonce(client, oidc):
    query = parse_qs(urlparse(start(client)).query)
    assert query["response_type"] == ["code"]
    assert query["client_id"] == [oidc.client_id]
    assert query["code_challenge_method"] == ["S256"]
    assert len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 32 and len(query["nonce"][0]) >= 32
    assert "openid" in query["scope"][0].split()


def test_sign_in_creates_the_citizen_from_the_verified_id_token(client, sign_in, oidc):
    response = sign_in(AN[0])
    assert response.status_code == 302 and response["Location"] == "/ho-so-cua-toi/"
    citizen = Citizen.objects.get()
    assert (citizen.id_number, citizen.full_name) == AN
    assert citizen.issuer == oidc.issuer and citizen.subject == "vneid-demo-0001"
    assert citizen.date_of_birth.isoformat() == "1985-04-12"
    assert citizen.assurance_level == "2"
    assert citizen.email == "nguyenvanan@example.vn" and citizen.phone == "0912345678"
    assert "Hàng Bạc" in citizen.address
    assert client.session[CITIZEN_KEY] == citizen.pk
    page = client.get("/ho-so-cua-toi/")
    assert page.status_code == 200 and "Hồ sơ của tôi" in page.content.decode()
    assert "no-store" in page["Cache-Control"]


def test_the_session_key_is_rotated_at_sign_in(client, oidc):
    callback = idp_sign_in(start(client), NGOC[0])
    before = client.session.session_key
    client.get(local(callback))
    assert client.session.session_key != before
    assert CITIZEN_KEY in client.session


def test_a_second_sign_in_finds_the_citizen_by_subject(client, sign_in):
    sign_in(AN[0])
    first = Citizen.objects.get()
    client.post("/cong-dan/dang-xuat/")
    assert CITIZEN_KEY not in client.session
    sign_in(AN[0])
    assert Citizen.objects.count() == 1
    assert Citizen.objects.get().last_login_at >= first.last_login_at


def test_a_known_id_number_is_linked_to_the_new_subject(client, sign_in, oidc):
    known = Citizen.objects.create(
        issuer="https://old-provider.example", subject="old-1", id_number=NGOC[0], full_name="x"
    )
    sign_in(NGOC[0])
    known.refresh_from_db()
    assert Citizen.objects.count() == 1
    assert (known.issuer, known.subject, known.full_name) == (oidc.issuer, "vneid-demo-0002", NGOC[1])


def test_next_returns_to_a_local_page_only(client, sign_in):
    assert sign_in(CHAU[0], next_path="/tra-cuu/")["Location"] == "/tra-cuu/"
    client.post("/cong-dan/dang-xuat/")
    assert sign_in(CHAU[0], next_path="https://evil.example/")["Location"] == "/ho-so-cua-toi/"


def test_a_tampered_state_is_refused_and_nothing_is_written(client, oidc):
    callback = idp_sign_in(start(client), AN[0])
    query = parse_qs(urlparse(callback).query)
    forged = {"code": query["code"][0], "state": "forged-" + query["state"][0]}
    response = client.get("/cong-dan/oidc/callback/", forged)
    assert response.status_code == 400
    assert "Phiên đăng nhập không hợp lệ" in response.content.decode()
    assert not Citizen.objects.exists() and CITIZEN_KEY not in client.session


def test_a_callback_from_another_browser_is_refused(client, oidc):
    callback = idp_sign_in(start(client), AN[0])
    response = Client().get(local(callback))  # the victim's browser never started this sign-in
    assert response.status_code == 400 and not Citizen.objects.exists()


def test_a_state_is_used_once(client, oidc):
    callback = idp_sign_in(start(client), AN[0])
    assert client.get(local(callback)).status_code == 302
    client.post("/cong-dan/dang-xuat/")
    assert client.get(local(callback)).status_code == 400


def test_a_provider_error_shows_a_vietnamese_page(client, oidc):
    state = parse_qs(urlparse(start(client)).query)["state"][0]
    response = client.get("/cong-dan/oidc/callback/", {"error": "access_denied", "state": state})
    assert response.status_code == 400 and "Bạn đã hủy đăng nhập" in response.content.decode()
    assert not Citizen.objects.exists()


def test_a_wrong_password_at_the_provider_never_reaches_the_portal(oidc):
    with pytest.raises(AssertionError):
        idp_sign_in(f"{oidc.issuer}/authorize/?client_id={oidc.client_id}&response_type=code", AN[0], "sai-mat-khau")


def test_sign_out_ends_the_providers_session_too(client, sign_in, oidc):
    sign_in(AN[0])
    id_token = client.session["congdan_id_token"]
    response = client.post("/cong-dan/dang-xuat/")
    assert response.status_code == 302
    target = urlparse(response["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == f"{oidc.issuer}/logout/"
    query = parse_qs(target.query)
    assert query["id_token_hint"] == [id_token] and query["post_logout_redirect_uri"] == ["http://testserver/thu-tuc/"]
    assert CITIZEN_KEY not in client.session and "congdan_id_token" not in client.session
