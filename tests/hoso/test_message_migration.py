"""The data migration of message texts to the placeholder language, on a database that holds old rows."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hoso.models import NotificationTemplate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = ("hoso", "0008_verbose_names_of_logs")


def test_old_rows_are_converted_or_reset_to_the_built_in_text(agency, other_agency):
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        executor = MigrationExecutor(connection)
        executor.migrate([BEFORE])
        old = executor.loader.project_state([BEFORE]).apps.get_model("hoso", "NotificationTemplate")
        old.objects.create(
            agency_id=agency.pk,
            kind="received",
            channel="sms",
            subject="",
            body="{{ agency.name }} nhận hồ sơ {{ dossier.code }}. {{ lookup_url }}",
        )
        old.objects.create(
            agency_id=other_agency.pk,
            kind="received",
            channel="sms",
            subject="",
            body="{% for d in dossier.procedure.dossiers.all %}{{ d.applicant_id_number }}{% endfor %}",
        )
        MigrationExecutor(connection).migrate(latest)
    finally:
        MigrationExecutor(connection).migrate(latest)
    (row,) = NotificationTemplate.objects.all()
    assert (row.agency_id, row.body) == (agency.pk, "{co_quan} nhận hồ sơ {ma_ho_so}. {link_tra_cuu}")
    row.full_clean()
