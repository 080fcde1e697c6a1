"""Satisfaction surveys: the counter screen, the public link page, paper forms and the leader's follow-ups.

Thin views: permission (role and ward) → form → one service of hoso.surveys → message → redirect.
The public page (`/danh-gia/<token>/`) needs no login, is rate-limited per client address and
shows only the agency, the procedure, the dossier code and the applicant's masked name.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from motcua.constants import Role
from motcua.lib.identity import public_name
from motcua.lib.ratelimit import Rate
from motcua.lib.ratelimit import check as rate_check
from motcua.middleware import passive
from motcua.models import Agency
from motcua.permissions import get_for_ward, staff_required

from .. import surveys
from ..constants import SatisfactionLevel, SurveyChannel
from ..forms import FollowUpForm, RatingForm
from ..models import Dossier, FollowUp

DEFAULT_RATE_LIMIT = "30/10m"


def _rating_form(request: HttpRequest, agency: Agency) -> RatingForm:
    data = request.POST if request.method == "POST" else None
    return RatingForm(data, agency=agency, criteria=surveys.active_criteria(agency.pk))


# -- rate limit -------------------------------------------------------------------------------
def survey_rate() -> Rate:
    return Rate.parse(getattr(settings, "MOTCUA_SURVEY_RATE_LIMIT", DEFAULT_RATE_LIMIT), default=DEFAULT_RATE_LIMIT)


# -- the public page (link / QR) --------------------------------------------------------------
def _public_context(check: surveys.TokenCheck) -> dict[str, Any]:
    if check.token is None:
        return {}
    dossier = check.token.dossier
    return {
        "agency": dossier.agency,
        "code": dossier.code,
        "procedure_name": dossier.procedure_name,
        "masked_name": public_name(dossier.applicant_name, dossier.applicant_kind),
        # Where the applicant can go on from here: the dossier's own status page (the token is as
        # private as the lookup key), the catalogue and the portal's home.
        "status_url": f"{reverse('lookup', args=[dossier.code])}?k={dossier.lookup_key}" if dossier.code else "",
    }


@never_cache
def public_survey(request: HttpRequest, token: str) -> HttpResponse:
    """GET: the vote or why it is closed; POST: record it. 429 over the rate limit, 404 unknown token."""
    decision = rate_check(request, "survey", survey_rate())
    if not decision.allowed:
        context = {"state": "limited", "message": "Quá nhiều lượt truy cập từ thiết bị này. Xin thử lại sau ít phút."}
        response = render(request, "hoso/surveys/public.html", context, status=429)
        response["Retry-After"] = str(decision.retry_after)
        return response
    check = surveys.check_token(token, channel=SurveyChannel.LINK)
    context: dict[str, Any] = {"state": check.state.value, "message": check.message, **_public_context(check)}
    if check.token is None:
        return render(request, "hoso/surveys/public.html", context, status=404)
    if not check.valid:
        if request.GET.get("xong") == "1" and check.state is surveys.TokenState.USED:
            context.update(state="thanks", message="Cảm ơn ông/bà đã đánh giá! Ý kiến đã được ghi nhận.")
        status = 410 if check.state is surveys.TokenState.EXPIRED else 200
        return render(request, "hoso/surveys/public.html", context, status=status)
    form = _rating_form(request, check.token.dossier.agency)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.submit_by_token(token=token, answer=form.answer(), channel=SurveyChannel.LINK)
        except surveys.SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(f"{reverse('survey_public', kwargs={'token': token})}?xong=1")
    context.update(form=form, levels=form.fields["level"].choices)
    return render(request, "hoso/surveys/public.html", context)


# -- the counter screen -----------------------------------------------------------------------
@never_cache
@staff_required(Role.CLERK)
def counter_idle(request: HttpRequest) -> HttpResponse:
    """The screen waiting for the clerk's next invitation; goes to the vote as soon as there is one."""
    thanks = request.GET.get("cam-on") == "1"
    if not thanks:
        pending = surveys.pending_counter_token(clerk=request.user)
        if pending is not None:
            return redirect("hoso:survey_counter_vote", token=pending.token)
    return render(request, "hoso/surveys/counter_idle.html", {"thanks": thanks})


@passive  # the idle screen asks by itself: not the clerk's activity (motcua.middleware.idle_timeout)
@never_cache
@staff_required(Role.CLERK)
def counter_poll(request: HttpRequest) -> JsonResponse:
    """{"url": the vote page of the next invitation, or null}: what the idle screen polls."""
    pending = surveys.pending_counter_token(clerk=request.user)
    url = reverse("hoso:survey_counter_vote", kwargs={"token": pending.token}) if pending else None
    return JsonResponse({"url": url})


@never_cache
@staff_required(Role.CLERK)
def counter_vote(request: HttpRequest, token: str) -> HttpResponse:
    """The vote for one dossier on the counter screen: choose a level, confirm, back to idle."""
    check = surveys.check_token(token, channel=SurveyChannel.COUNTER)
    if check.token is None or check.token.dossier.agency_id != request.user.agency_id:
        raise Http404("Không có lượt đánh giá này.")
    if request.method == "POST" and "bo_qua" in request.POST:
        surveys.decline_at_counter(token=token, actor=request.user)
        return redirect("hoso:survey_counter")
    context: dict[str, Any] = {"state": check.state.value, "message": check.message, **_public_context(check)}
    if not check.valid:
        return render(request, "hoso/surveys/counter_vote.html", context)
    form = _rating_form(request, check.token.dossier.agency)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.submit_by_token(
                token=token, answer=form.answer(), channel=SurveyChannel.COUNTER, dossier_id=check.token.dossier_id
            )
        except surveys.AlreadyRated as exc:
            context.update(state=surveys.TokenState.RATED.value, message=str(exc))
            return render(request, "hoso/surveys/counter_vote.html", context)
        except surveys.SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect(f"{reverse('hoso:survey_counter')}?cam-on=1")
    context.update(form=form, levels=form.fields["level"].choices)
    return render(request, "hoso/surveys/counter_vote.html", context)


# -- staff actions on a dossier ---------------------------------------------------------------
def _dossier_for(request: HttpRequest, pk: int) -> Dossier:
    """The dossier of the user's ward; 404 otherwise (no hint that it exists)."""
    return get_for_ward(Dossier.objects.select_related("agency"), request.user, pk=pk)


@require_POST
@staff_required(Role.CLERK)
def invite(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Mời đánh giá tại quầy": the dossier appears on this clerk's counter screen."""
    dossier = _dossier_for(request, pk)
    try:
        surveys.invite_at_counter(dossier_id=dossier.pk, actor=request.user)
    except surveys.SurveyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Đã mời công dân đánh giá: màn hình đánh giá tại quầy đang hiển thị hồ sơ này.")
    return redirect("hoso:detail", dossier.pk)


@staff_required(Role.CLERK, Role.LEADER)
def paper(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form to copy a paper survey; POST: record it (channel paper, recorded by the user)."""
    dossier = _dossier_for(request, pk)
    form = _rating_form(request, dossier.agency)
    if request.method == "POST" and form.is_valid():
        try:
            surveys.record_paper(dossier_id=dossier.pk, actor=request.user, answer=form.answer())
        except surveys.AlreadyRated as exc:
            messages.info(request, str(exc))
            return redirect("hoso:detail", dossier.pk)
        except surveys.SurveyError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, "Đã ghi nhận phiếu đánh giá giấy.")
            return redirect("hoso:detail", dossier.pk)
    rated = hasattr(dossier, "rating")
    return render(request, "hoso/surveys/paper.html", {"dossier": dossier, "form": form, "rated": rated})


# -- the leader's follow-ups ------------------------------------------------------------------
@staff_required(Role.LEADER)
def follow_ups(request: HttpRequest) -> HttpResponse:
    """Unhappy answers to follow up (all of them with ?tat-ca=1), each with a status form."""
    include_resolved = request.GET.get("tat-ca") == "1"
    items = list(surveys.follow_ups_for(request.user.agency_id, include_resolved=include_resolved)[:200])
    rows = [(item, FollowUpForm(initial={"status": item.status}, prefix=f"y{item.pk}")) for item in items]
    context = {"rows": rows, "include_resolved": include_resolved, "levels": dict(SatisfactionLevel.choices)}
    return render(request, "hoso/surveys/follow_ups.html", context)


@require_POST
@staff_required(Role.LEADER)
def follow_up_update(request: HttpRequest, pk: int) -> HttpResponse:
    item = get_for_ward(FollowUp, request.user, pk=pk)
    form = FollowUpForm(request.POST, prefix=f"y{item.pk}")
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("hoso:follow_ups")
    try:
        surveys.update_follow_up(
            follow_up_id=item.pk, actor=request.user, status=form.cleaned_data["status"], note=form.cleaned_data["note"]
        )
    except surveys.SurveyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "Đã cập nhật việc xử lý ý kiến.")
    return redirect("hoso:follow_ups")
