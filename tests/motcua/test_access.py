"""Login, roles, wards: anonymous users reach only public pages; staff see their own ward."""

from __future__ import annotations

import pytest
from django.urls import reverse

from motcua.constants import Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

PUBLIC = ["thutuc:list", "login"]
STAFF_ONLY = ["home", "password_change"]


@pytest.mark.parametrize("name", STAFF_ONLY)
def test_anonymous_users_are_sent_to_login_from_staff_pages(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login") + "?next=")


def test_anonymous_users_are_sent_to_login_from_the_admin(client):
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302 and "login" in response.url


@pytest.mark.parametrize("name", PUBLIC)
def test_public_pages_need_no_login(client, name):
    assert client.get(reverse(name)).status_code == 200


def test_the_root_sends_citizens_to_the_catalogue_and_staff_to_work(client, clerk):
    assert client.get("/").url == reverse("thutuc:list")
    client.force_login(clerk)
    assert client.get("/").url == reverse("home")


@pytest.mark.parametrize(
    ("fixture", "landing"),
    [
        ("clerk", "worklist_clerk"),
        ("officer", "worklist_officer"),
        ("leader", "worklist_leader"),
        ("ward_admin", "home"),
    ],
)
def test_each_role_logs_in_on_its_own_page_and_sees_its_role_and_ward(client, request, fixture, landing, password):
    user = request.getfixturevalue(fixture)
    response = client.post(reverse("login"), {"username": user.username, "password": password}, follow=True)
    html = response.content.decode()
    assert response.resolver_match.url_name == landing
    assert user.get_role_display() in html and "Phường Hoàn Kiếm" in html


def test_a_wrong_password_gets_a_vietnamese_message_and_no_session(client, clerk):
    response = client.post(reverse("login"), {"username": clerk.username, "password": "sai"})
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_only_admins_see_the_admin_link(client, clerk, ward_admin):
    client.force_login(clerk)
    clerk_page = client.get(reverse("home"), follow=True).content.decode()
    assert "Việc trong ngày" in clerk_page and reverse("admin:index") not in clerk_page
    client.force_login(ward_admin)
    assert reverse("admin:index") in client.get(reverse("home")).content.decode()


def test_a_clerk_cannot_open_the_admin(client, clerk):
    client.force_login(clerk)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302  # the admin sends non-staff to its login


def test_a_ward_admin_sees_only_their_own_wards_staff(client, ward_admin, clerk, other_clerk):
    client.force_login(ward_admin)
    html = client.get(reverse("admin:motcua_user_changelist")).content.decode()
    assert clerk.username in html and other_clerk.username not in html
    assert client.get(reverse("admin:motcua_user_change", args=[other_clerk.pk])).status_code == 404


def test_a_ward_admin_reads_their_own_wards_access_log_and_cannot_change_it(client, ward_admin, clerk, other_clerk):
    from hoso.models import AccessLog

    mine = AccessLog.objects.create(user=clerk, agency=clerk.agency, kind=AccessLog.Kind.EXPORT, detail="Sổ 07/2026")
    AccessLog.objects.create(user=other_clerk, agency=other_clerk.agency, kind=AccessLog.Kind.EXPORT, detail="Sổ khác")
    client.force_login(ward_admin)
    html = client.get(reverse("admin:hoso_accesslog_changelist")).content.decode()
    assert "Sổ 07/2026" in html and "Sổ khác" not in html
    assert client.post(reverse("admin:hoso_accesslog_delete", args=[mine.pk]), {"post": "yes"}).status_code == 403
    assert AccessLog.objects.filter(pk=mine.pk).exists()
    client.force_login(clerk)
    assert client.get(reverse("admin:hoso_accesslog_changelist")).status_code == 302  # not for the desk


def test_a_ward_admin_cannot_import_the_shared_catalogue(client, ward_admin):
    client.force_login(ward_admin)
    assert client.get(reverse("admin:thutuc_procedure_import")).status_code == 403
    assert client.get(reverse("admin:thutuc_procedure_changelist")).status_code == 200


def test_the_database_refuses_staff_without_a_ward(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        UserFactory(agency=None, is_superuser=False)


def test_password_change_works_and_keeps_the_session(client, clerk, password):
    client.force_login(clerk)
    response = client.post(
        reverse("password_change"),
        {"old_password": password, "new_password1": "mat-khau-moi-2026!", "new_password2": "mat-khau-moi-2026!"},
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("mat-khau-moi-2026!")
    assert client.get(reverse("home"), follow=True).status_code == 200


def test_roles_are_the_four_of_the_desk():
    assert [r.value for r in Role] == ["clerk", "officer", "leader", "admin"]


def test_a_superuser_creates_a_ward_admin_who_can_open_the_admin(client, agency):
    client.force_login(UserFactory(agency=None, is_superuser=True, is_staff=True, username="tinh"))
    response = client.post(
        reverse("admin:motcua_user_add"),
        {
            "username": "quantri2",
            "agency": agency.pk,
            "role": "admin",
            "password1": "mot-mat-khau-dai-2026",
            "password2": "mot-mat-khau-dai-2026",
        },
    )
    assert response.status_code == 302
    from motcua.models import User

    created = User.objects.get(username="quantri2")
    assert (created.agency, created.is_staff, created.is_superuser) == (agency, True, False)
    client.force_login(created)
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_browsers_favicon_request_finds_the_portal_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301 and response.url.endswith("/img/favicon.svg")
    from pathlib import Path

    from django.contrib.staticfiles import finders

    assert "<svg" in Path(finders.find("img/favicon.svg")).read_text(encoding="utf-8")
