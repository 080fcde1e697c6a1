"""python manage.py compile_report --agency <mã> […] --from YYYY-MM-DD --to YYYY-MM-DD [--format json] [-o FILE]

Prints (or writes) the figures of `baocao.figures.compile_figures` for the agencies and the
period. ``--agency all`` takes every agency. Instead of --from/--to a named period can be given
with ``--period KIND --year Y [--number N]`` (kinds of `baocao.periods.PERIOD_KINDS`).
Formats: json (default, UTF-8, indent 2), pdf and xlsx (from `baocao.exports`; they need -o).
A period not over yet is counted up to now ("provisional", "counted_until_text" in the JSON).
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from baocao import exports
from baocao.figures import PeriodNotStarted, ReportFigures, compile_figures
from baocao.periods import PERIOD_KINDS, Period, custom, parse_period
from motcua.databases import reading_from_replica
from motcua.models import Agency

FORMATS = ("json", "pdf", "xlsx")


def _day(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"{option}: ngày “{value}” không đúng dạng YYYY-MM-DD.") from exc


class Command(BaseCommand):
    help = "Tổng hợp số liệu báo cáo (Biểu II.06a và các chỉ số QĐ 766) cho một hoặc nhiều cơ quan."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--agency",
            action="append",
            required=True,
            help="Mã định danh cơ quan; lặp lại cho nhiều cơ quan; “all” = mọi cơ quan.",
        )
        parser.add_argument("--from", dest="start", help="Ngày bắt đầu kỳ báo cáo, YYYY-MM-DD (tính cả ngày này).")
        parser.add_argument("--to", dest="end", help="Ngày kết thúc kỳ báo cáo, YYYY-MM-DD (tính cả ngày này).")
        parser.add_argument("--period", choices=sorted(PERIOD_KINDS), help="Kỳ báo cáo có tên thay cho --from/--to.")
        parser.add_argument("--year", type=int, help="Năm của kỳ báo cáo (với --period).")
        parser.add_argument("--number", type=int, help="Số thứ tự kỳ: 6 tháng 1–2, quý 1–4, tháng 1–12.")
        parser.add_argument("--format", choices=FORMATS, default="json", help="json (mặc định), pdf hoặc xlsx.")
        parser.add_argument("-o", "--output", help="Ghi ra tệp thay vì in ra màn hình.")

    def handle(self, *args: object, **options: Any) -> None:
        agency_ids = self._agencies(options["agency"])
        period = self._period(options)
        try:
            with reading_from_replica():  # the replica, when one is configured (motcua/databases.py)
                figures = compile_figures(agency_ids=agency_ids, period=period)
        except PeriodNotStarted as exc:
            raise CommandError(str(exc)) from exc
        if options["format"] == "json":
            text = json.dumps(figures, ensure_ascii=False, indent=2)
            if options["output"]:
                Path(options["output"]).write_text(text + "\n", encoding="utf-8")
                self.stderr.write(f"Đã ghi {options['output']}.")
            else:
                self.stdout.write(text)
            return
        # The issuing body on the PDF's header: the first agency named (a district view is
        # issued by whoever compiles it).
        issuer = Agency.objects.get(pk=agency_ids[0])
        content = self._render(options["format"], figures, issuer, period)
        if not options["output"]:
            raise CommandError(f"Định dạng {options['format']} là tệp nhị phân: hãy chỉ định tệp ghi ra bằng -o TỆP.")
        Path(options["output"]).write_bytes(content)
        self.stderr.write(f"Đã ghi {options['output']} ({len(content):,} byte).")

    def _agencies(self, codes: list[str]) -> list[int]:
        if any(code.strip().lower() == "all" for code in codes):
            ids = list(Agency.objects.order_by("code").values_list("pk", flat=True))
            if not ids:
                raise CommandError("Chưa có cơ quan nào trong hệ thống.")
            return ids
        wanted = list(dict.fromkeys(code.strip() for code in codes))
        found = dict(Agency.objects.filter(code__in=wanted).values_list("code", "pk"))
        missing = [code for code in wanted if code not in found]
        if missing:
            raise CommandError(f"Không tìm thấy cơ quan có mã: {', '.join(missing)}.")
        return [found[code] for code in wanted]

    def _period(self, options: dict[str, Any]) -> Period:
        try:
            if options["period"]:
                if options["start"] or options["end"]:
                    raise CommandError("Chỉ dùng một cách chọn kỳ: --period hoặc --from/--to.")
                if options["year"] is None:
                    raise CommandError("--period cần --year.")
                return parse_period(options["period"], options["year"], options["number"])
            if not options["start"] or not options["end"]:
                raise CommandError("Hãy chọn kỳ báo cáo: --from YYYY-MM-DD --to YYYY-MM-DD (hoặc --period).")
            return custom(_day(options["start"], "--from"), _day(options["end"], "--to"))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc

    def _render(self, fmt: str, figures: ReportFigures, issuer: Agency, period: Period) -> bytes:
        if fmt == "pdf":
            # A named period is named in the title ("6 tháng đầu năm 2026"), as in a ward's report.
            kind = period.kind if period.kind != "custom" else None
            return exports.render_pdf(figures, agency=issuer, period_kind=kind)
        return exports.render_xlsx(figures, agency=issuer)
