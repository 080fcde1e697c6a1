"""A citizen on a phone signs in at the development identity provider and submits a dossier with an upload."""

from __future__ import annotations

import pytest

from hoso.models import Dossier
from motcua.demo import load_demo
from tests.devidp import AN
from tests.e2e.citizen import sign_in_at_devidp
from tests.e2e.test_accessibility import violations
from tests.tructuyen.samples import JPEG, PDF
from thutuc.models import Procedure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_a_citizen_submits_a_dossier_from_a_phone(phone_page, settings, devidp_server, devidp_portal, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    procedure = Procedure.objects.get(code="1.001193")
    procedure.accepts_online = True
    procedure.save(update_fields=["accepts_online"])
    base = devidp_portal

    page = phone_page
    page.goto(f"{base}/nop-ho-so/")
    sign_in_at_devidp(page, devidp_server.issuer)

    page.wait_for_url(f"{base}/nop-ho-so/")
    page.get_by_label("Tìm thủ tục theo tên hoặc mã").fill("khai sinh")
    page.get_by_role("button", name="Tìm thủ tục").click()
    page.locator("#danh-sach-thu-tuc").get_by_text(procedure.display_name, exact=True).click()
    assert violations(page) == []
    page.get_by_role("button", name="Bắt đầu soạn hồ sơ").click()

    page.wait_for_url("**/nguoi-nop/")
    assert AN[1] in page.locator("#danh-tinh").inner_text()
    page.get_by_label("Địa chỉ liên hệ").fill("Số 5 phố Hàng Bạc, Hoàn Kiếm")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    page.wait_for_url("**/giay-to/")
    inputs = page.locator("input[type=file]")
    slots = inputs.count()  # the procedure's papers and "Giấy tờ khác"
    for index in range(slots):
        inputs.nth(index).set_input_files(
            {"name": f"giay-{index}.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
            if index % 2
            else {"name": f"giay-{index}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
    assert violations(page) == []
    page.get_by_role("button", name="Tải lên và tiếp tục").click()

    page.wait_for_url("**/nhan-ket-qua/")
    page.get_by_label("Nhận kết quả điện tử").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()

    page.wait_for_url("**/xem-lai/")
    assert "giay-0.pdf" in page.locator("#tom-tat").inner_text()
    page.get_by_label("Tôi xin cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()

    page.wait_for_url("**/nop-ho-so/da-nop/**")
    dossier = Dossier.objects.get()
    assert page.locator("#ma-ho-so").inner_text() == dossier.code
    assert page.locator("#ma-tra-cuu").inner_text() == dossier.lookup_key
    assert dossier.files.count() == slots >= 2
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    assert violations(page) == []
    page.screenshot(path=str(tmp_path / "da-nop.png"), full_page=True)

    page.get_by_role("link", name="Về Hồ sơ của tôi").click()
    page.wait_for_url(f"{base}/ho-so-cua-toi/")
    assert dossier.code in page.locator("#ho-so-cua-toi").inner_text()
