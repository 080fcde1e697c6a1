"""recompute_dossiers: the clock columns can always be rebuilt from the events."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from django.core.management import call_command

from hoso import workflow
from hoso.constants import Status
from hoso.models import Dossier, DossierEvent
from motcua.constants import Role
from tests.hoso.test_workflow import bring_to, procedure, staff, vn  # noqa: F401 — fixtures used by name

pytestmark = pytest.mark.django_db


def recompute(*args: str) -> str:
    out = io.StringIO()
    call_command("recompute_dossiers", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def dossiers(agency, staff, procedure):  # noqa: F811
    made = [bring_to(status, agency, staff, procedure) for status in Status]
    # A richer life: two supplements and an extension before the result.
    d = bring_to(Status.PROCESSING, agency, staff, procedure)
    officer, clerk = staff[Role.OFFICER], staff[Role.CLERK]
    workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="A", now=vn(2025, 3, 3, 10))
    workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, 4, 10))
    workflow.extend(
        dossier_id=d.pk, actor=officer, new_due_at=vn(2025, 3, 14, 17), reason="Chậm", now=vn(2025, 3, 5, 9)
    )
    workflow.request_supplement(dossier_id=d.pk, actor=officer, missing="B", now=vn(2025, 3, 5, 10))
    workflow.complete_supplement(dossier_id=d.pk, actor=clerk, now=vn(2025, 3, 6, 10))
    workflow.mark_result_ready(dossier_id=d.pk, actor=officer, now=vn(2025, 3, 7, 10))
    return [*made, d]


def test_dossiers_made_by_the_workflow_need_no_correction(dossiers):
    # Guided, refused, submitted-online and awaiting-papers dossiers were never received: they have no clock.
    assert recompute().strip().endswith(f"Đã kiểm tra {len(dossiers) - 4} hồ sơ; 0 hồ sơ cần sửa.")


def test_a_patched_column_is_reported_and_fixed(dossiers):
    late = Dossier.objects.get(pk=dossiers[-1].pk)
    # Due Thu 06/03 09:00, moved by two pauses of 7 h 30 each → Mon 10/03 09:00.
    assert late.timeliness == "late" and late.supplement_requests == 2 and late.due_at == vn(2025, 3, 10, 9)
    Dossier.objects.filter(pk=late.pk).update(timeliness="on_time", due_at=late.due_at + timedelta(days=3))
    DossierEvent.objects.filter(dossier=late).update(due_at=None)
    report = recompute()
    assert "timeliness 'on_time' → 'late'" in report and "1 hồ sơ cần sửa" in report
    assert "1 hồ sơ đã sửa" in recompute("--fix")
    late.refresh_from_db()
    assert late.timeliness == "late" and late.due_at == vn(2025, 3, 10, 9)
    assert "0 hồ sơ cần sửa" in recompute()
