"""Fixtures of the online channel tests: the demo ward, its clerk, an online procedure, a citizen's intake."""

from __future__ import annotations

from datetime import datetime

import pytest

from hoso import workflow
from hoso.workcalendar import VN_TZ
from motcua.demo import load_demo
from thutuc.models import Procedure
from tructuyen import services


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


@pytest.fixture
def ward(db):
    agency, _ = load_demo()
    return agency


@pytest.fixture
def desk_clerk(ward, django_user_model):
    return django_user_model.objects.get(username="canbo")


@pytest.fixture
def online_procedure(ward):
    procedure = Procedure.objects.get(code="1.001193")
    if not procedure.accepts_online:
        procedure.accepts_online = True
        procedure.save(update_fields=["accepts_online"])
    return procedure


@pytest.fixture
def online_intake(online_procedure):
    return workflow.Intake(
        procedure=online_procedure,
        applicant_name="Nguyễn Văn An",
        applicant_id_number="001090012345",
        applicant_phone="0912345678",
        applicant_email="an.nguyen@example.vn",
        applicant_address="Số 5 phố Hàng Bạc",
        channel=2,
    )


@pytest.fixture
def media(settings, tmp_path):
    """Files stored in this test's own folder."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def stored_files(media) -> list:
    return [p for p in media.rglob("*") if p.is_file()]


@pytest.fixture
def portal(ward):
    """An API client of the ward and its secret."""
    return services.create_api_client(agency=ward, name="Cổng Dịch vụ công quốc gia")
