"""The same external id pushed by several requests at once still makes one dossier (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from hoso.models import Dossier
from tests.conftest import need
from tructuyen.models import DossierFile

from .conftest import stored_files
from .test_api import payload, post


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_four_pushes_of_one_external_id_at_once_make_one_dossier(portal, online_procedure, media):
    need(connection.vendor == "postgresql", "Concurrent writers need PostgreSQL (set DATABASE_URL).")
    data = payload(online_procedure)
    barrier = threading.Barrier(4)
    answers: list[int] = []
    errors: list[BaseException] = []

    def push() -> None:
        try:
            barrier.wait()
            answers.append(post(Client(), portal, data).status_code)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=push) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(answers) == [200, 200, 200, 201]
    assert Dossier.objects.count() == 1
    assert DossierFile.objects.count() == 2 and len(stored_files(media)) == 2
