"""The electronic delivery travels through export and import like the desk and the post."""

from __future__ import annotations

import csv
import io

import pytest

from hoso.constants import Delivery
from hoso.models import Dossier

from .test_dossier_import import export_csv, import_rows, procedure, rejection, row  # noqa: F401 — the fixture

pytestmark = pytest.mark.django_db


def test_the_electronic_delivery_is_exported_and_imported(agency, procedure):  # noqa: F811
    import_rows(row(code="HS-1", delivery="electronic", electronic_result="yes", result_ready_at="2025-03-05T09:00"))
    assert Dossier.objects.get().delivery == Delivery.ELECTRONIC
    exported = {r["code"]: r for r in csv.DictReader(io.StringIO(export_csv()))}
    assert exported["HS-1"]["delivery"] == "electronic"
    assert "electronic: điện tử" in rejection(row(code="HS-2", delivery="email"))
