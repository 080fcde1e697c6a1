"""Intake at the counter: find the procedure, fill the form; hoso.intake receives, guides or refuses."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
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
from tructuyen import results

from .. import intake as intake_rules
from .. import workflow
from ..calendar_store import calendar_for, unconfirmed_years
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
        try:
            dossier, created = _submit(request, form, action)
        except intake_rules.DuplicateSuspected as exc:
            duplicate = exc.dossier
            form.add_error(None, exc.message)
        except intake_rules.IntakeRejected as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            # "?moi=1": the page of a dossier just registered offers its slip to print at once.
            return redirect(reverse("hoso:detail", args=[dossier.pk]) + ("?moi=1" if created else ""))
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


def _submit(request: HttpRequest, form: IntakeForm, action: str) -> tuple[Dossier, bool]:
    """(the dossier, whether this request created it) by the intake service; IntakeRejected otherwise."""
    data, agency, user = form.cleaned_data, request.user.agency, request.user
    if action == "receive":
        intake = form.to_intake()
        received = results.receive_with_scans(
            receive=lambda: intake_rules.receive_dossier(
                agency=agency, actor=user, intake=intake, second_confirmed=data["confirm_duplicate"]
            ),
            scans=_scans(request, form),
            agency_id=agency.pk,
            actor=user,
        )
        if received.created:
            messages.success(
                request, f"Đã tiếp nhận hồ sơ {received.dossier.code}. In giấy tiếp nhận và hẹn trả kết quả."
            )
        else:
            messages.info(request, "Hồ sơ này đã được ghi nhận (gửi lại biểu mẫu không tạo hồ sơ mới).")
        return received.dossier, received.created
    if action == "guide":
        dossier = intake_rules.guide_applicant(
            agency=agency, actor=user, intake=form.to_intake(), missing=data.get("missing") or ""
        )
        messages.success(request, "Đã lập phiếu hướng dẫn bổ sung, hoàn thiện hồ sơ (mẫu 02).")
        return dossier, True
    if action == "refuse":
        dossier = intake_rules.refuse_dossier(
            agency=agency, actor=user, intake=form.to_intake(), reason=data.get("reason") or ""
        )
        messages.success(request, "Đã lập phiếu từ chối tiếp nhận hồ sơ (mẫu 03).")
        return dossier, True
    raise intake_rules.IntakeRejected("Thao tác không hợp lệ.")


OTHER_PAPERS = "Giấy tờ khác"


def _scans(request: HttpRequest, form: IntakeForm) -> list[results.Scan]:
    """The scans attached per paper ("số hóa", optional, several per paper) of the papers ticked as received."""
    data, scans = form.cleaned_data, []
    for doc in form.required_documents:
        uploads = request.FILES.getlist(f"scan_{doc.pk}")
        if uploads and not data.get(f"doc_{doc.pk}"):
            raise intake_rules.IntakeRejected(
                f"Có bản quét của “{doc.name}” nhưng giấy tờ này chưa được đánh dấu đã nhận."
            )
        scans += [results.Scan(doc.pk, doc.name, upload) for upload in uploads]
    others = request.FILES.getlist("scan_other")
    if others and not (data.get("other_documents") or "").strip():
        raise intake_rules.IntakeRejected("Có bản quét giấy tờ khác nhưng chưa ghi giấy tờ khác đã nhận.")
    return scans + [results.Scan(None, OTHER_PAPERS, upload) for upload in others]


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
