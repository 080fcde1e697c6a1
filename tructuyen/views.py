"""The desk's pages of the online channel: a dossier's file, viewed in the browser after an access check."""

from __future__ import annotations

from django.http import FileResponse, Http404, HttpRequest
from django.shortcuts import get_object_or_404
from django.utils.cache import add_never_cache_headers

from hoso.models import AccessLog
from motcua.permissions import staff_required

from .models import DossierFile


@staff_required()
def file_view(request: HttpRequest, pk: int) -> FileResponse:
    """The file, inline, to staff of the dossier's ward only (404 for any other); each view is logged."""
    row = get_object_or_404(DossierFile.objects.select_related("dossier"), pk=pk)
    if row.dossier.agency_id != request.user.agency_id:
        raise Http404
    AccessLog.objects.create(
        user=request.user,
        dossier=row.dossier,
        agency_id=row.dossier.agency_id,
        kind=AccessLog.Kind.VIEW,
        detail=f"Xem tệp: {row.paper_name} ({row.original_name})"[:300],
    )
    response = FileResponse(row.file.open("rb"), content_type=row.content_type, filename=row.original_name)
    add_never_cache_headers(response)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'; object-src 'self'"
    return response
