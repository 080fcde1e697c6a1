"""The public catalogue: search without diacritics, field filter, a printable detail page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from motcua.demo import load_demo
from thutuc.models import Procedure

pytestmark = pytest.mark.django_db


def codes_in(response) -> list[str]:
    return re.findall(r"Mã (\d+\.\d{6})", response.content.decode())


@pytest.mark.parametrize(
    "query", ["dang ky khai sinh", "Đăng ký khai sinh", "DANG KY KHAI SINH", "  đăng   ký khai sinh "]
)
def test_search_ignores_case_and_diacritics_and_ranks_the_birth_registration_first(client, real_catalogue, query):
    response = client.get(reverse("thutuc:list"), {"q": query})
    assert response.status_code == 200
    codes = codes_in(response)
    assert codes[0] == "1.001193"
    # Every hit contains the words; the combined procedures (khai sinh + nhận cha, mẹ, con…) follow.
    assert len(codes) > 1 and len(set(codes)) == len(codes)


def test_search_matches_codes(client, real_catalogue):
    response = client.get(reverse("thutuc:list"), {"q": "2.000815"})
    assert codes_in(response) == ["2.000815"]


def test_the_field_filter_lists_only_that_field(client, real_catalogue):
    field = Procedure.objects.get(code="2.000815").field
    response = client.get(reverse("thutuc:list"), {"linh_vuc": field.pk})
    expected = set(Procedure.objects.filter(field=field).values_list("code", flat=True))
    assert set(codes_in(response)) == expected and len(expected) == 12


def test_the_list_without_a_query_counts_every_active_procedure(client, real_catalogue):
    response = client.get(reverse("thutuc:list"))
    assert "148 thủ tục đang áp dụng" in response.content.decode()


def test_nonsense_and_odd_input_get_a_friendly_empty_answer(client, real_catalogue):
    odd = (
        {"q": "zzzz qqqq"},
        {"q": "%_[(*"},
        {"q": "\u0301"},  # a lone combining accent: folds to nothing
        {"linh_vuc": "abc"},
        {"linh_vuc": "99999999999999999999"},  # past any integer column
        {"linh_vuc": "²"},
        {"trang": "99999"},
        {"q": "x" * 5000},
    )
    for params in odd:
        response = client.get(reverse("thutuc:list"), params)
        assert response.status_code == 200


def test_a_null_character_in_the_address_gets_the_bad_request_page(client, real_catalogue):
    for url in ("/thu-tuc/?q=%00", "/thu-tuc/%00/", "/tra-cuu/%00/?k=ABC", "/danh-gia/%00abc/"):
        response = client.get(url)
        assert response.status_code == 400 and "Yêu cầu không hợp lệ" in response.content.decode()


def test_a_code_typed_without_its_dot_is_found(client, real_catalogue):
    assert codes_in(client.get(reverse("thutuc:list"), {"q": "2000815"}))[0] == "2.000815"


def test_the_detail_page_shows_documents_limit_fee_and_where_to_apply(client):
    load_demo()
    response = client.get(reverse("thutuc:detail", args=["1.001193"]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Đăng ký khai sinh" in html
    assert "Giấy chứng sinh" in html  # a required document
    assert "Ngay trong ngày tiếp nhận hồ sơ" in html  # the time limit
    assert "Nhận sau 15:00 trả ngày làm việc tiếp theo" in html
    assert "Miễn phí" in html
    assert "Phường Hoàn Kiếm" in html  # where to apply
    assert "@media print" not in html and "data-print" in html  # the print button (static/js/motcua.js)


def test_unknown_or_inactive_procedures_are_not_found(client, real_catalogue):
    Procedure.objects.filter(code="1.001193").update(active=False)
    assert client.get(reverse("thutuc:detail", args=["1.001193"])).status_code == 404
    assert client.get(reverse("thutuc:detail", args=["9.999999"])).status_code == 404
    assert "1.001193" not in codes_in(client.get(reverse("thutuc:list"), {"q": "khai sinh"}))


def test_pages_load_no_asset_from_another_host(client, real_catalogue):
    html = client.get(reverse("thutuc:list")).content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+\.(?:css|js))"', html)
    assert sources and all(s.startswith("/static/") for s in sources)


def test_citizens_read_the_published_limit_and_fee_without_the_compilers_notes(client, real_catalogue):
    html = client.get(reverse("thutuc:detail", args=["1.000893"])).content.decode()
    assert "CSDLQG" not in html
    assert "5 (văn bản công bố không ghi rõ đơn vị thời gian)" in html
    assert "Miễn phí (mức lệ phí cụ thể do HĐND cấp tỉnh quyết định)" in html
