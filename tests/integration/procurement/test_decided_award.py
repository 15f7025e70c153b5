"""A decided award keeps the facts it was decided on: correcting a provider's SME flag in the directory later
changes neither the award's SME share nor the SME column of its awards, bids or contracts."""

from __future__ import annotations

from carepool.partners import service as partners
from carepool.partners.model import Organisation, OrgKind
from carepool.partners.service import Located, PartnerBatch
from carepool.procurement import reports
from tests.integration.procurement.conftest import LARGE_C, SME_A, SME_B, World, usual_bids


def _as_decided(world: World, ref: str) -> tuple[object, ...]:
    lead = world.caller("proc@hf.test")
    with world.db.uow() as uow:
        summary = reports.award_summary(uow=uow, caller=lead, ref=ref)
        listing = reports.bid_listing(uow=uow, caller=lead, ref=ref)
    assert summary is not None
    return (summary.awarded.sme_share, summary.cheapest.sme_share,
            sorted((a.provider_code, a.lot_code, a.sme) for a in summary.awards),
            sorted((b.provider_code, b.lot_code, b.sme) for b in listing.bids))


def test_correcting_a_providers_sme_flag_later_leaves_a_decided_award_as_it_was(world: World) -> None:
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    world.award(ref)
    decided = _as_decided(world, ref)
    assert {provider for provider, _, sme in decided[2] if sme} <= {SME_A, SME_B}  # type: ignore[union-attr]
    assert decided[0] > 0  # type: ignore[operator]

    flipped = [Organisation(SME_A, "Acorn Care", OrgKind.PROVIDER, sme=False),
               Organisation(LARGE_C, "Crown Care plc", OrgKind.PROVIDER, sme=True)]
    with world.db.uow() as uow:
        partners.import_batch(uow=uow, actor="test", batch=PartnerBatch(organisations=[Located(o) for o in flipped]))
    assert _as_decided(world, ref) == decided
