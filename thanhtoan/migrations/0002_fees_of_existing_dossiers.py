"""Existing dossiers keep their fee: the amount the clerk typed (``Dossier.fee_amount``) becomes the
dossier's fee request with one line and one settled payment (cash at the counter, or online when the
dossier was marked paid online), at the receipt instant, by the receiving clerk. Nothing is lost:
``Dossier.fee_amount`` and ``paid_online`` stay as the summary of these rows."""

from django.db import migrations
from django.db.models import Q

BATCH = 2000


def forwards(apps, schema_editor):
    Dossier = apps.get_model("hoso", "Dossier")
    FeeRequest = apps.get_model("thanhtoan", "FeeRequest")
    FeeLine = apps.get_model("thanhtoan", "FeeLine")
    PaymentTransaction = apps.get_model("thanhtoan", "PaymentTransaction")
    rows = (
        Dossier.objects.filter(Q(fee_amount__gt=0) | Q(paid_online=True))
        .exclude(pk__in=FeeRequest.objects.exclude(dossier=None).values("dossier_id"))
        .values_list("pk", "agency_id", "procedure_id", "channel", "fee_amount", "paid_online", "received_at", "created_at", "clerk_id")
        .order_by("pk")
    )
    batch = list(rows[:BATCH])
    while batch:
        requests = FeeRequest.objects.bulk_create(
            [
                FeeRequest(
                    agency_id=agency, procedure_id=procedure, dossier_id=pk, channel=channel, amount_due=fee,
                    state="paid", paid_at=received or created, created_at=received or created,
                )
                for pk, agency, procedure, channel, fee, _online, received, created, _clerk in batch
            ]
        )
        FeeLine.objects.bulk_create(
            [FeeLine(request=r, name="Phí, lệ phí đã thu (số liệu trước đây)", amount=r.amount_due, source="migration") for r in requests if r.amount_due]
        )
        PaymentTransaction.objects.bulk_create(
            [
                PaymentTransaction(
                    request=r, reference=f"MIG{row[0]}", amount=row[4], channel="online" if row[5] else "cash",
                    provider="migration", state="succeeded", started_at=row[6] or row[7], settled_at=row[6] or row[7],
                    settled_by="migration", recorded_by_id=None if row[5] else row[8],
                )
                for r, row in zip(requests, batch, strict=True)
            ]
        )
        batch = list(rows.filter(pk__gt=batch[-1][0])[:BATCH])


class Migration(migrations.Migration):
    dependencies = [
        ("thanhtoan", "0001_initial"),
        ("hoso", "0016_alter_dossierevent_action"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
