"""Dossier.search_text: the folded text the counter's search box matches, with a trigram index.

The column is filled for existing dossiers here; afterwards Dossier.save() and bulk_create() keep
it. On PostgreSQL a GIN trigram index (pg_trgm, a trusted extension since PostgreSQL 13) serves
every `LIKE '%…%'` the search runs; SQLite has no such index and scans, which suits a laptop.
"""

import re

from django.db import migrations, models

from motcua.lib.text import fold

WORDS = re.compile(r"[^\W_]+")
BATCH = 2_000


def search_text(code, name, phone, id_number):
    # As hoso.models.dossier_search_text was written when this migration was.
    parts = [*WORDS.findall(fold(name)), phone, id_number.lower(), (code or "").lower()]
    return " " + " ".join(part for part in parts if part) + " "


def fill(apps, schema_editor):
    Dossier = apps.get_model("hoso", "Dossier")
    rows = Dossier.objects.order_by("pk").only("code", "applicant_name", "applicant_phone", "applicant_id_number")
    batch = []
    for dossier in rows.iterator(chunk_size=BATCH):
        dossier.search_text = search_text(
            dossier.code, dossier.applicant_name, dossier.applicant_phone, dossier.applicant_id_number
        )
        batch.append(dossier)
        if len(batch) == BATCH:
            Dossier.objects.bulk_update(batch, ["search_text"])
            batch = []
    if batch:
        Dossier.objects.bulk_update(batch, ["search_text"])


def add_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute(
            "CREATE INDEX IF NOT EXISTS dossier_search_trgm ON hoso_dossier USING gin (search_text gin_trgm_ops)"
        )


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS dossier_search_trgm")


class Migration(migrations.Migration):
    dependencies = [
        ("hoso", "0005_resolution_and_766_flags"),
    ]

    operations = [
        migrations.AddField(
            model_name="dossier",
            name="search_text",
            field=models.TextField(default="", editable=False),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.RunPython(add_trigram_index, drop_trigram_index),
    ]
