"""The intake's hand-written statements write and find exactly what the ORM would.

``hoso.creation.save_new`` writes a dossier, its papers and its first event in one statement on PostgreSQL, and
``hoso.applicants.duplicate_query`` asks its question in SQL written once: both are compared
here with the ORM doing the same (the ORM's rows and queryset are the reference).
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import pytest
from django.db import connection

from hoso import applicants, creation, workflow
from hoso.constants import Action, Status
from hoso.events import Companion
from hoso.models import Dossier, DossierCounter, DossierDocument, DossierEvent, dossier_search_text
from hoso.workcalendar import VN_TZ
from lienthong.models import OutboxEntry
from motcua.lib.codepattern import pattern_for
from tests.factories import AgencyProcedureFactory, ProcedureFactory, RequiredDocumentFactory, load_holidays
from thutuc.constants import DocumentForm, TimeUnit
from thutuc.models import AgencyProcedure

pytestmark = pytest.mark.django_db

MON_9 = datetime(2025, 3, 3, 9, 0, tzinfo=VN_TZ)


@pytest.fixture
def procedure(agency):
    load_holidays()
    p = ProcedureFactory(code="1.000002", time_limit_value=5, time_limit_unit=TimeUnit.WORKING_DAYS)
    AgencyProcedureFactory(agency=agency, procedure=p)
    return p


def _new(agency, clerk, procedure, **extra) -> Dossier:
    intake = workflow.Intake(
        procedure=procedure,
        documents=[],
        applicant_name="Trần Thị Ánh Tuyết",
        applicant_id_number="079185000123",
        applicant_phone="0912 345 678",
        applicant_address="Số 5, hẻm 12/3 đường Nguyễn Trãi",
        note="Ghi chú có dấu ‘ngoặc’ và %s, {x}",
        token=uuid.uuid4(),
        **extra,
    )
    offer = AgencyProcedure.objects.get(agency=agency, procedure=procedure)
    dossier = workflow._new_dossier(agency, clerk, intake, Status.RECEIVED, MON_9, offer)
    dossier.received_at = MON_9
    dossier.base_due_at = dossier.due_at = dossier.shown_due_at = MON_9 + timedelta(days=7)
    return dossier


def _row(dossier: Dossier) -> dict:
    stored = Dossier.objects.get(pk=dossier.pk)
    values = {f.attname: getattr(stored, f.attname) for f in Dossier._meta.concrete_fields}
    for different in ("id", "code", "lookup_key", "intake_token", "search_text"):  # unique, or made of the code
        values.pop(different)
    return values


def _event(dossier: Dossier, clerk) -> DossierEvent:
    return workflow._new_event(
        dossier, Action.RECEIVE, "", Status.RECEIVED, clerk, MON_9, "Ghi chú “có dấu”", {"k": [1, "á"]}, due_at=MON_9
    )


def _event_row(event: DossierEvent) -> dict:
    stored = DossierEvent.objects.get(pk=event.pk)
    values = {f.attname: getattr(stored, f.attname) for f in DossierEvent._meta.concrete_fields}
    values.pop("id"), values.pop("dossier_id")
    return values


def test_a_new_dossier_and_its_papers_are_the_rows_the_orm_writes(agency, clerk, procedure):
    paper = RequiredDocumentFactory(procedure=procedure, name="Tờ khai đăng ký", mandatory=True)
    papers = [
        (paper.pk, "Tờ khai đăng ký", DocumentForm.ORIGINAL, 1),
        (None, "Giấy tờ khác: bản sao sổ hộ khẩu", DocumentForm.COPY, 2),
    ]
    ours = _new(agency, clerk, procedure)
    ours.code = "HS-1"
    event = _event(ours, clerk)
    creation.save_new(ours, papers, event=event)
    assert ours.pk is not None and not ours._state.adding
    assert event.pk is not None and event.dossier_id == ours.pk and not event._state.adding

    reference = _new(agency, clerk, procedure)
    reference.code = "HS-2"
    reference.save()
    DossierDocument.objects.bulk_create(
        DossierDocument(dossier=reference, required_document_id=r, name=n, form=f, quantity=q) for r, n, f, q in papers
    )
    reference_event = _event(reference, clerk)
    reference_event.save()

    assert _row(ours) == _row(reference)
    assert _event_row(event) == _event_row(reference_event)
    stored = Dossier.objects.get(pk=ours.pk)
    assert stored.search_text == ours.search_text != "" and "hs-1" in stored.search_text.lower()
    written = [(d.required_document_id, d.name, d.form, d.quantity) for d in ours.documents.order_by("id")]
    assert written == papers
    ours.refresh_from_db()  # the instance is a saved dossier: it can be changed and saved again
    ours.note = "Đã sửa"
    ours.save(update_fields=["note"])
    assert Dossier.objects.get(pk=ours.pk).note == "Đã sửa"


def test_a_dossier_without_papers_is_written_alone(agency, clerk, procedure):
    dossier = _new(agency, clerk, procedure)
    dossier.code = "HS-3"
    creation.save_new(dossier)
    assert Dossier.objects.filter(pk=dossier.pk).exists() and not dossier.documents.exists()


def test_the_single_statement_is_used_on_postgresql(agency, clerk, procedure):
    if connection.vendor != "postgresql":
        pytest.skip("the one-statement write is PostgreSQL's; SQLite takes the ORM's two")
    from django.test.utils import CaptureQueriesContext

    dossier = _new(agency, clerk, procedure)
    dossier.code = "HS-4"
    with CaptureQueriesContext(connection) as captured:
        creation.save_new(dossier, [(None, "Tờ khai", DocumentForm.ORIGINAL, 1)], event=_event(dossier, clerk))
    assert len(captured) == 1 and captured[0]["sql"].startswith("WITH new_dossier AS (INSERT INTO")


CASES = [
    # (changes to the earlier dossier, the applicant asked about, minutes later, found?)
    ({}, {"id_number": "079185000123", "name": "", "phone": ""}, 10, True),
    ({}, {"id_number": " 079185000123 ", "name": "x", "phone": "y"}, 29, True),
    ({}, {"id_number": "079185000999", "name": "Trần Thị Ánh Tuyết", "phone": "0912 345 678"}, 10, False),
    ({}, {"id_number": "079185000123", "name": "", "phone": ""}, 31, False),
    ({"applicant_id_number": ""}, {"id_number": "", "name": "Trần Thị Ánh Tuyết", "phone": "0912 345 678"}, 5, True),
    ({"applicant_id_number": ""}, {"id_number": "", "name": "Trần Thị Ánh Tuyết", "phone": "0987 654 321"}, 5, False),
    ({"status": Status.RETURNED}, {"id_number": "079185000123", "name": "", "phone": ""}, 5, False),
    ({"status": Status.PROCESSING}, {"id_number": "079185000123", "name": "", "phone": ""}, 5, True),
]


@pytest.mark.parametrize(("changes", "asked", "minutes", "found"), CASES)
def test_the_duplicate_check_finds_what_the_orm_query_finds(
    agency, other_agency, clerk, procedure, changes, asked, minutes, found
):
    earlier = _new(agency, clerk, procedure)
    for name, value in changes.items():
        setattr(earlier, name, value)
    earlier.code = "HS-5"
    creation.save_new(earlier)
    other_procedure = ProcedureFactory(code="1.000003")
    AgencyProcedureFactory(agency=agency, procedure=other_procedure)
    noise = _new(agency, clerk, other_procedure)  # the same citizen, another procedure: never a duplicate
    noise.code = "HS-6"
    creation.save_new(noise)
    now = MON_9 + timedelta(minutes=minutes)
    query = {"agency_id": agency.pk, "procedure_id": procedure.pk, "now": now, **asked}
    expected = applicants.recent_duplicates(**query).first()
    assert _asked(query) == expected
    assert (expected is not None) == found
    assert _asked({**query, "agency_id": other_agency.pk}) is None


def _asked(query: dict) -> Dossier | None:
    """The dossier ``duplicate_query``'s SQL answers with, as the receipt's statement reads it."""
    with connection.cursor() as cursor:
        cursor.execute(*applicants.duplicate_query(**query))
        row = cursor.fetchone()
    return None if row is None else Dossier.objects.get(pk=row[0])


@pytest.mark.parametrize(
    ("pattern", "earlier", "expected_tail"),
    [
        ("{agency}-{date:%y%m%d}-{seq:04d}", 0, "-250303-0001"),
        ("{agency}-{date:%y%m%d}-{seq:04d}", 9_999, "-250303-10000"),  # wider once a day passes 9,999
        ("{agency}_{date:%Y%m%d}.{seq:06d}x", 41, "_20250303.000042x"),
    ],
)
def test_a_numbered_dossier_gets_the_code_next_code_would_give(
    agency, clerk, procedure, pattern, earlier, expected_tail
):
    agency.dossier_code_pattern = pattern
    agency.save()
    day = MON_9.date()
    if earlier:
        DossierCounter.objects.create(agency=agency, day=day, last=earlier)
    dossier = _new(agency, clerk, procedure)
    creation.save_new(dossier, event=_event(dossier, clerk), number=creation.DayNumber(agency, day))
    stored = Dossier.objects.get(pk=dossier.pk)
    assert stored.code == dossier.code == agency.code + expected_tail
    assert stored.code == pattern_for(pattern).render(agency.code, day, earlier + 1)
    assert (
        stored.search_text
        == dossier.search_text
        == dossier_search_text(stored.code, stored.applicant_name, stored.applicant_phone, stored.applicant_id_number)
    )
    assert DossierCounter.objects.get(agency=agency, day=day).last == earlier + 1
    second = _new(agency, clerk, procedure)
    creation.save_new(second, number=creation.DayNumber(agency, day))
    assert second.code == pattern_for(pattern).render(agency.code, day, earlier + 2)


def test_a_companion_gets_the_new_code_and_the_events_key_as_stored(agency, clerk, procedure):
    """``Companion.code_at`` / ``event_key``: the write fills them in (in the statement on PostgreSQL,
    by ``Companion.fill`` elsewhere), and the row in memory is the row stored."""
    dossier = _new(agency, clerk, procedure)
    event = _event(dossier, clerk)
    payload = {"record": {"MaHoSo": "", "TenTTHC": "Cấp “bản sao”"}, "steps": [{"MaHoSo": ""}], "codes": ["x", ""]}
    row = OutboxEntry(payload=payload, sequence=0)
    at = (("payload", "record", "MaHoSo"), ("payload", "steps", "0", "MaHoSo"), ("payload", "codes", "1"))
    creation.save_new(
        dossier,
        event=event,
        number=creation.DayNumber(agency, MON_9.date()),
        companions=[Companion(row, "dossier", event_key="sequence", code_at=at)],
    )
    stored = OutboxEntry.objects.get(pk=row.pk)
    code = Dossier.objects.get(pk=dossier.pk).code
    assert code and stored.sequence == row.sequence == event.pk and stored.dossier_id == dossier.pk
    record = {"MaHoSo": code, "TenTTHC": "Cấp “bản sao”"}
    expected = {"record": record, "steps": [{"MaHoSo": code}], "codes": ["x", code]}
    assert stored.payload == row.payload == expected


def test_a_numbered_dossier_that_fails_gives_its_number_back(agency, clerk, procedure):
    from django.db import IntegrityError, transaction

    day = MON_9.date()
    first = _new(agency, clerk, procedure)
    creation.save_new(first, number=creation.DayNumber(agency, day))
    again = _new(agency, clerk, procedure)
    again.intake_token = first.intake_token  # the same form twice: the unique token refuses it
    with pytest.raises(IntegrityError), transaction.atomic():
        creation.save_new(again, number=creation.DayNumber(agency, day))
    third = _new(agency, clerk, procedure)
    creation.save_new(third, number=creation.DayNumber(agency, day))
    assert (first.code[-4:], third.code[-4:]) == ("0001", "0002")  # no gap


@pytest.mark.parametrize("numbered", [True, False], ids=["numbered", "unnumbered"])
def test_a_question_that_finds_a_dossier_stops_the_whole_write(agency, clerk, procedure, numbered):
    """``Unless`` is asked with the write: when it finds a dossier no row is written (not even the
    day counter's), ``EarlierFound`` names it, and the next receipt takes the next number."""
    from thanhtoan.models import FeeRequest

    day = MON_9.date()
    first = _new(agency, clerk, procedure)
    creation.save_new(first, number=creation.DayNumber(agency, day))
    question = creation.Unless(
        *applicants.duplicate_query(
            agency_id=agency.pk,
            procedure_id=procedure.pk,
            id_number="079185000123",
            name="",
            phone="",
            now=MON_9 + timedelta(minutes=5),
        )
    )
    counts = (Dossier.objects.count(), DossierEvent.objects.count(), FeeRequest.objects.count())
    again = _new(agency, clerk, procedure)
    if not numbered:
        again.code = "HS-UNLESS"
    event = _event(again, clerk)
    with pytest.raises(creation.EarlierFound) as found:
        creation.save_new(
            again,
            [(None, "Tờ khai", DocumentForm.ORIGINAL, 1)],
            event=event,
            number=creation.DayNumber(agency, day) if numbered else None,
            unless=question,
        )
    assert found.value.pk == first.pk
    assert (Dossier.objects.count(), DossierEvent.objects.count(), FeeRequest.objects.count()) == counts
    assert not DossierDocument.objects.filter(name="Tờ khai").exists()
    assert DossierCounter.objects.get(agency=agency, day=day).last == 1
    # A question that finds nothing lets the same write through.
    other = creation.Unless(
        *applicants.duplicate_query(
            agency_id=agency.pk, procedure_id=procedure.pk, id_number="001099000001", name="", phone="", now=MON_9
        )
    )
    creation.save_new(again, event=event, number=creation.DayNumber(agency, day) if numbered else None, unless=other)
    assert Dossier.objects.filter(pk=again.pk).exists() and event.pk is not None
    if numbered:
        assert again.code[-4:] == "0002"


def _fee_rows(dossier_id: int) -> tuple[dict, list[tuple]]:
    from thanhtoan.models import FeeRequest

    request = FeeRequest.objects.get(dossier_id=dossier_id)
    values = {f.attname: getattr(request, f.attname) for f in FeeRequest._meta.concrete_fields}
    values.pop("id"), values.pop("dossier_id")
    lines = list(request.lines.order_by("id").values_list("kind", "name", "amount", "source"))
    return values, lines


@pytest.mark.parametrize(
    ("fee", "extra", "collected"),
    [(0, 0, 0), (50_000, 7_000, 0), (50_000, 0, 50_000), (0, 0, 12_000)],
    ids=["free", "fee-and-ward-line", "fee-collected", "clerk-amount"],
)
def test_a_receipt_writes_its_fee_request_with_the_dossier(agency, clerk, procedure, fee, extra, collected):
    """The fees app's request is a companion row of the receipt (hoso.events.on_new_dossier): the
    rows equal those the ORM writes (``fees.new_request``, and the clerk's line when the typed
    amount differs), and on PostgreSQL no statement of its own is left."""
    from django.test.utils import CaptureQueriesContext

    from thanhtoan import fees
    from thanhtoan.hooks import CLERK_LINE
    from thanhtoan.models import FeeLine, FeeRequest, FeeRule, PaymentTransaction

    procedure.fee_counter = fee
    procedure.save(update_fields=["fee_counter"])
    if extra:
        FeeRule.objects.create(agency=agency, procedure=procedure, extra_name="Phí thẩm định", extra_amount=extra)
    intake = workflow.Intake(procedure=procedure, applicant_name="Lê Văn Bảy", fee_amount=collected)
    with CaptureQueriesContext(connection) as captured:
        dossier = workflow.receive(agency=agency, actor=clerk, intake=intake, now=MON_9)
    if connection.vendor == "postgresql":
        own = [q["sql"] for q in captured if q["sql"].startswith('INSERT INTO "thanhtoan_fee')]
        assert own == [] and "thanhtoan_feerequest" in next(q["sql"] for q in captured if q["sql"].startswith("WITH"))

    reference = _new(agency, clerk, procedure)
    reference.code = "HS-FEE"
    reference.save()
    request = fees.new_request(
        agency_id=agency.pk, procedure=procedure, channel=reference.channel, now=MON_9, dossier=reference
    )
    if collected and collected != request.amount_due:
        request.lines.all().delete()
        FeeLine.objects.create(request=request, name=CLERK_LINE, amount=collected, source="clerk")
        FeeRequest.objects.filter(pk=request.pk).update(amount_due=collected)
    ours, expected = _fee_rows(dossier.pk), _fee_rows(reference.pk)
    if collected:  # ours was paid at the counter by the clerk's cash
        assert ours[0].pop("state") == "paid" and ours[0].pop("paid_at") == MON_9
        expected[0].pop("state"), expected[0].pop("paid_at")
        paid = PaymentTransaction.objects.get(request__dossier=dossier)
        assert (paid.amount, paid.channel, paid.recorded_by_id) == (collected, "cash", clerk.pk)
    assert ours == expected
    assert ours[0]["amount_due"] == (collected or fee + extra)
