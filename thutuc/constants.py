"""Choices of the procedure catalogue."""

from django.db import models


class TimeUnit(models.TextChoices):
    """Units of a legal time limit; values match hoso.workcalendar.Unit."""

    WORKING_DAYS = "working_days", "ngày làm việc"
    CALENDAR_DAYS = "calendar_days", "ngày"
    WORKING_HOURS = "working_hours", "giờ làm việc"
    SAME_DAY = "same_day", "trong ngày"


class DocumentForm(models.TextChoices):
    ORIGINAL = "original", "Bản chính"
    COPY = "copy", "Bản sao"
    CERTIFIED_COPY = "certified_copy", "Bản sao có chứng thực"
    ORIGINAL_OR_CERTIFIED = "original_or_certified", "Bản chính hoặc bản sao có chứng thực"


class OnlineLevel(models.TextChoices):
    NONE = "", "Không cung cấp trực tuyến"
    FULL = "full", "Toàn trình"
    PARTIAL = "partial", "Một phần"


class Channel(models.IntegerChoices):
    """Submission channels, numbered as the national portal numbers them."""

    COUNTER = 1, "Trực tiếp"
    ONLINE = 2, "Trực tuyến"
    POST = 3, "Bưu chính công ích"


# National procedure code d.dddddd, optionally followed by a provincial suffix (.000.00.00.H38).
PROCEDURE_CODE_PATTERN = r"^\d{1,2}\.\d{6}(\.[0-9A-Za-z]+)*$"
