"""Seeds the three demo citizens and registers the portal as a confidential OIDC client (PKCE required)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from oauth2_provider.models import Application

from devidp.citizens import DEMO_CITIZENS
from devidp.models import DemoCitizen


class Command(BaseCommand):
    help = "Tạo 3 công dân thử nghiệm và đăng ký cổng Một cửa là ứng dụng OIDC (bí mật, bắt buộc PKCE)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--redirect-uri", action="append", required=True, help="Địa chỉ callback của cổng")
        parser.add_argument(
            "--post-logout-redirect-uri", action="append", default=[], help="Trang của cổng sau khi đăng xuất"
        )
        parser.add_argument("--client-id", default="motcua-portal")
        parser.add_argument("--client-secret-file", required=True, help="Tệp chứa client secret (đọc, không in)")
        parser.add_argument("--json", action="store_true", help="In danh sách công dân dạng JSON")
        parser.add_argument("--write-json", help="Ghi thêm danh sách công dân (JSON) vào tệp này")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            secret = Path(options["client_secret_file"]).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise CommandError(f"Không đọc được tệp client secret: {error.strerror}.") from error
        if len(secret) < 16:
            raise CommandError("Client secret phải dài ít nhất 16 ký tự.")
        with transaction.atomic():
            self._seed_citizens()
            self._register_portal(
                options["client_id"], secret, options["redirect_uri"], options["post_logout_redirect_uri"]
            )
        rows = [
            {"full_name": c.full_name, "id_number": c.id_number, "level": c.level}
            for c in DemoCitizen.objects.order_by("id")
        ]
        if options["write_json"]:
            Path(options["write_json"]).write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False))
            return
        self.stdout.write(f"Công dân thử nghiệm (mật khẩu chung: {settings.DEVIDP_DEMO_PASSWORD}):")
        for row in rows:
            self.stdout.write(f"  {row['id_number']}  {row['full_name']}  (mức {row['level']})")

    def _seed_citizens(self) -> None:
        users = get_user_model()
        for data in DEMO_CITIZENS:
            user, _ = users.objects.get_or_create(username=data["id_number"])
            if not user.check_password(settings.DEVIDP_DEMO_PASSWORD):
                user.set_password(settings.DEVIDP_DEMO_PASSWORD)
                user.save()
            DemoCitizen.objects.update_or_create(user=user, defaults=dict(data))

    def _register_portal(self, client_id: str, secret: str, redirect_uris: list[str], after_logout: list[str]) -> None:
        application = Application.objects.filter(client_id=client_id).first() or Application(client_id=client_id)
        application.name = "Cổng Một cửa (thử nghiệm)"
        application.client_type = Application.CLIENT_CONFIDENTIAL
        application.authorization_grant_type = Application.GRANT_AUTHORIZATION_CODE
        application.algorithm = Application.RS256_ALGORITHM
        application.redirect_uris = " ".join(redirect_uris)
        application.post_logout_redirect_uris = " ".join(after_logout)
        application.skip_authorization = True
        application.client_secret = secret  # hashed on save
        application.save()
