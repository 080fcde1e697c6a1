"""The procedure catalogue (thủ tục hành chính) and each ward's choice of procedures."""

from __future__ import annotations

from django.core.validators import RegexValidator
from django.db import models
from django.urls import reverse

from motcua.lib.text import BoundedTextField, TextLimit, fold
from motcua.models import Agency

from .constants import PROCEDURE_CODE_PATTERN, Channel, DocumentForm, OnlineLevel, TimeUnit

procedure_code_validator = RegexValidator(
    PROCEDURE_CODE_PATTERN, "Mã thủ tục không đúng dạng (ví dụ 1.001193 hoặc 1.001193.000.00.00.H26)."
)


class Field(models.Model):
    """A sector (lĩnh vực): Hộ tịch, Chứng thực, Đất đai…"""

    name = models.CharField("tên lĩnh vực", max_length=200, unique=True)
    # The field's code in the national catalogue (MaLinhVuc), entered by the administrator; the national
    # link holds a dossier of a field without one as "cannot sync" rather than send a guess.
    code = models.CharField(
        "mã lĩnh vực (Cổng DVC quốc gia)",
        max_length=40,
        blank=True,
        help_text="Mã lĩnh vực theo Cơ sở dữ liệu quốc gia về TTHC; cần để đồng bộ hồ sơ lên Cổng DVC quốc gia.",
    )

    class Meta:
        verbose_name = "lĩnh vực"
        verbose_name_plural = "lĩnh vực"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Procedure(models.Model):
    """An administrative procedure as published in the national database (CSDLQG)."""

    code = models.CharField("mã thủ tục", max_length=40, unique=True, validators=[procedure_code_validator])
    name = models.CharField("tên thủ tục", max_length=1500)
    field = models.ForeignKey(Field, verbose_name="lĩnh vực", on_delete=models.PROTECT, related_name="procedures")
    level = models.CharField("cấp thực hiện", max_length=100, default="Cấp xã")
    time_limit_text = BoundedTextField("thời hạn giải quyết", blank=True, max_length=TextLimit.NOTE)
    time_limit_value = models.PositiveIntegerField(
        "thời hạn (số)", null=True, blank=True, help_text="Để trống khi thời hạn không tính được tự động."
    )
    time_limit_unit = models.CharField("đơn vị thời hạn", max_length=16, choices=TimeUnit.choices, blank=True)
    # Some limits differ by channel ("trực tiếp: 13 ngày làm việc; trực tuyến: 3 ngày làm việc; …"):
    # read from the published text at import, in the same unit; empty = time_limit_value applies.
    time_limit_online = models.PositiveIntegerField("thời hạn nộp trực tuyến (số)", null=True, blank=True)
    time_limit_post = models.PositiveIntegerField("thời hạn nộp qua bưu chính (số)", null=True, blank=True)
    cutoff = models.TimeField(
        "giờ chốt", null=True, blank=True, help_text="Thủ tục trong ngày: nhận sau giờ này thì trả ngày làm việc sau."
    )
    fee_text = BoundedTextField("phí, lệ phí", blank=True, max_length=TextLimit.NOTE)
    fee_counter = models.PositiveIntegerField("lệ phí trực tiếp (đồng)", null=True, blank=True)
    fee_online = models.PositiveIntegerField("lệ phí trực tuyến (đồng)", null=True, blank=True)
    fee_post = models.PositiveIntegerField("lệ phí qua bưu chính (đồng)", null=True, blank=True)
    result = BoundedTextField("kết quả thực hiện", blank=True, max_length=TextLimit.NOTE)
    legal_basis = BoundedTextField("căn cứ pháp lý", blank=True, max_length=TextLimit.NARRATIVE)
    online_level = models.CharField(
        "mức độ trực tuyến", max_length=10, choices=OnlineLevel.choices, blank=True, default=OnlineLevel.NONE
    )
    accepts_counter = models.BooleanField("nhận trực tiếp", default=True)
    accepts_online = models.BooleanField("nhận trực tuyến", default=False)
    accepts_post = models.BooleanField("nhận qua bưu chính", default=True)
    source_url = models.URLField("nguồn", max_length=500, blank=True)
    valid_from = models.DateField("hiệu lực từ", null=True, blank=True)
    valid_to = models.DateField("hiệu lực đến", null=True, blank=True)
    active = models.BooleanField("đang áp dụng", default=True)
    # Name and code folded to plain ASCII, so search ignores case and diacritics on every database.
    search_text = models.TextField("chuỗi tìm kiếm", editable=False, default="")
    updated_at = models.DateTimeField("cập nhật lúc", auto_now=True)

    class Meta:
        verbose_name = "thủ tục hành chính"
        verbose_name_plural = "thủ tục hành chính"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                name="procedure_limit_value_and_unit_together",
                violation_error_message="Thời hạn (số) và đơn vị thời hạn phải cùng được nhập hoặc cùng để trống.",
                condition=(
                    models.Q(time_limit_unit="", time_limit_value__isnull=True)
                    | (~models.Q(time_limit_unit="") & models.Q(time_limit_value__isnull=False))
                ),
            ),
            models.CheckConstraint(
                name="procedure_cutoff_only_same_day",
                violation_error_message="Giờ chốt chỉ dùng với thủ tục giải quyết trong ngày.",
                condition=models.Q(cutoff__isnull=True) | models.Q(time_limit_unit=TimeUnit.SAME_DAY),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} – {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("thutuc:detail", args=[self.code])

    def clean(self) -> None:
        self.search_text = fold(f"{self.code} {self.display_name}")

    @property
    def display_name(self) -> str:
        """The name without the leading 'Thủ tục' that some records carry."""
        name = self.name.strip()
        if fold(name[:7]) == "thu tuc":
            name = name[7:].strip()
            name = name[:1].upper() + name[1:]
        return name

    @property
    def accepted_channels(self) -> list[Channel]:
        """The channels the procedure is carried out through (cách thức thực hiện), in order."""
        accepted = {
            Channel.COUNTER: self.accepts_counter,
            Channel.ONLINE: self.accepts_online,
            Channel.POST: self.accepts_post,
        }
        return [channel for channel in Channel if accepted[channel]]

    @property
    def channels(self) -> list[str]:
        return [channel.label for channel in self.accepted_channels]

    def limit_value_for(self, channel: int | None) -> int | None:
        """The limit's number for a channel: its own where the text gives one, else the main one."""
        own = {Channel.ONLINE: self.time_limit_online, Channel.POST: self.time_limit_post}.get(channel)
        return own if own is not None and self.time_limit_unit else self.time_limit_value

    def fee_for(self, channel: int) -> int | None:
        """The fee in đồng for a channel, or None when only the text says it."""
        return {Channel.COUNTER: self.fee_counter, Channel.ONLINE: self.fee_online, Channel.POST: self.fee_post}.get(
            channel
        )


class RequiredDocument(models.Model):
    """One paper of a procedure's dossier (thành phần hồ sơ)."""

    procedure = models.ForeignKey(Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="documents")
    position = models.PositiveSmallIntegerField("thứ tự", default=0)
    name = models.CharField("tên giấy tờ", max_length=500)
    form = models.CharField("hình thức", max_length=24, choices=DocumentForm.choices, default=DocumentForm.ORIGINAL)
    quantity = models.PositiveSmallIntegerField("số lượng", default=1)
    mandatory = models.BooleanField("bắt buộc", default=True)
    note = models.CharField("ghi chú", max_length=300, blank=True)

    class Meta:
        verbose_name = "thành phần hồ sơ"
        verbose_name_plural = "thành phần hồ sơ"
        ordering = ["procedure", "position", "id"]

    def __str__(self) -> str:
        return self.name


class AgencyProcedure(models.Model):
    """A procedure a ward offers, with the shorter limit or other fee its province set."""

    agency = models.ForeignKey(
        Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="offered_procedures"
    )
    procedure = models.ForeignKey(Procedure, verbose_name="thủ tục", on_delete=models.CASCADE, related_name="offers")
    active = models.BooleanField("đang nhận", default=True)
    time_limit_value = models.PositiveIntegerField("thời hạn riêng (số)", null=True, blank=True)
    time_limit_unit = models.CharField("đơn vị thời hạn riêng", max_length=16, choices=TimeUnit.choices, blank=True)
    cutoff = models.TimeField("giờ chốt riêng", null=True, blank=True)
    fee_text = BoundedTextField("phí, lệ phí riêng", blank=True, max_length=TextLimit.NOTE)
    fee_amount = models.PositiveIntegerField("lệ phí riêng (đồng)", null=True, blank=True)

    class Meta:
        verbose_name = "thủ tục của cơ quan"
        verbose_name_plural = "thủ tục của cơ quan"
        ordering = ["agency", "procedure__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "procedure"],
                name="agency_procedure_unique",
                violation_error_message="Cơ quan đã có thủ tục này trong danh sách tiếp nhận: hãy sửa dòng đã có.",
            ),
            models.CheckConstraint(
                name="agency_procedure_override_value_and_unit_together",
                violation_error_message="Thời hạn riêng (số) và đơn vị của nó phải cùng được nhập hoặc cùng để trống.",
                condition=(
                    models.Q(time_limit_unit="", time_limit_value__isnull=True)
                    | (~models.Q(time_limit_unit="") & models.Q(time_limit_value__isnull=False))
                ),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} – {self.procedure.code}"

    def effective_fee_text(self) -> str:
        return self.fee_text or self.procedure.fee_text

    def effective_limit_text(self) -> str:
        """The limit as the desk states it: the ward's own when it sets one, else the national text."""
        if not self.time_limit_unit:
            return self.procedure.time_limit_text
        if self.time_limit_unit == TimeUnit.SAME_DAY:
            text = "Trong ngày"
            if self.cutoff:
                text += f" (nhận sau {self.cutoff:%H:%M} thì trả trong ngày làm việc tiếp theo)"
        else:
            text = f"{self.time_limit_value} {TimeUnit(self.time_limit_unit).label}"
        return f"{text} – thời hạn riêng của cơ quan"
