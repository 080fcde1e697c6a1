"""The time limit of a procedure as a ward applies it (its own override first), as a ``workcalendar.Limit``."""

from __future__ import annotations

from motcua.models import Agency
from thutuc.models import AgencyProcedure, Procedure

from .workcalendar import Limit


def procedure_limit(procedure: Procedure, agency: Agency | None = None, channel: int | None = None) -> Limit | None:
    """The limit a ward applies to a procedure (its override first); None when not computable."""
    offer = None
    if agency is not None:
        offer = AgencyProcedure.objects.filter(agency=agency, procedure=procedure).first()
    return offer_limit(procedure, offer, channel)


def offer_limit(procedure: Procedure, offer: AgencyProcedure | None, channel: int | None = None) -> Limit | None:
    """The limit of `procedure` as `offer` (the ward's choice of it, may be None) sets it, for a
    dossier of `channel` (the catalogue's per-channel figure; the counter's when None); no query.
    A ward's own limit applies to every channel."""
    value, unit, cutoff = procedure.limit_value_for(channel), procedure.time_limit_unit, procedure.cutoff
    if offer is not None and offer.time_limit_unit:
        value, unit, cutoff = offer.time_limit_value, offer.time_limit_unit, offer.cutoff
    if not unit or value is None:
        return None
    return Limit(value=value, unit=unit, cutoff=cutoff)
