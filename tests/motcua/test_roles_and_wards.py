"""Issue 10.9: a superuser of no ward and the ward admin's access to dossiers (docs/access.md).

* A superuser attached to no ward gets no 500 anywhere: every desk page answers with a
  Vietnamese 403 page; they read every ward's reports and write none.
* The ward admin reads their ward's dossiers (search, page, slips, tracking book and its
  exports, report drill-downs), every read logged, and changes nothing; the work queues, intake,
  surveys and follow-ups stay with the desk's roles.
"""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from baocao import services
from baocao.constants import ReportStatus
from baocao.models import Report
from hoso.constants import Status
from hoso.models import AccessLog, Dossier
from motcua.constants import Role
from motcua.permissions import NO_WARD
from tests.baocao.test_reports import PERIOD, make_dossiers
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SAMPLE_KWARGS = {
    "action": "assign",
    "form": "tiep-nhan",
    "token": "khong-co",
    "column": "received_total",
    "field": "tong",
    "kind": "pdf",
    "file_pk": 1,  # a file of a citizen's draft (/nop-ho-so/…/giay-to/<file_pk>/xoa/)
    "rating_pk": 1,  # a satisfaction rating turned into a petition
    "photo_pk": 1,  # a photo sent with a petition
}


@pytest.fixture
def superuser(db):
    return UserFactory(agency=None, username="tinh", is_superuser=True, is_staff=True)


@pytest.fixture
def compiled(agency, clerk, officer, leader, django_capture_on_commit_callbacks, report_html):
    """The ward's half-year report, compiled over three dossiers of July 2025 (no PDF laid out:
    these tests are about who reads it, tests/printed.py)."""
    make_dossiers(agency, clerk, officer)
    with django_capture_on_commit_callbacks(execute=True):
        report = services.draft_report(agency=agency, period=PERIOD, user=leader)[0]
    report.refresh_from_db()
    return report


def _patterns(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[tuple[str, URLPattern]]:
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            found += _patterns(entry, prefix + str(entry.pattern), entry.namespace or namespace)
        elif entry.name:
            found.append((f"{namespace}:{entry.name}" if namespace else entry.name, entry))
    return found


def _every_url(dossier: Dossier, report: Report) -> list[tuple[str, str]]:
    urls = []
    for name, pattern in _patterns(get_resolver()):
        if name == "logout":
            continue
        kwargs = {key: SAMPLE_KWARGS.get(key) for key in pattern.pattern.converters}
        if "pk" in kwargs:
            kwargs["pk"] = report.pk if name.startswith("baocao:") else dossier.pk
        if "code" in kwargs:
            kwargs["code"] = dossier.procedure.code if name.startswith(("hoso:", "thutuc:")) else dossier.code
        urls.append((name, reverse(name, kwargs=kwargs)))
    return urls


def test_a_superuser_of_no_ward_gets_no_500_and_a_vietnamese_answer_on_every_page(client, superuser, compiled):
    dossier = Dossier.objects.filter(code__isnull=False).first()
    before = list(Dossier.objects.values_list("pk", "status", "officer_id", "due_at"))
    client.force_login(superuser)
    walked = set()
    for name, url in _every_url(dossier, compiled):
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            # 401: the API of other systems (online dossiers) wants its client's signature, not a session.
            assert response.status_code in (200, 301, 302, 401, 403, 404, 405, 429), (method, url, response.status_code)
            if response.status_code == 401:
                assert name == "online_dossiers_api", url
            if response.status_code == 403:
                assert "Không có quyền truy cập" in response.content.decode(), url
            # tructuyen:citizen_file is a citizen's page: staff are sent to the citizen sign-in.
            if name == "tructuyen:citizen_file":
                assert response.status_code in (302, 405), (method, url)
            elif name.startswith(("hoso:", "tructuyen:")) and response.status_code != 405:
                assert response.status_code == 403 and NO_WARD in response.content.decode(), (method, url)
            walked.add(name)
    assert {
        "hoso:detail",
        "hoso:intake",
        "hoso:tracking_book_xlsx",
        "baocao:finalize",
        "thutuc:detail",
        "home",
    } <= walked
    assert list(Dossier.objects.values_list("pk", "status", "officer_id", "due_at")) == before


def test_a_superuser_of_no_ward_lands_on_the_overview_with_the_reports_link(client, superuser):
    client.force_login(superuser)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert response.status_code == 200 and "Quản trị hệ thống" in html
    assert reverse("baocao:list") in html


def test_a_superuser_of_no_ward_reads_any_wards_report_and_its_files(client, superuser, compiled):
    client.force_login(superuser)
    assert compiled.label in client.get(reverse("baocao:list")).content.decode()
    assert client.get(reverse("baocao:detail", args=[compiled.pk])).status_code == 200
    assert client.get(reverse("baocao:file", args=[compiled.pk, "pdf"])).status_code == 200
    drill = reverse("baocao:drilldown", args=[compiled.pk, "received_total", "tong"])
    assert client.get(drill).status_code == 200


def test_a_superuser_of_no_ward_compiles_finalises_and_edits_nothing(client, superuser, compiled):
    client.force_login(superuser)
    before = Report.objects.values().get(pk=compiled.pk)
    for name in ("baocao:finalize", "baocao:retry", "baocao:edit"):
        response = client.post(reverse(name, args=[compiled.pk]), {"direction": "Sửa trái phép"})
        assert response.status_code == 403, name
    detail = client.get(reverse("baocao:detail", args=[compiled.pk])).content.decode()
    assert reverse("baocao:finalize", args=[compiled.pk]) not in detail
    response = client.post(reverse("baocao:create"), {"period": "custom"}, follow=True)
    assert "không lập được báo cáo" in response.content.decode()
    assert Report.objects.count() == 1
    assert Report.objects.values().get(pk=compiled.pk) == before


def test_a_superuser_attached_to_another_ward_cannot_finalise_this_wards_report(client, compiled, other_agency):
    attached = UserFactory(agency=other_agency, username="tinh_b", is_superuser=True, is_staff=True, role=Role.LEADER)
    client.force_login(attached)
    assert client.post(reverse("baocao:finalize", args=[compiled.pk])).status_code == 403
    compiled.refresh_from_db()
    assert compiled.finalized_at is None and compiled.status == ReportStatus.DONE


# -- the ward admin: their ward's dossiers, read-only ---------------------------------------------
def test_the_ward_admin_reads_their_wards_dossiers_and_every_read_is_logged(client, ward_admin, compiled):
    dossier = Dossier.objects.filter(agency=ward_admin.agency, code__isnull=False).first()
    client.force_login(ward_admin)
    assert client.get(reverse("hoso:search")).status_code == 200
    page = client.get(reverse("hoso:detail", args=[dossier.pk]))
    assert page.status_code == 200 and page.context["actions"] == []
    assert client.get(reverse("hoso:document", args=[dossier.pk, "tiep-nhan"])).status_code == 200
    assert client.get(reverse("hoso:tracking_book") + "?tu_ngay=01/07/2025&den_ngay=31/07/2025").status_code == 200
    xlsx = client.get(reverse("hoso:tracking_book_xlsx") + "?tu_ngay=01/07/2025&den_ngay=31/07/2025")
    assert xlsx.status_code == 200
    drill = reverse("baocao:drilldown", args=[compiled.pk, "received_total", "tong"])
    assert client.get(drill).status_code == 200
    kinds = set(AccessLog.objects.filter(user=ward_admin).values_list("kind", flat=True))
    assert kinds == {AccessLog.Kind.VIEW, AccessLog.Kind.PRINT, AccessLog.Kind.EXPORT}


def test_the_ward_admin_changes_no_dossier(client, ward_admin, compiled, officer):
    dossier = Dossier.objects.filter(agency=ward_admin.agency, status=Status.RECEIVED).first()
    client.force_login(ward_admin)
    response = client.post(reverse("hoso:act", args=[dossier.pk, "assign"]), {"assign-officer": officer.pk})
    assert response.status_code == 302
    dossier.refresh_from_db()
    assert dossier.status == Status.RECEIVED and dossier.officer_id is None
    for name in ("baocao:finalize", "baocao:retry"):
        assert client.post(reverse(name, args=[compiled.pk])).status_code == 403


@pytest.mark.parametrize(
    "name",
    [
        "hoso:worklist_clerk",
        "hoso:worklist_officer",
        "hoso:worklist_leader",
        "hoso:intake_search",
        "hoso:follow_ups",
        "hoso:survey_counter",
    ],
)
def test_the_ward_admin_has_no_work_queue_intake_or_survey_page(client, ward_admin, name):
    client.force_login(ward_admin)
    assert client.get(reverse(name)).status_code == 403


def test_the_ward_admin_sees_no_other_wards_dossier(client, compiled, other_agency):
    dossier = Dossier.objects.filter(code__isnull=False).first()
    other_admin = UserFactory(agency=other_agency, username="admin_b", role=Role.ADMIN, is_staff=True)
    client.force_login(other_admin)
    assert client.get(reverse("hoso:detail", args=[dossier.pk])).status_code == 404
    assert client.get(reverse("hoso:document", args=[dossier.pk, "tiep-nhan"])).status_code == 404
    assert client.get(reverse("baocao:detail", args=[compiled.pk])).status_code == 404
