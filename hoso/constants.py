"""Choices of the dossier app."""

from django.db import models


class CalendarDayKind(models.TextChoices):
    HOLIDAY = "holiday", "Ngày nghỉ"
    MAKEUP_WORKDAY = "makeup_workday", "Ngày làm bù"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Thứ Hai"
    TUESDAY = 1, "Thứ Ba"
    WEDNESDAY = 2, "Thứ Tư"
    THURSDAY = 3, "Thứ Năm"
    FRIDAY = 4, "Thứ Sáu"
    SATURDAY = 5, "Thứ Bảy"
    SUNDAY = 6, "Chủ nhật"


class Status(models.TextChoices):
    SUBMITTED = "submitted", "Mới đăng ký (nộp trực tuyến, chờ tiếp nhận)"
    # Online, not received yet: the desk asked once for more papers; the citizen uploads them (hoso.online).
    AWAITING_PAPERS = "awaiting_papers", "Chờ công dân bổ sung giấy tờ (chưa tiếp nhận)"
    GUIDED = "guided", "Hướng dẫn bổ sung (chưa tiếp nhận)"
    REFUSED = "refused", "Từ chối tiếp nhận"
    RECEIVED = "received", "Đã tiếp nhận"
    PROCESSING = "processing", "Đang xử lý"
    WAITING_SUPPLEMENT = "waiting_supplement", "Chờ bổ sung hồ sơ"
    PENDING_APPROVAL = "pending_approval", "Chờ lãnh đạo phê duyệt"
    TRANSFERRED = "transferred", "Chuyển liên thông"
    RESULT_READY = "result_ready", "Đã có kết quả"
    RETURNED = "returned", "Đã trả kết quả"
    WITHDRAWN = "withdrawn", "Công dân rút hồ sơ"
    STOPPED = "stopped", "Dừng xử lý"


# Statuses of the national portal (Cổng DVC quốc gia), docs/national-status.md §2.
NATIONAL_STATUS = {
    Status.SUBMITTED: 1,
    Status.AWAITING_PAPERS: 5,
    Status.GUIDED: 3,
    Status.REFUSED: 3,
    Status.RECEIVED: 2,
    Status.PROCESSING: 4,
    Status.WAITING_SUPPLEMENT: 5,
    Status.PENDING_APPROVAL: 4,
    Status.TRANSFERRED: 4,
    Status.RESULT_READY: 9,
    Status.RETURNED: 10,
    Status.WITHDRAWN: 7,
    Status.STOPPED: 8,
}
NATIONAL_STATUS_LABELS = {
    1: "Mới đăng ký",
    2: "Được tiếp nhận",
    3: "Không được tiếp nhận",
    4: "Đang xử lý",
    5: "Yêu cầu bổ sung giấy tờ",
    6: "Yêu cầu thực hiện nghĩa vụ tài chính",
    7: "Công dân yêu cầu rút hồ sơ",
    8: "Dừng xử lý",
    9: "Đã xử lý xong",
    10: "Đã trả kết quả",
}
# Received and not yet finished: the clock runs (or is paused) for these.
OPEN_STATUSES = (
    Status.RECEIVED,
    Status.PROCESSING,
    Status.WAITING_SUPPLEMENT,
    Status.PENDING_APPROVAL,
    Status.TRANSFERRED,
)


class Action(models.TextChoices):
    SUBMIT = "submit", "Nộp hồ sơ trực tuyến"
    REQUEST_PAPERS = "request_papers", "Yêu cầu bổ sung giấy tờ trước khi tiếp nhận"
    RESUBMIT = "resubmit", "Công dân nộp giấy tờ bổ sung"
    GUIDE = "guide", "Hướng dẫn bổ sung, hoàn thiện hồ sơ"
    REFUSE = "refuse", "Từ chối tiếp nhận"
    RECEIVE = "receive", "Tiếp nhận hồ sơ"
    ASSIGN = "assign", "Chuyển công chức xử lý"
    REQUEST_SUPPLEMENT = "request_supplement", "Yêu cầu bổ sung hồ sơ"
    COMPLETE_SUPPLEMENT = "complete_supplement", "Nhận đủ hồ sơ bổ sung"
    SUBMIT_FOR_APPROVAL = "submit_for_approval", "Trình lãnh đạo phê duyệt"
    APPROVE = "approve", "Phê duyệt"
    SEND_BACK = "send_back", "Trả lại để xử lý lại"
    MARK_RESULT_READY = "mark_result_ready", "Hoàn thành, có kết quả"
    RETURN_RESULT = "return_result", "Trả kết quả"
    EXTEND = "extend", "Xin lỗi và hẹn lại ngày trả"
    STOP = "stop", "Dừng xử lý"
    WITHDRAW = "withdraw", "Rút hồ sơ theo yêu cầu"
    TRANSFER = "transfer", "Chuyển liên thông"
    TRANSFER_BACK = "transfer_back", "Nhận lại hồ sơ liên thông"
    PAY = "pay", "Nộp phí, lệ phí"  # written by thanhtoan; the dossier's status does not change


class ApplicantKind(models.TextChoices):
    CITIZEN = "citizen", "Cá nhân"
    ORGANISATION = "organisation", "Tổ chức"


class IdKind(models.TextChoices):
    CCCD = "cccd", "Căn cước / CCCD (12 số)"
    CMND = "cmnd", "CMND (9 số)"
    PASSPORT = "passport", "Hộ chiếu"
    TAX_CODE = "tax_code", "Mã số thuế (tổ chức)"


class Delivery(models.TextChoices):
    DESK = "desk", "Nhận tại bộ phận một cửa"
    POST = "post", "Gửi qua bưu chính công ích"
    # The result file is attached when the result is ready; the citizen downloads it from their account.
    ELECTRONIC = "electronic", "Nhận kết quả điện tử (tải về từ tài khoản công dân)"


class Timeliness(models.TextChoices):
    """Values match hoso.workcalendar.Timeliness."""

    EARLY = "early", "Trước hạn"
    ON_TIME = "on_time", "Đúng hạn"
    LATE = "late", "Quá hạn"
    WITHIN = "within_deadline", "Trong hạn"
    OVERDUE = "overdue", "Quá hạn"


class NotificationKind(models.TextChoices):
    RECEIVED = "received", "Đã tiếp nhận hồ sơ"
    SUPPLEMENT = "supplement", "Yêu cầu bổ sung hồ sơ"
    PAPERS = "papers", "Yêu cầu bổ sung giấy tờ trước khi tiếp nhận (hồ sơ trực tuyến)"
    EXTENDED = "extended", "Xin lỗi và hẹn lại ngày trả"
    RESULT_READY = "result_ready", "Đã có kết quả"
    PAID = "paid", "Đã nhận phí, lệ phí"


class NotificationChannel(models.TextChoices):
    EMAIL = "email", "Thư điện tử"
    SMS = "sms", "Tin nhắn"


class NotificationStatus(models.TextChoices):
    PENDING = "pending", "Đang chờ gửi"
    SENT = "sent", "Đã gửi"
    FAILED = "failed", "Gửi không được"
    SKIPPED = "skipped", "Không gửi (thiếu địa chỉ)"


class SatisfactionLevel(models.TextChoices):
    """The 3-level scale uses VERY_SATISFIED, SATISFIED, DISSATISFIED; the 5-level scale all five."""

    VERY_SATISFIED = "very_satisfied", "Rất hài lòng"
    SATISFIED = "satisfied", "Hài lòng"
    NEUTRAL = "neutral", "Bình thường"
    DISSATISFIED = "dissatisfied", "Không hài lòng"
    VERY_DISSATISFIED = "very_dissatisfied", "Rất không hài lòng"


THREE_LEVELS = (SatisfactionLevel.VERY_SATISFIED, SatisfactionLevel.SATISFIED, SatisfactionLevel.DISSATISFIED)
FIVE_LEVELS = tuple(SatisfactionLevel)
UNHAPPY_LEVELS = (SatisfactionLevel.DISSATISFIED, SatisfactionLevel.VERY_DISSATISFIED)


class SurveyChannel(models.TextChoices):
    COUNTER = "counter", "Màn hình tại quầy"
    LINK = "link", "Mã QR / đường dẫn"
    PAPER = "paper", "Phiếu giấy (cán bộ nhập lại)"


class FollowUpStatus(models.TextChoices):
    NEW = "new", "Mới"
    CONTACTED = "contacted", "Đã liên hệ"
    RESOLVED = "resolved", "Đã giải quyết"
