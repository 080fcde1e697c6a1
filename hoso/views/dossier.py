"""The dossier page, its workflow actions and its printable slips."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from motcua.permissions import get_for_ward, staff_required
from tructuyen import results

from .. import workflow
from ..calendar_store import calendar_for
from ..constants import Action
from ..documents import DOCUMENTS, available_documents, render_document
from ..forms import (
    AssignForm,
    ExtendForm,
    NoteForm,
    PublicNoteForm,
    RequiredNoteForm,
    ResultForm,
    ReturnForm,
    TransferForm,
)
from ..models import AccessLog, Dossier
from ..remaining import remaining
from ..result_timing import result_timing


def _dossier_for(request: HttpRequest, pk: int) -> Dossier:
    """The dossier if it belongs to the user's ward; 404 otherwise (no hint that it exists)."""
    related = Dossier.objects.select_related("agency", "procedure", "field", "clerk", "officer")
    return get_for_ward(related, request.user, pk=pk)


@dataclass(frozen=True)
class ActionSpec:
    form: type[forms.Form]
    run: Callable[[Dossier, Any, Any], Dossier]  # (dossier, actor, cleaned form) → dossier
    success: str


def _note(form: forms.Form) -> str:
    return form.cleaned_data.get("note", "")


def _public(form: forms.Form) -> str:
    """The note meant for the public lookup page (never the staff note)."""
    return form.cleaned_data.get("public_note", "")


ACTIONS: dict[Action, ActionSpec] = {
    Action.ASSIGN: ActionSpec(
        AssignForm,
        lambda d, u, f: workflow.assign(dossier_id=d.pk, actor=u, officer=f.cleaned_data["officer"], note=_note(f)),
        "Đã chuyển hồ sơ cho công chức xử lý.",
    ),
    Action.REQUEST_SUPPLEMENT: ActionSpec(
        PublicNoteForm,
        lambda d, u, f: workflow.request_supplement(dossier_id=d.pk, actor=u, missing=_note(f), public_note=_public(f)),
        "Đã yêu cầu bổ sung hồ sơ; thời gian giải quyết tạm dừng. In phiếu yêu cầu bổ sung (mẫu 02).",
    ),
    Action.COMPLETE_SUPPLEMENT: ActionSpec(
        NoteForm,
        lambda d, u, f: workflow.complete_supplement(dossier_id=d.pk, actor=u, note=_note(f)),
        "Đã nhận đủ hồ sơ bổ sung; thời gian giải quyết tính tiếp.",
    ),
    Action.SUBMIT_FOR_APPROVAL: ActionSpec(
        NoteForm,
        lambda d, u, f: workflow.submit_for_approval(dossier_id=d.pk, actor=u, note=_note(f)),
        "Đã trình lãnh đạo phê duyệt.",
    ),
    Action.APPROVE: ActionSpec(
        ResultForm,
        lambda d, u, f: results.result_ready(
            dossier_id=d.pk, actor=u, note=_note(f), upload=f.cleaned_data.get("result_file"), approve=True
        ),
        "Đã phê duyệt kết quả.",
    ),
    Action.SEND_BACK: ActionSpec(
        RequiredNoteForm,
        lambda d, u, f: workflow.send_back(dossier_id=d.pk, actor=u, note=_note(f)),
        "Đã trả lại hồ sơ để xử lý lại.",
    ),
    Action.MARK_RESULT_READY: ActionSpec(
        ResultForm,
        lambda d, u, f: results.result_ready(
            dossier_id=d.pk, actor=u, note=_note(f), upload=f.cleaned_data.get("result_file")
        ),
        "Đã ghi nhận hồ sơ có kết quả.",
    ),
    Action.RETURN_RESULT: ActionSpec(
        ReturnForm,
        lambda d, u, f: workflow.return_result(
            dossier_id=d.pk,
            actor=u,
            collector=f.cleaned_data["collector"],
            tracking_number=f.cleaned_data["tracking_number"],
        ),
        "Đã trả kết quả.",
    ),
    Action.EXTEND: ActionSpec(
        ExtendForm,
        lambda d, u, f: workflow.extend(
            dossier_id=d.pk, actor=u, new_due_at=f.new_due_at(), reason=_note(f), public_note=_public(f)
        ),
        "Đã lập văn bản xin lỗi và hẹn lại ngày trả kết quả (mẫu 04).",
    ),
    Action.STOP: ActionSpec(
        PublicNoteForm,
        lambda d, u, f: workflow.stop(dossier_id=d.pk, actor=u, reason=_note(f), public_note=_public(f)),
        "Đã dừng xử lý hồ sơ (mẫu 05).",
    ),
    Action.WITHDRAW: ActionSpec(
        NoteForm,
        lambda d, u, f: workflow.withdraw(dossier_id=d.pk, actor=u, note=_note(f)),
        "Đã ghi nhận công dân rút hồ sơ.",
    ),
    Action.TRANSFER: ActionSpec(
        TransferForm,
        lambda d, u, f: workflow.transfer(
            dossier_id=d.pk, actor=u, to_agency=f.cleaned_data["to_agency"], note=_note(f)
        ),
        "Đã chuyển hồ sơ liên thông.",
    ),
    Action.TRANSFER_BACK: ActionSpec(
        NoteForm,
        lambda d, u, f: workflow.transfer_back(dossier_id=d.pk, actor=u, note=_note(f)),
        "Đã nhận lại hồ sơ liên thông.",
    ),
}


def _action_form(action: Action, dossier: Dossier, data: Any = None, files: Any = None) -> forms.Form:
    spec = ACTIONS[action]
    if spec.form is ResultForm:
        return ResultForm(data, files, prefix=action.value)
    if spec.form is AssignForm:
        return AssignForm(data, agency_id=dossier.agency_id, prefix=action.value)
    if spec.form is ReturnForm:
        # Most results are collected by the applicant in person.
        return ReturnForm(data, prefix=action.value, initial={"collector": dossier.applicant_name})
    return spec.form(data, prefix=action.value)


_KEPT = "thao-tac-chua-xong"  # session key: what a refused action's form held


def _keep_typed(request: HttpRequest, pk: int, action: Action) -> None:
    """A refused action sends the user back to the page: keep what they typed for its form."""
    data = {key: value for key, value in request.POST.items() if key != "csrfmiddlewaretoken"}
    request.session[_KEPT] = {"pk": pk, "action": action.value, "data": data}


def _kept_typed(request: HttpRequest, pk: int) -> tuple[str, dict[str, str]]:
    kept = request.session.pop(_KEPT, None)
    if not kept or kept.get("pk") != pk:
        return "", {}
    return kept["action"], kept["data"]


@staff_required()
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    dossier = _dossier_for(request, pk)
    AccessLog.objects.create(user=request.user, dossier=dossier, agency_id=dossier.agency_id, kind=AccessLog.Kind.VIEW)
    now = timezone.now()
    events = list(dossier.events.select_related("actor"))
    # The same words and colour as the worklists (hoso/remaining.py); a closed dossier shows its
    # result timing instead.
    left, tone = "", ""
    if dossier.is_open and dossier.due_at:
        left, tone = remaining(dossier, now=now, calendar=calendar_for(dossier.agency_id))
    refused, typed = _kept_typed(request, pk)
    context = {
        "dossier": dossier,
        "events": events,
        "documents": list(dossier.documents.all()),
        "remaining": left,
        "tone": tone,
        "timing": result_timing(dossier),
        "overdue": bool(dossier.is_open and dossier.due_at and dossier.due_at < now and not dossier.paused_at),
        "explanation": workflow.explain_due(dossier) if dossier.due_at else [],
        "actions": [
            (a, _action_form(a, dossier, typed if a.value == refused else None))
            for a in workflow.allowed_actions(dossier, request.user)
        ],
        "refused_action": refused,
        "slips": [(spec.slug, spec.title) for spec in available_documents(dossier)],
        "just_created": request.GET.get("moi") == "1",
    }
    return render(request, "hoso/detail.html", context)


@staff_required()  # first: an anonymous visitor is sent to log in, whatever the method
@require_POST
def act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    dossier = _dossier_for(request, pk)
    try:
        chosen = Action(action)
        spec = ACTIONS[chosen]
    except (ValueError, KeyError) as exc:
        raise Http404 from exc
    form = _action_form(chosen, dossier, request.POST, request.FILES)
    if not form.is_valid():
        problems = "; ".join(
            f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}".lstrip(": ")
            for k, v in form.errors.items()
        )
        messages.error(request, f"Chưa thực hiện “{chosen.label.lower()}”: {problems}")
        _keep_typed(request, pk, chosen)
        return redirect("hoso:detail", pk)
    try:
        spec.run(dossier, request.user, form)
    except workflow.WorkflowError as exc:
        messages.error(request, str(exc))
        _keep_typed(request, pk, chosen)
    else:
        messages.success(request, spec.success)
    return redirect("hoso:detail", pk)


@staff_required()
def document(request: HttpRequest, pk: int, form: str) -> HttpResponse:
    dossier = _dossier_for(request, pk)
    spec = DOCUMENTS.get(form)
    if spec is None or not spec.available(dossier):
        raise Http404("Không có phiếu này cho hồ sơ.")
    paper = "A5" if request.GET.get("kho", "").strip().upper() == "A5" else "A4"
    pdf = render_document(dossier, form, paper=paper)
    AccessLog.objects.create(
        user=request.user, dossier=dossier, agency_id=dossier.agency_id, kind=AccessLog.Kind.PRINT, detail=spec.title
    )
    response = HttpResponse(pdf, content_type="application/pdf")
    add_never_cache_headers(response)  # the slip holds the applicant's personal data
    disposition = "attachment" if request.GET.get("tai") == "1" else "inline"
    name = f"{form}-{dossier.code or dossier.pk}.pdf"
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    return response
