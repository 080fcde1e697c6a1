"""Reading an identity from verified claims, and the linking rules (subject, then ID number, then new)."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from django.core.exceptions import ValidationError

from congdan.claims import ClaimsError, Identity, identity_from_claims
from congdan.models import Citizen
from congdan.services import sign_in

ISSUER = "https://sso.dichvucong.gov.vn"
NOW = datetime(2026, 12, 6, 9, 0).astimezone()


def test_the_national_portal_vocabulary_is_read():
    identity = identity_from_claims(
        ISSUER,
        {
            "sub": "tech-1",
            "LoaiTaiKhoan": 1,
            "SoDinhDanh": "001085012345",
            "HoVaTen": "  Nguyễn   Văn An ",
            "NgayThangNamSinh": "12/04/1985",
            "loAs": 2,
            "email": "an@example.vn",
            "phone_number": "0912345678",
            "address": {"formatted": "Số 12 phố Hàng Bạc"},
        },
    )
    assert identity == Identity(
        ISSUER, "tech-1", "001085012345", "Nguyễn Văn An", date(1985, 4, 12), "2", "an@example.vn", "0912345678",
        "Số 12 phố Hàng Bạc",
    )  # fmt: skip


def test_vneid_claims_and_techid_fallback():
    identity = identity_from_claims(
        ISSUER, {"TechID": "t-9", "SoDinhDanh": "001192034567", "name": "Trần Thị Bích Ngọc", "IAL": "IAL2",
                 "birthdate": "1992-09-03"},
    )  # fmt: skip
    assert (identity.subject, identity.assurance_level, identity.date_of_birth) == ("t-9", "IAL2", date(1992, 9, 3))


@pytest.mark.parametrize(
    "claims, message",
    [
        ({"sub": "x", "LoaiTaiKhoan": "2", "SoDinhDanh": "001085012345", "HoVaTen": "A"}, "tổ chức, doanh nghiệp"),
        ({"SoDinhDanh": "001085012345", "HoVaTen": "A"}, "mã tài khoản"),
        ({"sub": "x", "SoDinhDanh": "12345", "HoVaTen": "A"}, "số định danh"),
        ({"sub": "x", "SoDinhDanh": "999085012345", "HoVaTen": "A"}, "số định danh"),
        ({"sub": "x", "SoDinhDanh": "001085012345"}, "họ và tên"),
    ],
)
def test_claims_that_identify_no_citizen_are_refused(claims, message):
    with pytest.raises(ClaimsError, match=message):
        identity_from_claims(ISSUER, claims)


def _identity(subject: str, number: str, name: str = "Nguyễn Văn An") -> Identity:
    return Identity(ISSUER, subject, number, name, None, "2", "not-an-email", "", "")


@pytest.mark.django_db
def test_linking_order_subject_then_id_number_then_new():
    created, how = sign_in(_identity("s-1", "001085012345"), now=NOW)
    assert how == "created" and created.email == ""  # a malformed e-mail is dropped
    again, how = sign_in(_identity("s-1", "001085012345", "Nguyễn Văn Ân"), now=NOW)
    assert (again.pk, how, again.full_name) == (created.pk, "signed_in", "Nguyễn Văn Ân")
    linked, how = sign_in(_identity("s-2", "001085012345"), now=NOW)
    assert (linked.pk, how, linked.subject) == (created.pk, "linked", "s-2")
    _, how = sign_in(_identity("s-3", "001192034567"), now=NOW)
    assert how == "created" and Citizen.objects.count() == 2


@pytest.mark.django_db
def test_an_account_that_now_carries_another_citizens_number_is_refused():
    sign_in(_identity("s-1", "001085012345"), now=NOW)
    sign_in(_identity("s-2", "001192034567"), now=NOW)
    with pytest.raises(ValidationError):
        sign_in(_identity("s-1", "001192034567"), now=NOW)
    assert Citizen.objects.get(subject="s-1").id_number == "001085012345"
