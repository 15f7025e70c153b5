"""A provider's result explains itself: when its own stated capacity is why a lot got fewer hours than it
offered, its result page says so, with what it won where."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from carepool.procurement import bidding, reports
from carepool.web.app import create_app
from tests.integration.helpers import sign_in
from tests.integration.procurement.conftest import World


def test_a_provider_whose_capacity_bound_is_told_so(world: World) -> None:
    ref = world.tender()
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "20.00", 80, capacity="300")  # cheapest, but 300 hours in all
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "20.00", 80, capacity="300")
    for lot, price in (("HC-BRENT-KIL", "21.20"), ("HC-EALING-ACT", "21.00"), ("HC-HF-NORTH", "22.80")):
        world.bid("bids@c.test", ref, lot, price, 70, capacity="5000")
    world.bid("bids@b.test", ref, "HC-EALING-ACT", "21.50", 70, capacity="900")
    world.clock.advance(days=15)
    world.award(ref)
    a_user, c_user = world.caller("bids@a.test"), world.caller("bids@c.test")
    with world.db.uow() as uow:
        acorn = reports.my_result(uow=uow, caller=a_user, ref=ref)
        crown = reports.my_result(uow=uow, caller=c_user, ref=ref)
    assert sum(a.weekly_quantity for a in acorn.awards) == Decimal(300)
    assert acorn.capacity_note is not None
    assert acorn.capacity_note.startswith("Your stated capacity across the tender, 300.00 hours a week, was awarded")
    assert crown.capacity_note is None  # 5,000 hours: not what limited Crown
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, "bids@a.test")
        assert 'id="capacity-note"' in client.get(f"/tenders/{ref}").text
        mine = client.get("/tenders/my-bids").text  # each awarded bid leads to the result, named for screen readers
        assert f'href="/tenders/{ref}#result">Your result<span class="visually-hidden"> on {ref}</span>' in mine
        assert "Capacity (hours a week, whole tender)" in mine
        won = {a.lot_code: a.weekly_quantity for a in acorn.awards}
        with world.db.uow() as uow:  # each bid says what it won, a bid that won nothing says so
            outcome = {b.lot_code: b.awarded for b in bidding.my_bids(uow=uow, caller=a_user, ref=ref)}
        assert outcome == {lot: won.get(lot, Decimal(0)) for lot in ("HC-BRENT-KIL", "HC-HF-NORTH")}
        for lot, hours in won.items():
            assert f'<span class="tag won">won</span> {hours:,} hours a week' in mine, lot
        if len(won) < 2:
            assert '<span class="tag">not awarded</span>' in mine
        listing = client.get("/tenders").text  # counts of bids are the consortium's business, not a column of blanks
        assert ref in listing and '<th scope="col" class="num">Bids</th>' not in listing
