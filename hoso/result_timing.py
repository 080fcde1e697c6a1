"""How a finished dossier's timeliness is worded on papers and pages (issue 17.3).

The statistics class (docs/timeliness.md §1, ``Dossier.timeliness``) counts a dossier as late in two
cases the printed dates do not show: an apology with a new appointment (form 04) was issued, or
supplements were requested more than once. A citizen's paper prints the appointment it holds
(``shown_due_at``) beside the result time, so printing "quá hạn" beside a result that came before
that appointment would contradict the paper itself. One function words it for everyone:

* ``citizen`` — beside the result time on the return slip, the public status page and the
  tracking book: "trước hạn", "đúng hạn", "quá hạn" only when the result came after the
  appointment printed, else the rule that made it late ("đã có văn bản xin lỗi và hẹn lại ngày
  trả kết quả"; "cơ quan đã yêu cầu bổ sung hồ sơ 2 lần").
* ``staff`` — the statistics class, with that rule in brackets when the dates alone do not show
  it ("Quá hạn (đã có văn bản xin lỗi và hẹn lại ngày trả kết quả)"): the control slip's summary
  line and the dossier page.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from .clock import late_by_rule
from .constants import Timeliness

APOLOGY = "đã có văn bản xin lỗi và hẹn lại ngày trả kết quả"


class _Finished(Protocol):
    timeliness: str
    result_ready_at: datetime | None
    due_at: datetime | None
    shown_due_at: datetime | None
    extensions: int
    supplement_requests: int


@dataclass(frozen=True)
class ResultTiming:
    timeliness: Timeliness
    citizen: str  # lower case, printed after the result time, e.g. "(đúng hạn)"
    staff: str  # capitalised, e.g. "Quá hạn (yêu cầu bổ sung hồ sơ 2 lần)"
    reason: str  # why a late dossier is late when its dates don't show it ("" otherwise)


def result_timing(dossier: _Finished) -> ResultTiming | None:
    """The wording of a finished dossier's timeliness; None when it has none (not finished)."""
    if not dossier.timeliness or dossier.result_ready_at is None:
        return None
    timeliness = Timeliness(dossier.timeliness)
    label = timeliness.label
    if timeliness != Timeliness.LATE:
        return ResultTiming(timeliness, label.lower(), label, "")
    printed = dossier.shown_due_at or dossier.due_at
    reason = ""
    late_by_a_rule = late_by_rule(supplement_requests=dossier.supplement_requests, extensions=dossier.extensions)
    if late_by_a_rule and printed is not None and dossier.result_ready_at <= printed:
        # The dates printed do not show it: say the rule (an apology weighs first).
        reason = APOLOGY if dossier.extensions else f"yêu cầu bổ sung hồ sơ {dossier.supplement_requests} lần"
    if not reason:
        return ResultTiming(timeliness, label.lower(), label, "")
    citizen = reason if dossier.extensions else f"cơ quan đã {reason}"
    return ResultTiming(timeliness, citizen, f"{label} ({reason})", reason)
