"""A counter receipt on its own (no caller's transaction) is one statement on PostgreSQL: the dossier,
its papers, its event, the fee request and the national link's outbox row are written together and
committed by it; the after-event callbacks may not write then, and cash taken at the counter makes
it one transaction with the payment again (``hoso.workflow.receive``, ``hoso.events``).

Transactional tests: a test's own transaction would turn the receipt into a savepoint.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import pytest
from django.db import IntegrityError, connection
from django.test.utils import CaptureQueriesContext

from hoso import events, intake, workflow
from hoso.models import Dossier, DossierDocument, DossierEvent
from hoso.workcalendar import VN_TZ
from lienthong import mapping, tasks
from lienthong.models import OutboxEntry, State
from tests.conftest import need
from tests.factories import AgencyProcedureFactory, ProcedureFactory, RequiredDocumentFactory, load_holidays
from thanhtoan import fees
from thanhtoan.models import FeeRequest, PaymentTransaction
from thutuc.constants import DocumentForm, TimeUnit

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

MON_9 = datetime(2025, 3, 3, 9, 0, tzinfo=VN_TZ)


@pytest.fixture
def procedure(agency):
    need(connection.vendor == "postgresql", "One-statement receipts need PostgreSQL (set DATABASE_URL).")
    load_holidays()
    p = ProcedureFactory(code="1.000003", time_limit_value=3, time_limit_unit=TimeUnit.WORKING_DAYS, fee_counter=20_000)
    AgencyProcedureFactory(agency=agency, procedure=p)
    return p


@pytest.fixture
def link_on(settings, monkeypatch):
    """The link on, its drain not started: the rows stay as the receipt wrote them."""
    settings.MOTCUA_NATIONAL_PORTAL_URL = "http://127.0.0.1:9/"
    kicks: list[int] = []
    monkeypatch.setattr(tasks, "kick_drain", lambda: kicks.append(OutboxEntry.objects.count()))
    settings.drain_kicks = kicks
    return settings


def _first_write(captured: CaptureQueriesContext) -> str:
    """The first statement that is not a plain read (Django logs its transactions as BEGIN / COMMIT)."""
    return next(q["sql"] for q in captured.captured_queries if not q["sql"].startswith("SELECT"))


def _intake(procedure, **extra) -> workflow.Intake:
    paper = RequiredDocumentFactory(procedure=procedure, name="Tờ khai", mandatory=True)
    fields = {
        "applicant_name": "Phạm Thị Hằng",
        "applicant_id_number": "001190000777",
        "documents": [(paper.pk, paper.name, DocumentForm.ORIGINAL, 1)],
        "token": uuid.uuid4(),
        **extra,
    }
    return workflow.Intake(procedure=procedure, **fields)


def _transactions(dossier: Dossier) -> set[str]:
    """The transaction ids (xmin) that wrote the dossier's rows."""
    tables = [
        (Dossier, "id"),
        (DossierDocument, "dossier_id"),
        (DossierEvent, "dossier_id"),
        (FeeRequest, "dossier_id"),
        (OutboxEntry, "dossier_id"),
    ]
    found: set[str] = set()
    with connection.cursor() as cursor:
        for model, column in tables:
            cursor.execute(f"SELECT xmin::text FROM {model._meta.db_table} WHERE {column} = %s", [dossier.pk])  # noqa: S608 — our tables
            found |= {row[0] for row in cursor.fetchall()}
    return found


def test_a_receipt_is_one_statement_and_its_outbox_row_is_the_one_queue_event_writes(link_on, agency, clerk, procedure):
    papers = _intake(procedure)
    with CaptureQueriesContext(connection) as captured:
        dossier = workflow.receive(agency=agency, actor=clerk, intake=papers, now=MON_9)
    # The receipt's statement is its first write (no transaction opened before it) and its only one.
    statement = _first_write(captured)
    writes = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(("SELECT", "BEGIN", "COMMIT"))]
    assert statement.startswith("WITH") and writes == [statement]
    assert "lienthong_outboxentry" in statement and "thanhtoan_feerequest" in statement
    assert len(_transactions(dossier)) == 1  # every row by the same transaction: the statement's

    row = OutboxEntry.objects.get(dossier=dossier)
    event = DossierEvent.objects.select_related("actor").get(dossier=dossier)
    stored = Dossier.objects.get(pk=dossier.pk)
    assert row.sequence == event.pk and row.state == State.PENDING and row.last_error == ""
    assert row.payload == {
        "record": mapping.dossier_record(stored, event),
        "steps": [mapping.progress_step(event)],
    }
    assert row.payload["record"]["MaHoSo"] == row.payload["steps"][0]["MaHoSo"] == stored.code
    assert link_on.drain_kicks == [1]  # the after-commit work ran, once, with the row committed


def test_a_receipt_without_an_id_number_is_queued_blocked_with_the_reason(link_on, agency, clerk, procedure):
    dossier = workflow.receive(agency=agency, actor=clerk, intake=_intake(procedure, applicant_id_number=""), now=MON_9)
    row = OutboxEntry.objects.get(dossier=dossier)
    assert row.state == State.BLOCKED and "số giấy tờ" in row.last_error and "chưa có mã" not in row.last_error


def test_cash_taken_at_the_counter_is_one_transaction_with_the_receipt(link_on, agency, clerk, procedure, monkeypatch):
    paying = _intake(procedure, fee_amount=20_000)
    with CaptureQueriesContext(connection) as captured:
        dossier = workflow.receive(agency=agency, actor=clerk, intake=paying, now=MON_9)
    assert _first_write(captured) == "BEGIN"
    paid = PaymentTransaction.objects.get(request__dossier=dossier)
    assert paid.amount == 20_000 and FeeRequest.objects.get(dossier=dossier).state == "paid"

    # The payment failing after the receipt's statement takes the whole receipt with it.
    def fails(*args: object, **kwargs: object) -> None:
        raise RuntimeError("the payment fails after the dossier's statement")

    monkeypatch.setattr(fees, "settle_success", fails)
    with pytest.raises(RuntimeError, match="payment fails"):
        workflow.receive(agency=agency, actor=clerk, intake=_intake(procedure, fee_amount=20_000), now=MON_9)
    assert Dossier.objects.count() == 1 and OutboxEntry.objects.count() == 1 and FeeRequest.objects.count() == 1


def test_an_after_event_callback_may_not_write_after_a_one_statement_receipt(agency, clerk, procedure, monkeypatch):
    def writes(event: DossierEvent) -> None:
        Dossier.objects.filter(pk=event.dossier_id).update(note="ghi thêm")

    monkeypatch.setattr(events, "_callbacks", [*events._callbacks, writes])
    with pytest.raises(events.WriteRefused, match="on_new_dossier"):
        workflow.receive(agency=agency, actor=clerk, intake=_intake(procedure), now=MON_9)
    # The receipt itself is committed (a programming error surfaces after it); the write never ran.
    assert Dossier.objects.count() == 1 and not Dossier.objects.filter(note="ghi thêm").exists()


@pytest.mark.parametrize(
    "sql",
    ["SELECT 1 FOR NO KEY UPDATE", "select 1 for share", "WITH x AS (SELECT 1) SELECT * FROM x", "MERGE INTO t"],
)
def test_locking_reads_and_anything_but_a_plain_read_are_refused(sql):
    with events.writes_refused(), pytest.raises(events.WriteRefused), connection.cursor() as cursor:
        cursor.execute(sql)


def test_the_same_form_twice_in_autocommit_gives_back_the_first_dossier(agency, clerk, procedure):
    once = _intake(procedure)
    first = intake.receive_dossier(agency=agency, actor=clerk, intake=once, now=MON_9)
    # Past the duplicate window's question: the token's unique index answers (IntegrityError inside).
    again = intake.receive_dossier(agency=agency, actor=clerk, intake=once, second_confirmed=True, now=MON_9)
    assert (again.dossier.pk, again.created) == (first.dossier.pk, False) and Dossier.objects.count() == 1
    with pytest.raises(IntegrityError):  # and the connection is usable after it: nothing was left open
        workflow.receive(agency=agency, actor=clerk, intake=once, now=MON_9)
    assert Dossier.objects.count() == 1


def _receipt_runs() -> int:
    """How often this connection ran the receipt's statement as a prepared statement."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(sum(generic_plans + custom_plans), 0) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%INSERT INTO "hoso_dossier" (%'],
        )
        return cursor.fetchone()[0]


def test_the_receipt_is_prepared_once_per_connection_unless_prepared_statements_are_off(
    agency, clerk, procedure, monkeypatch
):
    before = _receipt_runs()
    made = [
        workflow.receive(
            agency=agency, actor=clerk, intake=_intake(procedure, applicant_id_number=f"00119000{i:04d}"), now=MON_9
        )
        for i in range(7)
    ]
    assert _receipt_runs() == before + 7
    with connection.cursor() as cursor:  # past five runs PostgreSQL keeps one plan: no planning either
        cursor.execute(
            "SELECT max(generic_plans) FROM pg_prepared_statements WHERE statement LIKE %s",
            ['%INSERT INTO "hoso_dossier" (%'],
        )
        assert cursor.fetchone()[0] >= 1
    assert len({d.code for d in made}) == 7
    assert Dossier.objects.filter(pk__in=[d.pk for d in made], applicant_name="Phạm Thị Hằng").count() == 7

    monkeypatch.delitem(connection.settings_dict["OPTIONS"], "prepare_threshold")  # DB_PREPARED=0
    dossier = workflow.receive(
        agency=agency, actor=clerk, intake=_intake(procedure, applicant_id_number="001190009999"), now=MON_9
    )
    assert _receipt_runs() == before + 7 and Dossier.objects.get(pk=dossier.pk).applicant_id_number == "001190009999"
