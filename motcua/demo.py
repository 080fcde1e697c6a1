"""Demo data: the real procedure list, a demo ward, one account per role. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction

from hoso.holiday_import import import_holidays
from motcua.constants import Role
from motcua.models import Agency, User
from motcua.services import create_agency, create_staff
from thutuc.constants import DocumentForm
from thutuc.importing import parse_procedure_file
from thutuc.models import Procedure, RequiredDocument
from thutuc.offers import invalidate_catalogue
from thutuc.services import ImportSummary, import_procedures, offer_procedures

DEMO_AGENCY_CODE = "000.00.01.H26"
DEMO_PASSWORD = "motcua-demo-2026"  # noqa: S105 — printed on start for the demo accounts


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    full_name: str


DEMO_ACCOUNTS = (
    DemoAccount("canbo", Role.CLERK, "Nguyễn Thị Lan"),
    DemoAccount("congchuc", Role.OFFICER, "Trần Văn Minh"),
    DemoAccount("lanhdao", Role.LEADER, "Lê Quang Huy"),
    DemoAccount("quantri", Role.ADMIN, "Phạm Thu Hà"),
)

# Papers for a few everyday procedures, so the intake checklist and public page have content.
DEMO_DOCUMENTS: dict[str, list[tuple[str, str, int, bool]]] = {
    "1.001193": [
        ("Tờ khai đăng ký khai sinh theo mẫu", DocumentForm.ORIGINAL, 1, True),
        (
            "Giấy chứng sinh (hoặc văn bản của người làm chứng, giấy cam đoan về việc sinh)",
            DocumentForm.ORIGINAL,
            1,
            True,
        ),
        ("Văn bản ủy quyền có chứng thực, nếu nộp thay", DocumentForm.ORIGINAL, 1, False),
    ],
    "1.000656": [
        ("Tờ khai đăng ký khai tử theo mẫu", DocumentForm.ORIGINAL, 1, True),
        ("Giấy báo tử hoặc giấy tờ thay thế giấy báo tử", DocumentForm.ORIGINAL, 1, True),
    ],
    "1.000894": [
        ("Tờ khai đăng ký kết hôn theo mẫu", DocumentForm.ORIGINAL, 1, True),
        ("Giấy xác nhận tình trạng hôn nhân, nếu đăng ký ở nơi không thường trú", DocumentForm.ORIGINAL, 1, False),
    ],
    "2.000815": [
        ("Bản chính giấy tờ, văn bản làm cơ sở để chứng thực bản sao", DocumentForm.ORIGINAL, 1, True),
        ("Bản sao cần chứng thực", DocumentForm.COPY, 1, True),
    ],
    "2.000884": [
        ("Giấy tờ, văn bản cần chứng thực chữ ký", DocumentForm.ORIGINAL, 1, True),
        ("Giấy tờ tùy thân còn giá trị sử dụng của người yêu cầu", DocumentForm.ORIGINAL_OR_CERTIFIED, 1, True),
    ],
}


# Procedures a citizen files online in practice (the national portal's khai sinh, khai tử, kết hôn,
# marital-status certificate, copies of civil-status extracts, electronic certified copies). The
# CSV has no channel column; the demo's catalogue gets the online channel here, on the first load
# only, so an administrator's later choice stays.
DEMO_ONLINE = ("1.001193", "1.000656", "1.000894", "1.004873", "2.000635", "2.000815")


def load_procedures() -> ImportSummary:
    path = settings.MOTCUA_DATA_DIR / "procedures_cap_xa.csv"
    return import_procedures(parsed=parse_procedure_file(path.read_bytes(), path.name))


def load_holidays() -> None:
    path = settings.MOTCUA_DATA_DIR / "holidays_vn.csv"
    import_holidays(data=path.read_bytes(), filename=path.name)


@transaction.atomic
def load_demo() -> tuple[Agency, ImportSummary]:
    summary = load_procedures()
    load_holidays()
    agency = Agency.objects.filter(code=DEMO_AGENCY_CODE).first()
    if agency is None:
        Procedure.objects.filter(code__in=DEMO_ONLINE).update(accepts_online=True)
        transaction.on_commit(invalidate_catalogue)
    agency = agency or create_agency(
        code=DEMO_AGENCY_CODE,
        name="Phường Hoàn Kiếm",
        parent_name="Thành phố Hà Nội",
        place_name="Hà Nội",
        address="Số 1 phố Demo, phường Hoàn Kiếm, Thành phố Hà Nội",
        phone="024 0000 0000",
        leader_name="Lê Quang Huy",
        leader_title="Chủ tịch",
    )
    offer_procedures(agency=agency)
    for code, documents in DEMO_DOCUMENTS.items():
        procedure = Procedure.objects.filter(code=code).first()
        if procedure is None or procedure.documents.exists():
            continue
        RequiredDocument.objects.bulk_create(
            RequiredDocument(procedure=procedure, position=i, name=name, form=form, quantity=qty, mandatory=required)
            for i, (name, form, qty, required) in enumerate(documents, start=1)
        )
        invalidate_catalogue()  # bulk_create sends no post_save
        transaction.on_commit(invalidate_catalogue)
    for account in DEMO_ACCOUNTS:
        user = User.objects.filter(username=account.username).first()
        if user is None:
            create_staff(
                agency=agency,
                username=account.username,
                role=account.role,
                password=DEMO_PASSWORD,
                full_name=account.full_name,
                check_password=False,
            )
        else:
            # The printed password must work even if someone changed it in an earlier demo.
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
    return agency, summary
