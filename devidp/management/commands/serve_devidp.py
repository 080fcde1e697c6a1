"""Migrates and serves the development identity provider on its loopback address (DEVIDP_HOST:DEVIDP_PORT)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Chạy nhà cung cấp định danh thử nghiệm, chỉ trên địa chỉ loopback (DEVIDP_HOST, DEVIDP_PORT)."

    def handle(self, *args: Any, **options: Any) -> None:
        # settings refuse a host that is not loopback; the server binds only there.
        call_command("migrate", interactive=False, verbosity=0)
        host = settings.DEVIDP_HOST
        address = f"[{host}]" if ":" in host else host
        self.stdout.write(f"Nhà cung cấp định danh thử nghiệm: {settings.DEVIDP_ISSUER}")
        call_command("runserver", f"{address}:{settings.DEVIDP_PORT}", use_reloader=False, use_ipv6=":" in host)
