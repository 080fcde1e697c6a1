"""Hardening: login throttling, idle sessions, private staff pages, the CSP, the CSRF page, SECRET_KEY."""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.conf import settings as django_settings
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from motcua.constants import Role
from motcua.middleware import LAST_ACTIVITY_KEY
from tests.adminforms import page_data

from ..factories import UserFactory

pytestmark = pytest.mark.django_db

LOCKED = "Đăng nhập tạm thời bị khóa"


def login(client, username, password, *, url=None, **extra):
    return client.post(url or reverse("login"), {"username": username, "password": password}, **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


# -- login throttling ---------------------------------------------------------------------------
def test_ten_wrong_passwords_refuse_even_the_right_one_with_a_vietnamese_message(client, clerk, password):
    for _ in range(9):
        assert login(client, clerk.username, "sai-mat-khau").status_code == 200
    tenth = login(client, clerk.username, "sai-mat-khau")
    assert tenth.status_code == 429 and LOCKED in tenth.content.decode()

    refused = login(client, clerk.username, password)
    html = refused.content.decode()
    assert refused.status_code == 429 and not signed_in(client)
    assert LOCKED in html and "thử lại sau" in html and "khoảng 15 phút nữa" in html
    assert 14 * 60 <= int(refused["Retry-After"]) <= 15 * 60
    assert 'name="username"' in html and clerk.username in html  # the login page, the name kept


def test_nine_wrong_passwords_still_let_the_right_one_in(client, clerk, password):
    for _ in range(9):
        login(client, clerk.username, "sai-mat-khau")
    assert login(client, clerk.username, password).status_code == 302 and signed_in(client)


def test_the_lockout_lasts_fifteen_minutes_after_the_last_failure(client, clerk, password, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    for _ in range(10):
        login(client, clerk.username, "sai-mat-khau")
    time_machine.shift(timedelta(minutes=14))
    assert login(client, clerk.username, password).status_code == 429  # refused tries do not extend it
    time_machine.shift(timedelta(minutes=1, seconds=1))
    assert login(client, clerk.username, password).status_code == 302 and signed_in(client)


def test_a_locked_username_is_locked_from_every_address(client, clerk, password):
    for _ in range(10):
        login(client, clerk.username, "sai-mat-khau", REMOTE_ADDR="198.51.100.7")
    assert login(Client(), clerk.username, password, REMOTE_ADDR="203.0.113.9").status_code == 429


def test_one_address_is_locked_after_thirty_failures_whatever_the_usernames(client, clerk, officer, password):
    for i in range(29):
        login(client, f"khong-co-{i % 5}", "sai-mat-khau")  # five names, none of them near its own limit
    assert login(Client(), clerk.username, password).status_code == 302  # 29: still open
    login(client, "khong-co-9", "sai-mat-khau")
    refused = login(client, officer.username, password)
    assert refused.status_code == 429 and LOCKED in refused.content.decode()
    assert login(Client(), officer.username, password, REMOTE_ADDR="192.0.2.44").status_code == 302


def test_behind_a_trusted_proxy_the_forwarded_address_is_counted(client, clerk, password, settings):
    settings.MOTCUA_TRUST_X_FORWARDED_FOR = True
    for i in range(30):
        login(client, f"khong-co-{i % 5}", "sai", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5")
    # The proxy is the same REMOTE_ADDR for everyone; another client behind it is not locked.
    assert login(Client(), clerk.username, password, HTTP_X_FORWARDED_FOR="203.0.113.6").status_code == 302
    assert login(Client(), clerk.username, password, HTTP_X_FORWARDED_FOR="203.0.113.5").status_code == 429
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {"203.0.113.5"}


def test_the_admin_login_is_throttled_with_the_same_vietnamese_page(client, ward_admin, password):
    url = reverse("admin:login")
    for _ in range(10):
        login(client, ward_admin.username, "sai-mat-khau", url=url)
    refused = login(client, ward_admin.username, password, url=url)
    assert refused.status_code == 429 and LOCKED in refused.content.decode() and not signed_in(client)


def test_successes_failures_and_lockouts_are_recorded_and_logged(client, clerk, officer, password, caplog):
    caplog.set_level(logging.INFO)
    assert login(client, officer.username, password).status_code == 302
    for _ in range(10):
        login(Client(), clerk.username, "sai-mat-khau")
    assert AccessLog.objects.filter(username=officer.username).count() == 1
    assert AccessFailureLog.objects.filter(username=clerk.username).count() == 10
    assert AccessFailureLog.objects.filter(username=clerk.username, locked_out=True).exists()
    text = caplog.text
    assert "Successful login" in text and officer.username in text
    assert "login failure" in text and "Tạm khóa đăng nhập" in text and clerk.username in text
    assert "sai-mat-khau" not in text  # never the password


def test_a_superuser_unlocks_a_username_with_axes_reset_username(client, clerk, password):
    for _ in range(10):
        login(client, clerk.username, "sai-mat-khau")
    call_command("axes_reset_username", clerk.username)
    assert login(client, clerk.username, password).status_code == 302


def test_the_admin_shows_the_login_records_read_only_with_vietnamese_names(client, clerk, ward_admin):
    login(Client(), clerk.username, "sai-mat-khau")
    superuser = UserFactory(username="tinh", agency=None, is_superuser=True, is_staff=True, role=Role.ADMIN)
    client.force_login(superuser)
    index = client.get(reverse("admin:index")).content.decode()
    assert "Bảo vệ đăng nhập" in index and "Nhật ký đăng nhập" in index
    attempts = client.get(reverse("admin:axes_accessattempt_changelist")).content.decode()
    assert "Địa chỉ IP" in attempts and "Tên đăng nhập" in attempts and clerk.username in attempts
    attempt = AccessAttempt.objects.get()
    change_url = reverse("admin:axes_accessattempt_change", args=[attempt.pk])
    page = client.get(change_url).content.decode()
    assert 'name="_save"' not in page  # view only
    client.post(change_url, {"username": "doi-ten"})
    assert AccessAttempt.objects.get().username == clerk.username
    # A ward admin does not see them.
    client.force_login(ward_admin)
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


# -- sessions ----------------------------------------------------------------------------------
def test_a_session_ends_when_the_browser_closes(client, clerk, password):
    response = login(client, clerk.username, password)
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie["expires"] == "" and cookie["max-age"] == ""


def test_an_idle_session_ends_after_the_wards_time_with_a_vietnamese_message(client, clerk, agency, time_machine):
    agency.idle_timeout_minutes = 10
    agency.save(update_fields=["idle_timeout_minutes"])
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(clerk)
    assert client.get(reverse("hoso:worklist_clerk")).status_code == 200
    time_machine.shift(timedelta(minutes=9))
    assert client.get(reverse("hoso:worklist_clerk")).status_code == 200  # activity: the clock restarts
    time_machine.shift(timedelta(minutes=10, seconds=30))
    response = client.get(reverse("hoso:worklist_clerk"))
    assert response.status_code == 302 and response.url.startswith(reverse("login") + "?next=")
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert not signed_in(client)
    html = client.get(response.url).content.decode()
    assert "Phiên làm việc đã hết hạn do không thao tác quá 10 phút" in html


def test_the_counter_screens_poll_does_not_keep_a_session_alive(client, clerk, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(clerk)
    client.get(reverse("hoso:survey_counter"))
    for _ in range(31):
        time_machine.shift(timedelta(minutes=1))
        poll = client.get(reverse("hoso:survey_counter_poll"))
    assert poll.status_code == 302 and not signed_in(client)


def test_a_superuser_without_a_ward_gets_the_default_idle_time(client, time_machine):
    superuser = UserFactory(username="tinh", agency=None, is_superuser=True, is_staff=True, role=Role.ADMIN)
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(superuser)
    assert client.get(reverse("admin:index")).status_code == 200
    time_machine.shift(timedelta(minutes=29))
    assert client.get(reverse("admin:index")).status_code == 200
    time_machine.shift(timedelta(minutes=31))
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_last_activity_is_written_at_most_every_thirty_seconds(client, clerk, time_machine):
    time_machine.move_to(timezone.now(), tick=False)
    client.force_login(clerk)
    client.get(reverse("home"))
    first = client.session[LAST_ACTIVITY_KEY]
    time_machine.shift(timedelta(seconds=10))
    client.get(reverse("home"))
    assert client.session[LAST_ACTIVITY_KEY] == first
    time_machine.shift(timedelta(seconds=25))
    client.get(reverse("home"))
    assert client.session[LAST_ACTIVITY_KEY] == first + 35


@pytest.mark.parametrize(("minutes", "valid"), [(4, False), (5, True), (30, True), (480, True), (481, False)])
def test_the_idle_time_is_bounded_from_5_to_480_minutes(agency, minutes, valid):
    agency.idle_timeout_minutes = minutes
    if valid:
        agency.full_clean()
    else:
        with pytest.raises(ValidationError, match="idle_timeout_minutes"):
            agency.full_clean()


def test_the_ward_admin_sets_the_idle_time_in_the_admin(client, ward_admin, agency):
    client.force_login(ward_admin)
    url = reverse("admin:motcua_agency_change", args=[agency.pk])
    form = client.get(url).content.decode()
    assert "tự đăng xuất sau" in form.lower()
    inlines = page_data(client.get(url))  # the ward's sessions and days ride on the same page
    response = client.post(url, inlines | _agency_form(agency, idle_timeout_minutes=3))
    assert response.status_code == 200 and "5" in response.content.decode()
    agency.refresh_from_db()
    assert agency.idle_timeout_minutes == 30
    client.post(url, inlines | _agency_form(agency, idle_timeout_minutes=60))
    agency.refresh_from_db()
    assert agency.idle_timeout_minutes == 60


def _agency_form(agency, **changes):
    fields = ["code", "name", "parent_name", "desk_name", "address", "place_name", "phone", "email"]
    fields += ["opening_hours", "leader_name", "leader_title", "dossier_code_pattern", "idle_timeout_minutes"]
    data = {name: getattr(agency, name) or "" for name in fields}
    data["active"] = "on"
    data.update(changes)
    return data


def test_signing_out_clears_the_browsers_copy_of_the_site(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Clear-Site-Data"] == '"cache", "storage"'
    assert not signed_in(client)


# -- caching -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "url_name", ["home", "hoso:worklist_clerk", "hoso:search", "hoso:tracking_book", "hoso:tracking_book_xlsx"]
)
def test_every_page_and_download_for_signed_in_staff_is_private_and_not_stored(client, clerk, url_name):
    client.force_login(clerk)
    response = client.get(reverse(url_name), follow=True)
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives


def test_the_admin_is_private_and_not_stored(client, ward_admin):
    client.force_login(ward_admin)
    response = client.get(reverse("admin:motcua_user_changelist"))
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]


def test_public_catalogue_pages_stay_cacheable(client, real_catalogue):
    response = client.get(reverse("thutuc:list"))
    assert response.status_code == 200 and "no-store" not in response.get("Cache-Control", "")


# -- Content-Security-Policy -------------------------------------------------------------------
@pytest.mark.parametrize("url_name", ["thutuc:list", "login", "lookup_form", "admin:login"])
def test_every_page_sends_a_strict_content_security_policy(client, url_name, db):
    policy = client.get(reverse(url_name))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["default-src"] == "'self'" and directives["script-src"] == "'self'"
    assert directives["frame-ancestors"] == "'none'" and directives["object-src"] == "'none'"
    assert directives["form-action"] == "'self'" and directives["base-uri"] == "'self'"
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


TEMPLATES = Path(django_settings.BASE_DIR) / "templates"
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on… handler"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"<style\b(?![^>]*nonce)", re.I), "<style> block without nonce"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def test_no_page_template_holds_inline_script_or_style():
    """Pages (not PDFs, which weasyprint renders without a browser) live under the CSP."""
    found = []
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).parts[0] == "pdf":
            continue
        text = path.read_text(encoding="utf-8")
        found += [f"{path.relative_to(TEMPLATES)}: {label}" for pattern, label in INLINE if pattern.search(text)]
    assert found == []


# -- the CSRF failure page ---------------------------------------------------------------------
def test_a_form_sent_with_an_expired_token_gets_a_vietnamese_page(clerk, password):
    client = Client(enforce_csrf_checks=True)
    response = login(client, clerk.username, password)
    html = response.content.decode()
    assert response.status_code == 403
    assert "Biểu mẫu đã hết hạn" in html and "Tải lại trang" in html and "CSRF" not in html


# -- SECRET_KEY ----------------------------------------------------------------------------------
def _check(**env_changes: str) -> subprocess.CompletedProcess[str]:
    env = {
        k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "SECRET_KEY_FILE", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update({"DJANGO_SETTINGS_MODULE": "motcua.settings", "DEBUG": "0"}, **env_changes)
    return subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=Path(django_settings.BASE_DIR),
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_without_debug_a_missing_secret_key_stops_the_start_with_a_clear_message(tmp_path):
    refused = _check()
    assert refused.returncode != 0
    last_line = refused.stderr.strip().splitlines()[-1]
    assert "ImproperlyConfigured" in last_line and "Chưa đặt SECRET_KEY" in last_line
    assert "SECRET_KEY is not set" in last_line and "secrets.token_urlsafe" in last_line
    key_file = tmp_path / "secret_key"
    key_file.write_text("k" * 60 + "\n")
    assert _check(SECRET_KEY_FILE=str(key_file)).returncode == 0
    assert _check(SECRET_KEY_FILE=str(tmp_path / "missing")).returncode != 0
    assert _check(DEBUG="1").returncode == 0  # a laptop with DEBUG on keeps the development key
