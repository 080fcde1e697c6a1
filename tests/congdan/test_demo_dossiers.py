"""./run gives the demo citizens a few silent dossiers at the demo ward, once."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import call_command

from hoso.constants import Status
from hoso.models import Dossier, DossierEvent, Notification
from motcua.demo import load_demo
from tests.devidp import AN, NGOC

pytestmark = pytest.mark.django_db


def test_demo_citizens_get_two_dossiers_each_once(tmp_path):
    load_demo()
    listing = tmp_path / "citizens.json"
    listing.write_text(json.dumps([{"id_number": n, "full_name": name} for n, name in (AN, NGOC)]), encoding="utf-8")
    out = StringIO()
    call_command("demo_citizen_dossiers", str(listing), stdout=out)
    assert "tạo 4" in out.getvalue()
    mine = Dossier.objects.filter(applicant_id_number=AN[0])
    assert sorted(mine.values_list("status", flat=True)) == sorted([Status.RECEIVED, Status.RESULT_READY])
    assert not Notification.objects.exists()
    assert all(event.data.get("silent") for event in DossierEvent.objects.all())
    out = StringIO()
    call_command("demo_citizen_dossiers", str(listing), stdout=out)
    assert "tạo 0" in out.getvalue() and Dossier.objects.count() == 4
