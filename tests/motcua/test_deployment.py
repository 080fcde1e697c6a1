"""The deployment files (deploy/): the units start what exists, and a web node started with
deploy/gunicorn.conf.py logs JSON access and application lines carrying nginx's request id."""

from __future__ import annotations

import configparser
import json
import os
import shlex
import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.drills.conftest import gunicorn

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
    with gunicorn(tmp_path, workers=1, config="deploy/gunicorn.conf.py", LOG_FORMAT="json") as server:
        request = urllib.request.Request(  # noqa: S310 — loopback
            server.url + "/tra-cuu/KHONG-CO-MA/", headers={"X-Request-ID": "nginx0123456789ab"}
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 — loopback
                status, echoed = answer.status, answer.headers["X-Request-ID"]
        except urllib.error.HTTPError as error:
            status, echoed = error.code, error.headers["X-Request-ID"]
        log = server.log
    assert echoed == "nginx0123456789ab"
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("logger") == "gunicorn.access" and line["path"] != "/healthz"]
    assert [(line["request_id"], line["status"], line["path"]) for line in access] == [
        ("nginx0123456789ab", status, "/tra-cuu/KHONG-CO-MA/")
    ]
    # The portal's own lines of that request (Django logs the 404) carry the same id.
    own = [line for line in lines if line.get("logger", "").startswith("django.")]
    assert own and {line["request_id"] for line in own} == {"nginx0123456789ab"}


def test_a_web_node_warms_the_portal_once_in_its_master_and_its_workers_are_forks(tmp_path):
    with gunicorn(tmp_path, workers=2, config="deploy/gunicorn.conf.py", LOG_FORMAT="json") as server:
        with urllib.request.urlopen(server.url + "/healthz", timeout=10) as answer:  # noqa: S310 — loopback
            assert answer.status == 200
        log = server.log
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines() if line.startswith("{")]
    warmed = [line for line in lines if line.get("logger") == "motcua.warmup"]
    assert len(warmed) == 1, warmed  # the master, before it forks; not once per worker
    assert "mẫu trang" in warmed[0]["message"]
    text = log.read_text(encoding="utf-8")
    assert text.count("Booting worker") == 2


def test_the_warm_up_compiles_every_portal_template_and_opens_no_connection():
    # No django_db mark: any query (a connection the forked workers would share) raises here.
    from django.template.loader import get_template

    from motcua.warmup import project_templates, warm

    names = project_templates()
    assert "hoso/intake.html" in names and "base.html" in names
    assert not any(name.startswith("admin/") for name in names if not (ROOT / "templates" / name).exists())
    done = warm()
    assert done["templates"] == len(names) and done["routes"] > 100
    engine_loader = get_template("hoso/intake.html").template.engine.template_loaders[0]
    assert "hoso/intake.html" in {key.split("-")[0] for key in engine_loader.get_template_cache}


def test_a_web_process_leaves_what_it_loaded_out_of_the_collectors_walks():
    # In a process of its own: freezing this test process's objects would outlive the test.
    code = "import gc, motcua.wsgi; print(gc.get_freeze_count())"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "motcua.settings", "SECRET_KEY": "t" * 50}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    assert int(out.stdout.split()[-1]) > 50_000  # the portal's modules, models and settings: frozen
