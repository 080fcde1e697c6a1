"""get_for_ward: one object of the user's own ward, or a 404 that does not tell whether it exists."""

from __future__ import annotations

import pytest
from django.http import Http404

from motcua.permissions import get_for_ward
from tests.factories import AgencyProcedureFactory, UserFactory
from thutuc.models import AgencyProcedure

pytestmark = pytest.mark.django_db


def test_it_finds_an_object_of_the_users_ward_from_a_model_or_a_queryset(agency, clerk):
    offer = AgencyProcedureFactory(agency=agency)
    assert get_for_ward(AgencyProcedure, clerk, pk=offer.pk) == offer
    assert get_for_ward(AgencyProcedure.objects.select_related("procedure"), clerk, pk=offer.pk) == offer


def test_another_wards_object_is_a_404_like_a_missing_one(agency, other_agency, clerk):
    theirs = AgencyProcedureFactory(agency=other_agency)
    with pytest.raises(Http404):
        get_for_ward(AgencyProcedure, clerk, pk=theirs.pk)
    with pytest.raises(Http404):
        get_for_ward(AgencyProcedure, clerk, pk=theirs.pk + 1000)


def test_a_superuser_sees_other_wards_only_where_the_page_allows_it(agency, other_agency):
    theirs = AgencyProcedureFactory(agency=other_agency)
    superuser = UserFactory(agency=agency, is_superuser=True, username="tinh")
    with pytest.raises(Http404):  # the desk's pages: the own ward only
        get_for_ward(AgencyProcedure, superuser, pk=theirs.pk)
    assert get_for_ward(AgencyProcedure, superuser, superuser_sees_all=True, pk=theirs.pk) == theirs


def test_a_superuser_of_no_ward_finds_nothing_on_the_desks_pages(agency):
    offer = AgencyProcedureFactory(agency=agency)
    province = UserFactory(agency=None, is_superuser=True, username="tinh")
    with pytest.raises(Http404):
        get_for_ward(AgencyProcedure, province, pk=offer.pk)
    assert get_for_ward(AgencyProcedure, province, superuser_sees_all=True, pk=offer.pk) == offer
