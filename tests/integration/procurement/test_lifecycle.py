"""The whole cycle on SQLite and PostgreSQL: publish, bid, edit, re-bid, open, evaluate, override,
confirm, standstill, contracts, savings per member, and each provider's own result."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.procurement import bidding, evaluation, opening, reports, tendering
from carepool.procurement.model import BidStatus, TenderStatus
from carepool.web.app import create_app
from tests.integration.helpers import sign_in, token_for
from tests.integration.procurement.conftest import ICB, LARGE_C, SME_A, SME_B, World

LEAD = "proc@hf.test"


def _bid_all(world: World, ref: str) -> None:
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80, capacity="700")
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "23.50", 78, capacity="700")
    world.bid("bids@b.test", ref, "HC-EALING-ACT", "22.40", 70, max_quantity="500", capacity="500")
    world.bid("bids@b.test", ref, "HC-HF-NORTH", "23.90", 55, capacity="500")
    for lot, price in (("HC-BRENT-KIL", "21.20"), ("HC-EALING-ACT", "21.00"), ("HC-HF-NORTH", "22.80")):
        world.bid("bids@c.test", ref, lot, price, 70, capacity="5000")


def test_the_whole_cycle(world: World) -> None:
    ref = world.tender()
    lead = world.caller(LEAD)
    _bid_all(world, ref)
    with world.db.uow() as uow:
        assert tendering.get_tender(uow=uow, caller=lead, ref=ref).bid_count == 7

    # Ten days in, the consortium changes the rules: every bid is invalidated, the deadline moves out.
    world.clock.advance(days=10)
    with world.db.uow() as uow:
        edited = tendering.update_tender(uow=uow, caller=lead, ref=ref, rules={**tendering.get_tender(
            uow=uow, caller=lead, ref=ref).rules.as_dict(), "min_award_fraction": "0.1"})
    assert edited.version == 2 and edited.deadline == world.clock.now + timedelta(days=7) and edited.bid_count == 0
    acorn = world.caller("bids@a.test")
    with world.db.uow() as uow:
        mine = bidding.my_bids(uow=uow, caller=acorn)
    assert {b.status for b in mine} == {BidStatus.INVALIDATED} and "please bid again" in (mine[0].status_note or "")
    assert "(its award rules, deadline; version 2): please bid again before" in (mine[0].status_note or "")
    _bid_all(world, ref)

    with world.db.uow() as uow, pytest.raises(CarepoolError, match="stay sealed until the deadline"):
        opening.open_bids(uow=uow, caller=lead, ref=ref)
    world.clock.now = edited.deadline + timedelta(minutes=1)  # type: ignore[operator]
    with pytest.raises(CarepoolError, match=r"deadline for tender .* has passed"):
        world.bid("bids@a.test", ref, "HC-BRENT-KIL", "20.00")
    with world.db.uow() as uow:
        found = opening.open_bids(uow=uow, caller=lead, ref=ref)
    assert found.opened == 7 and found.tampered == []

    with world.db.uow() as uow:
        listing = reports.bid_listing(uow=uow, caller=lead, ref=ref)
    c_on_hf = next(b for b in listing.bids if b.provider_code == LARGE_C and b.lot_code == "HC-HF-NORTH")
    with world.db.uow() as uow:
        opening.set_panel_score(uow=uow, caller=lead, ref=ref, bid_ref=c_on_hf.reference, score=Decimal(65),
                                note="panel reviewed the method statement")
    with world.db.uow() as uow:
        scored = next(b for b in reports.bid_listing(uow=uow, caller=lead, ref=ref).bids
                      if b.reference == c_on_hf.reference)
    assert (scored.panel_quality, scored.panel_note) == (Decimal(65), "panel reviewed the method statement")
    with world.db.uow() as uow:
        result = evaluation.evaluate(uow=uow, caller=lead, ref=ref, time_limit=10)
    assert [e["provider"] for e in result["excluded"]] == [SME_B]  # quality 55 is under the floor of 60
    assert set(result["rule_costs"]) == {"max_share", "min_sme_share", "min_quality", "min_award_fraction"}

    with world.db.uow() as uow:
        summary = reports.award_summary(uow=uow, caller=lead, ref=ref)
    assert summary is not None
    for lot in summary.lots:
        assert sum(a.weekly_quantity for a in summary.awards if a.lot_code == lot.code) == lot.weekly_quantity
    assert summary.awarded.sme_share >= Decimal("0.25") and max(summary.awarded.shares.values()) <= Decimal("0.6")
    assert summary.cheapest.total <= summary.awarded.total
    assert Money.sum(m.saving for m in summary.savings) == summary.saving  # to the penny
    assert {m.member for m in summary.savings} >= {ICB}
    # Brent's 600 h at £23.40 and the ICB's 60 h at £24.75 a year, both in Kilburn
    brent = next(m for m in summary.savings if m.member == "E09000005")
    assert brent.baseline == Money.parse("730080.00")

    # The team moves Hammersmith North to Acorn Care by hand, with a reason.
    a_on_hf = next(b for b in listing.bids if b.provider_code == SME_A and b.lot_code == "HC-HF-NORTH")
    with world.db.uow() as uow, pytest.raises(CarepoolError, match=r"add up to 300\.00 hours a week"):
        evaluation.override(uow=uow, caller=lead, ref=ref, reason="local continuity",
                            allocations=[evaluation.Allocation(a_on_hf.reference, Decimal(300))])
    with world.db.uow() as uow, pytest.raises(CarepoolError, match="needs a reason"):
        evaluation.override(uow=uow, caller=lead, ref=ref, reason=" ",
                            allocations=[evaluation.Allocation(a_on_hf.reference, Decimal(400))])
    with world.db.uow() as uow:
        evaluation.override(uow=uow, caller=lead, ref=ref, reason="continuity for people already supported",
                            allocations=[evaluation.Allocation(a_on_hf.reference, Decimal(400))])
    with world.db.uow() as uow:
        summary = reports.award_summary(uow=uow, caller=lead, ref=ref)
    assert summary is not None and summary.tender.override_reason == "continuity for people already supported"
    assert [(a.provider_code, a.source, a.reason) for a in summary.awards if a.lot_code == "HC-HF-NORTH"] == [
        (SME_A, "override", "continuity for people already supported")]
    # A second override, on Ealing, keeps its own reason: only Ealing's bidders will read it.
    bid_of = {(b.lot_code, b.provider_code): b.reference for b in listing.bids}
    ealing = [evaluation.Allocation(bid_of[("HC-EALING-ACT", a.provider_code)], a.weekly_quantity)
              for a in summary.awards if a.lot_code == "HC-EALING-ACT"]
    with world.db.uow() as uow:
        evaluation.override(uow=uow, caller=lead, ref=ref, reason="checked Crown Care's references on Ealing",
                            allocations=ealing)
    with world.db.uow() as uow:
        summary = reports.award_summary(uow=uow, caller=lead, ref=ref)
    assert summary is not None
    assert {a.lot_code: a.reason for a in summary.awards if a.source == "override"} == {
        "HC-HF-NORTH": "continuity for people already supported",
        "HC-EALING-ACT": "checked Crown Care's references on Ealing"}

    with world.db.uow() as uow:
        evaluation.confirm(uow=uow, caller=lead, ref=ref)
    with world.db.uow() as uow, pytest.raises(CarepoolError, match="standstill period until"):
        evaluation.make_contracts(uow=uow, caller=lead, ref=ref)
    world.clock.advance(days=10)
    with world.db.uow() as uow:
        made = evaluation.make_contracts(uow=uow, caller=lead, ref=ref)
    assert made == len(summary.awards)
    with world.db.uow() as uow:
        final = reports.award_summary(uow=uow, caller=lead, ref=ref)
        assert final is not None and final.tender.status is TenderStatus.CONTRACTED
        first = final.awards[0]
        assert first.contract_ref and first.start and first.end and first.end.year == first.start.year + 4

    # Each provider sees its own result and never another's.
    acorn, birch = world.caller("bids@a.test"), world.caller("bids@b.test")
    with world.db.uow() as uow:
        mine_a = reports.my_result(uow=uow, caller=acorn, ref=ref)
        mine_b = reports.my_result(uow=uow, caller=birch, ref=ref)
    assert mine_a.published and {a.provider_code for a in mine_a.awards} == {SME_A}
    assert {b.receipt.provider for b in mine_a.bids} == {SME_A}
    assert {a.provider_code for a in mine_b.awards} <= {SME_B}
    assert any("below the floor" in why for why in mine_b.excluded.values())
    # How each bid fared: its own price and score, its position, the prices awarded; no other bidder's price.
    hf_a = next(s for s in mine_a.standings if s.lot == "HC-HF-NORTH")
    assert (hf_a.price_rank, hf_a.bids_considered, hf_a.awarded_quantity) == (2, 2, Decimal(400))  # Birch's 55
    assert hf_a.awarded_prices == (Money.parse("23.50"),)  # the override gave the lot to Acorn alone
    assert hf_a.set_by_hand  # and Acorn's standings say so, as Birch's do
    kil_a = next(s for s in mine_a.standings if s.lot == "HC-BRENT-KIL")
    assert (kil_a.price, kil_a.price_rank, kil_a.bids_considered, kil_a.set_by_hand) == (
        Money.parse("22.10"), 2, 2, False)
    assert {s.lot: (s.considered, s.price_rank) for s in mine_b.standings} == {
        "HC-EALING-ACT": (True, 2), "HC-HF-NORTH": (False, None)}
    assert all(s.bid_ref in {b.reference for b in mine_b.bids} for s in mine_b.standings)
    with TestClient(create_app(database=world.db)) as client:
        bearer = {"Authorization": f"Bearer {token_for(world.db, 'bids@a.test')}"}
        api = client.get(f"/api/procurement/tenders/{ref}/result", headers=bearer).json()
        assert {(s["lot"], s["price_rank"], s["set_by_hand"], s["by_hand_reason"]) for s in api["standings"]} == {
            ("HC-BRENT-KIL", 2, False, None), ("HC-HF-NORTH", 2, True, "continuity for people already supported")}
        assert "Crown Care" not in json.dumps(api)  # Ealing's reason is for Ealing's bidders: Acorn did not bid
        birch = {"Authorization": f"Bearer {token_for(world.db, 'bids@b.test')}"}
        assert {s["lot"]: s["by_hand_reason"] for s in client.get(
            f"/api/procurement/tenders/{ref}/result", headers=birch).json()["standings"]} == {
            "HC-EALING-ACT": "checked Crown Care's references on Ealing",
            "HC-HF-NORTH": "continuity for people already supported"}
        sign_in(client, "bids@a.test")
        page = client.get(f"/tenders/{ref}").text
        assert "How your bids were evaluated" in page and "2 of 2 (1 = lowest)" in page
        assert "set the award on lot HC-HF-NORTH by hand" in page
        assert "<q>continuity for people already supported</q>" in page and "Crown Care" not in page
        assert "23.90" not in page  # Birch's price, never awarded, stays Birch's
        sign_in(client, "proc@hf.test")
        page = client.get(f"/tenders/{ref}").text
        table = re.search(r"Share won by small and medium providers</th><td class=\"num\">([0-9.]+%)</td>"
                          r"<td class=\"num\">([0-9.]+%)</td>", page)
        assert table is not None  # the chart labels its bars with the very same spelling
        assert f'"text":["{table[1]}","{table[2]}"]' in page.replace(" ", "")
    with world.db.uow() as uow:
        checked, broken = audit.verify(uow=uow)
    assert broken is None and checked > 20
