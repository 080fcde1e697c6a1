"""Choices and time limits of petitions (docs/petitions.md §1–2)."""

from django.db import models

from motcua.constants import Role

#: Working days, by the ward's calendar (docs/petitions.md §2).
DECIDE_DAYS = 2  # accept or refuse, from receipt
MORE_INFO_DAYS = 5  # ask the sender for more information, from receipt
ANSWER_DAYS = 15  # answer, from acceptance (time waiting for the sender's information not counted)
PUBLISH_DAYS = 2  # publish the answer, from the answer


class Kind(models.TextChoices):
    PROCEDURE = "procedure", "Về thủ tục hành chính, quy định"
    CONDUCT = "conduct", "Về hành vi, thái độ của cán bộ, công chức"
    QUESTION = "question", "Hỏi đáp"


class Channel(models.TextChoices):
    PORTAL = "portal", "Cổng dịch vụ công của phường"
    COUNTER = "counter", "Trực tiếp tại bộ phận một cửa"
    NATIONAL_PORTAL = "national_portal", "Cổng dịch vụ công quốc gia"
    PHONE = "phone", "Điện thoại"


class Status(models.TextChoices):
    RECEIVED = "received", "Chờ xem xét tiếp nhận"
    ACCEPTED = "accepted", "Đang xử lý"
    MORE_INFO = "more_info", "Chờ người gửi bổ sung thông tin"
    AWAITING_APPROVAL = "awaiting_approval", "Chờ lãnh đạo duyệt trả lời"
    ANSWERED = "answered", "Đã trả lời"
    PUBLISHED = "published", "Đã công khai"
    REFUSED = "refused", "Từ chối tiếp nhận"
    REOPENED = "reopened", "Người gửi chưa hài lòng, chờ lãnh đạo"


class Decision(models.TextChoices):
    ACCEPTED = "accepted", "Tiếp nhận"
    REFUSED = "refused", "Từ chối"


class Rating(models.TextChoices):
    SATISFIED = "satisfied", "Hài lòng"
    DISSATISFIED = "dissatisfied", "Không hài lòng"


class Action(models.TextChoices):
    RECEIVE = "receive", "Tiếp nhận phản ánh"
    ASSIGN = "assign", "Giao công chức xử lý"
    ACCEPT = "accept", "Tiếp nhận xử lý"
    REFUSE = "refuse", "Từ chối tiếp nhận"
    ASK_MORE_INFO = "ask_more_info", "Đề nghị bổ sung thông tin"
    MORE_INFO_RECEIVED = "more_info_received", "Đã nhận thông tin bổ sung"
    SUBMIT_ANSWER = "submit_answer", "Trình dự thảo trả lời"
    RETURN_ANSWER = "return_answer", "Trả lại dự thảo"
    APPROVE = "approve", "Duyệt và gửi trả lời"
    PUBLISH = "publish", "Công khai trả lời"
    RATE = "rate", "Người gửi đánh giá"
    IMPORT = "import", "Nhập từ hệ thống cũ"


#: Who may take each staff action: (from statuses, to status or None = unchanged, roles, assignee only).
#: "assignee only": an officer must be the petition's assigned officer; a leader always may.
TRANSITIONS: dict[str, tuple[frozenset[str], str | None, frozenset[str], bool]] = {
    Action.ASSIGN: (
        frozenset({Status.RECEIVED, Status.ACCEPTED, Status.REOPENED}),
        None,
        frozenset({Role.LEADER}),
        False,
    ),
    Action.ACCEPT: (frozenset({Status.RECEIVED}), Status.ACCEPTED, frozenset({Role.LEADER, Role.OFFICER}), True),
    Action.REFUSE: (frozenset({Status.RECEIVED}), Status.REFUSED, frozenset({Role.LEADER, Role.OFFICER}), True),
    Action.ASK_MORE_INFO: (
        frozenset({Status.ACCEPTED}),
        Status.MORE_INFO,
        frozenset({Role.LEADER, Role.OFFICER}),
        True,
    ),
    Action.MORE_INFO_RECEIVED: (
        frozenset({Status.MORE_INFO}),
        Status.ACCEPTED,
        frozenset({Role.LEADER, Role.OFFICER, Role.CLERK}),
        False,
    ),
    Action.SUBMIT_ANSWER: (
        frozenset({Status.ACCEPTED, Status.REOPENED}),
        Status.AWAITING_APPROVAL,
        frozenset({Role.LEADER, Role.OFFICER}),
        True,
    ),
    Action.RETURN_ANSWER: (frozenset({Status.AWAITING_APPROVAL}), Status.ACCEPTED, frozenset({Role.LEADER}), False),
    Action.APPROVE: (frozenset({Status.AWAITING_APPROVAL}), Status.ANSWERED, frozenset({Role.LEADER}), False),
    Action.PUBLISH: (frozenset({Status.ANSWERED}), Status.PUBLISHED, frozenset({Role.LEADER}), False),
}

OPEN_STATUSES = frozenset(
    {Status.RECEIVED, Status.ACCEPTED, Status.MORE_INFO, Status.AWAITING_APPROVAL, Status.REOPENED}
)
#: Actions that send the sender a message.
NOTIFYING = frozenset({Action.RECEIVE, Action.ACCEPT, Action.REFUSE, Action.ASK_MORE_INFO, Action.APPROVE})
