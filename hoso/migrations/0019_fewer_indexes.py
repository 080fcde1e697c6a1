"""Drop five indexes no query needs, each one more entry written by every receipt.

The single-column indexes of a dossier's ward and officer and of an event's dossier are covered by
the composite indexes that begin with the same column (``dossier_agency_*``,
``dossier_officer_status_due``, ``dossier_event_dossier_at``); the lookup key is only ever compared
on the dossier found by its code. Only the indexes go: altering the fields the usual way would also
drop and re-add their foreign keys, which re-checks every row of the largest tables under a lock.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

INDEXES = [
    "hoso_dossier_agency_id_b91203f0",
    "hoso_dossier_officer_id_1369f4b0",
    "hoso_dossier_lookup_key_9a0def14",
    "hoso_dossier_lookup_key_9a0def14_like",  # PostgreSQL only
    "hoso_dossierevent_dossier_id_e76ec7fc",
]
BACK = [
    ("hoso_dossier_agency_id_b91203f0", "hoso_dossier", "agency_id"),
    ("hoso_dossier_officer_id_1369f4b0", "hoso_dossier", "officer_id"),
    ("hoso_dossier_lookup_key_9a0def14", "hoso_dossier", "lookup_key"),
    ("hoso_dossierevent_dossier_id_e76ec7fc", "hoso_dossierevent", "dossier_id"),
]


class Migration(migrations.Migration):
    dependencies = [
        ("hoso", "0018_merge_paid_notifications"),
        ("motcua", "0005_heartbeat"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="dossier",
                    name="agency",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="dossiers",
                        to="motcua.agency",
                        verbose_name="cơ quan",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="lookup_key",
                    field=models.CharField(max_length=12, verbose_name="mã tra cứu"),
                ),
                migrations.AlterField(
                    model_name="dossier",
                    name="officer",
                    field=models.ForeignKey(
                        blank=True,
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="assigned_dossiers",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="công chức xử lý",
                    ),
                ),
                migrations.AlterField(
                    model_name="dossierevent",
                    name="dossier",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="events",
                        to="hoso.dossier",
                        verbose_name="hồ sơ",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    [f'DROP INDEX IF EXISTS "{name}"' for name in INDEXES],
                    reverse_sql=[
                        f'CREATE INDEX IF NOT EXISTS "{name}" ON "{table}" ("{column}")' for name, table, column in BACK
                    ],
                ),
            ],
        ),
    ]
