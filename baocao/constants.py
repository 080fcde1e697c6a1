"""Choices and fixed texts of the report app (docs/report-06a.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db import InterfaceError, OperationalError, models

# Database hiccups a later attempt may not meet: the compile task retries these, nothing else.
TRANSIENT_ERRORS: tuple[type[BaseException], ...] = (OperationalError, InterfaceError)


class ReportStatus(models.TextChoices):
    QUEUED = "queued", "Đang chờ tổng hợp"
    RUNNING = "running", "Đang tổng hợp"
    DONE = "done", "Đã tổng hợp"
    FAILED = "failed", "Lỗi"


class PeriodKind(models.TextChoices):
    """How the report period was chosen; the names are the constructors of ``baocao.periods``."""

    DECREE_HALF_YEAR = "decree_half_year", "6 tháng (Nghị định 09/2019: 15/12 – 14/06, 15/06 – 14/12)"
    DECREE_YEAR = "decree_year", "Năm (Nghị định 09/2019: 15/12 năm trước – 14/12)"
    DECREE_QUARTER = "decree_quarter", "Quý (Nghị định 09/2019)"
    DECREE_MONTH = "decree_month", "Tháng (Nghị định 09/2019: 15 – 14)"
    CALENDAR_HALF_YEAR = "calendar_half_year", "6 tháng theo năm dương lịch (01/01 – 30/06, 01/07 – 31/12)"
    CALENDAR_YEAR = "calendar_year", "Năm dương lịch"
    CALENDAR_QUARTER = "calendar_quarter", "Quý dương lịch"
    CALENDAR_MONTH = "calendar_month", "Tháng dương lịch"
    CUSTOM = "custom", "Khoảng thời gian tự chọn"


HALF_YEAR_KINDS = frozenset({PeriodKind.DECREE_HALF_YEAR, PeriodKind.CALENDAR_HALF_YEAR})
YEAR_KINDS = frozenset({PeriodKind.DECREE_YEAR, PeriodKind.CALENDAR_YEAR})
QUARTER_KINDS = frozenset({PeriodKind.DECREE_QUARTER, PeriodKind.CALENDAR_QUARTER})
MONTH_KINDS = frozenset({PeriodKind.DECREE_MONTH, PeriodKind.CALENDAR_MONTH})
# How many numbered sub-periods a year has, for the period picker's "number" field.
PERIOD_COUNT = {
    **dict.fromkeys(HALF_YEAR_KINDS, 2),
    **dict.fromkeys(QUARTER_KINDS, 4),
    **dict.fromkeys(MONTH_KINDS, 12),
    **dict.fromkeys(YEAR_KINDS, 1),
}


@dataclass(frozen=True)
class NarrativeSection:
    """One section of the semi-annual CCHC report outline (docs/report-06a.md §6) the ward writes."""

    field: str  # the Report TextField holding it
    number: str  # "I.1", "II"…
    title: str  # the heading printed in the report


NARRATIVE_SECTIONS: tuple[NarrativeSection, ...] = (
    NarrativeSection("direction", "I.1", "Công tác chỉ đạo, điều hành cải cách hành chính"),
    NarrativeSection("institutions", "I.2", "Cải cách thể chế"),
    NarrativeSection("procedures", "I.3", "Cải cách thủ tục hành chính"),
    NarrativeSection("apparatus", "I.4", "Cải cách tổ chức bộ máy hành chính nhà nước"),
    NarrativeSection("civil_service", "I.5", "Cải cách chế độ công vụ"),
    NarrativeSection("public_finance", "I.6", "Cải cách tài chính công"),
    NarrativeSection("e_government", "I.7", "Xây dựng và phát triển Chính quyền điện tử, Chính quyền số"),
    NarrativeSection("assessment", "II", "Đánh giá chung (ưu điểm, tồn tại, hạn chế và nguyên nhân)"),
    NarrativeSection("next_tasks", "III", "Nhiệm vụ trọng tâm kỳ tới"),
    NarrativeSection("proposals", "IV", "Đề xuất, kiến nghị"),
)
NARRATIVE_FIELDS = tuple(section.field for section in NARRATIVE_SECTIONS)

# The 06a table's columns (Biểu II.06a/VPCP/KSTT), keyed by the figure names of baocao.queries.
# Column numbers 1 (No.) and 2 (field) are the row heads.
TABLE_COLUMNS: tuple[tuple[int, str, str], ...] = (
    (3, "received_total", "Tổng số"),
    (4, "received_online", "Trực tuyến"),
    (5, "received_counter_post", "Trực tiếp, dịch vụ bưu chính"),
    (6, "carried_over", "Từ kỳ trước"),
    (7, "resolved_total", "Tổng số"),
    (8, "early", "Trước hạn"),
    (9, "on_time", "Đúng hạn"),
    (10, "late", "Quá hạn"),
    (11, "in_progress_total", "Tổng số"),
    (12, "within_deadline", "Trong hạn"),
    (13, "overdue", "Quá hạn"),
)
TABLE_KEYS = tuple(key for _, key, _ in TABLE_COLUMNS)
WITHDRAWN_KEY = "withdrawn_or_stopped"
# Group headers above the sub-columns: (label, first column key, number of columns).
TABLE_GROUPS: tuple[tuple[str, int], ...] = (
    ("Số hồ sơ nhận giải quyết", 4),
    ("Số hồ sơ đã giải quyết", 4),
    ("Số hồ sơ đang giải quyết", 3),
)
FORM_CODE = "Biểu II.06a/VPCP/KSTT"
DOCUMENT_SUFFIX = "/BC-UBND"
BLANK_NUMBER = "\u00a0" * 8  # room to write the number by hand

# A report whose worker died keeps status RUNNING until its lease expires (services.claim); after
# this many interrupted runs the sweeper fails it with a reason instead of starting it again.
MAX_ATTEMPTS = 3
# A report still queued this long was never picked up (its message was lost, or the broker was
# down when it was sent): the sweeper sends it again, and "Tổng hợp lại" is allowed.
QUEUED_GRACE = timedelta(minutes=5)
