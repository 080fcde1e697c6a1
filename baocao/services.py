"""Writes of the report app: draft, compile (the task's body), edit, finalize, retry, periodic drafts.

State machine of a report (``status``):

    queued ──claim──▶ running ──▶ done ──finalize──▶ (done, final: frozen for ever)
       ▲                 │          │
       └──── retry ◀── failed ◀─────┘ (retry/recompile of a draft, narrative edit → re-render)

* ``compile_report`` claims the row with one conditional UPDATE (queued/failed → running, or a
  running row whose lease expired), so two workers never compile the same report; a second call
  on a done report does nothing. The claim writes a fresh ``claim_token`` and a lease
  (``lease_expires_at``, renewed at every step); every later write of the run is conditional on
  its token, so a run that lost its lease can never overwrite the run that took over.
* Nothing stays stuck: a run whose worker was killed keeps the row "running" only until its lease
  expires; then the message Celery delivers again (acks_late + reject_on_worker_lost), the task's
  own retry, "Tổng hợp lại" or the sweeper (``sweep_reports``, every few minutes from beat) takes
  it over. A report queued while the broker was down is sent by the sweeper. After
  ``MAX_ATTEMPTS`` interrupted runs the report is failed with a reason instead of killing workers
  for ever.
* Tasks are published after commit with ``motcua.lib.queue.publish``: a broker that is down or
  hangs costs the request about a second and a log line, never an error page.
* Figures are computed only when ``figures`` is empty (a new report, or ``retry_report``); a
  narrative edit keeps them and only re-renders the files, so the hash never moves silently.
* Every write to a final report is refused: the services only ever update rows with
  ``finalized_at IS NULL`` and raise ``ReportError`` when nothing matched.
"""

from __future__ import annotations

import hashlib
import json
import logging
import time
import uuid
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any, cast

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone

from kyso import services as kyso_services
from kyso.models import DocumentKind
from motcua.constants import Role
from motcua.databases import reading_from_replica
from motcua.lib.queue import publish
from motcua.lib.text import TextLimit, clean_text
from motcua.models import Agency, User

from . import figures as report_figures
from .constants import (
    MAX_ATTEMPTS,
    NARRATIVE_FIELDS,
    NARRATIVE_SECTIONS,
    QUEUED_GRACE,
    TRANSIENT_ERRORS,
    PeriodKind,
    ReportStatus,
)
from .exports import render_pdf, render_xlsx
from .figures import PeriodNotStarted, ReportFigures
from .models import Report, ReportEntry, lease_expired, queue_stale
from .periods import Period, decree_half_year, decree_year
from .queries import CellMember, cell_members
from .tasks import compile_report_task, render_final_report_task

logger = logging.getLogger(__name__)


class ReportError(Exception):
    """A refused change, with the Vietnamese message shown to the user."""


# -- helpers ---------------------------------------------------------------------------------------
def canonical_json(figures: Mapping[str, Any]) -> str:
    """The figures as canonical JSON (sorted keys, no spaces, UTF-8 letters): what the hash covers."""
    return json.dumps(figures, sort_keys=True, ensure_ascii=False, separators=(",", ":"), cls=DjangoJSONEncoder)


def figures_digest(figures: Mapping[str, Any]) -> str:
    """SHA-256 (hex) of ``canonical_json(figures)``."""
    return hashlib.sha256(canonical_json(figures).encode()).hexdigest()


def report_period(report: Report) -> Period:
    """The report's period as a ``baocao.periods.Period`` (kind kept, so 'previous_year' matches)."""
    params = report.parameters or {}
    return Period(
        report.start,
        report.end,
        report.label,
        kind=report.period_kind,
        year=params.get("year"),
        number=params.get("number"),
    )


def queue_compilation(report_id: int) -> bool:
    """Send the compilation task (called after commit; eager without a broker).

    Never raises for a broker that is down or hangs (about a second at most, then logged): the
    row stays queued and the sweeper sends it later. False when it could not be sent.
    """
    return publish(compile_report_task, report_id)


def lease_seconds() -> int:
    """How long a claim holds without renewal: longer than the task's hard time limit, so a live
    run is never taken over (setting MOTCUA_REPORT_LEASE_SECONDS)."""
    return int(getattr(settings, "MOTCUA_REPORT_LEASE_SECONDS", 7 * 60))


# -- drafting --------------------------------------------------------------------------------------
def draft_report(*, agency: Agency, period: Period, user: User | None, auto: bool = False) -> tuple[Report, bool]:
    """Get or create the report of ``agency`` for ``period``; (report, created).

    The unique key (agency, kind, start, end) is claimed with ``get_or_create``, so a double
    click or two beats create one row. A new report is queued for compilation after commit; an
    existing one is returned untouched, whatever its status (a failed one is retried with
    ``retry_report``).
    """
    with transaction.atomic():
        report, created = Report.objects.get_or_create(
            agency=agency,
            period_kind=period.kind or PeriodKind.CUSTOM,
            start=period.start,
            end=period.end,
            defaults={
                "label": period.label,
                "created_by": user,
                "auto_drafted": auto,
                "parameters": {"year": period.year, "number": period.number, "agency_ids": [agency.pk]},
                "queued_at": timezone.now(),
            },
        )
        if created:
            transaction.on_commit(lambda: queue_compilation(report.pk))
    return report, created


# -- compilation -----------------------------------------------------------------------------------
def _claimable(now: datetime) -> Q:
    expired = lease_expired(now)
    return (
        Q(status=ReportStatus.QUEUED)
        | Q(status=ReportStatus.FAILED, attempts__lt=MAX_ATTEMPTS)
        | (Q(status=ReportStatus.RUNNING, attempts__lt=MAX_ATTEMPTS) & expired)
    )


def claim(report_id: int, *, now: datetime) -> uuid.UUID | None:
    """Compare-and-set queued/failed (or running with an expired lease) → running under a new
    token and lease; the token when this caller won, else None."""
    token = uuid.uuid4()
    won = Report.objects.filter(_claimable(now), pk=report_id, finalized_at__isnull=True).update(
        status=ReportStatus.RUNNING,
        started_at=now,
        finished_at=None,
        error="",
        progress=5,
        claim_token=token,
        lease_expires_at=now + timedelta(seconds=lease_seconds()),
        attempts=F("attempts") + 1,
    )
    return token if won else None


def lease_remaining(report_id: int, *, now: datetime) -> float | None:
    """Seconds until the lease of a running report expires (None unless running under a lease)."""
    expires = (
        Report.objects.filter(pk=report_id, status=ReportStatus.RUNNING, finalized_at__isnull=True)
        .values_list("lease_expires_at", flat=True)
        .first()
    )
    return None if expires is None else max(0.0, (expires - now).total_seconds())


def _mine(report_id: int, token: uuid.UUID) -> Any:
    """The row as long as this run still owns it (nobody took it over, re-queued or finalized it)."""
    return Report.objects.filter(
        pk=report_id, status=ReportStatus.RUNNING, claim_token=token, finalized_at__isnull=True
    )


def _step(report_id: int, token: uuid.UUID, progress: int) -> None:
    """Record progress and renew the lease (the run is alive)."""
    renewed = timezone.now() + timedelta(seconds=lease_seconds())
    _mine(report_id, token).update(progress=progress, lease_expires_at=renewed)


def compile_report(report_id: int) -> str:
    """Compile one report: figures (when not frozen yet), hash, PDF, XLSX; returns the outcome.

    Outcomes: ``"done"``; ``"skipped"`` (missing, final, already done: nothing was touched);
    ``"busy"`` (another run holds a live lease: the task retries when it expires); ``"failed"``
    (the row says why, in Vietnamese); ``"superseded"`` (the report was re-queued or taken over
    while this run worked: its result is dropped). Transient database errors release the claim
    (back to queued) and are raised for the task to retry. Progress moves 5 → 40 → 75 → 90 → 100.
    """
    started_at = timezone.now()
    token = claim(report_id, now=started_at)
    if token is None:
        return "busy" if lease_remaining(report_id, now=started_at) else "skipped"
    report = Report.objects.select_related("agency").defer("pdf", "xlsx").get(pk=report_id)
    logger.info("Báo cáo %s: bắt đầu tổng hợp (lượt %s)", report_id, report.attempts)
    try:
        figures, members = report.figures, None
        if figures is None:
            figures, members = freeze_figures(report, as_of=started_at)
        _step(report_id, token, 40)
        # Fault drills only (docs/operations.md): a slow compilation that a drill can interrupt.
        delay = float(getattr(settings, "MOTCUA_REPORT_COMPILE_DELAY", 0) or 0)
        if delay > 0:
            time.sleep(delay)
        pdf = render_pdf(figures, report=report)
        _step(report_id, token, 75)
        xlsx = render_xlsx(figures, agency=report.agency, report=report)
        _step(report_id, token, 90)
    except TRANSIENT_ERRORS:
        _mine(report_id, token).update(
            status=ReportStatus.QUEUED, progress=0, claim_token=None, lease_expires_at=None, queued_at=timezone.now()
        )
        raise
    except Exception as exc:
        logger.exception("Báo cáo %s: tổng hợp không thành công", report_id)
        _mine(report_id, token).update(
            status=ReportStatus.FAILED,
            error=failure_reason(exc),
            progress=0,
            finished_at=timezone.now(),
            lease_expires_at=None,
        )
        return "failed"
    with transaction.atomic():
        done = _mine(report_id, token).update(
            status=ReportStatus.DONE,
            figures=figures,
            figures_hash=figures_digest(figures),
            pdf=pdf,
            xlsx=xlsx,
            progress=100,
            finished_at=timezone.now(),
            lease_expires_at=None,
            # The instant freshly frozen figures were judged at (kept when only files are re-rendered).
            **({"counted_at": datetime.fromisoformat(figures["counted_until"])} if members is not None else {}),
        )
        if done and members is not None:
            store_cell_members(report_id, members=members)
    if done:
        logger.info("Báo cáo %s: tổng hợp xong (lượt %s)", report_id, report.attempts)
    return "done" if done else "superseded"


INTERRUPTED = (
    "Việc tổng hợp bị gián đoạn {attempts} lần (máy xử lý dừng đột ngột, có thể do thiếu bộ nhớ). "
    "Hãy thử lại; nếu vẫn lỗi, báo quản trị hệ thống."
)


def sweep_reports(*, now: datetime | None = None) -> dict[str, list[int]]:
    """Beat job: take over what a dead worker or a down broker left behind; safe to run anywhere, twice.

    * running with an expired lease, after ``MAX_ATTEMPTS`` runs → failed, with the reason;
    * running with an expired lease → queued again and sent;
    * queued for more than ``QUEUED_GRACE`` (its message was lost, or never sent) → sent again
      (``queued_at`` moves, so a busy queue gets one extra message per grace period, no more).

    Every change is a conditional UPDATE, and a message sent twice loses the second claim.
    """
    now = now or timezone.now()
    expired = Report.objects.filter(status=ReportStatus.RUNNING, finalized_at__isnull=True).filter(lease_expired(now))
    failed = list(expired.filter(attempts__gte=MAX_ATTEMPTS).values_list("pk", "attempts"))
    for pk, attempts in failed:
        expired.filter(pk=pk).update(
            status=ReportStatus.FAILED,
            error=INTERRUPTED.format(attempts=attempts),
            progress=0,
            finished_at=now,
            claim_token=None,
            lease_expires_at=None,
        )
    requeued = [
        pk
        for pk in expired.filter(attempts__lt=MAX_ATTEMPTS).values_list("pk", flat=True)
        if expired.filter(pk=pk, attempts__lt=MAX_ATTEMPTS).update(
            status=ReportStatus.QUEUED, progress=0, claim_token=None, lease_expires_at=None, queued_at=now
        )
    ]
    stale = Report.objects.filter(status=ReportStatus.QUEUED, finalized_at__isnull=True).filter(queue_stale(now))
    resent = [pk for pk in stale.values_list("pk", flat=True) if stale.filter(pk=pk).update(queued_at=now)]
    sent = [pk for pk in requeued + resent if queue_compilation(pk)]
    if failed or requeued or resent:
        logger.warning(
            "Quét báo cáo: %s báo cáo bị gián đoạn quá số lần, %s lấy lại sau khi máy xử lý dừng, "
            "%s gửi lại vào hàng đợi (%s gửi được)",
            len(failed),
            len(requeued),
            len(resent),
            len(sent),
        )
    return {"failed": [pk for pk, _ in failed], "requeued": requeued, "resent": resent, "sent": sent}


def failure_reason(exc: BaseException) -> str:
    """The Vietnamese reason a leader reads on the report page (the technical detail after it)."""
    if isinstance(exc, PeriodNotStarted):
        return str(exc)
    if isinstance(exc, SoftTimeLimitExceeded):
        return "Quá thời gian cho phép khi tổng hợp báo cáo. Hãy thử lại; nếu vẫn lỗi, báo quản trị hệ thống."
    detail = f"{type(exc).__name__}: {exc}"[:500]
    return f"Không tổng hợp được báo cáo do lỗi hệ thống ({detail}). Hãy thử lại hoặc báo quản trị hệ thống."


# -- frozen figures and what each cell counted (issue 17) -------------------------------------------
def freeze_figures(report: Report, *, as_of: datetime) -> tuple[ReportFigures, list[CellMember]]:
    """The report's figures judged at `as_of` (the compile instant) and the dossiers behind each cell.

    A period not over at `as_of` is counted up to `as_of` (provisional figures, "tính đến …"):
    see ``baocao.figures.compile_figures``. The figures come back exactly as the hash covers
    them (dates and decimals as JSON writes them); the members as ``queries.cell_members``.
    """
    period = report_period(report)
    with reading_from_replica():  # the replica, when one is configured (motcua/databases.py)
        compiled = report_figures.compile_figures(agency_ids=[report.agency_id], period=period, as_of=as_of)
        figures = cast(ReportFigures, json.loads(canonical_json(compiled)))
        until = datetime.fromisoformat(figures["counted_until"])
        members = cell_members(agency_ids=[report.agency_id], start=period.bounds()[0], end=until)
    return figures, members


def store_cell_members(report_id: int, *, members: list[CellMember]) -> None:
    """Replace the report's frozen cell members (inside the caller's transaction)."""
    ReportEntry.objects.filter(report_id=report_id).delete()
    ReportEntry.objects.bulk_create(
        [
            ReportEntry(
                report_id=report_id,
                dossier_id=m["dossier_id"],
                field_id=m["field_id"],
                columns=m["columns"],
                code=m["code"],
                procedure=m["procedure"],
                received_at=m["received_at"],
                due_at=m["due_at"],
                result_ready_at=m["result_ready_at"],
                status=m["status"] or "",
            )
            for m in members
        ],
        batch_size=2000,
    )


# -- the official files of a final report (issue 17) -------------------------------------------------
def queue_final_rendering(report_id: int) -> bool:
    """Send the task rendering the official files (after commit; eager without a broker). False when
    the broker could not take it: ``resend_final_renderings`` sends it again."""
    return publish(render_final_report_task, report_id)


def resend_final_renderings(*, now: datetime | None = None) -> list[int]:
    """Beat job: final reports still without their official files QUEUED_GRACE after finalising
    (the message was lost, or the broker was down) get the rendering task again; it does nothing
    for files that exist, so a resend to a busy queue is harmless."""
    now = now or timezone.now()
    waiting = Report.objects.filter(
        status=ReportStatus.DONE, finalized_at__lt=now - QUEUED_GRACE, final_rendered_at__isnull=True
    ).values_list("pk", flat=True)
    return [pk for pk in waiting if queue_final_rendering(pk)]


def render_final_files(report_id: int) -> str:
    """Render the official PDF and XLSX of a final report from its frozen figures; the outcome.

    ``"done"``; ``"skipped"`` when the report is not final or its official files exist already
    (a repeated task does nothing). The draft's files (``pdf``, ``xlsx``) and the figures are
    never touched; the files are written only while ``final_pdf`` is still empty, so two
    deliveries of the task store one result.
    """
    report = (
        Report.objects.select_related("agency")
        .defer("pdf", "xlsx", "final_pdf", "final_xlsx")
        .filter(pk=report_id, finalized_at__isnull=False, final_rendered_at__isnull=True)
        .first()
    )
    if report is None or report.figures is None:
        return "skipped"
    pdf = render_pdf(report.figures, report=report)
    xlsx = render_xlsx(report.figures, agency=report.agency, report=report)
    with transaction.atomic():  # the official PDF is issued and signed by the organisation (kyso)
        title = f"Báo cáo số {report.document_number}"
        issued = kyso_services.issue(agency=report.agency, kind=DocumentKind.REPORT, title=title, pdf=pdf)
        done = Report.objects.filter(pk=report_id, final_rendered_at__isnull=True).update(
            final_pdf=bytes(issued.pdf), final_xlsx=xlsx, final_rendered_at=timezone.now()
        )
        if not done:
            transaction.set_rollback(True)
    return "done" if done else "skipped"


# -- editing ---------------------------------------------------------------------------------------
# A user's request starts a fresh compilation: back to queued, with a new count of runs.
_REQUEUE = {
    "status": ReportStatus.QUEUED,
    "progress": 0,
    "error": "",
    "claim_token": None,
    "lease_expires_at": None,
    "attempts": 0,
}

FINAL_REFUSED = "Báo cáo đã hoàn tất: số liệu và nội dung không được thay đổi."


def update_narrative(*, report: Report, data: Mapping[str, Any], user: User) -> Report:
    """Save the narrative sections, the number and the issue date of a draft; re-render its files.

    ``data`` holds any of NARRATIVE_FIELDS, ``number`` and ``issued_on``. The figures stay
    frozen; the report goes back to queued and the task re-renders the PDF with the new text.
    ReportError when the report is final.
    """
    values = {key: data[key] for key in (*NARRATIVE_FIELDS, "number", "issued_on") if key in data}
    for section in NARRATIVE_SECTIONS:
        key = section.field
        if key in values:
            # Data, never markup or a template: cleaned of invisible and bidi characters, and bounded.
            values[key] = clean_text(str(values[key] or ""))
            if len(values[key]) > TextLimit.NARRATIVE:
                raise ReportError(f"Mục “{section.title}” dài quá: tối đa {TextLimit.NARRATIVE} ký tự.")
    with transaction.atomic():
        updated = Report.objects.filter(pk=report.pk, finalized_at__isnull=True).update(
            **values, **_REQUEUE, queued_at=timezone.now()
        )
        if not updated:
            raise ReportError(FINAL_REFUSED)
        transaction.on_commit(lambda: queue_compilation(report.pk))
    report.refresh_from_db()
    return report


NUMBER_NEEDED = "Hãy nhập số văn bản (ô “Số văn bản”) và lưu nội dung trước khi chốt báo cáo chính thức."


def finalize_report(*, report: Report, user: User, now: datetime | None = None) -> Report:
    """Mark a compiled draft final and queue its official files: its figures and text never change.

    ReportError unless the report is done (compiled with its current text), not final yet and
    numbered (an official report carries its number); repeating the call on a final report
    raises too, and changes nothing. The issue date is the draft's ``issued_on``, else the local
    date of `now`. After commit the task renders the official PDF and XLSX (no "DỰ THẢO", the
    number, the date) into ``final_pdf``/``final_xlsx``; the draft's files stay as they were.
    """
    now = now or timezone.now()
    with transaction.atomic():
        claimable = (
            Report.objects.filter(pk=report.pk, finalized_at__isnull=True, status=ReportStatus.DONE)
            .exclude(figures_hash="")
            .select_for_update()
        )
        current = claimable.defer("pdf", "xlsx", "figures").first()
        if current is not None and not current.number.strip():
            raise ReportError(NUMBER_NEEDED)
        updated = claimable.update(
            finalized_at=now, finalized_by=user, issued_on=Coalesce("issued_on", Value(timezone.localdate(now)))
        )
        if updated:
            transaction.on_commit(lambda: queue_final_rendering(report.pk))
    if not updated:
        report.refresh_from_db(fields=["finalized_at", "status"])
        if report.is_final:
            raise ReportError("Báo cáo đã được hoàn tất trước đó.")
        raise ReportError("Chỉ hoàn tất được báo cáo đã tổng hợp xong. Hãy chờ tổng hợp xong rồi thử lại.")
    report.refresh_from_db()
    return report


def rerender_final_files(*, report: Report) -> None:
    """Queue the official files of a final report again (the task does nothing if they exist)."""
    if not report.is_final:
        raise ReportError("Báo cáo chưa được chốt chính thức.")
    transaction.on_commit(lambda: queue_final_rendering(report.pk))


def retry_report(*, report: Report, user: User | None, now: datetime | None = None) -> Report:
    """Re-queue a failed report, recompile a done draft with fresh figures, or take over one left
    behind (running with an expired lease, or queued for longer than QUEUED_GRACE).

    The frozen figures are dropped (computed again by the task). ReportError for a final report
    or one being compiled now.
    """
    now = now or timezone.now()
    retryable = (
        Q(status__in=[ReportStatus.FAILED, ReportStatus.DONE])
        | (Q(status=ReportStatus.RUNNING) & lease_expired(now))
        | (Q(status=ReportStatus.QUEUED) & queue_stale(now))
    )
    with transaction.atomic():
        updated = Report.objects.filter(retryable, pk=report.pk, finalized_at__isnull=True).update(
            **_REQUEUE, figures=None, figures_hash="", counted_at=None, finished_at=None, queued_at=now
        )
        if not updated:
            report.refresh_from_db(fields=["finalized_at", "status"])
            if report.is_final:
                raise ReportError(FINAL_REFUSED)
            raise ReportError("Báo cáo đang được tổng hợp, hãy chờ.")
        transaction.on_commit(lambda: queue_compilation(report.pk))
    report.refresh_from_db()
    return report


# -- the periodic drafts (Nghị định 09/2019 cut-offs) ---------------------------------------------
def periods_due(today: date) -> list[Period]:
    """The periods whose Nghị định 09 cut-off was yesterday: [] on any other day.

    15/06: the six months 15/12 → 14/06 just closed; 15/12: the year 15/12 → 14/12.
    """
    if (today.month, today.day) == (6, 15):
        return [decree_half_year(today.year, 1)]
    if (today.month, today.day) == (12, 15):
        return [decree_year(today.year)]
    return []


def draft_periodic_reports(*, today: date | None = None) -> list[int]:
    """On the day after a cut-off, draft the period's report for every active agency; ids created.

    Safe to run any number of times a day and from two beats at once: each (agency, period) is
    claimed by ``get_or_create`` on the report's unique key. Every new report is queued and its
    agency's leaders are told by e-mail after commit (and by the notice on the report list).
    """
    today = today or timezone.localdate()
    periods = periods_due(today)
    created_ids: list[int] = []
    if not periods:
        return created_ids
    for agency in Agency.objects.filter(active=True).order_by("pk"):
        for period in periods:
            report, created = draft_report(agency=agency, period=period, user=None, auto=True)
            if created:
                created_ids.append(report.pk)
                transaction.on_commit(lambda pk=report.pk: notify_leaders(pk))
    return created_ids


def notify_leaders(report_id: int) -> int:
    """E-mail the agency's active leaders who have an address about a drafted report; how many.

    A mail failure is logged, never raised: the in-app notice on the report list still shows.
    """
    report = Report.objects.select_related("agency").defer("pdf", "xlsx").get(pk=report_id)
    recipients = list(
        User.objects.filter(agency=report.agency, role=Role.LEADER, is_active=True)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    if not recipients:
        return 0
    url = settings.MOTCUA_PUBLIC_URL + reverse("baocao:detail", args=[report.pk])
    subject = f"Dự thảo báo cáo cải cách hành chính {report.label}"
    body = (
        f"Hệ thống đã lập dự thảo báo cáo kết quả công tác cải cách hành chính {report.label} "
        f"của {report.agency.name}.\n\nSố liệu được tổng hợp tự động; xin đồng chí bổ sung phần nội dung, "
        f"kiểm tra và hoàn tất báo cáo tại:\n{url}\n"
    )
    try:
        send_mail(subject, body, None, recipients)
    except Exception:
        logger.exception("Báo cáo %s: không gửi được thư cho lãnh đạo", report_id)
        return 0
    return len(recipients)
