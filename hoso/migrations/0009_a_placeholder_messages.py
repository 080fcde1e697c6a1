"""Message texts move from Django templates to the placeholder language (hoso.messages).

Each stored row is converted when every template construct in it is a simple variable with a
known equivalent (the table below, frozen here: the migration must not follow later edits of
the app); a row holding anything else — a tag, a filter without an equivalent, an unknown
variable, a literal brace — is deleted, so the ward gets the built-in text again and its admin
writes the text anew. The render path never evaluates an old row either: a text that is not
valid in the placeholder language falls back to the built-in text.
"""

from __future__ import annotations

import re

from django.db import migrations

# Old Django variable (spaces removed) → new placeholder.
OLD_TO_NEW = {
    "dossier.code": "ma_ho_so",
    "dossier.procedure_name": "thu_tuc",
    "salutation": "kinh_gui",
    "addressee": "xung_ho",
    "agency.name": "co_quan",
    "agency.desk_name": "bo_phan",
    "agency.address": "dia_chi_co_quan",
    "agency.phone": "dien_thoai_co_quan",
    "lookup_url": "link_tra_cuu",
    "survey_url": "link_danh_gia",
    "appointment|chu": "ngay_hen",
    "appointment|ngay_gio": "ngay_hen_ngan",
    "new_due_at|chu": "ngay_hen_moi",
    "new_due_at|ngay_gio": "ngay_hen_moi_ngan",
    "dossier.received_at|chu": "ngay_tiep_nhan",
    "event.at|chu": "thoi_diem",
    "collect_text": "noi_nhan_ket_qua",
    "collect_short": "noi_nhan_ket_qua_ngan",
    "committee_text": "uy_ban",
    "ward_text": "phuong_xa",
    "documents|join:'; '": "giay_to_bo_sung_ngan",
    'documents|join:"; "': "giay_to_bo_sung_ngan",
}

_VARIABLE = re.compile(r"\{\{\s*(.*?)\s*\}\}")


def convert(text: str) -> str | None:
    """The text in the placeholder language, or None when it cannot be converted faithfully."""
    if "{" not in text and "}" not in text:
        return text
    failed = False

    def replace(match: re.Match[str]) -> str:
        nonlocal failed
        new = OLD_TO_NEW.get(re.sub(r"\s+", "", match.group(1)))
        if new is None:
            failed = True
            return ""
        return "\x00" + new + "\x01"

    converted = _VARIABLE.sub(replace, text)
    if failed or "{" in converted or "}" in converted:  # tags, comments or stray braces remain
        return None
    return converted.replace("\x00", "{").replace("\x01", "}")


def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
    NotificationTemplate = apps.get_model("hoso", "NotificationTemplate")
    for row in NotificationTemplate.objects.all():
        subject, body = convert(row.subject), convert(row.body)
        if subject is None or body is None:
            row.delete()
            continue
        if (subject, body) != (row.subject, row.body):
            row.subject, row.body = subject, body
            row.save(update_fields=["subject", "body"])


class Migration(migrations.Migration):
    dependencies = [("hoso", "0008_verbose_names_of_logs")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
