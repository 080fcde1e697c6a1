"""The intake service called directly (as an API or an import would): what it accepts, what it
refuses and with which message, and that a refused intake writes nothing."""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest

from hoso import intake as service
from hoso import workflow
from hoso.constants import Status
from hoso.models import Dossier, DossierDocument, DossierEvent
from hoso.workcalendar import VN_TZ
from tests.factories import AgencyProcedureFactory, ProcedureFactory, RequiredDocumentFactory, load_holidays
from thutuc.constants import DocumentForm, TimeUnit

pytestmark = pytest.mark.django_db


def vn(*args: int) -> datetime:
    return datetime(*args, tzinfo=VN_TZ)


MON_9 = vn(2025, 3, 3, 9, 0)  # Mon 03/03/2025 09:00


@pytest.fixture
def procedure(agency):
    load_holidays()
    p = ProcedureFactory(code="1.000001", time_limit_value=3, time_limit_unit=TimeUnit.WORKING_DAYS)
    AgencyProcedureFactory(agency=agency, procedure=p)
    return p


@pytest.fixture
def form_paper(procedure):
    return RequiredDocumentFactory(procedure=procedure, name="Tờ khai theo mẫu", mandatory=True)


def intake(procedure, *, papers=None, **extra) -> workflow.Intake:
    if papers is None:
        papers = [(doc.pk, doc.name, doc.form, 1) for doc in procedure.documents.all()] or [
            (None, "Tờ khai", DocumentForm.ORIGINAL, 1)
        ]
    values = {"applicant_name": "Nguyễn Văn An", "applicant_id_number": "001090012345", "token": uuid.uuid4()}
    values.update(extra)
    return workflow.Intake(procedure=procedure, documents=papers, **values)


def nothing_written() -> bool:
    return not (Dossier.objects.exists() or DossierEvent.objects.exists() or DossierDocument.objects.exists())


def test_a_complete_dossier_is_received_with_its_papers(agency, clerk, procedure, form_paper):
    received = service.receive_dossier(agency=agency, actor=clerk, intake=intake(procedure), now=MON_9)
    assert received.created and received.dossier.status == Status.RECEIVED
    assert received.dossier.due_at == vn(2025, 3, 6, 9, 0)  # + 3 working days
    assert list(received.dossier.documents.values_list("name", flat=True)) == ["Tờ khai theo mẫu"]
    assert DossierEvent.objects.count() == 1


def test_it_refuses_a_receipt_without_a_mandatory_paper(agency, clerk, procedure, form_paper):
    with pytest.raises(service.IntakeRejected, match="Chưa nhận đủ giấy tờ bắt buộc: Tờ khai theo mẫu") as exc:
        service.receive_dossier(agency=agency, actor=clerk, intake=intake(procedure, papers=[]), now=MON_9)
    assert exc.value.field is None and "hướng dẫn bổ sung (mẫu 02)" in exc.value.message
    assert nothing_written()


def test_it_refuses_a_receipt_that_lists_no_paper(agency, clerk, procedure):
    with pytest.raises(service.IntakeRejected, match="ít nhất một giấy tờ đã nhận") as exc:
        service.receive_dossier(agency=agency, actor=clerk, intake=intake(procedure, papers=[]), now=MON_9)
    assert exc.value.field == "other_documents"
    assert nothing_written()


def test_it_asks_for_the_appointment_when_the_procedure_has_no_computed_limit(agency, clerk):
    load_holidays()
    open_ended = ProcedureFactory(time_limit_value=None, time_limit_unit="", time_limit_text="Không quy định")
    AgencyProcedureFactory(agency=agency, procedure=open_ended)
    with pytest.raises(service.IntakeRejected, match="hãy nhập ngày hẹn trả") as exc:
        service.receive_dossier(agency=agency, actor=clerk, intake=intake(open_ended), now=MON_9)
    assert exc.value.field == "manual_due_date"
    assert nothing_written()
    typed = intake(open_ended, manual_due_at=vn(2025, 4, 2, 16, 0))
    received = service.receive_dossier(agency=agency, actor=clerk, intake=typed, now=MON_9)
    assert received.dossier.due_at == vn(2025, 4, 2, 16, 0)


def test_an_appointment_outside_working_hours_is_refused_with_the_workflows_message(agency, clerk):
    load_holidays()
    open_ended = ProcedureFactory(time_limit_value=None, time_limit_unit="", time_limit_text="Không quy định")
    AgencyProcedureFactory(agency=agency, procedure=open_ended)
    sunday = intake(open_ended, manual_due_at=vn(2025, 3, 9, 10, 0))  # Sun 09/03/2025
    with pytest.raises(service.IntakeRejected, match="không rơi vào giờ làm việc"):
        service.receive_dossier(agency=agency, actor=clerk, intake=sunday, now=MON_9)
    assert nothing_written()


def test_the_same_form_twice_gives_back_the_dossier_it_made(agency, clerk, procedure):
    once = intake(procedure)
    first = service.receive_dossier(agency=agency, actor=clerk, intake=once, now=MON_9)
    again = service.receive_dossier(agency=agency, actor=clerk, intake=once, now=vn(2025, 3, 3, 9, 1))
    assert (again.dossier.pk, again.created) == (first.dossier.pk, False)
    assert Dossier.objects.count() == 1 and DossierEvent.objects.count() == 1


def test_the_same_token_after_the_window_still_makes_no_second_dossier(agency, clerk, procedure):
    once = intake(procedure)
    first = service.receive_dossier(agency=agency, actor=clerk, intake=once, now=MON_9)
    again = service.receive_dossier(agency=agency, actor=clerk, intake=once, now=vn(2025, 3, 3, 11, 0))
    assert (again.dossier.pk, again.created) == (first.dossier.pk, False)
    assert Dossier.objects.count() == 1


def test_the_same_applicant_within_30_minutes_needs_the_clerks_confirmation(agency, clerk, procedure):
    first = service.receive_dossier(agency=agency, actor=clerk, intake=intake(procedure), now=MON_9)
    with pytest.raises(service.DuplicateSuspected, match=f"Hồ sơ {first.dossier.code} của cùng người nộp") as exc:
        service.receive_dossier(agency=agency, actor=clerk, intake=intake(procedure), now=vn(2025, 3, 3, 9, 29))
    assert exc.value.dossier == first.dossier and Dossier.objects.count() == 1
    second = service.receive_dossier(
        agency=agency, actor=clerk, intake=intake(procedure), second_confirmed=True, now=vn(2025, 3, 3, 9, 29)
    )
    assert second.created and Dossier.objects.count() == 2


def test_after_30_minutes_or_for_someone_else_no_confirmation_is_asked(agency, clerk, procedure):
    service.receive_dossier(agency=agency, actor=clerk, intake=intake(procedure), now=MON_9)
    later = vn(2025, 3, 3, 9, 31)
    assert service.receive_dossier(agency=agency, actor=clerk, intake=intake(procedure), now=later).created
    other = intake(procedure, applicant_id_number="001090054321")
    assert service.receive_dossier(agency=agency, actor=clerk, intake=other, now=later).created


def test_without_an_id_number_the_same_name_and_phone_are_the_same_applicant(agency, clerk, procedure):
    nameless = {"applicant_id_number": "", "applicant_phone": "0912345678"}
    service.receive_dossier(agency=agency, actor=clerk, intake=intake(procedure, **nameless), now=MON_9)
    with pytest.raises(service.DuplicateSuspected):
        service.receive_dossier(agency=agency, actor=clerk, intake=intake(procedure, **nameless), now=MON_9)
    other_phone = intake(procedure, applicant_id_number="", applicant_phone="0987654321")
    assert service.receive_dossier(agency=agency, actor=clerk, intake=other_phone, now=MON_9).created


def test_an_officer_may_not_receive_and_nothing_is_written(agency, officer, procedure):
    with pytest.raises(service.IntakeRejected, match="không được tiếp nhận hồ sơ"):
        service.receive_dossier(agency=agency, actor=officer, intake=intake(procedure), now=MON_9)
    assert nothing_written()


def test_another_wards_clerk_may_not_receive_here(agency, other_clerk, procedure):
    with pytest.raises(service.IntakeRejected, match="cho cơ quan của mình"):
        service.receive_dossier(agency=agency, actor=other_clerk, intake=intake(procedure), now=MON_9)
    assert nothing_written()


def test_guidance_lists_the_missing_mandatory_papers_by_default(agency, clerk, procedure, form_paper):
    guided = service.guide_applicant(agency=agency, actor=clerk, intake=intake(procedure, papers=[]), now=MON_9)
    assert (guided.status, guided.code, guided.note) == (Status.GUIDED, None, "Tờ khai theo mẫu")


def test_guidance_with_nothing_to_add_is_refused(agency, clerk, procedure, form_paper):
    with pytest.raises(service.IntakeRejected, match="Hãy ghi rõ giấy tờ cần bổ sung"):
        service.guide_applicant(agency=agency, actor=clerk, intake=intake(procedure), missing="  ", now=MON_9)
    assert nothing_written()


def test_guidance_is_given_once_in_90_days(agency, clerk, procedure):
    service.guide_applicant(agency=agency, actor=clerk, intake=intake(procedure), missing="Tờ khai", now=MON_9)
    with pytest.raises(service.IntakeRejected, match="chỉ hướng dẫn một lần"):
        service.guide_applicant(
            agency=agency, actor=clerk, intake=intake(procedure), missing="Tờ khai", now=vn(2025, 3, 7, 9)
        )
    assert Dossier.objects.count() == 1 and DossierEvent.objects.count() == 1
    # Three months on it is a new matter.
    service.guide_applicant(
        agency=agency, actor=clerk, intake=intake(procedure), missing="Tờ khai", now=vn(2025, 6, 9, 9)
    )
    assert Dossier.objects.filter(status=Status.GUIDED).count() == 2


def test_a_refusal_is_recorded_with_its_reason(agency, clerk, procedure):
    refused = service.refuse_dossier(
        agency=agency, actor=clerk, intake=intake(procedure), reason=" Không có giấy tờ tùy thân ", now=MON_9
    )
    assert (refused.status, refused.note) == (Status.REFUSED, "Không có giấy tờ tùy thân")


def test_a_refusal_without_a_reason_is_refused_and_nothing_is_written(agency, clerk, procedure):
    with pytest.raises(service.IntakeRejected, match="Hãy ghi rõ lý do từ chối"):
        service.refuse_dossier(agency=agency, actor=clerk, intake=intake(procedure), reason=" \n", now=MON_9)
    assert nothing_written()
