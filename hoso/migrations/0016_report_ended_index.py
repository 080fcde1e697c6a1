"""The reports' index of a dossier's end instant (docs/report-06a.md §8).

Built with CREATE INDEX CONCURRENTLY on PostgreSQL, so a deployment with years of dossiers keeps
taking intakes while it builds (the migration is therefore not atomic); a plain index elsewhere.
"""

import hoso.ended
from django.conf import settings
from django.db import migrations, models


class AddIndexConcurrentlyOnPostgres(migrations.AddIndex):
    def database_forwards(self, app_label, schema_editor, from_state, to_state):
        model = to_state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor == "postgresql" and self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.add_index(model, self.index, concurrently=True)
        else:
            super().database_forwards(app_label, schema_editor, from_state, to_state)

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        model = from_state.apps.get_model(app_label, self.model_name)
        if schema_editor.connection.vendor == "postgresql" and self.allow_migrate_model(schema_editor.connection.alias, model):
            schema_editor.remove_index(model, self.index, concurrently=True)
        else:
            super().database_backwards(app_label, schema_editor, from_state, to_state)


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ('hoso', '0015_notify_papers_request'),
        ('motcua', '0004_hardening_and_vietnamese_names'),
        ('thutuc', '0004_text_limits_and_vietnamese_names'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrentlyOnPostgres(
            model_name='dossier',
            index=models.Index(models.F('agency'), hoso.ended.EndedAt(), models.F('received_at'), name='dossier_agency_ended_received'),
        ),
    ]
