"""Backups of a deployment and the drill that proves they restore (docs/deployment.md, "Backups").

``take_backup`` writes one folder ``motcua-<yyyymmdd-hhmmss>/`` holding

* ``database.dump`` — ``pg_dump --format=custom`` of the database, taken on a snapshot;
* ``media.tar`` — every uploaded file, read through the storage API (file system or S3);
* ``manifest.json`` — the instant, the files' SHA-256 and the fingerprint (``vanhanh.fingerprint``).

The fingerprint and the dump see the same data: a REPEATABLE READ, read-only transaction exports
its snapshot, ``pg_dump --snapshot`` dumps exactly that snapshot, and the counts and the report hash
are computed inside the same transaction — so a backup taken while clerks work is still checkable.

``restore_drill`` restores a backup into a new database (and the files into a scratch folder),
fingerprints the copy in a separate process that knows only the copy, compares, and drops the copy.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.storage import Storage, default_storage
from django.db import connection, transaction

from hoso.workcalendar import VN_TZ

from .fingerprint import busiest_agency, differences, file_digest, fingerprint, stored_files

DUMP = "database.dump"
MEDIA = "media.tar"
MANIFEST = "manifest.json"


class BackupError(Exception):
    """A backup or a restore that could not be done, with a Vietnamese reason."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def _libpq_url(name: str | None = None) -> str:
    """The database as pg_dump / pg_restore take it (the URL of DATABASE_URL, or another database)."""
    db = connection.settings_dict
    if db["ENGINE"] != "django.db.backends.postgresql":
        raise BackupError("Sao lưu và diễn tập khôi phục cần PostgreSQL (đặt DATABASE_URL).")
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    at = f"{user}{password}@" if user else ""
    return f"postgresql://{at}{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{name or db['NAME']}"


def _run(command: list[str], what: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    try:
        # A fixed program (pg_dump, pg_restore, this manage.py) with arguments built here, no shell.
        return subprocess.run(command, check=True, capture_output=True, text=True, **kwargs)  # noqa: S603
    except FileNotFoundError as exc:
        raise BackupError(f"Không tìm thấy chương trình {command[0]} ({what}).") from exc
    except subprocess.CalledProcessError as exc:
        raise BackupError(f"{what} không thành công: {exc.stderr.strip()[-500:]}") from exc


def _archive_media(storage: Storage, target: Path) -> list[tuple[str, int, str]]:
    entries = []
    with tarfile.open(target, "w") as archive:
        for name in stored_files(storage):
            size, sha = file_digest(storage, name)
            info = tarfile.TarInfo(name)
            info.size = size
            with storage.open(name, "rb") as handle:
                archive.addfile(info, handle)
            entries.append((name, size, sha))
    return entries


def take_backup(destination: Path, *, storage: Storage | None = None) -> Path:
    storage = storage or default_storage
    destination.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot(), transaction_timestamp()")
            snapshot, as_of = cursor.fetchone()
        folder = destination / f"motcua-{as_of.astimezone(VN_TZ):%Y%m%d-%H%M%S}"
        folder.mkdir()
        _run(
            [
                "pg_dump",
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                f"--snapshot={snapshot}",
                f"--file={folder / DUMP}",
                f"--dbname={_libpq_url()}",
            ],
            "pg_dump",
        )
        media = _archive_media(storage, folder / MEDIA)
        agency = busiest_agency()
        print_ = fingerprint(as_of=as_of, agency_code=agency, media=media)
    manifest = {
        "format": 1,
        "created_at": as_of.astimezone(VN_TZ).isoformat(),
        "files": {DUMP: _sha256(folder / DUMP), MEDIA: _sha256(folder / MEDIA)},
        "fingerprint": print_,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return folder


def read_manifest(folder: Path) -> dict[str, Any]:
    try:
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError(f"Không đọc được {folder / MANIFEST}: thư mục này không phải một bản sao lưu.") from exc
    for name, sha in manifest["files"].items():
        if not (folder / name).is_file() or _sha256(folder / name) != sha:
            raise BackupError(f"Tệp {name} của bản sao lưu bị thiếu hoặc bị thay đổi (SHA-256 không khớp).")
    return manifest


@dataclass
class DrillResult:
    backup: str
    database: str
    ok: bool
    differences: list[str] = field(default_factory=list)
    restored: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        expected_rows = sum(self.restored.get("database", {}).values())
        return {
            "backup": self.backup,
            "database": self.database,
            "ok": self.ok,
            "differences": self.differences,
            "rows": expected_rows,
            "media_files": self.restored.get("media", {}).get("files"),
            "figures_hash": self.restored.get("report", {}).get("figures_hash"),
        }


def restore_drill(folder: Path, *, keep: bool = False) -> DrillResult:
    manifest = read_manifest(folder)
    expected = manifest["fingerprint"]
    name = f"motcua_restore_{datetime.now(VN_TZ):%Y%m%d%H%M%S}_{secrets.token_hex(3)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    try:
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                f"--dbname={_libpq_url(name)}",
                str(folder / DUMP),
            ],
            "pg_restore",
        )
        with tempfile.TemporaryDirectory(prefix="motcua-restore-media-") as media_root:
            with tarfile.open(folder / MEDIA) as archive:
                archive.extractall(media_root, filter="data")
            restored = _fingerprint_copy(name, Path(media_root), expected["report"])
    finally:
        if not keep:
            with connection.cursor() as cursor:
                cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    found = differences(expected, restored)
    return DrillResult(backup=str(folder), database=name, ok=not found, differences=found, restored=restored)


def _fingerprint_copy(name: str, media_root: Path, report: dict[str, Any]) -> dict[str, Any]:
    """The restored copy's fingerprint, by a fresh process that sees only the copy: its database,
    its files on the file system, no cache or broker shared with the live deployment."""
    env = {
        **os.environ,
        "DATABASE_URL": _libpq_url(name),
        "MEDIA_ROOT": str(media_root),
        "MOTCUA_S3_BUCKET": "",
        "REPLICA_DATABASE_URL": "",
        "REDIS_URL": "",
        "CACHE_URL": "",
        "CELERY_BROKER_URL": "",
    }
    command = [
        sys.executable,
        str(Path(settings.BASE_DIR) / "manage.py"),
        "backup_fingerprint",
        "--as-of",
        report["as_of"],
    ]
    if report["agency"]:
        command += ["--agency", report["agency"]]
    answer = _run(command, "Tính dấu vân tay bản khôi phục", env=env, cwd=settings.BASE_DIR)
    return json.loads(answer.stdout)
