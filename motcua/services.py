"""Writes for agencies and staff; the admin, commands and tests call these."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.db import transaction

from .models import Agency, User


@transaction.atomic
def create_agency(*, code: str, name: str, **details: str) -> Agency:
    """Create a ward. Raises ValidationError (Vietnamese messages) on a bad or duplicate code."""
    agency = Agency(code=code.strip(), name=name.strip(), **{k: v for k, v in details.items() if v is not None})
    agency.full_clean()
    agency.save()
    return agency


@transaction.atomic
def create_staff(
    *,
    agency: Agency | None,
    username: str,
    role: str,
    password: str,
    full_name: str = "",
    email: str = "",
    check_password: bool = True,
) -> User:
    """Create a member of staff of one ward with a role; admins also get the Django admin."""
    first, _, last = full_name.strip().rpartition(" ")
    user = User(
        username=username.strip(),
        agency=agency,
        role=role,
        # Vietnamese order: family and middle names first, given name last.
        last_name=first if first else "",
        first_name=last,
        email=email.strip(),
    )
    user.set_staff_flag()
    if check_password:
        validate_password(password, user)
    user.set_password(password)
    user.full_clean()
    user.save()
    return user
