"""Setting up a ward from the shell, the demo data, the deployment check."""

from __future__ import annotations

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from motcua.models import Agency, User
from thutuc.models import AgencyProcedure, Procedure

pytestmark = pytest.mark.django_db


def test_create_agency_and_staff_from_the_shell(monkeypatch, real_catalogue):
    out = io.StringIO()
    call_command(
        "create_agency",
        "--code",
        "000.12.34.H49",
        "--name",
        "Phường Hải Châu",
        "--province",
        "Thành phố Đà Nẵng",
        "--offer-all",
        stdout=out,
    )
    agency = Agency.objects.get(code="000.12.34.H49")
    assert agency.name == "Phường Hải Châu" and "Đã tạo Phường Hải Châu" in out.getvalue()
    assert AgencyProcedure.objects.filter(agency=agency).count() == Procedure.objects.count() == 148
    monkeypatch.setenv("MOTCUA_STAFF_PASSWORD", "mot-mat-khau-dai-2026")
    call_command(
        "create_staff",
        "--agency",
        "000.12.34.H49",
        "--username",
        "lan",
        "--role",
        "clerk",
        "--full-name",
        "Nguyễn Thị Lan",
        stdout=out,
    )
    user = User.objects.get(username="lan")
    assert (user.agency, user.role, user.last_name, user.first_name) == (agency, "clerk", "Nguyễn Thị", "Lan")
    assert user.check_password("mot-mat-khau-dai-2026") and not user.is_staff


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--code", "H49", "--name", "Phường A"], "QCVN 102:2016"),
        (["--code", "000.12.34.H49", "--name", ""], "không được để trắng"),
    ],
)
def test_create_agency_refuses_bad_input_with_a_vietnamese_message(args, message):
    with pytest.raises(CommandError, match=message):
        call_command("create_agency", *args)
    assert not Agency.objects.exists()


def test_create_agency_refuses_a_duplicate_code(agency):
    with pytest.raises(CommandError, match="đã tồn tại"):
        call_command("create_agency", "--code", agency.code, "--name", "Phường Trùng")


def test_create_staff_refuses_an_unknown_ward_a_weak_password_and_a_taken_username(monkeypatch, agency, clerk):
    monkeypatch.setenv("MOTCUA_STAFF_PASSWORD", "mot-mat-khau-dai-2026")
    with pytest.raises(CommandError, match="Không có cơ quan"):
        call_command("create_staff", "--agency", "000.99.99.H99", "--username", "x", "--role", "clerk")
    with pytest.raises(CommandError, match="đã được sử dụng"):
        call_command("create_staff", "--agency", agency.code, "--username", clerk.username, "--role", "clerk")
    monkeypatch.setenv("MOTCUA_STAFF_PASSWORD", "12345678")
    with pytest.raises(CommandError, match="Mật khẩu"):
        call_command("create_staff", "--agency", agency.code, "--username", "moi", "--role", "clerk")
    assert User.objects.count() == 1


def test_the_demo_loads_twice_and_prints_every_account():
    first, second = io.StringIO(), io.StringIO()
    call_command("load_demo", "--no-dossiers", stdout=first)
    call_command("load_demo", "--no-dossiers", stdout=second)
    assert "Tạo mới: 148" in first.getvalue() and "không đổi: 148" in second.getvalue()
    for username in ["canbo", "congchuc", "lanhdao", "quantri"]:
        assert username in second.getvalue()
        assert User.objects.get(username=username).check_password("motcua-demo-2026")
    assert Agency.objects.count() == 1


def test_a_deployment_with_https_settings_passes_check_deploy():
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "0",
        "SECRET_KEY": "k" * 20 + "-a-long-random-production-key-" + "x" * 20,
        "SECURE_SSL_REDIRECT": "1",
        "ALLOWED_HOSTS": "motcua.example.gov.vn",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=Path(settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
