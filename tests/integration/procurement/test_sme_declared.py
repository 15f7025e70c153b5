"""A bidder's SME status is the one it declared with its bid: made an SME after sealing, it does not count."""

from __future__ import annotations

from decimal import Decimal

from carepool.partners import service as partners
from carepool.procurement import opening, reports
from carepool.procurement import service as procurement
from tests.integration.helpers import add_user
from tests.integration.procurement.conftest import LARGE_C, World, usual_bids


def _crown_says_it_is_an_sme(world: World) -> None:
    add_user(world.db, "admin@c.test", LARGE_C, "provider", "admin")
    with world.db.uow() as uow:
        partners.update_own_organisation(uow=uow, caller=world.caller("admin@c.test"), code=LARGE_C, sme=True)


def test_a_bidder_made_an_sme_after_sealing_does_not_count_towards_the_floor(world: World) -> None:
    ref = world.tender()
    usual_bids(world, ref)  # Crown, a large group, bids on all three lots
    _crown_says_it_is_an_sme(world)
    world.clock.advance(days=15)
    world.award(ref)
    lead = world.caller("proc@hf.test")
    with world.db.uow() as uow:
        summary = reports.award_summary(uow=uow, caller=lead, ref=ref)
        listing = reports.bid_listing(uow=uow, caller=lead, ref=ref)
    assert summary is not None and LARGE_C in summary.awarded.values
    assert not any(a.sme for a in summary.awards if a.provider_code == LARGE_C)
    assert not any(b.sme for b in listing.bids if b.provider_code == LARGE_C)


def test_a_bid_sealed_after_the_change_declares_the_new_status(world: World) -> None:
    ref = world.tender()
    usual_bids(world, ref)
    _crown_says_it_is_an_sme(world)
    world.bid("bids@c.test", ref, "HC-HF-NORTH", "22.70", 70)  # bids again, now as an SME
    world.clock.advance(days=15)
    world.award(ref)
    lead = world.caller("proc@hf.test")
    with world.db.uow() as uow:
        listing = reports.bid_listing(uow=uow, caller=lead, ref=ref)
    assert all(b.sme for b in listing.bids if b.provider_code == LARGE_C)


def test_the_sme_lot_size_threshold_reads_the_capacities_of_bidders_small_when_they_bid(world: World) -> None:
    ref = world.tender()
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "21.00", 75, capacity="300")  # SMEs in the directory
    world.bid("bids@b.test", ref, "HC-HF-NORTH", "21.50", 75, capacity="500")
    world.bid("bids@c.test", ref, "HC-HF-NORTH", "22.00", 75, capacity="5000")  # large when it bid
    _crown_says_it_is_an_sme(world)  # after sealing: its capacity does not make the median SME larger
    world.clock.advance(days=15)
    with world.db.uow() as uow:
        opening.open_bids(uow=uow, caller=world.caller("proc@hf.test"), ref=ref)
    with world.db.uow() as uow:
        capacities = procurement.sme_capacities(uow=uow, consortium_id=world.consortium_id)
    assert sorted(capacities) == [Decimal(300), Decimal(500)]
