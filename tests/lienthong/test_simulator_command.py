"""The ``national_portal_simulator`` command: a server on 127.0.0.1 speaking the portal's protocol."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from django.core.management import CommandError, call_command

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(url: str, seconds: float = 60) -> requests.Response:
    """The first answer of a stand-in just started (a busy machine may take a while to start Django)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            return requests.get(url, timeout=1)
        except requests.ConnectionError:
            time.sleep(0.1)
    raise AssertionError("the stand-in did not start")


def test_the_command_serves_the_protocol_with_credentials_and_a_state_file(tmp_path):
    port, state = free_port(), tmp_path / "portal.json"
    command = [sys.executable, "manage.py", "national_portal_simulator", "--port", str(port)]
    command += ["--user", "u", "--password", "p", "--state-file", str(state)]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/"
        assert wait_for(f"{url}_inspect/X").status_code == 404
        refused = requests.post(url, json={"service": "DangNhap", "username": "u", "password": "x"}, timeout=2)
        assert refused.json()["error_code"] != 0
        session = requests.post(url, json={"service": "DangNhap", "username": "u", "password": "p"}, timeout=2)
        body = {"session": session.json()["session"], "madonvi": "000", "service": "DongBoHoSoMC"}
        sent = requests.post(url, json={**body, "data": [{"MaHoSo": "000-1", "TrangThaiHoSo": 2}]}, timeout=2)
        assert sent.json()["error_code"] == 0
        assert requests.get(f"{url}_inspect/000-1", timeout=2).json()["record"]["TrangThaiHoSo"] == 2
        assert json.loads(state.read_text())["records"]["000-1"]["TrangThaiHoSo"] == 2
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)


def test_bad_options_are_refused():
    with pytest.raises(CommandError, match="--fail-rate"):
        call_command("national_portal_simulator", "--port", "0", "--fail-rate", "2")
