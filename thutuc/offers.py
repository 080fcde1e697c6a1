"""A ward's offer of a procedure, as the desk reads it many times a minute, cached per process.

The intake page, its live appointment preview and the intake POST each need the ward's offer
(its own limit and fee) with the procedure, its field and its papers: two queries and a few
milliseconds of ORM work. `offer_for` keeps what it read in the process and checks one version
token in the shared cache (Redis in production) per call, like the working calendars. Any save or
delete of a field, procedure, required document or offer (admin, import, shell) replaces the
token (at once and again when its transaction commits), so every process reads the catalogue again.

The cached objects are shared between requests: callers read them and never change them.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from motcua.lib.cache import Kept, bump_version, version_key, version_token

from .models import AgencyProcedure, Field, Procedure, RequiredDocument

_VERSION_KEY = version_key("thutuc:catalogue-version")
# Offers kept per process, least recently used dropped first (a province's wards × the
# procedures they actually receive fits well within this).
MAX_KEPT = 5_000

_kept: Kept[tuple[int, str], AgencyProcedure] = Kept(MAX_KEPT)


def invalidate_catalogue() -> None:
    """Every process reads offers again (called after commit of any catalogue change)."""
    bump_version(_VERSION_KEY)
    _kept.clear()


def catalogue_version() -> str:
    """The token under which catalogue data is kept per process (see the module's docstring); other
    apps keep their ward-and-procedure settings under it and call ``catalogue_changed`` on edits."""
    return version_token(_VERSION_KEY)


def offer_for(agency_id: int | None, code: str) -> AgencyProcedure | None:
    """The ward's active offer of the active procedure `code`, with procedure, field and papers."""
    if agency_id is None:
        return None
    key = (agency_id, code)
    version = catalogue_version()
    if (hit := _kept.get(key, version)) is not Kept.MISSING:
        return hit
    offer = (
        AgencyProcedure.objects.select_related("procedure__field")
        .prefetch_related("procedure__documents")
        .filter(agency_id=agency_id, active=True, procedure__code=code, procedure__active=True)
        .order_by()  # one row at most (unique per ward)
        .first()
    )
    if offer is not None:  # not offered: not kept, so a new offer is seen at once
        _kept.put(key, version, offer)
    return offer


def catalogue_changed(**kwargs: object) -> None:
    # Now, for this transaction's own later reads, and again after commit, for what another
    # process may have read (and kept) from the old rows meanwhile.
    invalidate_catalogue()
    transaction.on_commit(invalidate_catalogue)


for _model in (Field, Procedure, RequiredDocument, AgencyProcedure):
    post_save.connect(catalogue_changed, sender=_model, dispatch_uid=f"thutuc-offers-{_model.__name__}-save")
    post_delete.connect(catalogue_changed, sender=_model, dispatch_uid=f"thutuc-offers-{_model.__name__}-delete")
