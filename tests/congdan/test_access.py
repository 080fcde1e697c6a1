"""What a signed-in citizen may reach: only their own dossiers, never a staff page; staff and citizen sessions apart;
and the portal with no identity provider configured."""

from __future__ import annotations

from datetime import datetime

import pytest
from django.test import Client

from congdan.models import Citizen
from congdan.session import CITIZEN_KEY
from hoso import workflow
from hoso.workcalendar import VN_TZ
from motcua.demo import load_demo
from tests.devidp import AN, NGOC
from thutuc.models import Procedure

pytestmark = pytest.mark.django_db


def _receive(agency, clerk, procedure, name: str, id_number: str, day: int):
    intake = workflow.Intake(
        procedure=procedure, applicant_name=name, applicant_id_number=id_number, applicant_phone="0912345678"
    )
    return workflow.receive(agency=agency, actor=clerk, intake=intake, now=datetime(2025, 3, day, 9, 0, tzinfo=VN_TZ))


@pytest.fixture
def demo(db, django_user_model):
    agency, _ = load_demo()
    clerk = django_user_model.objects.get(username="canbo")
    procedure = Procedure.objects.get(code="1.001193")
    mine = [_receive(agency, clerk, procedure, AN[1], AN[0], day) for day in (3, 4)]
    theirs = _receive(agency, clerk, procedure, NGOC[1], NGOC[0], 5)
    return mine, theirs


def test_my_dossiers_lists_only_the_citizens_own(client, sign_in, demo):
    mine, theirs = demo
    sign_in(AN[0])
    page = client.get("/ho-so-cua-toi/")
    html = page.content.decode()
    assert page.status_code == 200
    for dossier in mine:
        assert dossier.code in html and f"/tra-cuu/{dossier.code}/?k={dossier.lookup_key}" in html
    assert theirs.code not in html and NGOC[1] not in html
    assert "Hồ sơ đã được tiếp nhận" in html  # the status in plain words
    assert mine[0].received_at.astimezone(VN_TZ).strftime("%d/%m/%Y") in html
    assert html.index(mine[1].code) < html.index(mine[0].code)  # newest first


def test_my_dossiers_needs_a_citizen(client, oidc):
    response = client.get("/ho-so-cua-toi/")
    assert response.status_code == 302 and response["Location"].startswith("/cong-dan/dang-nhap/?next=")


def test_a_citizen_cannot_reach_staff_pages(client, sign_in, demo):
    mine, _ = demo
    sign_in(AN[0])
    staff_pages = ("/lam-viec/", "/ho-so/quay/", "/ho-so/tiep-nhan/", "/ho-so/tim-kiem/", "/bao-cao/", "/quan-tri/")
    for path in (*staff_pages, f"/ho-so/{mine[0].pk}/"):
        response = client.get(path)
        assert response.status_code in (302, 403, 404), path
        if response.status_code == 302:
            assert "dang-nhap" in response["Location"] or "login" in response["Location"], path
    assert not client.session.get("_auth_user_id")


def test_a_staff_sign_in_ends_the_citizen_identity(client, sign_in, clerk, password):
    sign_in(AN[0])
    assert CITIZEN_KEY in client.session
    response = client.post("/dang-nhap/", {"username": clerk.username, "password": password})
    assert response.status_code == 302
    assert CITIZEN_KEY not in client.session and client.session.get("_auth_user_id") == str(clerk.pk)


def test_a_citizen_sign_in_ends_the_staff_session(client, sign_in, clerk):
    client.force_login(clerk)
    sign_in(AN[0])
    assert CITIZEN_KEY in client.session and not client.session.get("_auth_user_id")
    assert client.get("/lam-viec/").status_code == 302


def test_the_nav_shows_the_citizen_and_sign_out(client, sign_in):
    sign_in(AN[0])
    html = client.get("/thu-tuc/").content.decode()
    assert "Hồ sơ của tôi" in html and f"Đăng xuất ({AN[1]})" in html
    assert "no-store" in client.get("/thu-tuc/")["Cache-Control"]
    client.post("/cong-dan/dang-xuat/")
    assert client.get("/ho-so-cua-toi/").status_code == 302


def test_the_public_lookup_page_of_a_citizen_is_not_shared(client, sign_in, demo):
    mine, _ = demo
    sign_in(AN[0])
    url = f"/tra-cuu/{mine[0].code}/?k={mine[0].lookup_key}"
    assert AN[1] in client.get(url).content.decode()  # the nav names them
    assert AN[1] not in Client().get(url).content.decode()  # not served to the next visitor


def test_disabled_without_an_issuer(client, settings, db):
    settings.MOTCUA_OIDC_ISSUER = ""
    response = client.get("/cong-dan/dang-nhap/")
    assert response.status_code == 404
    assert "chưa được bật" in response.content.decode()
    assert client.get("/cong-dan/oidc/callback/", {"code": "x", "state": "y"}).status_code == 404
    assert "Công dân đăng nhập" not in client.get("/thu-tuc/").content.decode()
    assert not Citizen.objects.exists()


def test_enabled_shows_the_sign_in_link(client, oidc):
    assert "Công dân đăng nhập" in client.get("/thu-tuc/").content.decode()


def test_a_citizens_pages_admit_the_provider_as_form_action(client, sign_in, oidc):
    assert "127.0.0.1" not in client.get("/thu-tuc/")["Content-Security-Policy"]
    sign_in(AN[0])
    policy = client.get("/ho-so-cua-toi/")["Content-Security-Policy"]
    form_action = next(part for part in policy.split(";") if part.strip().startswith("form-action"))
    assert "'self'" in form_action and oidc.issuer.removesuffix("/o") in form_action
