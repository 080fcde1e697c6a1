"""Forms of the citizen's online submission (/nop-ho-so/): applicant, how to receive the result, the declaration."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from motcua.lib.identity import normalise_phone, validate_cccd, validate_name

from .drafts import DELIVERY_CHOICES


class ApplicantForm(forms.Form):
    """Step 2: what the law lets the citizen change (address, phone, e-mail), and applying for someone else."""

    address = forms.CharField(
        label="Địa chỉ liên hệ",
        max_length=300,
        error_messages={"required": "Hãy nhập địa chỉ liên hệ."},
    )
    phone = forms.CharField(
        label="Số điện thoại",
        max_length=20,
        error_messages={"required": "Hãy nhập số điện thoại để cơ quan liên hệ khi cần."},
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label="Thư điện tử",
        required=False,
        max_length=254,
        error_messages={"invalid": "Thư điện tử không hợp lệ."},
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    on_behalf = forms.BooleanField(label="Tôi nộp thay cho người khác (có văn bản ủy quyền)", required=False)
    principal_name = forms.CharField(label="Họ và tên người ủy quyền", max_length=200, required=False)
    principal_id_number = forms.CharField(
        label="Số định danh cá nhân của người ủy quyền",
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
    )

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data["phone"])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("on_behalf"):
            data["principal_name"] = data["principal_id_number"] = ""
            return data
        name = (data.get("principal_name") or "").strip()
        number = (data.get("principal_id_number") or "").strip()
        if not name:
            self.add_error("principal_name", "Nộp thay: hãy nhập họ và tên người ủy quyền.")
        else:
            try:
                data["principal_name"] = validate_name(name, what="Họ và tên người ủy quyền")
            except ValidationError as error:
                self.add_error("principal_name", error)
        if not number:
            self.add_error("principal_id_number", "Nộp thay: hãy nhập số định danh cá nhân của người ủy quyền.")
        else:
            try:
                data["principal_id_number"] = validate_cccd(number, today=timezone.localdate())
            except ValidationError as error:
                self.add_error("principal_id_number", error)
        return data


class DeliveryForm(forms.Form):
    """Step 4: how the result reaches the citizen; by post needs an address."""

    delivery = forms.ChoiceField(
        label="Cách nhận kết quả",
        choices=list(DELIVERY_CHOICES.items()),
        widget=forms.RadioSelect,
        error_messages={"required": "Hãy chọn cách nhận kết quả.", "invalid_choice": "Hãy chọn cách nhận kết quả."},
    )
    delivery_address = forms.CharField(label="Địa chỉ nhận kết quả qua bưu chính", max_length=300, required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        address = (data.get("delivery_address") or "").strip()
        if data.get("delivery") == "post" and not address:
            self.add_error("delivery_address", "Nhận qua bưu chính: hãy nhập địa chỉ nhận kết quả.")
        data["delivery_address"] = address if data.get("delivery") == "post" else ""
        return data


class ReviewForm(forms.Form):
    """Step 5: the citizen's declaration before sending."""

    declaration = forms.BooleanField(
        label="Tôi xin cam đoan các thông tin đã khai và giấy tờ đã tải lên là đúng sự thật.",
        error_messages={"required": "Hãy đánh dấu lời cam đoan trước khi nộp hồ sơ."},
    )
