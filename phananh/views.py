"""The petitions pages: the public form, the published answers and the sender's page; the staff's
worklist, counter entry, petition page and actions (role and ward checked on each)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from congdan.access import current_citizen
from hoso.models import Dossier
from motcua.constants import Role
from motcua.permissions import get_for_ward, staff_required

from . import selectors, services
from .constants import TRANSITIONS, Action, Channel, Kind, Status
from .forms import ActionForm, CounterForm, PublicForm, PublishForm, RatingForm
from .messaging import tracking_url
from .models import Petition, PetitionPhoto
from .services import PetitionRejected

STAFF = (Role.CLERK, Role.OFFICER, Role.LEADER)


def _form_error(form: object, exc: PetitionRejected) -> None:
    form.add_error(exc.field if exc.field in form.fields else None, str(exc))  # type: ignore[attr-defined]


# -- public -------------------------------------------------------------------------------------
@never_cache
def submit(request: HttpRequest) -> HttpResponse:
    """The public form (mobile first): a signed-in citizen, or anyone with a phone or an e-mail."""
    citizen = current_citizen(request)
    form = PublicForm(request.POST or None, request.FILES or None, signed_in=citizen is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            petition = services.receive(
                agency=data["agency"],
                kind=data["kind"],
                channel=Channel.PORTAL,
                subject=data["subject"],
                content=data["content"],
                sender_name=data.get("sender_name", ""),
                sender_phone=data["sender_phone"],
                sender_email=data["sender_email"],
                sender_address=data.get("sender_address", ""),
                citizen=citizen,
                photos=data["photos"],
            )
        except PetitionRejected as exc:
            _form_error(form, exc)
        else:
            return render(request, "phananh/sent.html", {"petition": petition, "url": tracking_url(petition)})
    return render(request, "phananh/submit.html", {"form": form, "citizen": citizen})


def answers(request: HttpRequest) -> HttpResponse:
    """The published answers (reviewed texts only)."""
    page = Paginator(selectors.published(), 20).get_page(request.GET.get("trang"))
    return render(request, "phananh/answers.html", {"page": page, "kinds": dict(Kind.choices)})


def answer_detail(request: HttpRequest, code: str) -> HttpResponse:
    petition = get_object_or_404(selectors.published(), code=code)
    return render(request, "phananh/answer_detail.html", {"petition": petition, "kinds": dict(Kind.choices)})


@never_cache
def track(request: HttpRequest, token: str) -> HttpResponse:
    """The sender's page, reached by the secret link: status, answer, rating."""
    petition = get_object_or_404(Petition.objects.select_related("agency"), token=token)
    can_rate = petition.status in (Status.ANSWERED, Status.PUBLISHED) and petition.rated_at is None
    form = RatingForm(request.POST or None) if can_rate else None
    if request.method == "POST" and form is not None and form.is_valid():
        try:
            services.rate(token=token, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"])
        except PetitionRejected as exc:
            _form_error(form, exc)
        else:
            messages.success(request, "Cảm ơn ông/bà đã đánh giá câu trả lời.")
            return redirect("phananh:track", token=token)
    return render(request, "phananh/track.html", {"petition": petition, "form": form})


# -- staff --------------------------------------------------------------------------------------
@staff_required(*STAFF)
def worklist(request: HttpRequest) -> HttpResponse:
    rows = selectors.worklist(request.user, now=timezone.now())  # type: ignore[arg-type]
    return render(request, "phananh/worklist.html", {"rows": rows})


@staff_required(*STAFF)
def counter(request: HttpRequest) -> HttpResponse:
    """A clerk records a paper or spoken petition, optionally about one of the ward's dossiers."""
    form = CounterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        dossier = None
        if data["dossier_code"]:
            dossier = Dossier.objects.filter(
                agency_id=request.user.agency_id, code=data["dossier_code"].strip()
            ).first()  # type: ignore[attr-defined]
            if dossier is None:
                form.add_error("dossier_code", "Không tìm thấy hồ sơ này ở phường, xã.")
        if not form.errors:
            try:
                petition = services.receive(
                    agency=request.user.agency,  # type: ignore[attr-defined]
                    by=request.user,  # type: ignore[arg-type]
                    dossier=dossier,
                    photos=data["photos"],
                    **{k: data[k] for k in ("kind", "channel", "subject", "content", "sender_name", "sender_phone")},
                    **{k: data[k] for k in ("sender_email", "sender_address", "sender_id_number")},
                )
            except PetitionRejected as exc:
                _form_error(form, exc)
            else:
                messages.success(request, f"Đã tiếp nhận phản ánh {petition.code}.")
                return redirect("phananh:detail", pk=petition.pk)
    return render(request, "phananh/counter.html", {"form": form})


@staff_required(*STAFF)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    petition = get_for_ward(Petition.objects.select_related("assignee", "dossier"), request.user, pk=pk)
    actions = [a for a in TRANSITIONS if services.may(request.user, petition, a)]  # type: ignore[arg-type]
    context = {
        "petition": petition,
        "actions": [(a, Action(a).label) for a in actions if a != Action.PUBLISH],
        "can_publish": Action.PUBLISH in actions,
        "form": ActionForm(agency_id=petition.agency_id, initial={"answer": petition.answer}),
        "publish_form": PublishForm(),
        "events": petition.events.select_related("actor"),
        "photos": petition.photos.all(),
    }
    return render(request, "phananh/detail.html", context)


@require_POST
@staff_required(*STAFF)
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    petition = get_for_ward(Petition, request.user, pk=pk)
    if action == Action.PUBLISH:
        form: PublishForm | ActionForm = PublishForm(request.POST)
    else:
        form = ActionForm(request.POST, agency_id=petition.agency_id)
    if action not in TRANSITIONS:
        raise Http404("Không có thao tác này.")
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("phananh:detail", pk=pk)
    data = form.cleaned_data
    try:
        if action == Action.PUBLISH:
            services.publish(petition_id=pk, by=request.user, **data)  # type: ignore[arg-type]
        else:
            services.act(
                petition_id=pk,
                action=action,
                by=request.user,  # type: ignore[arg-type]
                note=data["note"],
                answer=data["answer"],
                assignee=data["assignee"],
            )
    except PetitionRejected as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Đã {Action(action).label.lower()}.")
    return redirect("phananh:detail", pk=pk)


@staff_required(*STAFF)
def photo(request: HttpRequest, pk: int, photo_pk: int) -> FileResponse:
    petition = get_for_ward(Petition, request.user, pk=pk)
    row = get_object_or_404(PetitionPhoto, pk=photo_pk, petition=petition)
    return FileResponse(row.file.open("rb"), content_type=row.content_type)


@require_POST
@staff_required(Role.LEADER)
def from_survey(request: HttpRequest, rating_pk: int) -> HttpResponse:
    """Turn an unhappy satisfaction answer into a petition."""
    try:
        petition = services.from_survey(rating_id=rating_pk, by=request.user)  # type: ignore[arg-type]
    except PetitionRejected as exc:
        messages.error(request, str(exc))
        return redirect("hoso:follow_ups")
    messages.success(request, f"Đã chuyển thành phản ánh {petition.code}.")
    return redirect("phananh:detail", pk=petition.pk)
