"""An online dossier: code and lookup key at submission (national status 1), then received or refused at the desk."""

from __future__ import annotations

import pytest
from django.urls import reverse

from hoso import documents, online, workflow
from hoso.calendar_store import calendar_for
from hoso.constants import Action, Status
from hoso.models import Dossier
from motcua.constants import Role
from tests.factories import UserFactory
from tructuyen.deadline import intake_due

from .conftest import vn

pytestmark = pytest.mark.django_db


def submit(ward, intake, now=None):
    now = now or vn(2026, 12, 4, 16)
    return online.submit(agency=ward, intake=intake, intake_due_at=intake_due(calendar_for(ward.pk), now), now=now)


def test_a_submitted_dossier_has_its_code_key_and_intake_deadline_at_once(ward, online_intake):
    dossier = submit(ward, online_intake)
    dossier.refresh_from_db()
    assert dossier.status == Status.SUBMITTED
    assert dossier.national_status == 1
    assert dossier.code.startswith(f"{ward.code}-261204-")
    assert len(dossier.lookup_key) == 8
    assert dossier.submitted_at == vn(2026, 12, 4, 16)
    assert dossier.intake_due_at == vn(2026, 12, 7, 16, 30)
    assert dossier.received_at is None and dossier.due_at is None and dossier.clerk is None
    assert [e.action for e in dossier.events.all()] == [Action.SUBMIT]


def test_the_lookup_api_shows_national_status_1_and_the_intake_deadline(client, ward, online_intake):
    dossier = submit(ward, online_intake)
    body = client.get(reverse("lookup_json", args=[dossier.code]), {"k": dossier.lookup_key}).json()
    assert body["status"] == Status.SUBMITTED
    assert body["national_status"] == {"code": 1, "label": "Mới đăng ký"}
    assert body["intake_due_at"] == "2026-12-07T16:30:00+07:00"
    assert body["received_at"] is None


def test_the_desk_receives_it_and_the_legal_clock_starts_then(
    client, ward, desk_clerk, online_intake, django_capture_on_commit_callbacks
):
    dossier = submit(ward, online_intake)
    code = dossier.code
    client.get(reverse("lookup_json", args=[code]), {"k": dossier.lookup_key})  # cached view
    with django_capture_on_commit_callbacks(execute=True):
        received = online.receive(dossier_id=dossier.pk, actor=desk_clerk, now=vn(2026, 12, 7, 9))
    received.refresh_from_db()
    assert received.status == Status.RECEIVED and received.code == code
    assert received.received_at == vn(2026, 12, 7, 9) and received.clerk == desk_clerk
    assert received.due_at is not None and received.due_at > received.received_at
    assert [(e.action, e.from_status, e.to_status) for e in received.events.all()] == [
        (Action.SUBMIT, "", Status.SUBMITTED),
        (Action.RECEIVE, Status.SUBMITTED, Status.RECEIVED),
    ]
    body = client.get(reverse("lookup_json", args=[code]), {"k": dossier.lookup_key}).json()
    assert body["national_status"]["code"] == 2 and body["intake_due_at"] is None
    # From here the counter's workflow goes on as usual.
    officer = UserFactory(agency=ward, role=Role.OFFICER)
    workflow.assign(dossier_id=received.pk, actor=desk_clerk, officer=officer, now=vn(2026, 12, 7, 10))


def test_the_desk_refuses_it_with_a_reason(ward, desk_clerk, online_intake):
    dossier = submit(ward, online_intake)
    with pytest.raises(workflow.WorkflowError, match="lý do"):
        online.refuse(dossier_id=dossier.pk, actor=desk_clerk, reason=" ", now=vn(2026, 12, 7, 9))
    refused = online.refuse(dossier_id=dossier.pk, actor=desk_clerk, reason="Sai thủ tục", now=vn(2026, 12, 7, 9))
    assert refused.status == Status.REFUSED and refused.national_status == 3
    with pytest.raises(workflow.WorkflowError, match="không còn chờ tiếp nhận"):
        online.receive(dossier_id=dossier.pk, actor=desk_clerk, now=vn(2026, 12, 7, 10))


def test_another_wards_clerk_cannot_receive_it(ward, online_intake, other_agency):
    dossier = submit(ward, online_intake)
    stranger = UserFactory(agency=other_agency, role=Role.CLERK)
    with pytest.raises(workflow.WorkflowError, match="cơ quan khác"):
        online.receive(dossier_id=dossier.pk, actor=stranger, now=vn(2026, 12, 7, 9))
    assert Dossier.objects.get(pk=dossier.pk).status == Status.SUBMITTED


def test_a_procedure_not_offered_online_is_refused(ward, online_intake, online_procedure):
    online_procedure.accepts_online = False
    online_procedure.save(update_fields=["accepts_online"])
    with pytest.raises(workflow.WorkflowError, match="trực tuyến"):
        submit(ward, online_intake)
    assert not Dossier.objects.exists()


def test_the_slips_of_an_online_dossier_start_at_its_submission(ward, desk_clerk, online_intake):
    dossier = submit(ward, online_intake)
    assert documents.available_documents(dossier) == []  # nothing to print before the desk answers
    received = online.receive(dossier_id=dossier.pk, actor=desk_clerk, now=vn(2026, 12, 7, 9))
    slugs = [spec.slug for spec in documents.available_documents(received)]
    assert "tiep-nhan" in slugs and "kiem-soat" in slugs
    rows = documents.control_context(documents.load_dossier(received.pk))["rows"]
    assert (rows[0]["step"], rows[0]["giver"], rows[0]["result"]) == ("Nộp hồ sơ trực tuyến", "Nguyễn Văn An", "")
    assert rows[1]["receiver"] == "Nguyễn Thị Lan" and rows[1]["result"]


def test_an_online_dossier_refused_at_the_desk_has_its_refusal_slip(ward, desk_clerk, online_intake):
    dossier = submit(ward, online_intake)
    refused = online.refuse(dossier_id=dossier.pk, actor=desk_clerk, reason="Sai thủ tục", now=vn(2026, 12, 7, 9))
    assert [spec.slug for spec in documents.available_documents(refused)] == ["tu-choi"]
    context = documents.refusal_context(documents.load_dossier(refused.pk))
    assert "Sai thủ tục" in str(context)
