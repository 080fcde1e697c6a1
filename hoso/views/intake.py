"""Intake at the counter: find the procedure, fill the form, receive / guide / refuse."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.db import IntegrityError
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from motcua.constants import Role
from motcua.lib.text import fold
from motcua.permissions import staff_required
from thutuc.constants import Channel
from thutuc.models import AgencyProcedure
from thutuc.offers import offer_for
from thutuc.selectors import search_procedures, vi_order

from .. import workflow
from ..calendar_store import calendar_for, unconfirmed_years
from ..constants import OPEN_STATUSES
from ..forms import IntakeForm
from ..models import Dossier

INTAKE_ROLES = (Role.CLERK, Role.LEADER)
USAGE_WINDOW = timedelta(days=365)


def _offered(request: HttpRequest, code: str) -> AgencyProcedure:
    """The ward's offer of an active procedure, with the procedure, its field and its papers."""
    offer = offer_for(request.user.agency_id, code)
    if offer is None:
        raise Http404("Cơ quan không nhận thủ tục này.")
    return offer


CHOICES = 30  # procedures listed at once; typing narrows the list


@staff_required(*INTAKE_ROLES)
def choose_procedure(request: HttpRequest) -> HttpResponse:
    """Type a code or words without diacritics; the procedures this ward uses most come first."""
    query = request.GET.get("q", "").strip()[:200]
    since = timezone.now() - USAGE_WINDOW
    usage = (
        Dossier.objects.filter(agency_id=request.user.agency_id, procedure=OuterRef("pk"), created_at__gte=since)
        .values("procedure")
        .annotate(n=Count("pk"))
        .values("n")
    )
    procedures = search_procedures(query, agency_id=request.user.agency_id).annotate(
        usage=Coalesce(Subquery(usage, output_field=IntegerField()), Value(0))
    )
    if fold(query):  # a query of marks or spaces only searches nothing and is ranked by nothing
        procedures = procedures.order_by("rank", "-usage", "name_length", "code")
    else:
        procedures = procedures.order_by("-usage", vi_order("name"), "code")  # then A–Z, Vietnamese order
    shown = list(procedures[: CHOICES + 1])
    template = "hoso/_procedure_choices.html" if request.htmx else "hoso/intake_search.html"
    context = {"procedures": shown[:CHOICES], "more": len(shown) > CHOICES, "query": query}
    return render(request, template, context)


@staff_required(*INTAKE_ROLES)
def intake(request: HttpRequest, code: str) -> HttpResponse:
    offer = _offered(request, code)
    procedure = offer.procedure
    now = timezone.now()
    agency = request.user.agency
    action = request.POST.get("action", "receive")
    form = IntakeForm(
        request.POST or None, procedure=procedure, offer=offer, today=timezone.localdate(now), action=action
    )
    duplicate = None
    if request.method == "POST" and form.is_valid():
        duplicate = _recent_duplicate(request, form) if action == "receive" else None
        if duplicate is not None and duplicate.intake_token == form.cleaned_data["token"]:
            # The very same form again (a double click): the dossier it made, no new one.
            messages.info(request, "Hồ sơ này đã được ghi nhận (gửi lại biểu mẫu không tạo hồ sơ mới).")
            return redirect("hoso:detail", duplicate.pk)
        if duplicate is not None:
            form.add_error(
                None,
                f"Hồ sơ {duplicate.code} của cùng người nộp, cùng thủ tục vừa được tiếp nhận lúc "
                f"{timezone.localtime(duplicate.received_at):%H:%M}. Nếu đây là biểu mẫu gửi lại (nút Quay lại "
                "của trình duyệt), không cần tiếp nhận nữa; nếu thật sự là hồ sơ thứ hai, đánh dấu ô xác nhận "
                "rồi bấm tiếp nhận.",
            )
    if request.method == "POST" and duplicate is None and form.is_valid():
        dossier, new = _submit(request, form, action)
        if dossier is not None:
            # "?moi=1": the page of a dossier just registered offers its slip to print at once.
            return redirect(reverse("hoso:detail", args=[dossier.pk]) + ("?moi=1" if new else ""))
    calendar = calendar_for(agency.pk)
    preview = workflow.preview_due(agency, procedure, now, offer=offer, channel=_channel(form.data.get("channel")))
    years = [timezone.localdate(now).year] + ([preview.at.year] if preview else [])
    context = {
        "form": form,
        "procedure": procedure,
        "offer": offer,
        "duplicate": duplicate or form.data.get("confirm_duplicate"),
        "preview": preview,
        "unconfirmed": unconfirmed_years(calendar, *years),
    }
    return render(request, "hoso/intake.html", context, status=400 if form.errors else 200)


DUPLICATE_WINDOW = timedelta(minutes=30)


def _recent_duplicate(request: HttpRequest, form: IntakeForm) -> Dossier | None:
    """The same applicant's dossier for the same procedure received here in the last 30 minutes.

    A form sent again after the browser's Back button carries a fresh token, so the token cannot
    tell; the clerk confirms a true second dossier with a tick.
    """
    data = form.cleaned_data
    if data.get("confirm_duplicate"):
        return None
    same = Dossier.objects.filter(
        agency_id=request.user.agency_id,
        procedure=form.procedure,
        status__in=OPEN_STATUSES,
        received_at__gte=timezone.now() - DUPLICATE_WINDOW,
    )
    if data.get("applicant_id_number"):
        same = same.filter(applicant_id_number=data["applicant_id_number"])
    else:
        same = same.filter(applicant_name=data["applicant_name"], applicant_phone=data.get("applicant_phone", ""))
    return same.order_by("-received_at").first()


def _submit(request: HttpRequest, form: IntakeForm, action: str) -> tuple[Dossier | None, bool]:
    """(the dossier, whether this request created it); (None, False) with the form's errors set."""
    data = form.cleaned_data
    agency, user = request.user.agency, request.user
    try:
        if action == "receive":
            dossier = workflow.receive(agency=agency, actor=user, intake=form.to_intake())
            messages.success(request, f"Đã tiếp nhận hồ sơ {dossier.code}. In giấy tiếp nhận và hẹn trả kết quả.")
        elif action == "guide":
            missing_text = data.get("missing") or "\n".join(form.missing_mandatory())
            dossier = workflow.guide(agency=agency, actor=user, intake=form.to_intake(), missing=missing_text)
            messages.success(request, "Đã lập phiếu hướng dẫn bổ sung, hoàn thiện hồ sơ (mẫu 02).")
        elif action == "refuse":
            dossier = workflow.refuse(agency=agency, actor=user, intake=form.to_intake(), reason=data.get("reason", ""))
            messages.success(request, "Đã lập phiếu từ chối tiếp nhận hồ sơ (mẫu 03).")
        else:
            form.add_error(None, "Thao tác không hợp lệ.")
            return None, False
    except workflow.WorkflowError as exc:
        form.add_error(None, str(exc))
        return None, False
    except IntegrityError:
        # The same form came twice (a double click, the browser's back button): its one-time token
        # is unique, so the second transaction rolled back whole, its number included.
        previous = Dossier.objects.filter(intake_token=data["token"]).first()
        if previous is None:
            raise
        messages.info(request, "Hồ sơ này đã được ghi nhận (gửi lại biểu mẫu không tạo hồ sơ mới).")
        return previous, False
    return dossier, True


def _channel(raw: object) -> int:
    """The channel ticked on the form (some limits differ by channel); the counter by default."""
    return int(raw) if str(raw) in {str(c.value) for c in Channel} else Channel.COUNTER


@staff_required(*INTAKE_ROLES)
def due_preview(request: HttpRequest, code: str) -> HttpResponse:
    """The appointment a dossier received now would get, with its explanation (refreshed live)."""
    offer = _offered(request, code)
    channel = _channel(request.GET.get("channel"))
    preview = workflow.preview_due(request.user.agency, offer.procedure, timezone.now(), offer=offer, channel=channel)
    return render(request, "hoso/_due_preview.html", {"preview": preview, "procedure": offer.procedure, "offer": offer})
