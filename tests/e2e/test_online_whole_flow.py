"""The whole online flow in Chromium: a citizen on a phone signs in at the development identity provider and
submits with uploads; the clerk reviews and accepts it at the desk; the officer attaches the result; the citizen
downloads the very bytes the officer attached from "Hồ sơ của tôi"."""

from __future__ import annotations

import pytest

from hoso.constants import Status
from hoso.models import Dossier
from motcua.demo import load_demo
from tests.e2e.citizen import citizen_signs_in
from tests.e2e.test_accessibility import violations
from tests.e2e.test_desk_flow import act, login
from tests.tructuyen.samples import JPEG, PDF
from thutuc.models import Procedure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

# A different, still valid PDF (a comment line), so the download is known to be the result, not a paper.
RESULT = PDF.replace(b"\n", b"\n% Ket qua giai quyet ho so\n", 1)


def submit_online(page, procedure: Procedure) -> tuple[str, int]:
    """Through the /nop-ho-so/ wizard, PDFs and JPEGs in turn; the code shown and the number of files."""
    page.get_by_label("Tìm thủ tục theo tên hoặc mã").fill("khai sinh")
    page.get_by_role("button", name="Tìm thủ tục").click()
    page.locator("#danh-sach-thu-tuc").get_by_text(procedure.display_name, exact=True).click()
    page.get_by_role("button", name="Bắt đầu soạn hồ sơ").click()
    page.wait_for_url("**/nguoi-nop/")
    page.get_by_label("Địa chỉ liên hệ").fill("Số 5 phố Hàng Bạc, Hoàn Kiếm")
    page.get_by_label("Số điện thoại").fill("0912345678")
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url("**/giay-to/")
    inputs = page.locator("input[type=file]")
    slots = inputs.count()
    for index in range(slots):
        inputs.nth(index).set_input_files(
            {"name": f"giay-{index}.jpg", "mimeType": "image/jpeg", "buffer": JPEG}
            if index % 2
            else {"name": f"giay-{index}.pdf", "mimeType": "application/pdf", "buffer": PDF}
        )
    page.get_by_role("button", name="Tải lên và tiếp tục").click()
    page.wait_for_url("**/nhan-ket-qua/")
    page.get_by_label("Nhận kết quả điện tử").check()
    page.get_by_role("button", name="Lưu và tiếp tục").click()
    page.wait_for_url("**/xem-lai/")
    page.get_by_label("Tôi xin cam đoan").check()
    page.get_by_role("button", name="Nộp hồ sơ").click()
    page.wait_for_url("**/nop-ho-so/da-nop/**")
    return page.locator("#ma-ho-so").inner_text().strip(), slots


def test_the_whole_online_flow(browser, settings, devidp_server, devidp_portal, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    procedure = Procedure.objects.get(code="1.001193")
    procedure.accepts_online = True
    procedure.save(update_fields=["accepts_online"])
    base = devidp_portal

    # The citizen, on a phone, submits and sees the code at once.
    citizen_ctx, citizen = citizen_signs_in(browser, base, devidp_server.issuer, "/nop-ho-so/")
    code, slots = submit_online(citizen, procedure)
    dossier = Dossier.objects.get(code=code)
    assert dossier.status == Status.SUBMITTED and dossier.files.count() == slots >= 2
    assert {f.content_type for f in dossier.files.all()} == {"application/pdf", "image/jpeg"}

    # The clerk, at a desktop, finds it in the online queue, opens each file, accepts it.
    clerk_ctx, clerk = login(browser, base, "canbo")
    clerk.goto(f"{base}/truc-tuyen/cho-tiep-nhan/")
    assert clerk.locator("#so-cho").inner_text().startswith("1 ")
    clerk.get_by_role("link", name=code).click()
    clerk.wait_for_url(f"**/truc-tuyen/ho-so/{dossier.pk}/")
    links = clerk.locator("#tep a")
    assert links.count() == slots
    served = {clerk.request.get(base + (links.nth(i).get_attribute("href") or "")).body() for i in range(slots)}
    assert served == {PDF, JPEG}
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    assert "Đã tiếp nhận" in clerk.locator(".alert").first.inner_text()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED
    act(clerk, "Chuyển công chức xử lý", select={"Công chức xử lý": "Trần Văn Minh"})
    assert "Đang xử lý" in clerk.locator("#trang-thai").inner_text()
    clerk_ctx.close()

    # The officer marks the result ready with the result file attached.
    officer_ctx, officer = login(browser, base, "congchuc")
    officer.goto(f"{base}/ho-so/{dossier.pk}/")
    result = tmp_path / "ket-qua-khai-sinh.pdf"
    result.write_bytes(RESULT)
    panel = officer.locator("details", has=officer.locator("summary", has_text="Hoàn thành, có kết quả"))
    panel.locator("summary").click()
    panel.get_by_label("Tệp kết quả (PDF, JPEG hoặc PNG)").set_input_files(str(result))
    with officer.expect_navigation():
        panel.get_by_role("button", name="Hoàn thành, có kết quả").click()
    assert "Đã có kết quả" in officer.locator("#trang-thai").inner_text()
    officer_ctx.close()

    # The citizen, on the phone again, downloads the result from "Hồ sơ của tôi".
    citizen.goto(f"{base}/ho-so-cua-toi/")
    card = citizen.locator("#ho-so-cua-toi li.card", has_text=code)
    assert violations(citizen) == []
    with citizen.expect_download() as download_info:
        card.get_by_role("link", name="Tải về ket-qua-khai-sinh.pdf").click()
    saved = tmp_path / "tai-ve.pdf"
    download_info.value.save_as(saved)
    assert saved.read_bytes() == RESULT
    with citizen.expect_download() as receipt_info:  # form 01, since the desk accepted it
        card.get_by_role("link", name="Tải giấy tiếp nhận (mẫu 01, PDF)").click()
    receipt = tmp_path / "giay-tiep-nhan.pdf"
    receipt_info.value.save_as(receipt)
    assert receipt.read_bytes().startswith(b"%PDF")
    assert citizen.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    citizen_ctx.close()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RETURNED
