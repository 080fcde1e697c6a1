"""Data migrations on a database that already holds dossiers."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from hoso import workflow
from hoso.models import Dossier
from hoso.workcalendar import VN_TZ
from tests.factories import AgencyProcedureFactory, ProcedureFactory, load_holidays
from thutuc.constants import TimeUnit

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE_SEARCH = ("hoso", "0005_resolution_and_766_flags")


def migrate(target: list[tuple[str, str]]) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(target)


def test_the_search_column_is_filled_for_the_dossiers_already_there(agency, clerk):
    from datetime import datetime

    load_holidays()
    procedure = ProcedureFactory(code="1.000001", time_limit_value=3, time_limit_unit=TimeUnit.WORKING_DAYS)
    AgencyProcedureFactory(agency=agency, procedure=procedure)
    intake = workflow.Intake(
        procedure=procedure, applicant_name="Đỗ Thị Ngọc Ánh", applicant_phone="0912345678", applicant_id_number=""
    )
    dossier = workflow.receive(agency=agency, actor=clerk, intake=intake, now=datetime(2025, 3, 3, 9, tzinfo=VN_TZ))
    latest = MigrationExecutor(connection).loader.graph.leaf_nodes()
    try:
        migrate([BEFORE_SEARCH])  # the column is dropped…
        migrate(latest)  # …and added again, filled by the migration from the stored columns
    finally:
        migrate(latest)
    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.search_text == " do thi ngoc anh 0912345678 000.25.31.h26-250303-0001 "
