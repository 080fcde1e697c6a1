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

from django.conf import settings
from django.db import models

from motcua.models import Agency

from .constants import BLANK_NUMBER, DOCUMENT_SUFFIX, PeriodKind, ReportStatus


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

    # The narrative the ward writes (docs/report-06a.md §6), one field per section of NARRATIVE_SECTIONS.
    direction = models.TextField("I.1 Chỉ đạo, điều hành", blank=True)
    institutions = models.TextField("I.2 Cải cách thể chế", blank=True)
    procedures = models.TextField("I.3 Cải cách thủ tục hành chính", blank=True)
    apparatus = models.TextField("I.4 Tổ chức bộ máy", blank=True)
    civil_service = models.TextField("I.5 Chế độ công vụ", blank=True)
    public_finance = models.TextField("I.6 Tài chính công", blank=True)
    e_government = models.TextField("I.7 Chính quyền điện tử, chính quyền số", blank=True)
    assessment = models.TextField("II Đánh giá chung", blank=True)
    next_tasks = models.TextField("III Nhiệm vụ kỳ tới", blank=True)
    proposals = models.TextField("IV Đề xuất, kiến nghị", blank=True)

    pdf = models.BinaryField("tệp PDF", null=True, blank=True, editable=False)
    xlsx = models.BinaryField("tệp XLSX", null=True, blank=True, editable=False)

    class Meta:
        verbose_name = "báo cáo CCHC"
        verbose_name_plural = "báo cáo CCHC"
        ordering = ["-end", "-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "period_kind", "start", "end"], name="report_one_per_period"),
            models.CheckConstraint(condition=models.Q(start__lte=models.F("end")), name="report_start_before_end"),
            models.CheckConstraint(condition=models.Q(progress__lte=100), name="report_progress_at_most_100"),
            # Only a compiled report can be final.
            models.CheckConstraint(
                condition=models.Q(finalized_at__isnull=True)
                | (models.Q(status=ReportStatus.DONE) & ~models.Q(figures_hash="")),
                name="report_final_only_when_done",
            ),
        ]
        indexes = [
            # The report list of a ward, newest period first.
            models.Index(fields=["agency", "-end"], name="report_agency_end"),
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
    def document_number(self) -> str:
        """'125/BC-UBND', or the blank to fill by hand when no number was given yet."""
        return f"{self.number or BLANK_NUMBER}{DOCUMENT_SUFFIX}"
