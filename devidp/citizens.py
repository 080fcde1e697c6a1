"""The three demo citizens of the development provider (fictitious people, valid-looking ID numbers)."""

from __future__ import annotations

from datetime import date
from typing import TypedDict


class DemoCitizenData(TypedDict):
    tech_id: str
    id_number: str
    full_name: str
    birth_date: date
    level: int
    email: str
    phone: str
    address: str


DEMO_CITIZENS: list[DemoCitizenData] = [
    {
        "tech_id": "vneid-demo-0001",
        "id_number": "001085012345",
        "full_name": "Nguyễn Văn An",
        "birth_date": date(1985, 4, 12),
        "level": 2,
        "email": "nguyenvanan@example.vn",
        "phone": "0912345678",
        "address": "Số 12 phố Hàng Bạc, phường Hoàn Kiếm, Hà Nội",
    },
    {
        "tech_id": "vneid-demo-0002",
        "id_number": "001192034567",
        "full_name": "Trần Thị Bích Ngọc",
        "birth_date": date(1992, 9, 3),
        "level": 2,
        "email": "tranbichngoc@example.vn",
        "phone": "0987123456",
        "address": "Số 5 ngõ Huế, phường Hoàn Kiếm, Hà Nội",
    },
    {
        "tech_id": "vneid-demo-0003",
        "id_number": "001301056789",
        "full_name": "Lê Minh Châu",
        "birth_date": date(2001, 1, 27),
        "level": 1,
        "email": "",
        "phone": "0356789012",
        "address": "Số 30 phố Lý Thái Tổ, phường Hoàn Kiếm, Hà Nội",
    },
]
