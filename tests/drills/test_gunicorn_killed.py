"""Drill (d): a gunicorn worker SIGKILLed in the middle of an intake while others are coming in.
No dossier is left half-written (every one has its event and its documents) and the day's codes
stay gapless: the killed receipt is written whole or not at all (a statement the server already
holds may still commit after its worker died), and the clerk's retry with the same form gets its
number once — or finds the dossier it made."""

from __future__ import annotations

import os
import re
import threading
from collections import defaultdict
from pathlib import Path

import pytest
from django.db import connection, transaction
from django.utils import timezone

from hoso.constants import Action
from hoso.models import Dossier, DossierCounter, DossierEvent

from .conftest import BIRTH, Browser, Reply, gunicorn, intake_form, kill, require_services, seq, wait_for

pytestmark = [pytest.mark.drill, pytest.mark.services, pytest.mark.django_db(transaction=True)]

INTAKES = 6


def blocked_intake_port() -> int | None:
    """The client port of the PostgreSQL session whose intake waits to write its event."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_clear_snapshot()")  # read afresh inside the test's transaction
        cursor.execute(
            "SELECT client_port FROM pg_stat_activity WHERE datname = current_database() "
            "AND wait_event_type = 'Lock' AND wait_event = 'relation' AND query LIKE 'WITH %%' AND query LIKE %s",
            # The receipt's one statement (duplicate check, counter, dossier, papers, event, fee
            # request) waits for the event table; pg_stat_activity keeps only its first kilobyte,
            # where the counter's upsert follows the duplicate check.
            [f'%INSERT INTO "{DossierCounter._meta.db_table}"%'],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def process_with_local_port(port: int, pids: list[int]) -> int:
    """Which of ``pids`` owns the TCP socket whose local port is ``port`` (read from /proc)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(fields[9])
    for pid in pids:
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:[") and target[8:-1] in inodes:
                return pid
    raise AssertionError(f"no worker owns local port {port}")


def test_a_gunicorn_worker_killed_during_concurrent_intakes_leaves_no_partial_dossier_and_no_gap(ward, tmp_path):
    require_services()
    names = ["An", "Bình", "Chi", "Dũng", "Giang", "Hoa"]
    # Six applicants, each form with its own intake token.
    forms = [
        intake_form(applicant_name=f"Nguyễn Văn {names[i]}", applicant_id_number=f"00109001234{i}")
        for i in range(INTAKES)
    ]
    replies: dict[int, Reply | Exception] = {}
    with gunicorn(tmp_path, workers=2) as server:
        desks = [Browser(server.url) for _ in range(INTAKES)]
        for desk in desks:
            desk.sign_in("canbo")

        def send(i: int) -> None:
            try:
                replies[i] = desks[i].post(f"/ho-so/tiep-nhan/{BIRTH}/", forms[i], timeout=60)
            except Exception as exc:  # the killed worker's request: the connection drops
                replies[i] = exc

        threads = [threading.Thread(target=send, args=(i,)) for i in range(INTAKES)]
        # Hold the intakes inside their receipt's statement: the first one has its number, its dossier
        # and its documents written and waits to write its event; the others queue for the number.
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute(f'LOCK TABLE "{DossierEvent._meta.db_table}" IN SHARE MODE')
            for thread in threads:
                thread.start()
            port = wait_for(blocked_intake_port, 60, "an intake to wait inside its transaction")
            victim = process_with_local_port(port, server.worker_pids())
            kill(victim)
        for thread in threads:
            thread.join(timeout=120)
        failed = [i for i in range(INTAKES) if not (isinstance(replies.get(i), Reply) and replies[i].status == 302)]
        assert failed, "the killed worker's request should have failed"
        # The clerk presses the button again: the same form (same token) goes through once.
        for i in failed:
            reply = desks[i].post(f"/ho-so/tiep-nhan/{BIRTH}/", forms[i], timeout=60)
            assert reply.status == 302, re.findall(r"(?:alert|invalid-feedback)[^>]*>([^<]+)", reply.body)
        assert victim not in server.worker_pids() and len(server.worker_pids()) == 2  # replaced

    drilled = Dossier.objects.exclude(pk=ward.returned.pk)
    assert drilled.count() == INTAKES
    assert sorted(str(t) for t in drilled.values_list("intake_token", flat=True)) == sorted(f["token"] for f in forms)
    for dossier in drilled:
        assert list(dossier.events.values_list("action", flat=True)) == [Action.RECEIVE]
        assert dossier.documents.count() == 2  # the two mandatory papers of the form
    by_day = defaultdict(list)
    for dossier in Dossier.objects.filter(agency=ward.agency):
        # A code's day is the Vietnam date of the intake (UTC+7): grouping by the UTC date would split
        # the evening (17:00–24:00 UTC) into the wrong day.
        by_day[timezone.localtime(dossier.received_at).date()].append(seq(dossier.code))
    for counter in DossierCounter.objects.filter(agency=ward.agency):
        assert sorted(by_day.get(counter.day, [])) == list(range(1, counter.last + 1)), counter.day
