"""What a backup must give back: row counts, one report's figures hash, the uploaded files.

A fingerprint is plain JSON. ``database`` counts the rows of every table the portal owns;
``report`` is the hash of one report's figures (``baocao.services.figures_digest``) compiled for
the ward with the most dossiers, over the calendar half-year holding ``as_of``, judged at
``as_of`` — recompiled on a restored copy with the same three inputs it must give the same hash;
``media`` lists every stored file (name, size, SHA-256) through the storage API, so it works the
same on the file system and on an S3 bucket, and folds them into one digest.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from django.apps import apps
from django.core.files.storage import Storage
from django.db.models import Count

from baocao.figures import compile_figures
from baocao.periods import calendar_half_year
from baocao.services import figures_digest
from hoso.models import Dossier
from hoso.workcalendar import VN_TZ
from motcua.models import Agency

CHUNK = 1024 * 1024


def table_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        meta = model._meta
        if meta.managed and not meta.proxy:
            counts[meta.db_table] = model._default_manager.using("default").count()
    return dict(sorted(counts.items()))


def busiest_agency() -> str | None:
    row = Dossier.objects.values("agency__code").annotate(n=Count("id")).order_by("-n", "agency__code").first()
    return row["agency__code"] if row else None


def report_hash(*, agency_code: str | None, as_of: datetime) -> dict[str, Any]:
    if agency_code is None:
        return {"agency": None, "as_of": as_of.isoformat(), "figures_hash": None}
    agency = Agency.objects.get(code=agency_code)
    local = as_of.astimezone(VN_TZ)
    period = calendar_half_year(local.year, 1 if local.month <= 6 else 2)
    figures = compile_figures(agency_ids=[agency.pk], period=period, as_of=as_of)
    return {
        "agency": agency_code,
        "period": figures["period"],
        "as_of": as_of.isoformat(),
        "figures_hash": figures_digest(figures),
    }


def stored_files(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name in the storage, depth first, in name order."""
    directories, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for directory in sorted(directories):
        yield from stored_files(storage, f"{folder}/{directory}" if folder else directory)


def file_digest(storage: Storage, name: str) -> tuple[int, str]:
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def media_fingerprint(entries: list[tuple[str, int, str]]) -> dict[str, Any]:
    folded = hashlib.sha256()
    for name, size, sha in sorted(entries):
        folded.update(f"{name}\0{size}\0{sha}\n".encode())
    return {"files": len(entries), "bytes": sum(size for _, size, _ in entries), "sha256": folded.hexdigest()}


def fingerprint(*, as_of: datetime, agency_code: str | None, media: list[tuple[str, int, str]]) -> dict[str, Any]:
    return {
        "database": table_counts(),
        "report": report_hash(agency_code=agency_code, as_of=as_of),
        "media": media_fingerprint(media),
    }


def differences(expected: dict[str, Any], found: dict[str, Any]) -> list[str]:
    """What differs, one Vietnamese line each; empty when the restore gave everything back."""
    lines = []
    tables = sorted(set(expected["database"]) | set(found["database"]))
    for table in tables:
        want, got = expected["database"].get(table), found["database"].get(table)
        if want != got:
            lines.append(f"Bảng {table}: bản sao lưu có {want} dòng, bản khôi phục có {got} dòng.")
    if expected["report"]["figures_hash"] != found["report"]["figures_hash"]:
        lines.append(
            f"Số liệu báo cáo của {expected['report']['agency']} khác nhau: "
            f"{expected['report']['figures_hash']} ≠ {found['report']['figures_hash']}."
        )
    if expected["media"] != found["media"]:
        lines.append(
            f"Tệp đính kèm khác nhau: sao lưu {expected['media']['files']} tệp, "
            f"khôi phục {found['media']['files']} tệp (hoặc nội dung khác)."
        )
    return lines
