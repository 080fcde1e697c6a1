"""Ranks in the admin: superuser > ward admin > leader, officer, clerk (issue 10.2).

A ward admin manages only their own ward's accounts of lower rank; every other account is a 404
on every page and path (change form, password form, delete, history, bulk actions, forged POSTs),
and nothing about it changes. A superuser is attached to a ward only by an explicit, logged choice.
"""

from __future__ import annotations

import pytest
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from motcua.constants import Role
from motcua.models import User
from motcua.permissions import RANK_STAFF, RANK_SUPERUSER, RANK_WARD_ADMIN, can_manage, manageable, rank
from motcua.services import create_staff
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "mat-khau-chiem-quyen-2026"


@pytest.fixture
def attached_superuser(agency):
    """A province administrator attached to the ward (the case that was taken over)."""
    return UserFactory(agency=agency, username="tinh_gan_phuong", is_superuser=True, is_staff=True, role=Role.ADMIN)


@pytest.fixture
def superuser(db):
    return UserFactory(agency=None, username="tinh", is_superuser=True, is_staff=True)


@pytest.fixture
def peer_admin(agency):
    return UserFactory(agency=agency, username="admin_a2", role=Role.ADMIN, is_staff=True)


@pytest.fixture
def other_ward_admin(other_agency):
    return UserFactory(agency=other_agency, username="admin_b", role=Role.ADMIN, is_staff=True)


def _change_data(user: User, **overrides: object) -> dict[str, object]:
    data = {
        "username": user.username,
        "last_name": "Trần Văn",
        "first_name": "Chiếm",
        "email": "",
        "title": "",
        "role": user.role,
        "is_active": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def _snapshot(user: User) -> tuple:
    user.refresh_from_db()
    return (user.password, user.last_name, user.agency_id, user.role, user.is_superuser, user.is_staff, user.is_active)


def test_ranks_order_superuser_above_ward_admin_above_desk_roles(superuser, ward_admin, leader, clerk, officer):
    assert rank(superuser) == RANK_SUPERUSER > rank(ward_admin) == RANK_WARD_ADMIN
    assert {rank(leader), rank(officer), rank(clerk)} == {RANK_STAFF} and RANK_STAFF < RANK_WARD_ADMIN


def test_a_ward_admin_manages_only_lower_ranks_of_their_own_ward(
    ward_admin, leader, clerk, peer_admin, attached_superuser, other_clerk
):
    assert can_manage(ward_admin, leader) and can_manage(ward_admin, clerk)
    for target in (ward_admin, peer_admin, attached_superuser, other_clerk):
        assert not can_manage(ward_admin, target)
    ward_admin.is_active = False
    assert not can_manage(ward_admin, clerk)


def test_the_admin_list_and_can_manage_are_one_rule(
    superuser, ward_admin, leader, clerk, peer_admin, attached_superuser, other_clerk, other_ward_admin, agency
):
    staff_flag_only = UserFactory(agency=agency, username="co_co_nhan_vien", role=Role.CLERK, is_staff=True)
    inactive_admin = UserFactory(agency=agency, username="admin_nghi", role=Role.ADMIN, is_staff=True, is_active=False)
    everyone = list(User.objects.all())
    for actor in [*everyone, inactive_admin]:
        listed = set(manageable(actor, User.objects.all()).values_list("pk", flat=True))
        assert listed == {target.pk for target in everyone if can_manage(actor, target)}, actor.username
    assert rank(staff_flag_only) == RANK_WARD_ADMIN


def test_the_staff_flag_follows_the_role_from_the_command_and_the_admin(agency):
    admin_user = create_staff(agency=agency, username="qt_moi", role=Role.ADMIN, password=PASSWORD)
    clerk_user = create_staff(agency=agency, username="mc_moi", role=Role.CLERK, password=PASSWORD)
    assert admin_user.is_staff and not clerk_user.is_staff
    clerk_user.is_superuser = True
    clerk_user.set_staff_flag()
    assert clerk_user.is_staff


@pytest.mark.parametrize("target_name", ["attached_superuser", "peer_admin", "ward_admin", "other_ward_admin"])
def test_a_ward_admin_gets_404_on_every_page_of_an_account_of_equal_or_higher_rank(
    client, request, ward_admin, target_name
):
    target = request.getfixturevalue(target_name)
    before = _snapshot(target)
    client.force_login(ward_admin)
    pk = [target.pk]
    assert client.get(reverse("admin:motcua_user_change", args=pk)).status_code == 404
    assert client.post(reverse("admin:motcua_user_change", args=pk), _change_data(target)).status_code == 404
    password_url = reverse("admin:auth_user_password_change", args=pk)
    assert password_url == f"/quan-tri/motcua/user/{target.pk}/password/"
    assert client.get(password_url).status_code == 404
    forged = {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"}
    assert client.post(password_url, forged).status_code == 404
    assert client.get(reverse("admin:motcua_user_delete", args=pk)).status_code == 404
    assert client.post(reverse("admin:motcua_user_delete", args=pk), {"post": "yes"}).status_code == 404
    assert client.get(reverse("admin:motcua_user_history", args=pk)).status_code == 404
    assert _snapshot(target) == before
    assert User.objects.filter(pk=target.pk).exists()


def test_a_ward_admin_does_not_see_higher_ranks_in_the_list_even_when_filtering_for_them(
    client, ward_admin, attached_superuser, peer_admin, clerk
):
    client.force_login(ward_admin)
    for query in ("", "?is_superuser__exact=1", "?role__exact=admin", f"?q={attached_superuser.username}"):
        response = client.get(reverse("admin:motcua_user_changelist") + query)
        html = response.content.decode()
        assert response.status_code in (200, 302)
        for hidden in (attached_superuser, peer_admin, ward_admin):
            assert reverse("admin:motcua_user_change", args=[hidden.pk]) not in html
    html = client.get(reverse("admin:motcua_user_changelist")).content.decode()
    assert reverse("admin:motcua_user_change", args=[clerk.pk]) in html


def test_a_forged_bulk_delete_from_the_list_deletes_nobody(client, ward_admin, attached_superuser, clerk, peer_admin):
    client.force_login(ward_admin)
    response = client.post(
        reverse("admin:motcua_user_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [attached_superuser.pk, clerk.pk, peer_admin.pk],
            "post": "yes",
            "index": "0",
        },
    )
    assert response.status_code in (200, 302)
    assert User.objects.filter(pk__in=[attached_superuser.pk, clerk.pk, peer_admin.pk]).count() == 3


def test_a_ward_admin_resets_a_clerks_password(client, ward_admin, clerk):
    client.force_login(ward_admin)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[clerk.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password(NEW_PASSWORD)


def test_forged_fields_on_a_clerks_form_grant_nothing_and_move_nobody(client, ward_admin, clerk, other_agency):
    client.force_login(ward_admin)
    permission = Permission.objects.get(codename="change_user")
    data = _change_data(
        clerk,
        is_superuser="on",
        is_staff="on",
        agency=other_agency.pk,
        groups=[],
        user_permissions=[permission.pk],
    )
    response = client.post(reverse("admin:motcua_user_change", args=[clerk.pk]), data)
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.last_name == "Trần Văn"  # the honest part of the form is saved
    assert (clerk.is_superuser, clerk.is_staff, clerk.agency_id) == (False, False, ward_admin.agency_id)
    assert not clerk.user_permissions.exists()


def test_a_ward_admin_cannot_give_the_admin_role_by_edit_or_by_creation(client, ward_admin, clerk):
    client.force_login(ward_admin)
    before = _snapshot(clerk)
    response = client.post(reverse("admin:motcua_user_change", args=[clerk.pk]), _change_data(clerk, role="admin"))
    assert response.status_code == 200 and "Hãy chọn" in response.content.decode()
    assert _snapshot(clerk) == before
    response = client.post(
        reverse("admin:motcua_user_add"),
        {"username": "quantri_moi", "role": "admin", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="quantri_moi").exists()


def test_the_role_list_of_a_ward_admin_stops_below_their_own_rank(client, ward_admin, clerk):
    client.force_login(ward_admin)
    html = client.get(reverse("admin:motcua_user_change", args=[clerk.pk])).content.decode()
    assert 'value="leader"' in html and 'value="admin"' not in html
    assert "quản trị hệ thống (toàn quyền)" not in html.lower()


def test_a_ward_admin_creates_a_clerk_of_their_own_ward_whatever_ward_is_posted(client, ward_admin, other_agency):
    client.force_login(ward_admin)
    response = client.post(
        reverse("admin:motcua_user_add"),
        {
            "username": "canbo_moi",
            "role": "clerk",
            "agency": other_agency.pk,
            "is_superuser": "on",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert response.status_code == 302
    created = User.objects.get(username="canbo_moi")
    assert (created.agency_id, created.is_superuser, created.is_staff) == (ward_admin.agency_id, False, False)


# -- attaching a superuser to a ward ----------------------------------------------------------------
def _superuser_data(user: User, **overrides: object) -> dict[str, object]:
    data = _change_data(user, is_superuser="on" if user.is_superuser else None)
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_attaching_a_superuser_to_a_ward_needs_the_confirmation_box(client, superuser, agency):
    other = UserFactory(agency=None, username="tinh2", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    url = reverse("admin:motcua_user_change", args=[other.pk])
    assert "Tôi xác nhận gắn tài khoản quản trị hệ thống vào phường này" in client.get(url).content.decode()
    response = client.post(url, _superuser_data(other, agency=agency.pk))
    assert response.status_code == 200
    assert "chỉ được gắn vào một cơ quan khi bạn đánh dấu ô xác nhận" in response.content.decode()
    other.refresh_from_db()
    assert other.agency_id is None


def test_a_confirmed_attachment_is_saved_and_logged_with_who_and_when(client, superuser, agency):
    other = UserFactory(agency=None, username="tinh2", is_superuser=True, is_staff=True)
    client.force_login(superuser)
    url = reverse("admin:motcua_user_change", args=[other.pk])
    response = client.post(url, _superuser_data(other, agency=agency.pk, confirm_ward_attach="on"))
    assert response.status_code == 302
    other.refresh_from_db()
    assert other.agency_id == agency.pk and other.is_superuser
    entry = LogEntry.objects.filter(object_id=str(other.pk), change_message__startswith="Gắn tài khoản").get()
    assert entry.user_id == superuser.pk and entry.action_flag == CHANGE and entry.action_time is not None
    assert agency.code in entry.change_message
    # Saving the same attachment again asks nothing more and logs no second attachment.
    assert client.post(url, _superuser_data(other, agency=agency.pk)).status_code == 302
    assert LogEntry.objects.filter(object_id=str(other.pk), change_message__startswith="Gắn tài khoản").count() == 1


def test_promoting_a_wards_user_to_superuser_is_an_attachment_too(client, superuser, leader, agency):
    client.force_login(superuser)
    url = reverse("admin:motcua_user_change", args=[leader.pk])
    response = client.post(url, _superuser_data(leader, agency=agency.pk, is_superuser="on"))
    assert response.status_code == 200
    leader.refresh_from_db()
    assert not leader.is_superuser


def test_a_superuser_edits_an_ordinary_staff_member_without_any_confirmation(client, superuser, clerk, agency):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:motcua_user_change", args=[clerk.pk]), _superuser_data(clerk, agency=agency.pk)
    )
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.last_name == "Trần Văn"


def test_a_superuser_still_logs_in_with_their_password_after_a_ward_admin_tried(client, ward_admin, attached_superuser):
    client.force_login(ward_admin)
    client.post(
        reverse("admin:auth_user_password_change", args=[attached_superuser.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    attached_superuser.refresh_from_db()
    assert attached_superuser.check_password(PASSWORD) and not attached_superuser.check_password(NEW_PASSWORD)
