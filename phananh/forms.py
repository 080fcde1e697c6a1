"""The forms of the petitions pages: the public form, the counter form, the staff actions, publication, rating."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError

from motcua.constants import Role
from motcua.lib.identity import normalise_phone
from motcua.lib.text import FreeText, TextLimit
from motcua.models import Agency, User

from .constants import Channel, Kind, Rating
from .models import ANSWER_LIMIT


class PhotoInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Up to a few files in one input; each is checked by content by the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", PhotoInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(PhotosField, self).clean(item, initial) for item in files]


class SenderFields(forms.Form):
    """What the public page and the counter ask of a petition."""

    kind = forms.ChoiceField(label="Loại", choices=Kind.choices, widget=forms.RadioSelect)
    subject = FreeText(label="Tiêu đề", max_length=200, required=False)
    content = FreeText(label="Nội dung phản ánh, kiến nghị", max_length=TextLimit.NOTE * 2, multiline=True)
    sender_name = FreeText(label="Họ và tên", max_length=TextLimit.NAME, required=False)
    sender_phone = forms.CharField(label="Số điện thoại", max_length=20, required=False)
    sender_email = forms.EmailField(label="Thư điện tử", required=False)
    sender_address = FreeText(label="Địa chỉ", max_length=TextLimit.ADDRESS, required=False)
    photos = PhotosField(label="Ảnh hoặc tệp PDF kèm theo (không bắt buộc, tối đa 5 tệp)", required=False)

    def clean_sender_phone(self) -> str:
        value = self.cleaned_data.get("sender_phone", "").strip()
        return normalise_phone(value) if value else ""


class PublicForm(SenderFields):
    agency = forms.ModelChoiceField(label="Phường, xã nhận phản ánh", queryset=Agency.objects.order_by("name"))

    def __init__(self, *args: Any, signed_in: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.signed_in = signed_in
        if signed_in:  # the citizen's account gives the name, ID and contact
            for name in ("sender_name", "sender_address"):
                del self.fields[name]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not self.signed_in and not (data.get("sender_phone") or data.get("sender_email")) and not self.errors:
            raise ValidationError("Hãy để lại số điện thoại hoặc thư điện tử để nhận trả lời.")
        return data


class CounterForm(SenderFields):
    channel = forms.ChoiceField(
        label="Kênh tiếp nhận", choices=[c for c in Channel.choices if c[0] != Channel.PORTAL], initial=Channel.COUNTER
    )
    sender_id_number = forms.CharField(label="Số định danh cá nhân", max_length=12, required=False)
    dossier_code = forms.CharField(label="Mã hồ sơ liên quan (nếu có)", max_length=60, required=False)


class ActionForm(forms.Form):
    note = FreeText(label="Ghi chú / lý do", max_length=TextLimit.NOTE, multiline=True, required=False)
    answer = FreeText(label="Nội dung trả lời", max_length=ANSWER_LIMIT, multiline=True, required=False)
    assignee = forms.ModelChoiceField(label="Công chức xử lý", queryset=User.objects.none(), required=False)

    def __init__(self, *args: Any, agency_id: int | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["assignee"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = User.objects.filter(agency_id=agency_id, role=Role.OFFICER, is_active=True).order_by(
            "last_name", "first_name"
        )


class PublishForm(forms.Form):
    public_subject = FreeText(label="Tiêu đề công khai", max_length=200)
    public_question = FreeText(label="Nội dung công khai (đã bỏ thông tin cá nhân)", max_length=4000, multiline=True)
    public_answer = FreeText(label="Trả lời công khai", max_length=ANSWER_LIMIT, multiline=True)


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label="Ông/bà có hài lòng với câu trả lời?", choices=Rating.choices, widget=forms.RadioSelect
    )
    comment = FreeText(label="Ý kiến (không bắt buộc)", max_length=TextLimit.NOTE, multiline=True, required=False)
