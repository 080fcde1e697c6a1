"""A citizen sends a petition with a photo from a phone, then opens the tracking link."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import Image

from phananh.models import Petition
from tests.factories import AgencyFactory, load_holidays

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_the_public_form_on_a_phone(live_server, phone_page, settings, tmp_path):
    load_holidays()
    AgencyFactory(code="000.25.31.H26", name="Phường Hoàn Kiếm")
    settings.MOTCUA_PUBLIC_URL = live_server.url
    photo = tmp_path / "anh.jpg"
    buffer = BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, "JPEG")
    photo.write_bytes(buffer.getvalue())

    page = phone_page
    page.goto(f"{live_server.url}/phan-anh-kien-nghi/")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.get_by_label("Phường, xã nhận phản ánh").select_option(label="Phường Hoàn Kiếm")
    page.get_by_label("Về thủ tục hành chính, quy định").check()
    page.get_by_label("Nội dung phản ánh, kiến nghị").fill("Niêm yết thủ tục tại quầy đã cũ.")
    page.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()
    # No contact: a clear Vietnamese message, nothing written.
    assert "số điện thoại hoặc thư điện tử" in page.locator("body").inner_text()
    assert not Petition.objects.exists()
    page.get_by_label("Số điện thoại").fill("0912 345 678")
    page.get_by_label("Ảnh hoặc tệp PDF kèm theo").set_input_files(str(photo))
    page.get_by_role("button", name="Gửi phản ánh, kiến nghị").click()
    code = page.locator("#ma-phan-anh").inner_text()
    petition = Petition.objects.get()
    assert code == petition.code and petition.photos.count() == 1 and petition.sender_phone == "0912345678"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    page.screenshot(path=str(tmp_path / "phan-anh-dien-thoai.png"), full_page=True)
    page.locator("#duong-dan-theo-doi").click()
    assert page.locator("#tinh-trang").inner_text() == "Chờ xem xét tiếp nhận"
