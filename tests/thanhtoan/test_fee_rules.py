"""A ward's fee rules are read once per process and every edit is seen at once (thanhtoan.fees.fee_rule_for)."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from motcua.constants import Role
from tests.hoso.test_workflow import receive, vn
from thanhtoan import fees
from thanhtoan.models import FeeRequest, FeeRule, Timing
from thutuc.constants import Channel
from thutuc.models import AgencyProcedure

pytestmark = pytest.mark.django_db


def lines_of(agency, procedure, channel=Channel.COUNTER) -> tuple[list[tuple[str, int, str]], str]:
    lines, timing = fees.catalogue_lines(agency.pk, procedure, channel)
    return [(line.name, line.amount, line.source) for line in lines], timing


def test_a_second_read_costs_no_query(agency, fee_procedure, django_assert_num_queries):
    assert lines_of(agency, fee_procedure) == ([("Lệ phí", 50_000, "catalogue")], Timing.BEFORE)
    with django_assert_num_queries(0):  # the offer and the (absent) rule are both kept
        assert lines_of(agency, fee_procedure) == ([("Lệ phí", 50_000, "catalogue")], Timing.BEFORE)


def test_a_rule_added_changed_and_removed_is_seen_at_once(agency, fee_procedure):
    assert lines_of(agency, fee_procedure)[1] == Timing.BEFORE  # read and kept: no rule
    rule = FeeRule.objects.create(
        agency=agency, procedure=fee_procedure, extra_name="Phí thẩm định", extra_amount=7_000
    )
    assert lines_of(agency, fee_procedure) == (
        [("Lệ phí", 50_000, "catalogue"), ("Phí thẩm định", 7_000, "ward")],
        Timing.BEFORE,
    )
    rule.timing, rule.extra_amount = Timing.AFTER, 9_000
    rule.save()
    assert lines_of(agency, fee_procedure) == (
        [("Lệ phí", 50_000, "catalogue"), ("Phí thẩm định", 9_000, "ward")],
        Timing.AFTER,
    )
    rule.delete()
    assert lines_of(agency, fee_procedure) == ([("Lệ phí", 50_000, "catalogue")], Timing.BEFORE)


def test_another_process_rule_is_seen_through_the_shared_version(agency, fee_procedure):
    assert len(lines_of(agency, fee_procedure)[0]) == 1
    FeeRule.objects.bulk_create([FeeRule(agency=agency, procedure=fee_procedure, extra_amount=3_000)])  # no signal
    assert len(lines_of(agency, fee_procedure)[0]) == 1  # this process cannot know yet
    cache.set("thutuc:catalogue-version", "from-another-process", timeout=None)
    assert lines_of(agency, fee_procedure)[0][-1] == ("Phí", 3_000, "ward")


def test_a_withdrawn_offer_still_sets_the_fee_it_had(agency, fee_procedure):
    AgencyProcedure.objects.filter(agency=agency, procedure=fee_procedure).update(fee_amount=20_000, active=False)
    assert lines_of(agency, fee_procedure)[0] == [("Lệ phí", 20_000, "ward")]


def test_a_counter_receipt_writes_one_request_with_the_wards_rule(agency, staff, fee_procedure):
    FeeRule.objects.create(agency=agency, procedure=fee_procedure, extra_name="Phí", extra_amount=5_000)
    dossier = receive(agency, staff[Role.CLERK], fee_procedure, vn(2025, 3, 3, 9, 0))
    request = FeeRequest.objects.get(dossier=dossier)  # exactly one
    assert request.amount_due == 55_000
    assert sorted(request.lines.values_list("amount", flat=True)) == [5_000, 50_000]
