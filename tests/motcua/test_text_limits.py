"""Helpers for free text: invisible, bidi-override and control characters; names with letters; numbers."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from motcua.constants import Role
from motcua.lib.identity import validate_name
from motcua.lib.text import clean_text, has_letter, normalise_spaces, personal_number_in
from motcua.services import create_staff


def test_one_line_text_loses_bidi_overrides_control_and_invisible_characters():
    assert normalise_spaces("\u202eNguyễn\u2066 Văn\u2069\x00 An\u200b\x1b") == "Nguyễn Văn An"


def test_free_text_keeps_its_lines_but_loses_bidi_and_control_characters():
    assert clean_text("  Dòng một\u202e  \r\n\r\n  Dòng\x07 hai\u200f\n\n") == "Dòng một\n\n  Dòng hai"


@pytest.mark.parametrize("name", ["\u202e\u202d", "!!!", "...", "\u200b", "\x07", "123", "★☆", "-- ''"])
def test_a_name_without_a_letter_is_refused_in_vietnamese(name):
    with pytest.raises(ValidationError, match="phải có chữ cái"):
        validate_name(name)


@pytest.mark.parametrize("name", ["Nguyễn Văn An", "H'Hen Niê", "Ka Sô Liễng", "Công ty TNHH 3A", "李"])
def test_real_names_pass(name):
    assert validate_name(name) == name and has_letter(name)


@pytest.mark.parametrize(
    ("text", "found"),
    [
        ("Gọi 0912 345 678", "0912 345 678"),
        ("CCCD 001099012345", "001099012345"),
        ("số ０９１２３４５６７８", "0912345678"),
        ("Thư an@example.vn", "an@example.vn"),
        ("Hẹn ngày 03/03/2025, lệ phí 50.000 đồng", ""),
        ("Bản sao giấy khai sinh (02 bản)", ""),
    ],
)
def test_a_number_that_looks_like_an_id_or_a_phone_is_found(text, found):
    assert personal_number_in(text) == found


@pytest.mark.django_db
def test_a_staff_name_of_symbols_or_bidi_characters_is_refused_and_a_real_one_cleaned(agency):
    with pytest.raises(ValidationError) as caught:
        create_staff(
            agency=agency, username="x1", role=Role.CLERK, password="", full_name="\u202e!!! ???", check_password=False
        )
    assert "phải có chữ cái" in str(caught.value)
    user = create_staff(
        agency=agency,
        username="x2",
        role=Role.CLERK,
        password="",
        full_name="Nguyễn Thị\u202e Lan",
        check_password=False,
    )
    assert (user.last_name, user.first_name) == ("Nguyễn Thị", "Lan")


@pytest.mark.django_db
def test_the_wards_names_lose_bidi_characters_and_need_a_letter(agency):
    agency.name = "Phường\u202e Hoàn Kiếm\x00"
    agency.full_clean()
    assert agency.name == "Phường Hoàn Kiếm"
    agency.leader_name = "\u2066???\u2069"
    with pytest.raises(ValidationError) as caught:
        agency.full_clean()
    assert "Họ tên lãnh đạo phải có chữ cái" in caught.value.message_dict["leader_name"][0]
