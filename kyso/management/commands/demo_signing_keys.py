"""``manage.py demo_signing_keys [--dir DIR] [--agency CODE]``: a development CA and the demo ward's key.

NOT for real use: every certificate's subject says "KHÔNG CÓ GIÁ TRỊ PHÁP LÝ – chỉ dùng thử". Writes,
under ``DIR`` (default ``<MOTCUA_VAR_DIR>/kyso``, never committed): ``ca.pem`` (the trust root for
MOTCUA_TRUST_ROOTS), ``ward.p12`` (the organisation's key for MOTCUA_SIGNING_P12), ``password``
(for MOTCUA_SIGNING_P12_PASSWORD), ``leader.p12`` (a leader's key to try the upload of a document
signed on a PC, same password). Files already there are kept, so a restart signs with the same CA.
Prints the three settings as ``NAME=value`` lines for ./run.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from kyso.pki import NOT_FOR_REAL_USE, Authority, issue_p12, make_authority
from motcua.demo import DEMO_AGENCY_CODE
from motcua.models import Agency


def _write_private(path: Path, data: bytes) -> None:
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)


class Command(BaseCommand):
    help = f"Tạo CA thử nghiệm và khóa ký số cho phường demo ({NOT_FOR_REAL_USE})."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--dir", help="thư mục ghi tệp (mặc định: <MOTCUA_VAR_DIR>/kyso)")
        parser.add_argument("--agency", default=DEMO_AGENCY_CODE, help="mã cơ quan (mặc định: phường demo)")

    def handle(self, *args: Any, **options: Any) -> None:
        folder = Path(options["dir"] or Path(settings.VAR_DIR) / "kyso")
        agency = Agency.objects.filter(code=options["agency"]).first()
        if agency is None:
            raise CommandError(f"Không có cơ quan mã {options['agency']}.")
        folder.mkdir(parents=True, exist_ok=True)
        ca_pem, ward, leader, password_file = (folder / n for n in ("ca.pem", "ward.p12", "leader.p12", "password"))
        if not (ca_pem.exists() and ward.exists() and leader.exists() and password_file.exists()):
            password = secrets.token_urlsafe(18)
            authority = make_authority("CA thử nghiệm Một cửa")  # the mark is in every subject (pki)
            _write_private(password_file, password.encode())
            ca_pem.write_bytes(authority.pem())
            key_pem = authority.key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            _write_private(folder / "ca-key.pem", key_pem)
            self._issue(authority, ward, agency.name, agency.name, password)
            self._issue(authority, leader, agency.leader_name or "Lãnh đạo phường demo", agency.name, password)
        certificate = x509.load_pem_x509_certificate(ca_pem.read_bytes())
        if NOT_FOR_REAL_USE not in certificate.subject.rfc4514_string():
            raise CommandError(f"{ca_pem} không phải CA thử nghiệm của lệnh này; không dùng.")
        self.stdout.write(f"MOTCUA_SIGNING_P12={ward}")
        self.stdout.write(f"MOTCUA_SIGNING_P12_PASSWORD={password_file.read_text().strip()}")
        self.stdout.write(f"MOTCUA_TRUST_ROOTS={ca_pem}")

    @staticmethod
    def _issue(authority: Authority, path: Path, name: str, organisation: str, password: str) -> None:
        _write_private(
            path, issue_p12(authority, common_name=name, organisation=organisation, password=password.encode())
        )
