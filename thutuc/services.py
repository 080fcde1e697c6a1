"""Writes to the procedure catalogue: import (upsert by code), export, a ward's offer."""

from __future__ import annotations

import io
from dataclasses import dataclass, field

from django.db import transaction
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from motcua.lib.tabular import append_row, escape_text
from motcua.models import Agency

from .constants import OnlineLevel
from .importing import EXPORT_COLUMNS, ParsedFile, ProcedureRecord, RowError
from .models import AgencyProcedure, Field, Procedure
from .offers import invalidate_catalogue

# Columns the import owns: an import never touches documents, channels or a ward's overrides.
_IMPORTED = (
    "name",
    "time_limit_text",
    "time_limit_value",
    "time_limit_unit",
    "time_limit_online",
    "time_limit_post",
    "cutoff",
    "fee_text",
    "online_level",
    "source_url",
)


class ImportRejected(Exception):
    """The file has invalid rows; nothing was written."""

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


@dataclass
class ImportSummary:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    rejected: list[RowError] = field(default_factory=list)
    fields_created: int = 0

    def as_text(self) -> str:
        return (
            f"Tạo mới: {len(self.created)}, cập nhật: {len(self.updated)}, "
            f"không đổi: {len(self.unchanged)}, bị từ chối: {len(self.rejected)}."
        )


def _changes(procedure: Procedure, record: ProcedureRecord, field_obj: Field) -> dict[str, object]:
    changes: dict[str, object] = {}
    for name in _IMPORTED:
        if getattr(procedure, name) != getattr(record, name):
            changes[name] = getattr(record, name)
    if procedure.field_id != field_obj.pk:
        changes["field"] = field_obj
    if "fee_text" in changes:
        changes.update(record.fees)
    if changes.get("online_level") and not procedure.accepts_online:
        changes["accepts_online"] = True  # now offered online: the desk may record online dossiers
    return changes


def import_procedures(*, parsed: ParsedFile, dry_run: bool = False) -> ImportSummary:
    """Upsert every record by code in one transaction, or write nothing.

    Raises ImportRejected when the file has invalid rows (also for rows the model rejects).
    With dry_run the outcome is computed and rolled back: the admin preview uses it.
    """
    if parsed.errors:
        raise ImportRejected(parsed.errors)
    summary = ImportSummary()
    with transaction.atomic():
        fields = {f.name: f for f in Field.objects.all()}
        existing = {p.code: p for p in Procedure.objects.filter(code__in=[r.code for r in parsed.records])}
        errors: list[RowError] = []
        for record in parsed.records:
            field_obj = fields.get(record.field)
            if field_obj is None:
                field_obj = fields[record.field] = Field.objects.create(name=record.field)
                summary.fields_created += 1
            procedure = existing.get(record.code)
            if procedure is None:
                procedure = Procedure(
                    code=record.code, field=field_obj, accepts_online=record.online_level != OnlineLevel.NONE
                )
                for name in _IMPORTED:
                    setattr(procedure, name, getattr(record, name))
                for name, value in record.fees.items():
                    setattr(procedure, name, value)
                update_fields = None
                summary.created.append(record.code)
            else:
                changes = _changes(procedure, record, field_obj)
                if not changes:
                    summary.unchanged.append(record.code)
                    continue
                for name, value in changes.items():
                    setattr(procedure, name, value)
                update_fields = [*changes, "search_text", "updated_at"]
                summary.updated.append(record.code)
            try:
                procedure.full_clean(validate_unique=False)
            except Exception as exc:  # ValidationError: report it against the row
                messages = getattr(exc, "messages", [str(exc)])
                errors.append(RowError(line=record.line, reasons=list(messages)))
                continue
            procedure.save(update_fields=update_fields)
        if errors:
            transaction.set_rollback(True)
            raise ImportRejected(errors)
        if dry_run:
            transaction.set_rollback(True)
    return summary


def export_procedures_xlsx(procedures: object) -> bytes:
    """The catalogue in the import's columns, so an exported file imports back unchanged: text
    escaped (``motcua.lib.tabular.escape_text``) in text cells, the limit a number."""

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Thủ tục hành chính"
    sheet.append(list(EXPORT_COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    level_labels = {OnlineLevel.FULL: "Toàn trình", OnlineLevel.PARTIAL: "Một phần"}
    for p in procedures:  # type: ignore[attr-defined]
        value = p.time_limit_value
        texts = [
            p.code,
            p.name,
            p.field.name,
            p.time_limit_text,
            None,
            p.fee_text,
            level_labels.get(p.online_level, ""),
            p.source_url,
            p.time_limit_unit,
            p.cutoff.strftime("%H:%M") if p.cutoff else "",
        ]
        cells: list[object] = [escape_text(text) if text is not None else text for text in texts]
        cells[4] = "" if value is None else value
        append_row(sheet, cells)
    widths = {"A": 12, "B": 70, "C": 30, "D": 50, "E": 10, "F": 40, "G": 12, "H": 40, "I": 14, "J": 8}
    for column, width in widths.items():
        sheet.column_dimensions[column].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def offer_procedures(*, agency: Agency, procedures: object | None = None) -> int:
    """Make the ward offer the given procedures (default: every active one); returns how many were added."""
    queryset = procedures if procedures is not None else Procedure.objects.filter(active=True)
    have = set(AgencyProcedure.objects.filter(agency=agency).values_list("procedure_id", flat=True))
    new = [AgencyProcedure(agency=agency, procedure=p) for p in queryset if p.pk not in have]  # type: ignore[attr-defined]
    AgencyProcedure.objects.bulk_create(new)
    invalidate_catalogue()  # bulk_create sends no post_save
    transaction.on_commit(invalidate_catalogue)
    return len(new)
