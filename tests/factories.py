"""factory_boy factories for the models every test needs, and the official holiday table read once."""

from __future__ import annotations

from datetime import date
from functools import cache

import factory
from django.conf import settings

from hoso.calendar_store import invalidate_calendars
from hoso.holiday_import import parse_holidays
from hoso.models import CalendarDay
from motcua.constants import Role
from motcua.models import Agency, User
from thutuc.constants import TimeUnit
from thutuc.models import AgencyProcedure, Field, Procedure, RequiredDocument

PASSWORD = "mat-khau-thu-nghiem-2026"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"000.{n // 100 % 100:02d}.{n % 100:02d}.H26")
    name = factory.Sequence(lambda n: f"Phường Thử Nghiệm {n}")
    parent_name = "Thành phố Hà Nội"
    place_name = "Hà Nội"
    address = "Số 1 phố Thử Nghiệm"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"canbo{n}")
    first_name = "An"
    last_name = "Nguyễn Văn"
    agency = factory.SubFactory(AgencyFactory)
    role = Role.CLERK
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class FieldFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Field
        django_get_or_create = ("name",)

    name = "Hộ tịch"


class ProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Procedure

    code = factory.Sequence(lambda n: f"9.{n:06d}")
    name = factory.Sequence(lambda n: f"Thủ tục thử nghiệm số {n}")
    field = factory.SubFactory(FieldFactory)
    time_limit_text = "3 ngày làm việc"
    time_limit_value = 3
    time_limit_unit = TimeUnit.WORKING_DAYS
    fee_text = "Miễn phí"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        obj = model_class(*args, **kwargs)
        obj.full_clean()
        obj.save()
        return obj


class RequiredDocumentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RequiredDocument

    procedure = factory.SubFactory(ProcedureFactory)
    name = "Tờ khai theo mẫu"


class AgencyProcedureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyProcedure

    agency = factory.SubFactory(AgencyFactory)
    procedure = factory.SubFactory(ProcedureFactory)


@cache
def official_holidays() -> tuple[tuple[date, str, str, str], ...]:
    """The shipped national holiday table (date, kind, name, source), parsed once per test session
    by the import's own parser."""
    path = settings.MOTCUA_DATA_DIR / "holidays_vn.csv"
    days, errors = parse_holidays(path.read_bytes(), path.name)
    assert not errors, errors
    return tuple((day.date, day.kind, day.name, day.source_url) for day in days)


def load_holidays() -> None:
    """The national rows `motcua.demo.load_holidays` writes, from the session's one parse.

    For tests that read the official calendar; tests of the holiday import itself call the real
    import. Dates already present are left as they are; the cached calendars are dropped at once.
    """
    present = set(CalendarDay.objects.filter(agency=None).values_list("date", flat=True))
    CalendarDay.objects.bulk_create(
        CalendarDay(date=day, kind=kind, name=name, source_url=source)
        for day, kind, name, source in official_holidays()
        if day not in present
    )
    invalidate_calendars()
