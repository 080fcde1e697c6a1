"""The deployment files (deploy/): the units start what exists, and a web node started with
deploy/gunicorn.conf.py logs JSON access and application lines carrying nginx's request id."""

from __future__ import annotations

import configparser
import json
import shlex
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.drills.conftest import service_env
from tests.faults import free_port

ROOT = Path(settings.BASE_DIR)
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))


def _unit(path: Path) -> configparser.ConfigParser:
    parser = configparser.ConfigParser(interpolation=None, strict=False)
    parser.optionxform = str  # type: ignore[assignment,method-assign]
    parser.read(path, encoding="utf-8")
    return parser


@pytest.mark.parametrize("path", UNITS, ids=[path.name for path in UNITS])
def test_each_unit_runs_a_program_of_the_checkout_with_the_shared_environment(path):
    unit = _unit(path)
    command = shlex.split(unit["Service"]["ExecStart"])
    # The checkout's virtualenv made by scripts/setup.sh, which installs both programs.
    assert command[0] in {
        "/opt/motcua/.venv/bin/gunicorn",
        "/opt/motcua/.venv/bin/celery",
        "/opt/motcua/.venv/bin/python",
    }
    assert (Path(sys.executable).parent / Path(command[0]).name).exists()
    for argument in command:
        if argument.startswith("/opt/motcua/deploy/"):
            assert (ROOT / argument.removeprefix("/opt/motcua/")).is_file(), argument
    assert unit["Service"]["EnvironmentFile"] == "/etc/motcua/motcua.env"
    assert unit["Service"]["User"] == "motcua"
    assert unit["Service"]["Restart"] == ("no" if unit["Service"].get("Type") == "oneshot" else "always")
    if command[0].endswith("/python"):  # a management command of the portal
        assert command[1] == "manage.py" and command[2] in {"backup_database"}


def test_one_beat_and_the_environment_file_names_only_settings_the_portal_reads():
    beats = [path.name for path in UNITS if " beat" in _unit(path)["Service"]["ExecStart"]]
    assert beats == ["motcua-beat.service"]
    names = [
        line.split("=", 1)[0].lstrip("# ").strip()
        for line in (ROOT / "deploy" / "motcua.env.example").read_text(encoding="utf-8").splitlines()
        if "=" in line and not line.startswith("# /")
    ]
    sources = "\n".join(
        path.read_text(encoding="utf-8")
        for path in [*ROOT.glob("motcua/*.py"), ROOT / "deploy" / "gunicorn.conf.py", *UNITS]
    )
    unknown = [name for name in names if name and f"{name}" not in sources]
    assert unknown == []


def test_a_web_node_with_the_deploy_config_logs_json_with_the_request_id(tmp_path):
    port = free_port()
    log = tmp_path / "web.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "motcua.wsgi:application", "--config", "deploy/gunicorn.conf.py"],
            cwd=ROOT,
            env=service_env(GUNICORN_BIND=f"127.0.0.1:{port}", GUNICORN_WORKERS="1", LOG_FORMAT="json"),
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        request = urllib.request.Request(
            f"http://127.0.0.1:{port}/tra-cuu/KHONG-CO-MA/", headers={"X-Request-ID": "nginx0123456789ab"}
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (http on loopback)
                    status, echoed = answer.status, answer.headers["X-Request-ID"]
                break
            except urllib.error.HTTPError as error:
                status, echoed = error.code, error.headers["X-Request-ID"]
                break
            except OSError:
                assert process.poll() is None and time.monotonic() < deadline, log.read_text(errors="replace")
                time.sleep(0.3)
    finally:
        process.terminate()
        process.wait(timeout=30)
    assert echoed == "nginx0123456789ab"
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "gunicorn.access"]
    assert [(line["request_id"], line["status"], line["path"]) for line in access] == [
        ("nginx0123456789ab", status, "/tra-cuu/KHONG-CO-MA/")
    ]
    # The portal's own lines of that request (Django logs the 404) carry the same id.
    own = [line for line in lines if line.get("logger", "").startswith("django.")]
    assert own and {line["request_id"] for line in own} == {"nginx0123456789ab"}
