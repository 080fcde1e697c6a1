"""Vietnamese names in the admin (issue 17.5): no English column, label, filter, action or title."""

from __future__ import annotations

import html as html_lib
import re
from datetime import date, datetime, time, timedelta

import pytest
import time_machine
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from baocao.models import Report
from hoso import surveys, workflow
from hoso.constants import CalendarDayKind, NotificationChannel, NotificationKind, SatisfactionLevel
from hoso.models import AccessLog, CalendarDay, NotificationTemplate, SurveyCriterion, WorkingSession
from hoso.workcalendar import VN_TZ
from tests.factories import (
    AgencyProcedureFactory,
    ProcedureFactory,
    RequiredDocumentFactory,
    UserFactory,
    load_holidays,
)

pytestmark = pytest.mark.django_db

OUR_APPS = ("motcua", "thutuc", "hoso", "baocao")
NOW = datetime(2025, 3, 5, 9, 10, tzinfo=VN_TZ)


def _auto_name(name: str) -> str:
    return name.replace("_", " ")


def _camel_words(name: str) -> list[str]:
    return re.findall(r"[A-Z][a-z]+", name)


def english_words() -> set[str]:
    """The words Django would show for a model or field left unnamed, plus the admin's own ones."""
    words = {
        "action", "add", "change", "delete", "history", "object", "time", "user", "users", "password", "staff",
        "superuser", "status", "name", "date", "search", "filter", "select", "selected", "yes", "no", "unknown",
        "permissions", "groups", "group", "active", "session", "sessions", "log", "entry", "error", "errors",
        "show", "hide", "counts", "toggle", "theme", "navigation", "sidebar", "enabled", "disabled", "set",
        "reset", "skip", "content",
    }  # fmt: skip
    for model in apps.get_models():
        words.update(w.lower() for w in _camel_words(model.__name__))
        for field in model._meta.get_fields():
            words.update(part for part in field.name.lower().split("_") if len(part) > 1)
    return words


def english_in(texts: list[str], vocabulary: set[str]) -> list[str]:
    """The texts holding an English word of the vocabulary (acronyms such as PDF aside; Vietnamese
    words written in ASCII are not in it)."""
    flagged = []
    for text in texts:
        words = [word for word in re.findall(r"\w+", text) if word.isascii() and not word.isupper()]
        if any(word.lower() in vocabulary for word in words):
            flagged.append(text)
    return flagged


def _clean(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def visible_names(page: str) -> list[str]:
    """Column headers, labels, fieldset and inline titles, filter titles and action names of a page."""
    texts: list[str] = []
    for head in re.findall(r"<thead>(.*?)</thead>", page, re.S):
        texts += [_clean(th) for th in re.findall(r"<th[^>]*>(.*?)</th>", head, re.S)]
    texts += [_clean(label) for label in re.findall(r"<label[^>]*>(.*?)</label>", page, re.S)]
    texts += [_clean(h) for h in re.findall(r"<h[1-3][^>]*>(.*?)</h[1-3]>", page, re.S)]
    texts += [_clean(s) for s in re.findall(r"<summary[^>]*>(.*?)</summary>", page, re.S)]
    texts += [html_lib.unescape(t) for t in re.findall(r'data-filter-title="([^"]*)"', page)]
    for select in re.findall(r'<select name="action"[^>]*>(.*?)</select>', page, re.S):
        texts += [_clean(o) for o in re.findall(r"<option[^>]*>(.*?)</option>", select, re.S)]
    return [t for t in texts if t]


@pytest.fixture
def superuser(db):
    return UserFactory(agency=None, username="tinh", is_superuser=True, is_staff=True)


@pytest.fixture
def one_of_everything(agency, clerk, officer, leader, ward_admin):
    """A row of every model the admin lists, so every change form is opened too."""
    load_holidays()
    procedure = ProcedureFactory(code="1.000001", name="Cấp giấy xác nhận thử nghiệm")
    RequiredDocumentFactory(procedure=procedure)
    AgencyProcedureFactory(agency=agency, procedure=procedure)
    CalendarDay.objects.create(agency=agency, date=date(2026, 9, 3), kind=CalendarDayKind.HOLIDAY, name="Nghỉ riêng")
    WorkingSession.objects.create(agency=agency, weekday=5, start=time(7, 30), end=time(11, 30))
    NotificationTemplate.objects.create(
        agency=agency, kind=NotificationKind.RECEIVED, channel=NotificationChannel.SMS, body="Hồ sơ đã tiếp nhận."
    )
    SurveyCriterion.objects.create(agency=agency, question="Số lần phải đến", options=["0", "1", "2"])
    with time_machine.travel(NOW, tick=False):
        intake = workflow.Intake(procedure=procedure, applicant_name="Nguyễn Văn An", applicant_phone="0912345678")
        received = datetime(2025, 3, 3, 9, 0, tzinfo=VN_TZ)  # Monday
        dossier = workflow.receive(agency=agency, actor=clerk, intake=intake, now=received)
        workflow.assign(dossier_id=dossier.pk, actor=clerk, officer=officer, now=received + timedelta(minutes=30))
        workflow.mark_result_ready(dossier_id=dossier.pk, actor=officer, now=received + timedelta(days=1))
        dossier = workflow.return_result(
            dossier_id=dossier.pk, actor=clerk, collector="Nguyễn Văn An", now=NOW - timedelta(minutes=5)
        )
        token = surveys.link_token_for(dossier, now=NOW)
        surveys.submit_by_token(
            token=token.token,
            answer=surveys.Answer(level=SatisfactionLevel.DISSATISFIED, answers={}, comment="Chờ lâu"),
            channel="link",
            now=NOW,
        )
    AccessLog.objects.create(user=clerk, dossier=dossier, agency=agency, kind=AccessLog.Kind.VIEW)
    Report.objects.create(
        agency=agency, period_kind="custom", start=date(2025, 1, 1), end=date(2025, 3, 31), label="Quý I"
    )


def test_every_field_of_our_models_has_a_vietnamese_name():
    with translation.override("vi"):
        for model in apps.get_models():
            if model._meta.app_label not in OUR_APPS:
                continue
            assert str(model._meta.verbose_name) != " ".join(_camel_words(model.__name__)).lower(), model
            for field in model._meta.fields + model._meta.many_to_many:
                if field.auto_created:
                    continue
                name = str(field.verbose_name)
                assert name != _auto_name(field.name), f"{model.__name__}.{field.name}"
                assert not english_in([name], english_words()), f"{model.__name__}.{field.name}: {name}"


def test_the_english_detector_flags_english_and_passes_vietnamese():
    vocabulary = english_words()
    assert english_in(["created at", "Rating", "By agency", "Delete selected follow ups"], vocabulary) == [
        "created at",
        "Rating",
        "By agency",
        "Delete selected follow ups",
    ]
    assert english_in(["Thời điểm tạo", "Theo cơ quan", "Xóa các báo cáo CCHC đã chọn", "In phiếu"], vocabulary) == []


def test_every_admin_page_names_its_columns_labels_filters_and_titles_in_vietnamese(
    client, superuser, one_of_everything
):
    client.force_login(superuser)
    vocabulary = english_words()
    problems: dict[str, list[str]] = {}
    pages = 0
    for model, model_admin in admin.site._registry.items():
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls = [reverse(f"{prefix}_changelist")]
        first = model.objects.first()
        if first is not None:
            urls.append(reverse(f"{prefix}_change", args=[first.pk]))
        if model_admin.has_add_permission(type("Request", (), {"user": superuser})()):
            urls.append(reverse(f"{prefix}_add"))
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
            pages += 1
            flagged = english_in(visible_names(response.content.decode()), vocabulary)
            if flagged:
                problems[url] = flagged
    assert pages > 30
    assert problems == {}
