"""Issue the survey link token of every ratable dossier that has none (reads no longer create it).

A dossier whose result is ready or returned (within 14 days of the return), not rated, without a
live link token, gets one, in bulk; running it again issues nothing. The rules are frozen here
(the migration must not follow later edits of ``hoso.survey_links``). Reversing is a no-op: the
tokens stay, as if a read had created them before.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.db import migrations
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

RATEABLE_LINK_STATUSES = ("result_ready", "returned")
LINK_VALIDITY = timedelta(days=14)
LINK_PENDING_RETURN_BOUND = timedelta(days=90)


def issue_tokens(apps, schema_editor):
    dossier_model = apps.get_model("hoso", "Dossier")
    token_model = apps.get_model("hoso", "SurveyToken")
    now = timezone.now()
    live = token_model.objects.filter(dossier=OuterRef("pk"), channel="link", used_at__isnull=True, expires_at__gt=now)
    candidates = (
        dossier_model.objects.filter(status__in=RATEABLE_LINK_STATUSES, rating__isnull=True)
        .filter(Q(returned_at__isnull=True) | Q(returned_at__gt=now - LINK_VALIDITY))
        .exclude(Exists(live))
        .only("pk", "returned_at")
    )
    tokens = [
        token_model(
            dossier_id=dossier.pk,
            token=secrets.token_urlsafe(24),
            channel="link",
            created_at=now,
            expires_at=dossier.returned_at + LINK_VALIDITY if dossier.returned_at else now + LINK_PENDING_RETURN_BOUND,
        )
        for dossier in candidates.iterator()
    ]
    token_model.objects.bulk_create(tokens, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("hoso", "0010_text_limits_names_and_clock")]

    operations = [migrations.RunPython(issue_tokens, migrations.RunPython.noop)]
