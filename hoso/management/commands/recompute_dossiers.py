"""python manage.py recompute_dossiers [--agency CODE] [--fix]

Rebuilds every dossier's clock columns (status, due times, supplement count, result ready,
timeliness…) and each event's recorded due time from the event rows, and reports every
difference. With --fix it writes the recomputed values (the events themselves never change).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from hoso.calendar_store import calendar_for
from hoso.clock import CLOCK_COLUMNS
from hoso.models import Dossier, DossierEvent
from hoso.recompute import expected_clock
from motcua.models import Agency


class Command(BaseCommand):
    help = "Tính lại các cột thời hạn của hồ sơ từ nhật ký sự kiện và báo mọi chênh lệch."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="Mã định danh cơ quan (mặc định: mọi cơ quan)")
        parser.add_argument("--fix", action="store_true", help="Ghi giá trị tính lại")

    def handle(self, *args: object, agency: str | None, fix: bool, **options: object) -> None:
        dossiers = Dossier.objects.exclude(received_at=None).order_by("pk")
        if agency:
            target = Agency.objects.filter(code=agency).first()
            if target is None:
                raise CommandError(f"Không có cơ quan mã {agency}.")
            dossiers = dossiers.filter(agency=target)
        checked = differing = 0
        for dossier in dossiers.iterator(chunk_size=500):
            events = list(DossierEvent.objects.filter(dossier=dossier).order_by("at", "id"))
            columns, event_dues = expected_clock(dossier, events, calendar_for(dossier.agency_id))
            changed = [name for name in CLOCK_COLUMNS if getattr(dossier, name) != columns[name]]
            stale_events = [e for e in events if e.due_at != event_dues.get(e.pk)]
            checked += 1
            if not changed and not stale_events:
                continue
            differing += 1
            for name in changed:
                self.stdout.write(f"{dossier}: {name} {getattr(dossier, name)!r} → {columns[name]!r}")
            if stale_events:
                self.stdout.write(f"{dossier}: {len(stale_events)} sự kiện ghi hạn khác với tính lại")
            if fix:
                with transaction.atomic():
                    for name in changed:
                        setattr(dossier, name, columns[name])
                    if changed:
                        dossier.save(update_fields=changed)
                    for event in stale_events:
                        # The recorded due time is derived data; the event itself (who, what, when) stays.
                        DossierEvent.objects.filter(pk=event.pk).update(due_at=event_dues[event.pk])
        verb = "đã sửa" if fix else "cần sửa"
        self.stdout.write(f"Đã kiểm tra {checked} hồ sơ; {differing} hồ sơ {verb}.")
