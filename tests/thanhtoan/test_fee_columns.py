"""The interchange file's fee columns (``fee_amount``, ``paid_online``) and indicator 3.6 over imported and
native rows alike (docs/payments.md §6)."""

from __future__ import annotations

import pytest

from baocao.figures import indicators
from hoso.models import Dossier
from tests.hoso.test_dossier_import import AGENCY, import_rows, rejection, row
from tests.hoso.test_workflow import vn
from thanhtoan.models import FeeRequest, PaymentTransaction, TxState

pytestmark = pytest.mark.django_db


def test_bad_fee_cells_are_named(agency, procedure):
    message = rejection(
        row(code=f"{AGENCY}-250303-0001", fee_amount="năm chục"),
        row(code=f"{AGENCY}-250303-0002", paid_online="yes"),
        row(code=f"{AGENCY}-250303-0003", fee_amount="50000", paid_online="có lẽ"),
    )
    assert "Dòng 2: lệ phí (fee_amount) “năm chục” phải là số đồng" in message
    assert "Dòng 3: thanh toán trực tuyến (paid_online) cần lệ phí (fee_amount) lớn hơn 0" in message
    assert "Dòng 4: cột paid_online (thanh toán trực tuyến) “có lẽ” không hợp lệ" in message
    assert not Dossier.objects.exists()


def test_imported_fees_count_in_indicator_3_6_like_native_ones(agency, procedure):
    import_rows(
        row(code=f"{AGENCY}-250303-0001", fee_amount="50.000", paid_online="yes"),
        row(code=f"{AGENCY}-250303-0002", fee_amount="20000"),
        row(code=f"{AGENCY}-250303-0003"),
        row(code=f"{AGENCY}-250303-0004", fee_amount="15000", paid_online="yes", received_at="2025-05-03T09:00"),
    )
    online = PaymentTransaction.objects.get(request__dossier__code=f"{AGENCY}-250303-0001")
    assert (online.amount, online.channel, online.state, online.provider) == (
        50_000,
        "online",
        TxState.SUCCEEDED,
        "import",
    )
    assert FeeRequest.objects.count() == 3 and not FeeRequest.objects.filter(dossier__code__endswith="0003").exists()
    assert Dossier.objects.get(code=f"{AGENCY}-250303-0001").fee_amount == 50_000
    figures = indicators(agency_ids=[agency.pk], start=vn(2025, 3, 1, 0), end=vn(2025, 3, 31, 23, 59))
    # Received in March: three, two with a fee, one of them paid online (the May one is outside).
    assert (figures["counts"]["with_fee"], figures["counts"]["paid_online"]) == (2, 1)
    assert figures["paid_online_share"] == 50.0
    assert figures["fees_collected"] == {"total": 70_000, "online": 50_000, "counter": 20_000, "payments": 2}
