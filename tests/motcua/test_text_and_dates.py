"""Vietnamese folding, alphabetical order and document dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from motcua.lib.dates import date_short, date_words, datetime_words
from motcua.lib.text import fold, vi_sort_key


def test_fold_removes_every_diacritic_including_d_with_stroke():
    assert fold("  Đăng ký  KHAI SINH ") == "dang ky khai sinh"
    assert fold("Chứng thực bản sao từ bản chính") == "chung thuc ban sao tu ban chinh"


def test_vietnamese_order_puts_each_marked_letter_after_its_base_letter():
    words = ["Đất đai", "Dân tộc", "Ân", "Ăn", "An", "Bảo trợ", "Ơn", "Ôn", "On", "Uy", "Ưu", "Chứng thực", "Cấp"]
    assert sorted(words, key=vi_sort_key) == [
        "An",
        "Ăn",
        "Ân",
        "Bảo trợ",
        "Cấp",
        "Chứng thực",
        "Dân tộc",
        "Đất đai",
        "On",
        "Ôn",
        "Ơn",
        "Uy",
        "Ưu",
    ]


def test_tones_only_break_ties_between_the_same_letters():
    assert sorted(["mả", "ma", "mạ", "má", "mà", "mã", "mai"], key=vi_sort_key) == [
        "ma",
        "mà",
        "mả",
        "mã",
        "má",
        "mạ",
        "mai",
    ]


@pytest.mark.django_db
def test_the_database_sorts_field_names_in_vietnamese_order():
    from thutuc.models import Field
    from thutuc.selectors import vi_order

    for name in ["Đất đai", "Dân tộc", "Chứng thực", "Cấp", "Ưu đãi", "Uy tín"]:
        Field.objects.create(name=name)
    assert list(Field.objects.order_by(vi_order("name")).values_list("name", flat=True)) == [
        "Cấp",
        "Chứng thực",
        "Dân tộc",
        "Đất đai",
        "Uy tín",
        "Ưu đãi",
    ]


def test_document_dates_follow_decree_30_2020_padding():
    assert date_words(date(2020, 7, 17)) == "ngày 17 tháng 7 năm 2020"
    assert date_words(date(2025, 2, 5)) == "ngày 05 tháng 02 năm 2025"
    assert date_words(date(2025, 12, 1)) == "ngày 01 tháng 12 năm 2025"
    instant = datetime(2020, 7, 20, 7, 0, tzinfo=ZoneInfo("UTC"))  # 14:00 in Vietnam
    assert datetime_words(instant) == "14 giờ 00 phút, ngày 20 tháng 7 năm 2020"
    assert date_short(instant) == "20/07/2020"
