"""The forms of the actions on a received dossier (assign, supplement, extend, return…): one per
kind of input; the workflow does the writing."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any

from django import forms
from django.utils import timezone

from motcua.constants import Role
from motcua.lib.dates import DayField
from motcua.lib.identity import validate_name
from motcua.lib.text import FreeText, PublicNoteField, TextLimit
from motcua.models import User

from .fields import note_field


class NoteForm(forms.Form):
    note = note_field()


class ResultForm(NoteForm):
    """Result ready (or approved): the result's file, required when the result is delivered electronically."""

    result_file = forms.FileField(
        label="Tệp kết quả (PDF, JPEG hoặc PNG)",
        required=False,
        help_text="Bắt buộc khi công dân nhận kết quả điện tử; công dân tải về tại “Hồ sơ của tôi”.",
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )


class RequiredNoteForm(forms.Form):
    note = FreeText(label="Nội dung", multiline=True, max_length=TextLimit.NOTE)


class AssignForm(forms.Form):
    officer = forms.ModelChoiceField(
        label="Công chức xử lý",
        queryset=User.objects.none(),
        empty_label="— Chọn công chức —",
        error_messages={"required": "Hãy chọn công chức xử lý.", "invalid_choice": "Công chức không hợp lệ."},
    )
    note = note_field()

    def __init__(self, *args: Any, agency_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["officer"].queryset = User.objects.filter(
            agency_id=agency_id, role=Role.OFFICER, is_active=True
        ).order_by("first_name", "last_name")


class ReturnForm(forms.Form):
    collector = FreeText(label="Người nhận kết quả", required=False, max_length=TextLimit.NAME)
    tracking_number = FreeText(label="Mã bưu gửi", required=False, max_length=50)

    def clean_collector(self) -> str:
        return validate_name(self.cleaned_data["collector"], what="Tên người nhận kết quả")


class ExtendForm(forms.Form):
    new_due_date = DayField(label="Ngày hẹn mới", widget=forms.DateInput(attrs={"type": "date"}))
    new_due_time = forms.TimeField(label="Giờ hẹn", initial=time(17, 0), widget=forms.TimeInput(attrs={"type": "time"}))
    note = FreeText(label="Lý do chậm giải quyết", multiline=True, max_length=TextLimit.NOTE)
    public_note = PublicNoteField()

    def new_due_at(self) -> datetime:
        return timezone.make_aware(
            datetime.combine(self.cleaned_data["new_due_date"], self.cleaned_data["new_due_time"])
        )


class TransferForm(forms.Form):
    to_agency = FreeText(label="Cơ quan nhận liên thông", max_length=TextLimit.NAME)
    note = note_field()


class PublicNoteForm(RequiredNoteForm):
    """An action the citizen hears of (supplement request, stop): the staff note stays inside, and an
    explicitly public note is the only free text the lookup page shows."""

    public_note = PublicNoteField()
