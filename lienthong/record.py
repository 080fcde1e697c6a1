"""The record as sent: the outbox row's record completed, when sending, with what lives in other tables.

The workflow's hook writes a row from the dossier row and the event alone (one INSERT, no query:
docs/national-link.md §4). What needs other rows is added here, by the drain, just before the row
goes out: the processing unit (the agency's name), the field's national code (``MaLinhVuc``, from
the catalogue), the supplement requests up to the row's event (``DanhSachHoSoBoSung``), the fees from the fee request
and its payments (``DanhSachLePhi``, lienthong.fees), the papers
submitted with their digitised flags (``TaiLieuNop``) and, once the dossier has a result, the
results (``DanhSachGiayToKetQua``). A value we do not hold is never invented: ``CannotSync`` carries
the reasons and the drain holds the row as "cannot sync" (BLOCKED) until someone enters the data.

Files are described, never linked: the portal would download them from a public address, and the
dossiers' files are not published (docs/national-link.md §2).
"""

from __future__ import annotations

from typing import Any

from hoso.constants import Action
from hoso.models import Dossier, DossierEvent
from tructuyen.constants import FileKind
from tructuyen.models import DossierFile

from . import fees, mapping

REQUESTS = (Action.REQUEST_SUPPLEMENT, Action.REQUEST_PAPERS)
ANSWERS = (Action.COMPLETE_SUPPLEMENT, Action.RESUBMIT)
FINISHED = (9, 10)  # national codes of a dossier with its result: the results are listed then
COUNTER_CHANNEL = 1


class CannotSync(Exception):
    """The record lacks data we do not hold; ``reasons`` are said to the ward in Vietnamese."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__(mapping.blocked_text(reasons))
        self.reasons = reasons


def complete(dossier: Dossier, record: dict[str, Any], upto: int | None = None) -> dict[str, Any]:
    """`record` (from ``mapping.dossier_record``) with the unit, the field code and the lists; the
    supplement requests are those of the events up to the event id `upto` (all when None).
    Raises CannotSync. `dossier` comes with its agency, field and procedure loaded."""
    reasons = list(mapping.missing(record))
    field_code = dossier.field.code.strip()
    if not field_code:
        reasons.append(
            f"lĩnh vực «{dossier.field.name}» chưa có mã lĩnh vực của Cổng DVC quốc gia "
            "(quản trị nhập trong danh mục lĩnh vực)"
        )
    files = _files(dossier)
    results, result_reason = _results(dossier, record["TrangThaiHoSo"], files)
    if result_reason:
        reasons.append(result_reason)
    if reasons:
        raise CannotSync(reasons)
    completed = {
        **mapping.with_unit(record, dossier.agency.name),
        "MaLinhVuc": field_code,
        "DanhSachHoSoBoSung": supplements(dossier.pk, upto) if _may_have_requests(dossier) else [],
        "DanhSachLePhi": fees.fee_list(dossier),
        "TaiLieuNop": papers(dossier, files),
        "DanhSachGiayToKetQua": results,
    }
    if record["TrangThaiHoSo"] == 3 and not record.get("NgayTuChoi"):
        refused = dossier.events.filter(action=Action.REFUSE).values_list("at", flat=True).first()
        completed["NgayTuChoi"] = mapping.national_instant(refused)
    return completed


def steps(steps: list[dict[str, Any]], unit_name: str) -> list[dict[str, Any]]:
    """The steps with the processing unit where the step names none (all but a hand-over's)."""
    return [{**step, "PhongBanXuLy": step.get("PhongBanXuLy") or unit_name} for step in steps]


def reasons_now(dossier: Dossier) -> list[str]:
    """Why the dossier's current record could not be sent now ([] when it could)."""
    try:
        complete(dossier, mapping.dossier_record(dossier))
    except CannotSync as exc:
        return exc.reasons
    return []


def _may_have_requests(dossier: Dossier) -> bool:
    """False when the dossier cannot have a request (spares the query): none counted during
    processing, and not online (only an online dossier is asked for papers before receipt)."""
    return bool(dossier.supplement_requests) or dossier.channel != COUNTER_CHANNEL


def supplements(dossier_id: int, upto: int | None = None) -> list[dict[str, Any]]:
    """Each request for more papers (before receipt, or a supplement during processing) and when it
    was answered: ``TrangThaiBoSung`` 0 waiting, 1 received."""
    events = DossierEvent.objects.filter(dossier_id=dossier_id, action__in=(*REQUESTS, *ANSWERS))
    if upto is not None:
        events = events.filter(pk__lte=upto)
    requests: list[dict[str, Any]] = []
    for event in events.select_related("actor").order_by("at", "id"):
        if event.action in REQUESTS:
            actor = event.actor
            requests.append(
                {
                    "NguoiYeuCauBoSung": (actor.get_full_name() or actor.username) if actor is not None else "",
                    "NoiDungBoSung": event.note,
                    "NgayBoSung": mapping.national_instant(event.at),
                    "TruocTiepNhan": int(event.action == Action.REQUEST_PAPERS),
                    "NgayTiepNhanBoSung": "",
                    "TrangThaiBoSung": 0,
                }
            )
        elif requests and not requests[-1]["TrangThaiBoSung"]:
            requests[-1].update(NgayTiepNhanBoSung=mapping.national_instant(event.at), TrangThaiBoSung=1)
    return requests


def _files(dossier: Dossier) -> list[DossierFile]:
    return list(
        DossierFile.objects.filter(dossier_id=dossier.pk)
        .only("required_document_id", "paper_name", "kind", "original_name", "digitised")
        .order_by("id")
    )


def papers(dossier: Dossier, all_files: list[DossierFile]) -> list[dict[str, Any]]:
    """The papers received: at the counter (digitised when the dossier was digitised at intake or a
    digitised file of that paper is kept), and the files uploaded online or as supplements."""
    files = [f for f in all_files if f.kind != FileKind.RESULT]
    listed: list[dict[str, Any]] = []
    matched: set[int] = set()
    for document in dossier.documents.all().order_by("id"):
        same = [
            f
            for f in files
            if f.digitised
            and (
                (document.required_document_id and f.required_document_id == document.required_document_id)
                or f.paper_name == document.name
            )
        ]
        matched.update(f.pk for f in same)
        listed.append(
            {
                "TenGiayTo": document.name,
                "HinhThuc": document.get_form_display(),
                "SoLuong": document.quantity,
                "KenhNop": COUNTER_CHANNEL,
                "BoSung": 0,
                "DaSoHoa": int(dossier.digitised or bool(same)),
            }
        )
    for f in files:
        if f.pk in matched:
            continue
        listed.append(
            {
                "TenGiayTo": f.paper_name,
                "TenTep": f.original_name,
                "HinhThuc": "Bản điện tử",
                "SoLuong": 1,
                "KenhNop": COUNTER_CHANNEL if f.kind == FileKind.SCAN else dossier.channel,
                "BoSung": int(f.kind == FileKind.SUPPLEMENT),
                "DaSoHoa": int(f.digitised or f.kind != FileKind.SCAN),
            }
        )
    return listed


def _results(dossier: Dossier, national_code: int, all_files: list[DossierFile]) -> tuple[list[dict[str, Any]], str]:
    """The results once the record says the dossier is finished (9) or returned (10): the result
    files, else the paper result the procedure names; a reason when neither is known."""
    if national_code not in FINISHED:
        return [], ""
    files = [f for f in all_files if f.kind == FileKind.RESULT]
    if files:
        return [
            {"TenGiayTo": f.paper_name, "TenTep": f.original_name, "KetQuaDienTu": 1, "DaSoHoa": 1} for f in files
        ], ""
    name = dossier.procedure.result.strip()
    if name:
        return [{"TenGiayTo": name, "KetQuaDienTu": 0, "DaSoHoa": 0}], ""
    return [], "chưa rõ giấy tờ kết quả (hồ sơ không có tệp kết quả và thủ tục chưa ghi «kết quả thực hiện»)"
