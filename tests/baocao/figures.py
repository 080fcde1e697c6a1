"""A figures dict in the shape of baocao.figures.ReportFigures (compile_figures), for tests about rendering.

The numbers are those of a real ward report (docs/report-06a.md §7, with the arithmetic of §3) split over
fields so that every row and the total add up.
"""

from __future__ import annotations

import copy
from typing import Any

KEYS = (
    "received_total",
    "received_online",
    "received_counter_post",
    "carried_over",
    "resolved_total",
    "early",
    "on_time",
    "late",
    "in_progress_total",
    "within_deadline",
    "overdue",
    "withdrawn_or_stopped",
)


def row(
    field_id: int | None,
    field: str,
    online: int,
    counter: int,
    carried: int,
    early: int,
    on_time: int,
    late: int,
    within: int,
    overdue: int,
    withdrawn: int = 0,
) -> dict[str, Any]:
    received = online + counter + carried
    resolved = early + on_time + late
    in_progress = within + overdue
    assert received == resolved + in_progress + withdrawn, field
    return {
        "field_id": field_id,
        "field": field,
        "received_total": received,
        "received_online": online,
        "received_counter_post": counter,
        "carried_over": carried,
        "resolved_total": resolved,
        "early": early,
        "on_time": on_time,
        "late": late,
        "in_progress_total": in_progress,
        "within_deadline": within,
        "overdue": overdue,
        "withdrawn_or_stopped": withdrawn,
    }


def total_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    return {"field_id": None, "field": "Tổng số", **{k: sum(r[k] for r in rows) for k in KEYS}}


def sample_figures() -> dict[str, Any]:
    rows = [
        row(1, "Chứng thực", 1250, 3980, 12, 300, 4900, 0, 40, 0, 2),
        row(2, "Hộ tịch", 520, 1410, 31, 120, 1740, 25, 70, 3, 3),
        row(3, "Đất đai", 40, 210, 18, 10, 200, 12, 40, 6, 0),
        row(4, "Bảo trợ xã hội", 88, 162, 5, 30, 201, 0, 24, 0, 0),
        row(5, "Thành lập và hoạt động của hộ kinh doanh", 301, 95, 2, 40, 340, 5, 13, 0, 0),
    ]
    previous_rows = [
        row(1, "Chứng thực", 800, 4100, 10, 250, 4600, 10, 50, 0, 0),
        row(2, "Hộ tịch", 300, 1500, 20, 100, 1650, 30, 38, 2, 0),
    ]
    total = total_of(rows)
    return {
        "period": {
            "start": "2025-12-15",
            "end": "2026-06-14",
            "label": "6 tháng đầu năm 2026 (15/12/2025 – 14/06/2026)",
        },
        "agencies": ["000.25.31.H26"],
        "rows": rows,
        "total": total,
        "indicators": {
            "online_share": 26.3,
            "early_or_on_time_share": 99.5,
            "apologies": 42,
            "apology_letters": 45,
            "procedures_published": 148,
            "feedback": {"received": 10, "resolved": 7},
            "results_by_post": 17,
            "paid_online_share": 12.5,
            "electronic_result_share": 78.3,
            "digitised_share": 36.2,
            "satisfaction": {
                "ratings": 820,
                "by_level": {
                    "very_satisfied": 600,
                    "satisfied": 210,
                    "neutral": 0,
                    "dissatisfied": 10,
                    "very_dissatisfied": 0,
                },
                "satisfied_percent": 98.78,
                "returned": 7000,
                "response_rate": 11.71,
            },
            "indicator_5_4": {"value": 98.2},
            "average_resolution": [],
            "top_procedures": [],
        },
        "previous_year": {
            "period": {"start": "2024-12-15", "end": "2025-06-14", "label": "6 tháng đầu năm 2025"},
            "total": total_of(previous_rows),
            "indicators": {},
        },
    }


def empty_figures() -> dict[str, Any]:
    figures = copy.deepcopy(sample_figures())
    figures["rows"] = []
    figures["total"] = total_of([])
    figures["previous_year"] = None
    return figures
