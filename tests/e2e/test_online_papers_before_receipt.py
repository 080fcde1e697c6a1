"""In Chromium: the desk asks for more papers before receiving an online dossier; the citizen, on a phone,
uploads them from "Hồ sơ của tôi"; the dossier is back in the queue and the desk accepts it."""

from __future__ import annotations

import pytest

from hoso.constants import Status
from hoso.models import Dossier
from motcua.demo import load_demo
from tests.e2e.citizen import citizen_signs_in
from tests.e2e.test_accessibility import violations
from tests.e2e.test_desk_flow import login
from tests.e2e.test_online_whole_flow import submit_online
from tests.tructuyen.samples import PDF
from thutuc.models import Procedure

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
MISSING = "Bản sao giấy chứng nhận kết hôn của cha mẹ"


def test_the_desk_asks_for_papers_and_the_citizen_uploads_them(
    browser, settings, devidp_server, devidp_portal, tmp_path
):
    settings.MEDIA_ROOT = tmp_path / "media"
    load_demo()
    procedure = Procedure.objects.get(code="1.001193")
    procedure.accepts_online = True
    procedure.save(update_fields=["accepts_online"])
    base = devidp_portal

    citizen_ctx, citizen = citizen_signs_in(browser, base, devidp_server.issuer, "/nop-ho-so/")
    code, _ = submit_online(citizen, procedure)
    dossier = Dossier.objects.get(code=code)

    clerk_ctx, clerk = login(browser, base, "canbo")
    clerk.goto(f"{base}/truc-tuyen/ho-so/{dossier.pk}/")
    clerk.get_by_label("Giấy tờ cần bổ sung (ghi vào phiếu yêu cầu bổ sung, mẫu 02)").fill(MISSING)
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Yêu cầu bổ sung").click()
    assert "Không có hồ sơ trực tuyến nào chờ tiếp nhận." in clerk.locator("main").inner_text()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.AWAITING_PAPERS

    citizen.goto(f"{base}/ho-so-cua-toi/")
    card = citizen.locator("#ho-so-cua-toi li.card", has_text=code)
    assert f"Cần bổ sung giấy tờ: {MISSING}" in card.inner_text()
    assert violations(citizen) == []
    card.get_by_label("Tải giấy tờ bổ sung (PDF, JPEG, PNG)").set_input_files(
        {"name": "ket-hon.pdf", "mimeType": "application/pdf", "buffer": PDF}
    )
    with citizen.expect_navigation():
        card.get_by_role("button", name="Gửi giấy tờ bổ sung").click()
    assert "Đã gửi 1 tệp bổ sung" in citizen.locator("main").inner_text()
    assert "Chờ bộ phận một cửa tiếp nhận" in citizen.locator("#ho-so-cua-toi").inner_text()
    citizen_ctx.close()

    clerk.goto(f"{base}/truc-tuyen/cho-tiep-nhan/")
    clerk.get_by_role("link", name=code).click()
    clerk.wait_for_url(f"**/truc-tuyen/ho-so/{dossier.pk}/")
    assert "ket-hon.pdf" in clerk.locator("#tep").inner_text()
    with clerk.expect_navigation():
        clerk.get_by_role("button", name="Tiếp nhận hồ sơ").click()
    clerk_ctx.close()
    assert Dossier.objects.get(pk=dossier.pk).status == Status.RECEIVED
