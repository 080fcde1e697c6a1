"""The citizen's online submission at /nop-ho-so/: pick a procedure, applicant, papers, delivery, review and send.

Every step saves the draft (congdan.drafts); a draft is its citizen's only (another's: 404).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from hoso.models import Dossier
from hoso.workflow import WorkflowError
from motcua.models import Agency
from thanhtoan import fees, payments
from thanhtoan.providers import ProviderError, payments_on
from thutuc.models import Procedure
from thutuc.selectors import search_procedures
from tructuyen.filecheck import FileRejected

from . import drafts, selectors
from .access import citizen_required
from .forms import ApplicantForm, DeliveryForm, ReviewForm
from .models import Draft

MAX_CHOICES = 30


def _draft(request: HttpRequest, pk: int) -> Draft:
    """The signed-in citizen's unfinished draft (404 for anyone else's: no hint that it exists)."""
    draft = get_object_or_404(
        Draft.objects.select_related("agency", "procedure", "citizen"), pk=pk, citizen=request.citizen
    )  # type: ignore[attr-defined]
    if draft.dossier_id is not None:
        raise Http404
    return draft


def _step_url(draft: Draft, step: str) -> str:
    return reverse(f"nophoso:{step}", args=[draft.pk])


def _context(draft: Draft, step: str, **extra: object) -> dict[str, object]:
    return {
        "draft": draft,
        "step": step,
        "steps": STEP_TITLES,
        "step_number": list(STEP_TITLES).index(step) + 2,
        **extra,
    }


STEP_TITLES = {
    "nguoi-nop": "Người nộp hồ sơ",
    "giay-to": "Giấy tờ",
    "nhan-ket-qua": "Nhận kết quả",
    "xem-lai": "Xem lại và nộp",
}


@citizen_required
def pick(request: HttpRequest) -> HttpResponse:
    """Step 1: a ward, then a procedure it receives online (search ignores case and diacritics)."""
    agencies = list(Agency.objects.order_by("name"))
    chosen = next((a for a in agencies if str(a.pk) == request.POST.get("phuong", request.GET.get("phuong"))), None)
    if chosen is None and len(agencies) == 1:
        chosen = agencies[0]
    query = request.GET.get("q", "").strip()[:100]
    error = ""
    if request.method == "POST" and chosen is not None:
        procedure = Procedure.objects.filter(pk=request.POST.get("thu_tuc", "") or None).first()
        if procedure is None:
            error = "Hãy chọn một thủ tục."
        else:
            try:
                draft = drafts.start(citizen=request.citizen, agency=chosen, procedure=procedure)  # type: ignore[attr-defined]
            except ValueError as exc:
                error = str(exc)
            else:
                step = draft.answers.get("step")
                return redirect(_step_url(draft, step if step in STEP_TITLES else "nguoi-nop"))
    elif request.method == "POST":
        error = "Hãy chọn phường, xã nơi nộp hồ sơ."
    procedures = []
    if chosen is not None:
        procedures = list(search_procedures(query, agency_id=chosen.pk).filter(accepts_online=True)[:MAX_CHOICES])
    context = {
        "agencies": agencies,
        "chosen": chosen,
        "query": query,
        "procedures": procedures,
        "error": error,
        "drafts": selectors.unfinished_drafts(request.citizen),  # type: ignore[attr-defined]
    }
    return render(request, "congdan/nop/chon_thu_tuc.html", context, status=400 if error else 200)


@citizen_required
def resume(request: HttpRequest, pk: int) -> HttpResponse:
    """“Tiếp tục”: back to the step the draft was left at."""
    draft = _draft(request, pk)
    step = draft.answers.get("step")
    return redirect(_step_url(draft, step if step in STEP_TITLES else "nguoi-nop"))


@citizen_required
def applicant(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 2: name, ID number and date of birth come from the identity; address, phone, e-mail editable."""
    draft = _draft(request, pk)
    answers = draft.answers
    if request.method == "POST":
        form = ApplicantForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            values = {
                "applicant": {k: data[k] for k in ("address", "phone", "email")},
                **{k: data[k] for k in ("on_behalf", "principal_name", "principal_id_number")},
            }
            drafts.save_answers(draft=draft, values=values, step="giay-to")
            return redirect(_step_url(draft, "giay-to"))
    else:
        initial = {
            **answers.get("applicant", {}),
            **{k: answers.get(k, "") for k in ("principal_name", "principal_id_number")},
        }
        form = ApplicantForm(initial={**initial, "on_behalf": bool(answers.get("on_behalf"))})
    return render(
        request,
        "congdan/nop/nguoi_nop.html",
        _context(draft, "nguoi-nop", form=form),
        status=400 if form.errors else 200,
    )


@citizen_required
def papers(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 3: one upload slot per paper; each file is checked and stored at once (the draft keeps it)."""
    draft = _draft(request, pk)
    slot_list = drafts.slots(draft)
    errors: list[str] = []
    if request.method == "POST":
        for slot in slot_list:
            for upload in request.FILES.getlist(slot.key):
                try:
                    drafts.attach(draft=draft, slot=slot, upload=upload)
                except FileRejected as exc:
                    errors.append(str(exc))
        if not errors:
            problem = drafts.missing(draft)
            if problem is not None and problem.step == "giay-to":
                errors.append(str(problem))
        if not errors:
            drafts.save_answers(draft=draft, values={}, step="nhan-ket-qua")
            return redirect(_step_url(draft, "nhan-ket-qua"))
    files = list(draft.files.order_by("id"))
    rows = [(slot, [f for f in files if f.slot == slot.key]) for slot in slot_list]
    context = _context(draft, "giay-to", rows=rows, errors=errors)
    return render(request, "congdan/nop/giay_to.html", context, status=400 if errors else 200)


@citizen_required
@require_POST
def remove_file(request: HttpRequest, pk: int, file_pk: int) -> HttpResponse:
    draft = _draft(request, pk)
    drafts.remove_file(draft=draft, file_id=file_pk)
    messages.info(request, "Đã xóa tệp.")
    return redirect(_step_url(draft, "giay-to"))


@citizen_required
def delivery(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 4: at the desk, by post (address required) or electronically."""
    draft = _draft(request, pk)
    if request.method == "POST":
        form = DeliveryForm(request.POST)
        if form.is_valid():
            values = {k: form.cleaned_data[k] for k in ("delivery", "delivery_address")}
            drafts.save_answers(draft=draft, values=values, step="xem-lai")
            return redirect(_step_url(draft, "xem-lai"))
    else:
        address = draft.answers.get("delivery_address") or draft.answers.get("applicant", {}).get("address", "")
        form = DeliveryForm(initial={"delivery": draft.answers.get("delivery", "desk"), "delivery_address": address})
    context = _context(draft, "nhan-ket-qua", form=form)
    return render(request, "congdan/nop/nhan_ket_qua.html", context, status=400 if form.errors else 200)


@citizen_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    """Step 5: everything on one page, the declaration, then "Nộp hồ sơ"."""
    try:
        draft = _draft(request, pk)
    except Http404:
        sent = Draft.objects.filter(pk=pk, citizen=request.citizen, dossier__isnull=False).first()  # type: ignore[attr-defined]
        if sent is None or request.method != "POST":
            raise
        return redirect("nophoso:sent", sent.dossier_id)  # a repeated "Nộp hồ sơ": the dossier already made
    form = ReviewForm(request.POST if request.method == "POST" else None)
    problem = drafts.missing(draft)
    # A fee collected before processing is paid first; the dossier is sent when the payment succeeds.
    pay_first = fees.pay_first_amount(draft.agency_id, draft.procedure) if payments_on() else 0
    if request.method == "POST" and form.is_valid() and pay_first and problem is None:
        try:
            url = payments.start(
                request=fees.request_for_draft(draft, now=timezone.now()),
                payer_name=request.citizen.full_name,  # type: ignore[attr-defined]
                client_ip=str(request.META.get("REMOTE_ADDR", ""))[:45],
            )
        except ProviderError as exc:
            messages.error(request, f"Chưa thanh toán được: {exc}")
        else:
            return redirect(url)
    elif request.method == "POST" and form.is_valid():
        try:
            dossier = drafts.submit(draft_id=draft.pk, citizen=request.citizen)  # type: ignore[attr-defined]
        except drafts.DraftIncomplete as exc:
            messages.error(request, str(exc))
            return redirect(_step_url(draft, exc.step))
        except (WorkflowError, FileRejected) as exc:
            messages.error(request, f"Chưa nộp được hồ sơ: {exc}")
        else:
            return redirect("nophoso:sent", dossier.pk)
    context = _context(
        draft,
        "xem-lai",
        form=form,
        problem=problem,
        pay_first=pay_first,
        files=list(draft.files.order_by("id")),
        delivery_text=drafts.DELIVERY_CHOICES.get(draft.answers.get("delivery", ""), ""),
    )
    return render(request, "congdan/nop/xem_lai.html", context, status=400 if form.errors else 200)


@citizen_required
@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    """“Xóa”: the draft and its files go."""
    draft = _draft(request, pk)
    drafts.delete(draft=draft)
    messages.info(request, "Đã xóa hồ sơ đang soạn.")
    return redirect("my_dossiers")


@citizen_required
def sent(request: HttpRequest, pk: int) -> HttpResponse:
    """Right after sending: the code, the lookup key and link, the intake deadline."""
    citizen = request.citizen  # type: ignore[attr-defined]
    try:
        dossier = Dossier.objects.select_related("agency").get(
            pk=pk, applicant_id_number=citizen.id_number, submitted_at__isnull=False
        )
    except ObjectDoesNotExist:
        raise Http404 from None
    lookup_url = request.build_absolute_uri(f"{reverse('lookup', args=[dossier.code])}?k={dossier.lookup_key}")
    return render(request, "congdan/nop/da_nop.html", {"dossier": dossier, "lookup_url": lookup_url})
