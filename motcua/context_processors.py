"""The navigation each role sees."""

from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from .constants import Role


def navigation(request: HttpRequest) -> dict[str, object]:
    user = getattr(request, "user", None)
    items: list[tuple[str, str]] = []
    if user is not None and user.is_authenticated and user.agency_id:
        role = user.role
        if role in (Role.CLERK, Role.LEADER):
            items.append(("Tiếp nhận", reverse("hoso:intake_search")))
            items.append(("Hồ sơ trực tuyến", reverse("tructuyen:queue")))
        if role == Role.CLERK:
            items.append(("Việc trong ngày", reverse("hoso:worklist_clerk")))
            items.append(("Màn hình đánh giá", reverse("hoso:survey_counter")))
        if role == Role.OFFICER:
            items.append(("Hồ sơ của tôi", reverse("hoso:worklist_officer")))
        if role == Role.LEADER:
            items.append(("Điều hành", reverse("hoso:worklist_leader")))
            items.append(("Ý kiến không hài lòng", reverse("hoso:follow_ups")))
        if role in (Role.LEADER, Role.ADMIN):
            items.append(("Báo cáo", reverse("baocao:list")))
        if role in (Role.CLERK, Role.OFFICER, Role.LEADER):
            items.append(("Phản ánh, kiến nghị", reverse("phananh:worklist")))
        items.append(("Tìm hồ sơ", reverse("hoso:search")))
        if role in (Role.CLERK, Role.LEADER, Role.ADMIN):
            items.append(("Sổ theo dõi", reverse("hoso:tracking_book")))
    elif user is not None and user.is_authenticated and user.is_superuser:
        # The province's administrator of no ward reads every ward's reports.
        items.append(("Báo cáo", reverse("baocao:list")))
    items.append(
        ("Thủ tục" if user is not None and user.is_authenticated else "Thủ tục hành chính", reverse("thutuc:list"))
    )
    if user is None or not user.is_authenticated:
        items.append(("Tra cứu hồ sơ", reverse("lookup_form")))
        items.append(("Phản ánh, kiến nghị", reverse("phananh:submit")))
    if user is not None and user.is_authenticated and user.is_staff:
        items.append(("Quản trị", reverse("admin:index")))
    return {"nav_items": items, "role_labels": dict(Role.choices)}
