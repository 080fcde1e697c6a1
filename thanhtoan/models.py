"""Fees of a dossier and their payment (docs/payments.md).

* ``FeeRequest``: what one dossier (or an online draft paid before it is sent) owes — its lines,
  when it is collected (before processing or at the result), an exemption with its reason, its
  state and the receipt it got.
* ``PaymentTransaction``: one attempt to pay, append-only: a row is never deleted and, once
  settled (succeeded or failed), never changes again. Counter payments (cash, transfer) are rows
  too, settled at once, with the clerk who took them.
* ``PaymentNotice``: every message the provider sent about a reference (callback or query
  answer), verified or not, as received — the log of what happened, bad hashes included.
* ``Receipt``: the electronic receipt of a settled payment, numbered per ward and year.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from motcua.models import Agency


class Timing(models.TextChoices):
    BEFORE = "before", "Thu trước khi giải quyết"
    AFTER = "after", "Thu khi trả kết quả"


class FeeState(models.TextChoices):
    NOT_PAID = "not_paid", "Chưa thanh toán"
    AWAITING = "awaiting", "Đang chờ thanh toán"
    PAID = "paid", "Đã thanh toán"
    REFUNDED = "refunded", "Đã hoàn trả"
    CANCELLED = "cancelled", "Đã hủy"


class LineKind(models.TextChoices):
    FEE = "fee", "Phí"
    CHARGE = "charge", "Lệ phí"


class PayChannel(models.TextChoices):
    ONLINE = "online", "Trực tuyến"
    CASH = "cash", "Tiền mặt tại bộ phận một cửa"
    TRANSFER = "transfer", "Chuyển khoản"


class TxState(models.TextChoices):
    STARTED = "started", "Đã khởi tạo"
    PENDING = "pending", "Đang chờ xử lý"
    SUCCEEDED = "succeeded", "Thành công"
    FAILED = "failed", "Không thành công"


FINAL_STATES = (TxState.SUCCEEDED, TxState.FAILED)


class FeeRule(models.Model):
    """A ward's rule for a procedure's fee beyond the catalogue: when it is collected, and an extra
    line (a fee — phí — beside the catalogue's charge — lệ phí) when the province sets one."""

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.CASCADE, related_name="+")
    procedure = models.ForeignKey(
        "thutuc.Procedure", verbose_name="thủ tục", on_delete=models.CASCADE, related_name="+"
    )
    timing = models.CharField("thời điểm thu", max_length=8, choices=Timing.choices, default=Timing.BEFORE)
    extra_name = models.CharField("tên khoản phí thêm", max_length=200, blank=True)
    extra_amount = models.PositiveIntegerField("số tiền khoản phí thêm (đồng)", default=0)

    class Meta:
        verbose_name = "quy định thu phí của cơ quan"
        verbose_name_plural = "quy định thu phí của cơ quan"
        constraints = [models.UniqueConstraint(fields=["agency", "procedure"], name="fee_rule_unique")]

    def __str__(self) -> str:
        return f"{self.procedure_id} @ {self.agency_id}: {self.get_timing_display()}"


class FeeRequest(models.Model):
    """What a dossier owes: lines from the catalogue (the ward's override first), an exemption, its state."""

    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+")
    procedure = models.ForeignKey(
        "thutuc.Procedure", verbose_name="thủ tục", on_delete=models.PROTECT, related_name="+"
    )
    dossier = models.OneToOneField(
        "hoso.Dossier",
        verbose_name="hồ sơ",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="fee_request",
    )
    # An online dossier whose fee comes first is paid from its draft; the dossier exists once paid.
    draft = models.OneToOneField(
        "congdan.Draft", verbose_name="bản nháp", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    channel = models.PositiveSmallIntegerField("kênh nộp hồ sơ", default=1)
    timing = models.CharField("thời điểm thu", max_length=8, choices=Timing.choices, default=Timing.BEFORE)
    amount_due = models.PositiveIntegerField("số tiền phải nộp (đồng)", default=0)
    exempt = models.BooleanField("miễn phí, lệ phí", default=False)
    exemption_reason = models.CharField("lý do miễn", max_length=300, blank=True)
    state = models.CharField("trạng thái", max_length=10, choices=FeeState.choices, default=FeeState.NOT_PAID)
    paid_at = models.DateTimeField("thời điểm thanh toán", null=True, blank=True)
    created_at = models.DateTimeField("thời điểm lập", default=timezone.now)

    class Meta:
        verbose_name = "yêu cầu thu phí, lệ phí"
        verbose_name_plural = "yêu cầu thu phí, lệ phí"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(dossier__isnull=False) | models.Q(draft__isnull=False), name="fee_request_owner"
            ),
        ]

    def __str__(self) -> str:
        return f"Phí của hồ sơ {self.dossier_id or '(bản nháp)'}: {self.amount_due} đồng"

    @property
    def owed(self) -> int:
        return 0 if self.exempt else self.amount_due


class FeeLine(models.Model):
    request = models.ForeignKey(FeeRequest, verbose_name="yêu cầu", on_delete=models.CASCADE, related_name="lines")
    kind = models.CharField("loại", max_length=8, choices=LineKind.choices, default=LineKind.CHARGE)
    name = models.CharField("khoản thu", max_length=200)
    amount = models.PositiveIntegerField("số tiền (đồng)")
    source = models.CharField("nguồn", max_length=60, blank=True)  # catalogue / ward / clerk / import

    class Meta:
        verbose_name = "khoản phí, lệ phí"
        verbose_name_plural = "khoản phí, lệ phí"
        ordering = ["request", "id"]

    def __str__(self) -> str:
        return f"{self.name}: {self.amount}"


class PaymentTransaction(models.Model):
    """One payment attempt. Append-only: never deleted; settled once (succeeded/failed), then frozen."""

    request = models.ForeignKey(
        FeeRequest, verbose_name="yêu cầu thu", on_delete=models.PROTECT, related_name="transactions"
    )
    reference = models.CharField("mã tham chiếu", max_length=40, unique=True)
    amount = models.PositiveIntegerField("số tiền (đồng)")
    currency = models.CharField("tiền tệ", max_length=3, default="VND")
    channel = models.CharField("hình thức", max_length=8, choices=PayChannel.choices)
    provider = models.CharField("đơn vị thanh toán", max_length=40)  # "national", "counter", "import"…
    state = models.CharField("trạng thái", max_length=10, choices=TxState.choices, default=TxState.STARTED)
    provider_transaction = models.CharField("mã giao dịch của đơn vị thanh toán", max_length=60, blank=True)
    raw_request = models.JSONField("yêu cầu gửi đi", default=dict, blank=True)
    raw_answer = models.JSONField("trả lời nhận được", default=dict, blank=True)
    hash_verified = models.BooleanField("đã kiểm tra mã xác thực", default=False)
    started_at = models.DateTimeField("thời điểm khởi tạo", default=timezone.now)
    settled_at = models.DateTimeField("thời điểm kết thúc", null=True, blank=True)
    settled_by = models.CharField("kết thúc bởi", max_length=12, blank=True)  # callback / query / clerk / import
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="cán bộ thu",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "giao dịch thanh toán"
        verbose_name_plural = "giao dịch thanh toán"
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["state", "started_at"], name="payment_open_started")]

    def __str__(self) -> str:
        return f"{self.reference}: {self.amount} {self.currency} ({self.get_state_display()})"

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        raise PermissionError("Giao dịch thanh toán không được xóa.")


class PaymentNotice(models.Model):
    """A message from the provider about a reference, as received (callback or query answer)."""

    transaction = models.ForeignKey(
        PaymentTransaction,
        verbose_name="giao dịch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="notices",
    )
    reference = models.CharField("mã tham chiếu", max_length=60, blank=True)
    kind = models.CharField("loại", max_length=10)  # callback / query
    payload = models.JSONField("nội dung", default=dict)
    hash_ok = models.BooleanField("mã xác thực đúng", default=False)
    outcome = models.CharField("kết quả xử lý", max_length=200)
    received_at = models.DateTimeField("thời điểm nhận", default=timezone.now)

    class Meta:
        verbose_name = "thông báo của đơn vị thanh toán"
        verbose_name_plural = "thông báo của đơn vị thanh toán"
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.reference}: {self.outcome}"


class Receipt(models.Model):
    """The electronic receipt (biên lai điện tử) of a succeeded payment; numbered per ward and year."""

    transaction = models.OneToOneField(
        PaymentTransaction, verbose_name="giao dịch", on_delete=models.PROTECT, related_name="receipt"
    )
    agency = models.ForeignKey(Agency, verbose_name="cơ quan", on_delete=models.PROTECT, related_name="+")
    series = models.CharField("ký hiệu", max_length=20)
    number = models.PositiveIntegerField("số")
    amount = models.PositiveIntegerField("số tiền (đồng)")
    issued_at = models.DateTimeField("thời điểm lập")

    class Meta:
        verbose_name = "biên lai điện tử"
        verbose_name_plural = "biên lai điện tử"
        constraints = [models.UniqueConstraint(fields=["agency", "series", "number"], name="receipt_number_unique")]

    def __str__(self) -> str:
        return f"{self.series} số {self.number:07d}"
