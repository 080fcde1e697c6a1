"""The desk's cached reading of a ward's offer: no query when nothing changed, fresh after any edit."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from tests.factories import AgencyProcedureFactory, ProcedureFactory, RequiredDocumentFactory
from thutuc import offers
from thutuc.services import offer_procedures

pytestmark = pytest.mark.django_db


@pytest.fixture
def offer(agency):
    procedure = ProcedureFactory(code="1.000001", name="Cấp giấy xác nhận thử nghiệm")
    RequiredDocumentFactory(procedure=procedure, name="Tờ khai")
    return AgencyProcedureFactory(agency=agency, procedure=procedure)


def test_a_second_read_costs_no_query_and_carries_the_papers(agency, offer, django_assert_num_queries):
    first = offers.offer_for(agency.pk, "1.000001")
    with django_assert_num_queries(0):
        again = offers.offer_for(agency.pk, "1.000001")
        assert again is first
        assert [d.name for d in again.procedure.documents.all()] == ["Tờ khai"]
        assert again.procedure.field.name


def test_every_kind_of_catalogue_edit_is_seen_at_once(agency, offer):
    assert offers.offer_for(agency.pk, "1.000001").fee_amount is None
    offer.fee_amount = 20000
    offer.save()
    assert offers.offer_for(agency.pk, "1.000001").fee_amount == 20000
    RequiredDocumentFactory(procedure=offer.procedure, name="Giấy ủy quyền")
    names = [d.name for d in offers.offer_for(agency.pk, "1.000001").procedure.documents.all()]
    assert names == ["Tờ khai", "Giấy ủy quyền"]
    procedure = offer.procedure
    procedure.name = "Cấp giấy xác nhận (tên mới)"
    procedure.save()
    assert offers.offer_for(agency.pk, "1.000001").procedure.name == "Cấp giấy xác nhận (tên mới)"
    offer.active = False
    offer.save()
    assert offers.offer_for(agency.pk, "1.000001") is None


def test_another_process_edit_is_seen_through_the_shared_version(agency, offer):
    kept = offers.offer_for(agency.pk, "1.000001")
    # What another process's invalidation leaves in the shared cache: a new token, rows changed.
    type(offer).objects.filter(pk=offer.pk).update(fee_amount=5000)
    assert offers.offer_for(agency.pk, "1.000001") is kept  # this process cannot know yet
    cache.set("thutuc:catalogue-version", "from-another-process", timeout=None)
    assert offers.offer_for(agency.pk, "1.000001").fee_amount == 5000


def test_a_procedure_not_offered_is_not_kept_so_a_new_offer_is_seen(agency, other_agency):
    procedure = ProcedureFactory(code="1.000002")
    AgencyProcedureFactory(agency=other_agency, procedure=procedure)
    assert offers.offer_for(agency.pk, "1.000002") is None  # another ward's offer is not this ward's
    assert offer_procedures(agency=agency) == 1  # bulk-created: no post_save
    assert offers.offer_for(agency.pk, "1.000002").agency_id == agency.pk
