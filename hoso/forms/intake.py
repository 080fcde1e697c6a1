"""The counter's intake form: it validates and normalises what the clerk typed and reports the
intake rules (hoso.intake) with the field errors; the intake service does the writing."""

from __future__ import annotations

import copy
import uuid
from datetime import date, datetime, time
from functools import lru_cache
from typing import Any

from django import forms
from django.utils import timezone

from motcua.lib.dates import DayField
from motcua.lib.forms import CopiesFieldsToShow
from motcua.lib.identity import (
    normalise_person_name,
    normalise_phone,
    validate_cccd,
    validate_cmnd,
    validate_name,
    validate_passport,
    validate_tax_code,
)
from motcua.lib.text import FreeText, TextLimit, ascii_digits, normalise_spaces
from thutuc.constants import Channel, DocumentForm
from thutuc.models import AgencyProcedure, Procedure

from .. import intake as intake_rules
from ..constants import ApplicantKind, Delivery, IdKind
from ..workflow import Intake
from .fields import note_field


@lru_cache(maxsize=2048)
def _procedure_fields(
    papers: tuple[tuple[int, str, int], ...], accepted: tuple[Channel, ...]
) -> dict[str, forms.Field]:
    """The fields that depend on the procedure — a tick and a quantity per paper of its list (id,
    name, usual quantity), the channels its catalogue entry lists (cách thức thực hiện) — built once
    per such list and shared by the forms (``CopiesFieldsToShow``)."""
    fields: dict[str, forms.Field] = {}
    for pk, name, quantity in papers:
        fields[f"doc_{pk}"] = forms.BooleanField(label=name, required=False)
        fields[f"qty_{pk}"] = forms.IntegerField(
            label="Số lượng",
            min_value=1,
            max_value=99,
            initial=quantity,
            required=False,
            error_messages={
                "min_value": "Số lượng ít nhất là 1.",
                "max_value": "Số lượng nhiều nhất là 99.",
                "invalid": "Số lượng phải là số nguyên.",
            },
        )
    # Only the channels the catalogue lists for this procedure: an online dossier of a procedure
    # offered at the counter only would inflate the online share.
    channel = copy.deepcopy(IntakeForm.base_fields["channel"])
    assert isinstance(channel, forms.ChoiceField)
    channel.choices = [(c.value, c.label) for c in accepted] or Channel.choices
    channel.error_messages["invalid_choice"] = (
        "Thủ tục này không nhận hồ sơ qua kênh đã chọn (theo cách thức thực hiện trong danh mục: "
        + ", ".join(c.label for c in accepted)
        + "). Nếu cơ quan đã nhận qua kênh này, quản trị cần cập nhật danh mục thủ tục."
    )
    fields["channel"] = channel
    return fields


class IntakeForm(CopiesFieldsToShow):
    """The counter form for one procedure: applicant, papers, channel, delivery, fee. A POST that
    registers the dossier never shows the form, so it does not copy the 26 fields (``CopiesFieldsToShow``)."""

    token = forms.UUIDField(widget=forms.HiddenInput)
    applicant_kind = forms.ChoiceField(
        label="Người nộp là", choices=ApplicantKind.choices, initial=ApplicantKind.CITIZEN, widget=forms.RadioSelect
    )
    applicant_name = FreeText(
        label="Họ và tên người nộp / tên tổ chức",
        max_length=TextLimit.NAME,
        error_messages={"required": "Hãy nhập họ tên người nộp hồ sơ."},
    )
    applicant_id_kind = forms.ChoiceField(label="Loại giấy tờ", choices=IdKind.choices, initial=IdKind.CCCD)
    applicant_id_number = forms.CharField(
        label="Số giấy tờ", max_length=20, required=False, help_text="Bắt buộc với công dân; tổ chức ghi mã số thuế."
    )
    applicant_phone = forms.CharField(
        label="Số điện thoại",
        max_length=20,
        required=False,
        help_text="Di động (nhận tin nhắn về hồ sơ) hoặc số cố định có mã vùng.",
    )
    applicant_email = forms.EmailField(label="Thư điện tử", required=False)
    applicant_address = FreeText(label="Địa chỉ", max_length=TextLimit.ADDRESS, required=False)
    channel = forms.TypedChoiceField(
        label="Kênh nộp", choices=Channel.choices, coerce=int, initial=Channel.COUNTER, widget=forms.RadioSelect
    )
    sets = forms.IntegerField(
        label="Số bộ hồ sơ",
        min_value=1,
        max_value=50,
        initial=1,
        error_messages={
            "min_value": "Số bộ hồ sơ ít nhất là 1.",
            "max_value": "Số bộ hồ sơ nhiều nhất là 50.",
            "invalid": "Số bộ hồ sơ phải là số nguyên.",
        },
    )
    delivery = forms.ChoiceField(
        label="Nơi nhận kết quả", choices=Delivery.choices, initial=Delivery.DESK, widget=forms.RadioSelect
    )
    delivery_address = FreeText(
        label="Địa chỉ nhận kết quả qua bưu chính", max_length=TextLimit.ADDRESS, required=False
    )
    # A text field: clerks type "50.000" or "50,000 đ" and mean fifty thousand đồng.
    fee_amount = forms.CharField(label="Phí, lệ phí đã thu (đồng)", initial="0", max_length=20)
    manual_due_date = DayField(
        label="Ngày hẹn trả kết quả",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    manual_due_time = forms.TimeField(
        label="Giờ hẹn", required=False, initial=time(17, 0), widget=forms.TimeInput(attrs={"type": "time"})
    )
    other_documents = FreeText(
        label="Giấy tờ khác đã nhận (mỗi dòng một loại)",
        required=False,
        multiline=True,
        max_length=TextLimit.NOTE,
        rows=2,
    )
    note = note_field()
    missing = FreeText(
        label="Giấy tờ cần bổ sung, hoàn thiện (mẫu 02)", required=False, multiline=True, max_length=TextLimit.NOTE
    )
    reason = FreeText(
        label="Lý do từ chối (mẫu 03)",
        required=False,
        multiline=True,
        max_length=TextLimit.NOTE,
        rows=2,
    )
    # Shown only when the same applicant's dossier for this procedure was just received.
    confirm_duplicate = forms.BooleanField(
        label="Đúng, tiếp nhận thêm một hồ sơ mới (không phải gửi lại hồ sơ vừa nhận)", required=False
    )

    def __init__(
        self,
        *args: Any,
        procedure: Procedure,
        today: date,
        action: str = "receive",
        offer: AgencyProcedure | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.procedure = procedure
        self.offer = offer  # the ward's own limit and fee, when it sets them
        self.today = today
        self.required_documents = list(procedure.documents.all())
        if not self.is_bound:
            self.initial["token"] = uuid.uuid4()
            fee = offer.fee_amount if offer is not None and offer.fee_amount is not None else None
            self.initial["fee_amount"] = fee if fee is not None else procedure.fee_for(Channel.COUNTER) or 0
        for name, field in _procedure_fields(
            tuple((doc.pk, doc.name, doc.quantity) for doc in self.required_documents),
            tuple(procedure.accepted_channels),
        ).items():
            self.share_field(name, field)
        self.needs_manual_due = intake_rules.needs_typed_appointment(procedure, offer)

    def has_field_errors(self) -> bool:
        """Whether some error belongs to a field (the page then points at the marked boxes)."""
        return any(name != forms.forms.NON_FIELD_ERRORS for name in self.errors)

    def document_rows(self) -> list[tuple[Any, forms.BoundField, forms.BoundField]]:
        return [(doc, self[f"doc_{doc.pk}"], self[f"qty_{doc.pk}"]) for doc in self.required_documents]

    def clean_applicant_phone(self) -> str:
        value = self.cleaned_data["applicant_phone"].strip()
        return normalise_phone(value) if value else ""

    def clean_fee_amount(self) -> int:
        raw = ascii_digits(self.cleaned_data["fee_amount"]).strip().lower().removesuffix("đồng").removesuffix("đ")
        raw = raw.strip()
        if raw.startswith("-"):
            raise forms.ValidationError("Lệ phí không được âm.")
        digits = raw.replace(".", "").replace(",", "").replace(" ", "")
        if not (digits.isascii() and digits.isdigit()):
            raise forms.ValidationError("Lệ phí ghi bằng số đồng, ví dụ 50.000.")
        if int(digits) > 1_000_000_000:
            raise forms.ValidationError("Lệ phí quá lớn, hãy kiểm tra lại.")
        return int(digits)

    def clean_applicant_name(self) -> str:
        # FreeText has normalised it (an entry of invisible characters only is "required").
        return validate_name(self.cleaned_data["applicant_name"], what="Họ tên người nộp / tên tổ chức")

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("applicant_kind")
        name = data.get("applicant_name")
        if name and kind == ApplicantKind.CITIZEN:
            data["applicant_name"] = normalise_person_name(name)
        id_kind, number = data.get("applicant_id_kind"), (data.get("applicant_id_number") or "").strip()
        validators = {
            IdKind.CCCD: lambda v: validate_cccd(v, today=self.today),
            IdKind.CMND: validate_cmnd,
            IdKind.PASSPORT: validate_passport,
            IdKind.TAX_CODE: validate_tax_code,
        }
        if number and id_kind in validators:
            try:
                data["applicant_id_number"] = validators[id_kind](number)
            except forms.ValidationError as exc:
                self.add_error("applicant_id_number", exc)
        elif not number and kind == ApplicantKind.CITIZEN and self.action == "receive":
            self.add_error("applicant_id_number", "Hãy nhập số căn cước/CCCD (hoặc CMND, hộ chiếu) của người nộp.")
        if data.get("delivery") == Delivery.POST and not normalise_spaces(data.get("delivery_address", "")):
            self.add_error("delivery_address", "Kết quả gửi qua bưu chính: hãy nhập địa chỉ nhận.")
        if data.get("delivery") == Delivery.ELECTRONIC and (id_kind != IdKind.CCCD or not number):
            # The citizen downloads the result from the account keyed on their 12-digit personal ID.
            self.add_error(
                "delivery",
                "Nhận kết quả điện tử: hãy nhập số định danh cá nhân (CCCD 12 số) của người nộp; "
                "người nộp tải kết quả khi đăng nhập bằng tài khoản định danh điện tử.",
            )
        if self.action == "receive":
            self._check_receipt(data)
        return data

    def _check_receipt(self, data: dict[str, Any]) -> None:
        """What a receipt needs besides valid fields (hoso.intake's rules), reported with them in one submit."""
        problems = intake_rules.receipt_problems(
            procedure=self.procedure,
            offer=self.offer,
            papers=self.papers(),
            manual_due_at=self.manual_due_at(),
            required=self.required_documents,
        )
        for problem in problems:
            if problem.field is None or problem.field not in self.errors:
                self.add_error(problem.field, problem.message)

    def papers(self) -> list[intake_rules.Paper]:
        """The papers received: the ticked ones of the procedure's list, then one per line typed."""
        data = self.cleaned_data
        papers: list[intake_rules.Paper] = [
            (doc.pk, doc.name, doc.form, data.get(f"qty_{doc.pk}") or doc.quantity)
            for doc in self.required_documents
            if data.get(f"doc_{doc.pk}")
        ]
        for line in (data.get("other_documents") or "").splitlines():
            if line.strip():
                papers.append((None, normalise_spaces(line)[:500], DocumentForm.ORIGINAL, 1))
        return papers

    def manual_due_at(self) -> datetime | None:
        day = self.cleaned_data.get("manual_due_date")
        if day is None:
            return None
        moment = self.cleaned_data.get("manual_due_time") or time(17, 0)
        return timezone.make_aware(datetime.combine(day, moment))

    def to_intake(self) -> Intake:
        data = self.cleaned_data
        return Intake(
            procedure=self.procedure,
            applicant_kind=data["applicant_kind"],
            applicant_name=data["applicant_name"],
            applicant_id_kind=data["applicant_id_kind"],
            applicant_id_number=data.get("applicant_id_number", ""),
            applicant_phone=data.get("applicant_phone", ""),
            applicant_email=data.get("applicant_email", ""),
            applicant_address=data.get("applicant_address", ""),
            channel=data["channel"],
            sets=data["sets"],
            delivery=data["delivery"],
            delivery_address=normalise_spaces(data.get("delivery_address", "")),
            fee_amount=data["fee_amount"],
            note=data.get("note") or "",
            documents=self.papers(),
            manual_due_at=self.manual_due_at(),
            token=data["token"],
            offer=self.offer,
        )
