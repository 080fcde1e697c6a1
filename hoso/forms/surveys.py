"""The satisfaction survey forms: the citizen's rating (link, counter screen, paper copy) and the
leader's follow-up of an unhappy answer; hoso.surveys does the writing."""

from __future__ import annotations

from typing import Any

from django import forms

from motcua.lib.text import FreeText, TextLimit
from motcua.models import Agency

from .. import surveys
from ..constants import FollowUpStatus
from ..models import SurveyCriterion


class RatingForm(forms.Form):
    """The level on the agency's scale, one optional question per active criterion, a comment."""

    CRITERION_PREFIX = "tieu_chi_"

    level = forms.ChoiceField(
        label="Mức độ hài lòng",
        widget=forms.RadioSelect,
        error_messages={
            "required": "Xin chọn một mức độ hài lòng.",
            "invalid_choice": "Xin chọn một mức độ hài lòng trong danh sách.",
        },
    )
    comment = FreeText(  # bidi-override and control characters stripped
        label="Ý kiến khác (không bắt buộc)",
        required=False,
        multiline=True,
        max_length=surveys.COMMENT_MAX_LENGTH,
        error_messages={"max_length": f"Ý kiến dài quá {surveys.COMMENT_MAX_LENGTH} ký tự."},
    )

    def __init__(self, data: Any = None, *, agency: Agency, criteria: list[SurveyCriterion]) -> None:
        super().__init__(data)
        self.fields["level"].choices = [(level.value, level.label) for level in surveys.levels_for(agency)]
        self.criteria = criteria
        for criterion in criteria:
            self.fields[f"{self.CRITERION_PREFIX}{criterion.pk}"] = forms.ChoiceField(
                label=criterion.question,
                required=False,
                widget=forms.RadioSelect,
                choices=[(str(option), str(option)) for option in criterion.options],
                error_messages={"invalid_choice": "Xin chọn một câu trả lời trong danh sách."},
            )
        # The comment comes last on the page, after the criteria.
        self.order_fields(["level", *(f"{self.CRITERION_PREFIX}{c.pk}" for c in criteria), "comment"])

    def criteria_fields(self) -> list[forms.BoundField]:
        return [self[f"{self.CRITERION_PREFIX}{c.pk}"] for c in self.criteria]

    def answer(self) -> surveys.Answer:
        data = self.cleaned_data
        answers = {str(c.pk): data.get(f"{self.CRITERION_PREFIX}{c.pk}") or "" for c in self.criteria}
        return surveys.Answer(level=data["level"], answers=answers, comment=data.get("comment", ""))


class FollowUpForm(forms.Form):
    status = forms.ChoiceField(
        label="Trạng thái xử lý",
        choices=FollowUpStatus.choices,
        error_messages={"invalid_choice": "Trạng thái xử lý không hợp lệ.", "required": "Hãy chọn trạng thái."},
    )
    note = FreeText(
        label="Ghi chú xử lý",
        required=False,
        multiline=True,
        rows=2,
        max_length=TextLimit.NOTE,
        error_messages={"max_length": f"Ghi chú dài quá {TextLimit.NOTE} ký tự."},
    )
