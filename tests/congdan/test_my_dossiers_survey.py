"""Hồ sơ của tôi offers "Đánh giá mức độ hài lòng" while the dossier's survey is open, as the lookup page does."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from hoso import workflow
from hoso.constants import SatisfactionLevel, SurveyChannel
from hoso.models import Dossier, SurveyToken
from hoso.surveys import Answer, submit_by_token
from motcua.models import User
from tests.devidp import AN

pytestmark = pytest.mark.django_db
LABEL = "Đánh giá mức độ hài lòng"


def brought_to_result(ward, procedure) -> Dossier:
    clerk, officer = User.objects.get(username="canbo"), User.objects.get(username="congchuc")
    intake = workflow.Intake(procedure=procedure, applicant_name=AN[1], applicant_id_number=AN[0])
    start = timezone.now() - timedelta(hours=3)
    dossier = workflow.receive(agency=ward, actor=clerk, intake=intake, now=start)
    workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=start + timedelta(minutes=10))
    return workflow.mark_result_ready(dossier_id=dossier.pk, actor=officer, now=start + timedelta(minutes=20))


def card(page: str, code: str) -> str:
    start = page.index(code)
    return page[start : page.index("</li>", start)]


def test_the_survey_link_shows_once_returned_and_goes_once_rated(client, an, ward, procedure):
    dossier = brought_to_result(ward, procedure)
    assert LABEL not in client.get("/ho-so-cua-toi/").content.decode()  # not returned yet: the vote is not open

    clerk = User.objects.get(username="canbo")
    workflow.return_result(dossier_id=dossier.pk, actor=clerk, collector=AN[1])
    token = SurveyToken.objects.get(dossier=dossier, channel=SurveyChannel.LINK, used_at__isnull=True)
    page = client.get("/ho-so-cua-toi/").content.decode()
    assert LABEL in card(page, dossier.code) and f"/danh-gia/{token.token}/" in page

    submit_by_token(token=token.token, answer=Answer(SatisfactionLevel.SATISFIED, {}), channel=SurveyChannel.LINK)
    assert LABEL not in client.get("/ho-so-cua-toi/").content.decode()


def test_no_survey_link_after_the_fourteen_days(client, an, ward, procedure):
    dossier = brought_to_result(ward, procedure)
    workflow.return_result(dossier_id=dossier.pk, actor=User.objects.get(username="canbo"), collector=AN[1])
    Dossier.objects.filter(pk=dossier.pk).update(returned_at=timezone.now() - timedelta(days=15))
    assert LABEL not in client.get("/ho-so-cua-toi/").content.decode()
