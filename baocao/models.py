"""The semi-annual (or any-period) CCHC report of a ward: frozen figures, narrative, files.

Decisions (see also baocao.services):

* One report per (agency, period kind, start, end): a failed compilation is retried on the same
  row (``retry_report``), never duplicated, so the periodic job and a double-clicked form can
  claim the key with ``get_or_create``.
* The PDF and XLSX are stored as bytes in the row (``BinaryField``), not as files under
  MEDIA_ROOT: a ward makes a handful of reports a year (≈100–300 KB each), the worker and the web
  process need no shared disk, and "done" implies the files exist because both are written in
  the same UPDATE. List queries ``defer`` them.
* A final report (``finalized_at`` set) is frozen: the services refuse every change and only
  ever update rows ``finalized_at IS NULL``; a database check forbids a final report that is
  not done with figures.
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from hoso.constants import Status
from motcua.lib.text import BoundedTextField, TextLimit
from motcua.models import Agency

from .constants import BLANK_NUMBER, DOCUMENT_SUFFIX, QUEUED_GRACE, PeriodKind, ReportStatus
from .periods import Period, counted_until_text


def lease_expired(now: datetime) -> Q:
    """Rows whose compile lease has run out (or was never set): their worker is gone."""
    return Q(lease_expires_at__lt=now) | Q(lease_expires_at__isnull=True)


def queue_stale(now: datetime) -> Q:
    """Rows queued for longer than QUEUED_GRACE (or with no time): their message was lost or never sent."""
    return Q(queued_at__lt=now - QUEUED_GRACE) | Q(queued_at__isnull=True)


class Report(models.Model):
    """One CCHC report of one ward for one period."""

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="reports")
    period_kind = models.CharField("loại kỳ", max_length=24, choices=PeriodKind.choices)
    start = models.DateField("từ ngày")
    end = models.DateField("đến ngày")
    label = models.CharField("kỳ báo cáo", max_length=200)
    number = models.CharField("số văn bản", max_length=20, blank=True, help_text="Ví dụ: 125 (in là 125/BC-UBND).")
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)

    status = models.CharField("trạng thái", max_length=8, choices=ReportStatus.choices, default=ReportStatus.QUEUED)
    error = models.TextField("lý do lỗi", blank=True)
    progress = models.PositiveSmallIntegerField("tiến độ (%)", default=0)
    auto_drafted = models.BooleanField("hệ thống tự lập", default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người lập",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField("thời điểm lập", auto_now_add=True)
    started_at = models.DateTimeField("bắt đầu tổng hợp", null=True, blank=True)
    # The compilation's lease (services.claim): the run holding ``claim_token`` owns the
    # row until ``lease_expires_at``, renewed at each step; a run whose worker died loses it then,
    # and the next delivery, a retry or the sweeper takes the report over.
    queued_at = models.DateTimeField("vào hàng đợi lúc", null=True, blank=True, editable=False)
    lease_expires_at = models.DateTimeField("hết hạn giữ lúc", null=True, blank=True, editable=False)
    claim_token = models.UUIDField("mã lượt tổng hợp", null=True, blank=True, editable=False)
    attempts = models.PositiveSmallIntegerField("số lượt tổng hợp", default=0, editable=False)
    finished_at = models.DateTimeField("tổng hợp xong", null=True, blank=True)
    finalized_at = models.DateTimeField("hoàn tất lúc", null=True, blank=True)
    finalized_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="người hoàn tất",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    parameters = models.JSONField("tham số", default=dict, blank=True)
    figures = models.JSONField("số liệu (đã chốt)", null=True, blank=True)
    figures_hash = models.CharField("SHA-256 của số liệu", max_length=64, blank=True)

    # The narrative the ward writes (docs/report-06a.md §6), one field per section of NARRATIVE_SECTIONS;
    # each bounded (forms and full_clean) so a pasted megabyte never reaches the PDF.
    direction = BoundedTextField("I.1 Chỉ đạo, điều hành", blank=True, max_length=TextLimit.NARRATIVE)
    institutions = BoundedTextField("I.2 Cải cách thể chế", blank=True, max_length=TextLimit.NARRATIVE)
    procedures = BoundedTextField("I.3 Cải cách thủ tục hành chính", blank=True, max_length=TextLimit.NARRATIVE)
    apparatus = BoundedTextField("I.4 Tổ chức bộ máy", blank=True, max_length=TextLimit.NARRATIVE)
    civil_service = BoundedTextField("I.5 Chế độ công vụ", blank=True, max_length=TextLimit.NARRATIVE)
    public_finance = BoundedTextField("I.6 Tài chính công", blank=True, max_length=TextLimit.NARRATIVE)
    e_government = BoundedTextField(
        "I.7 Chính quyền điện tử, chính quyền số", blank=True, max_length=TextLimit.NARRATIVE
    )
    assessment = BoundedTextField("II Đánh giá chung", blank=True, max_length=TextLimit.NARRATIVE)
    next_tasks = BoundedTextField("III Nhiệm vụ kỳ tới", blank=True, max_length=TextLimit.NARRATIVE)
    proposals = BoundedTextField("IV Đề xuất, kiến nghị", blank=True, max_length=TextLimit.NARRATIVE)

    pdf = models.BinaryField("tệp PDF", null=True, blank=True, editable=False)
    xlsx = models.BinaryField("tệp XLSX", null=True, blank=True, editable=False)

    # Issue 17. `pdf`/`xlsx` above are the draft's files (marked "DỰ THẢO"); finalizing renders the
    # official ones here (no mark, the number, the issue date) and keeps the draft's files as they were.
    final_pdf = models.BinaryField("tệp PDF chính thức", null=True, blank=True, editable=False)
    final_xlsx = models.BinaryField("tệp XLSX chính thức", null=True, blank=True, editable=False)
    final_rendered_at = models.DateTimeField("tạo tệp chính thức lúc", null=True, blank=True)
    # The instant the frozen figures were judged at: the period's last instant, or the compile
    # instant when the period was not over yet (provisional figures). Set with the cell members.
    counted_at = models.DateTimeField("số liệu tính đến", null=True, blank=True)

    class Meta:
        verbose_name = "báo cáo CCHC"
        verbose_name_plural = "báo cáo CCHC"
        ordering = ["-end", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "period_kind", "start", "end"],
                name="report_one_per_period",
                violation_error_message="Cơ quan đã có báo cáo cho kỳ này: hãy mở báo cáo đó.",
            ),
            models.CheckConstraint(
                condition=models.Q(start__lte=models.F("end")),
                name="report_start_before_end",
                violation_error_message="Ngày bắt đầu kỳ báo cáo phải trước hoặc bằng ngày kết thúc.",
            ),
            models.CheckConstraint(
                condition=models.Q(progress__lte=100),
                name="report_progress_at_most_100",
                violation_error_message="Tiến độ không được quá 100%.",
            ),
            # Only a compiled report can be final.
            models.CheckConstraint(
                condition=models.Q(finalized_at__isnull=True)
                | (models.Q(status=ReportStatus.DONE) & ~models.Q(figures_hash="")),
                name="report_final_only_when_done",
                violation_error_message="Chỉ báo cáo đã tổng hợp xong (có số liệu) mới được hoàn tất.",
            ),
        ]
        indexes = [
            # The report list of a ward, newest period first.
            models.Index(fields=["agency", "-end"], name="report_agency_end"),
            # The sweeper: reports left queued or running (a handful at most, the rest are done).
            models.Index(
                fields=["status"],
                name="report_busy",
                condition=models.Q(status__in=[ReportStatus.QUEUED, ReportStatus.RUNNING]),
            ),
        ]

    def __str__(self) -> str:
        return f"Báo cáo {self.label} – {self.agency}"

    @property
    def is_final(self) -> bool:
        return self.finalized_at is not None

    @property
    def is_busy(self) -> bool:
        """Queued or running: the detail page keeps polling."""
        return self.status in (ReportStatus.QUEUED, ReportStatus.RUNNING)

    @property
    def is_stuck(self) -> bool:
        """Left behind: running past its lease (its worker died) or queued for longer than
        QUEUED_GRACE (the broker was down): ``lease_expired`` / ``queue_stale`` for one row. The
        sweeper takes it over; the page offers a retry."""
        now = timezone.now()
        if self.status == ReportStatus.RUNNING:
            return self.lease_expires_at is None or self.lease_expires_at < now
        if self.status == ReportStatus.QUEUED:
            return self.queued_at is None or self.queued_at < now - QUEUED_GRACE
        return False

    @property
    def is_provisional(self) -> bool:
        """The figures were counted before the period ended ("Số liệu tạm tính")."""
        if self.counted_at is None:
            return False
        return self.counted_at < Period(self.start, self.end, self.label).bounds()[1]

    @property
    def counted_until_text(self) -> str:
        """'tính đến 10:15 ngày 05/12/2026' once the figures are counted, else ''."""
        return counted_until_text(self.counted_at) if self.counted_at else ""

    @property
    def final_files_pending(self) -> bool:
        """Final, but the official PDF/XLSX are not rendered yet (the task is on its way)."""
        return self.is_final and self.final_rendered_at is None

    @property
    def document_number(self) -> str:
        """'125/BC-UBND', or the blank to fill by hand when no number was given yet."""
        return f"{self.number or BLANK_NUMBER}{DOCUMENT_SUFFIX}"


class ReportEntry(models.Model):
    """One dossier counted by a compiled report, with the cells that counted it (issue 17).

    Written in the same transaction as the frozen figures (``services.store_cell_members``), so
    the drill-down of a compiled report lists the dossiers as they were counted, never today's
    data beside a frozen number. ``columns`` is a bit mask over ``baocao.queries.COLUMNS``; the
    other fields are a snapshot at the instant the figures were judged at (``Report.counted_at``).
    """

    report = models.ForeignKey(Report, verbose_name="báo cáo", on_delete=models.CASCADE, related_name="entries")
    dossier = models.ForeignKey(
        "hoso.Dossier", verbose_name="hồ sơ", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    field_id = models.IntegerField("mã lĩnh vực (dòng của biểu)", null=True, blank=True)
    columns = models.PositiveIntegerField("các cột đã đếm (mặt nạ bit)")
    code = models.CharField("mã hồ sơ", max_length=60, blank=True)
    procedure = models.TextField("thủ tục", blank=True)
    received_at = models.DateTimeField("tiếp nhận", null=True, blank=True)
    due_at = models.DateTimeField("hạn giải quyết (khi tính)", null=True, blank=True)
    result_ready_at = models.DateTimeField("có kết quả", null=True, blank=True)
    status = models.CharField("trạng thái (khi tính)", max_length=24, blank=True)

    class Meta:
        verbose_name = "hồ sơ được tính trong báo cáo"
        verbose_name_plural = "hồ sơ được tính trong báo cáo"
        indexes = [
            # The drill-down: one report's entries of one row, in order of receipt.
            models.Index(fields=["report", "field_id", "received_at"], name="report_entry_drilldown"),
        ]

    def __str__(self) -> str:
        return f"{self.code} – báo cáo {self.report_id}"

    @property
    def status_label(self) -> str:
        return dict(Status.choices).get(self.status, self.status)
