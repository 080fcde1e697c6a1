"""python manage.py due_date --received "2025-01-24 16:20" (--procedure CODE | --days N …) [--json]

For support staff: the appointment a citizen would be given, with its explanation.
"""

from __future__ import annotations

import json
from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError, CommandParser

from hoso.calendar_store import calendar_for, unconfirmed_years
from hoso.limits import procedure_limit
from hoso.workcalendar import VN_TZ, Limit, Unit, due_at
from motcua.models import Agency
from thutuc.models import Procedure


def parse_instant(text: str) -> datetime:
    """ISO 8601 date-time; without an offset it is Vietnam time."""
    try:
        value = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise CommandError(f"Thời điểm “{text}” không đúng dạng YYYY-MM-DD HH:MM.") from exc
    return value if value.tzinfo else value.replace(tzinfo=VN_TZ)


class Command(BaseCommand):
    help = "Tính ngày hẹn trả kết quả theo lịch làm việc của cơ quan, kèm diễn giải."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--agency", help="Mã định danh cơ quan (bỏ qua được khi chỉ có một cơ quan)")
        parser.add_argument("--received", required=True, help='Thời điểm tiếp nhận, ví dụ "2025-01-24 16:20"')
        target = parser.add_mutually_exclusive_group(required=True)
        target.add_argument("--procedure", help="Mã thủ tục")
        target.add_argument("--days", type=int, help="Thời hạn (số)")
        parser.add_argument("--unit", choices=[u.value for u in Unit], default=Unit.WORKING_DAYS.value)
        parser.add_argument("--cutoff", help="Giờ chốt HH:MM (thủ tục trong ngày)")
        parser.add_argument(
            "--channel",
            type=int,
            choices=[1, 2, 3],
            default=1,
            help="Kênh nộp (với --procedure): 1 trực tiếp, 2 trực tuyến, 3 bưu chính; thời hạn có thể khác nhau",
        )
        parser.add_argument("--json", action="store_true", dest="as_json")

    def handle(self, *args: object, **o: object) -> None:
        agency = self._agency(o["agency"])
        received = parse_instant(str(o["received"]))
        if o["procedure"]:
            procedure = Procedure.objects.filter(code=o["procedure"]).first()
            if procedure is None:
                raise CommandError(f"Không có thủ tục mã {o['procedure']}.")
            limit = procedure_limit(procedure, agency, int(o["channel"]))
            if limit is None:
                shown = procedure.time_limit_text or "chưa công bố"
                raise CommandError(
                    f"Thủ tục {procedure.code} không có thời hạn tính được ({shown}); "
                    "cán bộ tự nhập ngày hẹn khi tiếp nhận."
                )
        else:
            limit = self._limit(int(o["days"]), str(o["unit"]), o["cutoff"])
        calendar = calendar_for(agency.pk if agency else None)
        try:
            due = due_at(calendar, received, limit)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        unconfirmed = unconfirmed_years(calendar, received.astimezone(VN_TZ).year, due.at.year)
        if o["as_json"]:
            payload = {
                "agency": agency.code if agency else None,
                "received_at": received.astimezone(VN_TZ).isoformat(),
                "limit": {
                    "value": limit.value,
                    "unit": limit.unit.value,
                    "cutoff": limit.cutoff.strftime("%H:%M") if limit.cutoff else None,
                },
                "due_at": due.at.isoformat(),
                "explanation": list(due.steps),
                "unconfirmed_years": unconfirmed,
            }
            self.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2))
            return
        for step in due.steps:
            self.stdout.write(f"- {step}")
        self.stdout.write(f"Hạn trả: {due.at:%H:%M %d/%m/%Y} ({due.at.isoformat()})")
        for year in unconfirmed:
            self.stderr.write(f"Cảnh báo: lịch nghỉ năm {year} chưa được xác nhận (tính theo quy luật).")

    def _agency(self, code: object) -> Agency | None:
        if code:
            agency = Agency.objects.filter(code=code).first()
            if agency is None:
                raise CommandError(f"Không có cơ quan mã {code}.")
            return agency
        agencies = list(Agency.objects.all()[:2])
        if len(agencies) > 1:
            raise CommandError("Có nhiều cơ quan: chọn một bằng --agency <mã định danh>.")
        return agencies[0] if agencies else None

    def _limit(self, days: int, unit: str, cutoff: object) -> Limit:
        if days < 0:
            raise CommandError("Thời hạn không được âm.")
        parsed = None
        if cutoff:
            try:
                parsed = time.fromisoformat(str(cutoff))
            except ValueError as exc:
                raise CommandError(f"Giờ chốt “{cutoff}” không đúng dạng HH:MM.") from exc
        if unit == Unit.SAME_DAY and days:
            raise CommandError("Thủ tục trong ngày dùng --days 0.")
        if parsed is not None and unit != Unit.SAME_DAY:
            raise CommandError("Giờ chốt (--cutoff) chỉ dùng cho thủ tục trong ngày (--days 0 --unit same_day).")
        return Limit(value=days, unit=Unit(unit), cutoff=parsed)
