"""The development identity provider stays on this machine: a non-loopback host is refused at start and per request."""

from __future__ import annotations

import os
import subprocess
import sys

import requests
from django.http import HttpResponse
from django.test import RequestFactory

from devidp.middleware import loopback_only
from tests.devidp import ROOT


def test_a_request_from_another_machine_is_refused():
    guarded = loopback_only(lambda request: HttpResponse("ok"))
    assert guarded(RequestFactory().get("/", REMOTE_ADDR="127.0.0.1")).status_code == 200
    assert guarded(RequestFactory().get("/", REMOTE_ADDR="::1")).status_code == 200
    assert guarded(RequestFactory().get("/", REMOTE_ADDR="192.168.1.20")).status_code == 403


def test_it_refuses_to_listen_on_a_network_address(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    env.update(DEVIDP_VAR_DIR=str(tmp_path), DEVIDP_HOST="0.0.0.0")  # noqa: S104 - the address it must refuse
    result = subprocess.run(
        [sys.executable, "-m", "devidp", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode != 0 and "chỉ chạy trên địa chỉ loopback" in result.stderr


def test_discovery_names_the_issuer_and_s256(devidp_server):
    metadata = requests.get(f"{devidp_server.issuer}/.well-known/openid-configuration", timeout=5).json()
    assert metadata["issuer"] == devidp_server.issuer
    assert "S256" in metadata["code_challenge_methods_supported"]
    assert requests.get(metadata["jwks_uri"], timeout=5).json()["keys"][0]["kty"] == "RSA"
