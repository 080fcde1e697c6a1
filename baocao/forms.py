"""Forms of the report pages: the period picker and the narrative editor."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from motcua.lib.dates import DayField
from motcua.lib.text import vietnamese_length_messages

from .constants import NARRATIVE_SECTIONS, PERIOD_COUNT, PeriodKind
from .models import Report
from .periods import FIRST_YEAR, LAST_YEAR, Period, custom, parse_period

MAX_CUSTOM_DAYS = 3 * 366


class PeriodForm(forms.Form):
    """Pick a period: a Nghị định 09 or calendar period by year and number, or a custom range.

    ``cleaned_data["period"]`` is the ``baocao.periods.Period``; every impossible input is a
    Vietnamese form error (never an exception).
    """

    kind = forms.ChoiceField(
        label="Loại kỳ báo cáo",
        choices=PeriodKind.choices,
        initial=PeriodKind.DECREE_HALF_YEAR,
        error_messages={"invalid_choice": "Hãy chọn loại kỳ báo cáo trong danh sách."},
    )
    year = forms.IntegerField(
        label="Năm",
        required=False,
        min_value=FIRST_YEAR,
        max_value=LAST_YEAR,
        error_messages={
            "invalid": "Năm phải là một số, ví dụ 2026.",
            "min_value": f"Năm phải từ {FIRST_YEAR} trở đi.",
            "max_value": f"Năm không được quá {LAST_YEAR}.",
        },
    )
    number = forms.IntegerField(
        label="Kỳ số (6 tháng: 1–2; quý: 1–4; tháng: 1–12)",
        required=False,
        error_messages={"invalid": "Kỳ số phải là một số."},
    )
    start = DayField(label="Từ ngày", required=False)
    end = DayField(label="Đến ngày", required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        kind = data.get("kind")
        # Only the inputs of the chosen kind count: a stale date box must not block a half-year.
        ignored = ("year", "number") if kind == PeriodKind.CUSTOM else ("start", "end")
        for name in ignored:
            self._errors.pop(name, None)
        if not kind or self.errors:
            return data
        period: Period
        if kind == PeriodKind.CUSTOM:
            start, end = data.get("start"), data.get("end")
            if start is None:
                self.add_error("start", "Hãy nhập ngày bắt đầu.")
            if end is None:
                self.add_error("end", "Hãy nhập ngày kết thúc.")
            if start is None or end is None:
                return data
            if (end - start).days > MAX_CUSTOM_DAYS:
                self.add_error("end", "Khoảng thời gian báo cáo không được dài quá 3 năm.")
                return data
            try:
                period = custom(start, end)
            except ValueError as exc:
                self.add_error("end", str(exc))
                return data
        else:
            if data.get("year") is None:
                self.add_error("year", "Hãy nhập năm báo cáo.")
                return data
            count = PERIOD_COUNT[kind]
            number = data.get("number")
            if count == 1:
                number = None
            elif number is None or not 1 <= number <= count:
                self.add_error("number", f"Hãy nhập kỳ số từ 1 đến {count}.")
                return data
            try:
                period = parse_period(kind, data["year"], number)
            except ValueError as exc:
                self.add_error(None, str(exc))
                return data
        if period.start > timezone.localdate():
            self.add_error(None, "Kỳ báo cáo chưa bắt đầu: hãy chọn một kỳ đã qua hoặc đang diễn ra.")
            return data
        data["period"] = period
        return data


class NarrativeForm(forms.ModelForm):
    """The sections of the report the ward writes, its number and its date (draft only)."""

    issued_on = DayField(label="Ngày ban hành", required=False, help_text="Để trống: ngày tổng hợp báo cáo.")

    class Meta:
        model = Report
        fields = ["number", "issued_on", *(section.field for section in NARRATIVE_SECTIONS)]
        labels = {section.field: f"{section.number}. {section.title}" for section in NARRATIVE_SECTIONS}
        widgets = {section.field: forms.Textarea(attrs={"rows": 4}) for section in NARRATIVE_SECTIONS}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        vietnamese_length_messages(self)  # bounded sections, bidi and control characters stripped

    def clean_issued_on(self) -> date | None:
        """The date line must be plausible for the period: from its first day to a year after it."""
        value = self.cleaned_data.get("issued_on")
        report = self.instance
        if value is not None and report.start and report.end:
            latest = report.end + timedelta(days=366)
            if not report.start <= value <= latest:
                raise forms.ValidationError(
                    f"Ngày ban hành phải từ {report.start:%d/%m/%Y} (đầu kỳ báo cáo) đến {latest:%d/%m/%Y}."
                )
        return value

    def clean_number(self) -> str:
        value = self.cleaned_data.get("number", "").strip().removesuffix("/BC-UBND")
        if value and not value.replace("-", "").isalnum():
            raise forms.ValidationError("Số văn bản chỉ gồm chữ số (ví dụ 125); phần “/BC-UBND” được thêm tự động.")
        return value
