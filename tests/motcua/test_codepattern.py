"""The ward's dossier code pattern: only the documented fields, codes that can never collide."""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from motcua.constants import DEFAULT_DOSSIER_CODE_PATTERN
from motcua.lib import codepattern
from tests.adminforms import page_data

REFUSED = {
    "{date.__class__}": "không dùng được",
    "{0.__class__}": "không dùng được",
    "{agency.__init__.__globals__}": "không dùng được",
    "{agency!r}-{date:%y%m%d}-{seq:04d}": "không dùng được",
    "{agency}-{date}-{seq}": "không dùng được",
    "{agency}-{date:%j}-{seq:04d}": "không dùng được",
    "{agency}-{date:%y%m%d}-{seq:0999999d}": "không dùng được",
    "{agency}-{date:%y%m%d}-{seq:03d}": "không dùng được",
    "{agency}-{date:%y%m%d}-{seq:07d}": "không dùng được",
    "{agency}-{date:%y%m%d}-{seq:04d}-{nam}": "không dùng được",
    "{agency}-{date:%y%m%d}-{seq:04d}{": "không thành cặp",
    "{agency}-{date:%y%m%d}-{seq:04d}}": "không thành cặp",
    "{agency} {date:%y%m%d}-{seq:04d}": "Ký tự “ ”",
    "{agency}-1{date:%y%m%d}-{seq:04d}": "Ký tự “1”",
    "{agency}/{date:%y%m%d}/{seq:04d}": "Ký tự “/”",
    "{agency}-{date:%y%m%d}-{seq:04d}-Đ": "Ký tự “Đ”",
    "{agency}-{seq:04d}": "phải có đúng một lần",
    "HS-{date:%Y%m%d}-{seq:05d}": "phải có đúng một lần",
    "{agency}-{date:%y%m%d}-{seq:04d}-{agency}": "phải có đúng một lần",
    "HS{agency}-{date:%y%m%d}-{seq:04d}": "phải bắt đầu bằng {agency}",
    "{agency}-{seq:04d}-{date:%y%m%d}": "phải bắt đầu bằng {agency}",
    "{agency}{date:%y%m%d}{seq:04d}": "ít nhất một ký tự ngăn cách",
    "{agency}-{date:%y%m%d}-" + "X" * 30 + "{seq:04d}": "dài quá",
}


@pytest.mark.parametrize(("pattern", "message"), REFUSED.items())
def test_a_pattern_outside_the_documented_fields_is_refused_in_vietnamese(pattern, message):
    with pytest.raises(ValidationError) as caught:
        codepattern.parse(pattern)
    assert message in caught.value.messages[0]


def test_the_default_pattern_makes_exactly_the_codes_it_made_before():
    pattern = codepattern.parse(DEFAULT_DOSSIER_CODE_PATTERN)
    for day, seq in itertools.product((date(2025, 3, 3), date(2009, 12, 31)), (1, 42, 9999, 10000, 123456)):
        expected = DEFAULT_DOSSIER_CODE_PATTERN.format(agency="000.25.31.H49", date=day, seq=seq)
        assert pattern.render("000.25.31.H49", day, seq) == expected
    assert pattern.render("000.25.31.H49", date(2025, 3, 3), 1) == "000.25.31.H49-250303-0001"


def test_no_two_dossiers_get_the_same_code_whatever_valid_patterns_the_wards_use():
    """Every valid pattern shape, two wards, days and numbers around the widths: codes never repeat."""
    patterns = [
        codepattern.parse(f"{{agency}}{after}{{date:{fmt}}}{between}{{seq:0{width}d}}{suffix}")
        for after, fmt, between, width, suffix in itertools.product(
            ("", "-", "-HS", "."), ("%y%m%d", "%Y%m%d"), ("-", "_", "X"), (4, 5, 6), ("", "-A")
        )
    ]
    wards = ("000.25.31.H26", "000.25.32.H26")
    days = (date(2025, 3, 3), date(2025, 12, 31), date(2024, 1, 1), date(2003, 12, 1))
    numbers = (1, 12, 9999, 10000, 123456, 250303, 240101)
    owner: dict[str, tuple[str, date, int]] = {}
    for pattern, ward, day, seq in itertools.product(patterns, wards, days, numbers):
        code = pattern.render(ward, day, seq)
        assert owner.setdefault(code, (ward, day, seq)) == (ward, day, seq), code
        assert len(code) <= 60  # Dossier.code's column
    assert len(owner) > 5_000


def test_the_agency_form_refuses_a_bad_pattern_and_keeps_the_old_one(client, ward_admin, agency):
    client.force_login(ward_admin)
    url = reverse("admin:motcua_agency_change", args=[agency.pk])
    fields = [
        "code",
        "name",
        "parent_name",
        "desk_name",
        "address",
        "place_name",
        "phone",
        "email",
        "opening_hours",
        "leader_name",
        "leader_title",
    ]
    # The page as the browser sends it back (the ward's sessions and days are inlines on it).
    form = page_data(client.get(url)) | {name: getattr(agency, name) for name in fields} | {"active": "on"}
    response = client.post(url, {**form, "dossier_code_pattern": "{agency}-{date.__class__}-{seq:04d}"})
    assert response.status_code == 200
    assert "Trường “{date.__class__}” không dùng được trong mẫu mã hồ sơ" in response.content.decode()
    agency.refresh_from_db()
    assert agency.dossier_code_pattern == DEFAULT_DOSSIER_CODE_PATTERN
    good = "{agency}-{date:%Y%m%d}-{seq:05d}"
    assert client.post(url, {**form, "dossier_code_pattern": good}).status_code == 302
    agency.refresh_from_db()
    assert agency.dossier_code_pattern == good
