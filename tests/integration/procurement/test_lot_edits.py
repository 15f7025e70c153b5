"""Changing a tender's lots: lots come from the consortium's plan and go back to it; on a published tender
every submitted bid is invalidated and a close deadline moves out, as for any other edit."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError
from carepool.procurement import bidding, consortia, evaluation, opening, reports, tendering
from carepool.procurement import service as procurement
from carepool.procurement.model import BidStatus
from carepool.web.app import create_app
from tests.integration.helpers import sign_in, token_for
from tests.integration.procurement.conftest import BRENT, HF, RULES, World

LEAD = "proc@hf.test"


def _tender(world: World, codes: set[str], *, publish: bool = True) -> str:
    """A tender of some of the plan's lots, its deadline 14 days away."""
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        plan = procurement.build_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)
    with world.db.uow() as uow:
        tender = tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Home care",
                                         lot_ids=[s.id for s in plan if s.lot.code in codes], rules=RULES,
                                         deadline=world.clock.now + timedelta(days=14))
    if publish:
        with world.db.uow() as uow:
            tendering.publish(uow=uow, caller=lead, ref=tender.ref)
    return tender.ref


def _edit(world: World, ref: str, **changes: list[str]) -> tendering.TenderView:
    with world.db.uow() as uow:
        return tendering.update_tender(uow=uow, caller=world.caller(LEAD), ref=ref, **changes)  # type: ignore[arg-type]


def _plan(world: World) -> list[str]:
    with world.db.uow() as uow:
        return [s.lot.code for s in procurement.list_lots(uow=uow, caller=world.caller(LEAD),
                                                          consortium_id=world.consortium_id)]


def test_adding_and_removing_lots_invalidates_bids_and_extends_a_close_deadline(world: World) -> None:
    ref = _tender(world, {"HC-BRENT-KIL", "HC-EALING-ACT"})
    assert _plan(world) == ["HC-HF-NORTH"]
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80)
    world.bid("bids@c.test", ref, "HC-EALING-ACT", "21.00", 70)

    world.clock.advance(days=10)  # four days to go
    added = _edit(world, ref, add_lots=["hc-hf-north"])
    assert [s.lot.code for s in added.lots] == ["HC-BRENT-KIL", "HC-EALING-ACT", "HC-HF-NORTH"]
    assert added.version == 2 and added.deadline == world.clock.now + timedelta(days=7) and added.bid_count == 0
    assert _plan(world) == []
    with world.db.uow() as uow:
        mine = bidding.my_bids(uow=uow, caller=world.caller("bids@a.test"))
    assert [b.status for b in mine] == [BidStatus.INVALIDATED] and "please bid again" in (mine[0].status_note or "")

    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.00", 80)
    world.clock.advance(days=1)  # six days to go
    removed = _edit(world, ref, remove_lots=["HC-BRENT-KIL"])
    assert [s.lot.code for s in removed.lots] == ["HC-EALING-ACT", "HC-HF-NORTH"]
    assert removed.version == 3 and removed.deadline == world.clock.now + timedelta(days=7)
    # The lot is back in the plan (a copy: the bids made on it keep theirs) and the bidder still sees its bids.
    assert _plan(world) == ["HC-BRENT-KIL"]
    with world.db.uow() as uow:
        mine = bidding.my_bids(uow=uow, caller=world.caller("bids@a.test"))
    assert [(b.lot_code, b.status) for b in mine] == [("HC-BRENT-KIL", BidStatus.INVALIDATED)] * 2
    with pytest.raises(CarepoolError, match=f"lot HC-BRENT-KIL in tender {ref} not found"):
        world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.00", 80)

    with world.db.uow() as uow:
        event = audit.list_events(uow=uow, organisation=HF, limit=1)[0]
    assert event.action == "tender.edited" and event.actor == f"user:{LEAD}"
    assert event.before["lots"] == ["HC-BRENT-KIL", "HC-EALING-ACT", "HC-HF-NORTH"]
    assert event.after["lots"] == ["HC-EALING-ACT", "HC-HF-NORTH"]
    assert (event.before["version"], event.after["version"], event.after["bids_invalidated"]) == (2, 3, 1)
    assert "a copy" in event.after["lots_removed"]["HC-BRENT-KIL"]

    # The plan can be rebuilt (the lot the bids point at is kept out of it), and a far deadline stays put.
    with world.db.uow() as uow:
        procurement.build_lots(uow=uow, caller=world.caller(LEAD), consortium_id=world.consortium_id)
    assert _plan(world) == ["HC-BRENT-KIL", "HC-EALING-ACT", "HC-HF-NORTH"]
    readded = _edit(world, ref, add_lots=["HC-BRENT-KIL"])
    assert readded.version == 4 and readded.deadline == removed.deadline


def test_a_lot_is_in_one_tender_and_a_tender_keeps_one_lot(world: World) -> None:
    first = _tender(world, {"HC-BRENT-KIL", "HC-EALING-ACT"}, publish=False)
    with world.db.uow() as uow:
        lead = world.caller(LEAD)
        hf = [s.id for s in procurement.list_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)]
    with world.db.uow() as uow:
        second = tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="HF",
                                         lot_ids=hf, rules=RULES).ref
    with pytest.raises(CarepoolError, match=f"lot HC-HF-NORTH is in tender {second}") as taken:
        _edit(world, first, add_lots=["HC-HF-NORTH"])
    assert taken.value.kind == "conflict"
    with pytest.raises(CarepoolError, match="lot HC-NOWHERE in the lot plan of this consortium not found"):
        _edit(world, first, add_lots=["HC-NOWHERE"])
    with pytest.raises(CarepoolError, match="already in tender"):
        _edit(world, first, add_lots=["HC-BRENT-KIL"])
    with pytest.raises(CarepoolError, match="both added and removed"):
        _edit(world, first, add_lots=["HC-BRENT-KIL"], remove_lots=["HC-BRENT-KIL"])
    with pytest.raises(CarepoolError, match=f"tender {second} must keep at least one lot"):
        _edit(world, second, remove_lots=["HC-HF-NORTH"])
    # A draft: the lots move, but there are no bids to invalidate and the version stays.
    moved = _edit(world, first, remove_lots=["HC-EALING-ACT"])
    assert [s.lot.code for s in moved.lots] == ["HC-BRENT-KIL"] and moved.version == 1
    assert _plan(world) == ["HC-EALING-ACT"]
    with world.db.uow() as uow, pytest.raises(CarepoolError, match="procurement role"):
        tendering.update_tender(uow=uow, caller=world.caller("comm@brent.test"), ref=first, add_lots=["HC-EALING-ACT"])



def test_lot_edits_through_the_api(world: World, client: TestClient) -> None:
    ref = _tender(world, {"HC-BRENT-KIL", "HC-EALING-ACT"})
    lead = {"Authorization": f"Bearer {token_for(world.db, LEAD)}"}
    url = f"/api/procurement/tenders/{ref}"
    world.bid("bids@c.test", ref, "HC-EALING-ACT", "21.00", 70)
    world.clock.advance(days=10)

    response = client.patch(url, json={"add_lots": ["HC-NOWHERE"]}, headers=lead)
    assert response.status_code == 404 and "HC-NOWHERE" in response.json()["error"]
    response = client.patch(url, json={"remove_lots": ["HC-BRENT-KIL", "HC-EALING-ACT"]}, headers=lead)
    assert response.status_code == 422 and "at least one lot" in response.json()["error"]
    response = client.patch(url, json={"add_lots": "HC-HF-NORTH"}, headers=lead)  # a list of codes, not text
    assert response.status_code == 422
    provider = {"Authorization": f"Bearer {token_for(world.db, 'bids@c.test')}"}
    assert client.patch(url, json={"add_lots": ["HC-HF-NORTH"]}, headers=provider).status_code == 404
    assert client.get(url, headers=lead).json()["bid_count"] == 1  # the refused edits changed nothing

    response = client.patch(url, json={"add_lots": ["HC-HF-NORTH"], "remove_lots": ["hc-brent-kil"]}, headers=lead)
    assert response.status_code == 200
    tender = response.json()
    assert [lot["code"] for lot in tender["lots"]] == ["HC-EALING-ACT", "HC-HF-NORTH"]
    assert tender["version"] == 2 and tender["bid_count"] == 0
    assert tender["deadline"].startswith(f"{world.clock.now + timedelta(days=7):%Y-%m-%dT%H:%M}")
    plan = client.get(f"/api/procurement/consortia/{world.consortium_id}/lots", headers=lead).json()
    assert [lot["code"] for lot in plan] == ["HC-BRENT-KIL"]


def test_the_same_demand_is_in_one_live_tender_at_a_time(world: World) -> None:
    """A plan rebuilt while a tender runs has the tendered demand again, under the same code or, split or
    merged, under another; it cannot go into a second tender (nor be added to one) until the first lets it go."""
    first = _tender(world, {"HC-BRENT-KIL"})
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        rebuilt = procurement.build_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)
    again = [s.id for s in rebuilt if s.lot.code == "HC-BRENT-KIL"]
    ealing = [s.id for s in rebuilt if s.lot.code == "HC-EALING-ACT"]
    with world.db.uow() as uow, pytest.raises(CarepoolError, match=f"lot HC-BRENT-KIL buys demand already in lot "
                                              f"HC-BRENT-KIL of tender {first} \\(published\\)") as twice:
        tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Again",
                                lot_ids=again + ealing, rules=RULES)
    assert twice.value.kind == "conflict"
    with world.db.uow() as uow:
        parts = procurement.split_lot(uow=uow, caller=lead, lot_id=again[0], parts=2)
    part = [s.id for s in parts if s.lot.code == "HC-BRENT-KIL-1"]
    with world.db.uow() as uow, pytest.raises(CarepoolError, match=f"lot HC-BRENT-KIL-1 buys demand already in "
                                              f"lot HC-BRENT-KIL of tender {first}"):
        tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Split",
                                lot_ids=part, rules=RULES)
    with world.db.uow() as uow:
        second = tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Ealing",
                                         lot_ids=ealing, rules=RULES).ref
    with pytest.raises(CarepoolError, match=f"of tender {first}"):
        _edit(world, second, add_lots=["HC-BRENT-KIL-2"])
    assert "HC-BRENT-KIL-2" in _plan(world)  # nothing moved
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        page = browser.get(f"/tenders/plan/{world.consortium_id}").text
    assert f"already in {first} (published) as HC-BRENT-KIL" in page  # the plan says so before anyone tries
    assert re.search(r"(\d+) lots in the plan \((\d+) of them buy demand already in a live tender", page)
    assert re.search(r"<td>Brent \d+\.\d\d%; NWL ICB \d+\.\d\d%</td>", page)  # members by name, not code

    with world.db.uow() as uow:
        tendering.cancel(uow=uow, caller=lead, ref=first, reason="re-scoped")
    assert [s.lot.code for s in _edit(world, second, add_lots=["HC-BRENT-KIL-1", "HC-BRENT-KIL-2"]).lots] == [
        "HC-BRENT-KIL-1", "HC-BRENT-KIL-2", "HC-EALING-ACT"]  # parts of one lot go into one tender together


def test_the_tender_builder_leaves_live_demand_unticked_and_keeps_what_was_typed(world: World) -> None:
    first = _tender(world, {"HC-BRENT-KIL"})
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        plan = {s.lot.code: s.id for s in procurement.build_lots(uow=uow, caller=lead,
                                                                 consortium_id=world.consortium_id)}
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, "viewer@brent.test")
        assert browser.get(f"/tenders/new?consortium={world.consortium_id}").status_code == 403
        refused = browser.post("/tenders/new", data={"consortium_id": str(world.consortium_id), "title": "x"})
        assert refused.status_code == 403 and "Create draft tender" not in refused.text  # a refusal, not the form
        browser.cookies.clear()
        sign_in(browser, LEAD)
        blank = browser.get(f"/tenders/new?consortium={world.consortium_id}").text
        assert f'value="{plan["HC-BRENT-KIL"]}">' in blank and f"already in {first} (published)" in blank
        assert f'value="{plan["HC-EALING-ACT"]}" checked>' in blank
        typed = {"consortium_id": str(world.consortium_id), "title": "Ealing home care", "description": "Acton",
                 "deadline": "2026-03-04T12:00", "max_share": "0.35", "min_sme_share": "0.2", "min_quality": "55",
                 "quality_weight": "0", "min_award_fraction": "0.25", "max_providers": "3",
                 "lot_ids": [str(plan["HC-EALING-ACT"])], "csrf_token": browser.headers["X-CSRF-Token"]}
        refused = browser.post("/tenders/new", data=typed)
        odd_lot = browser.post("/tenders/new", data={**typed, "lot_ids": [str(2**70)]})
        odd_consortium = browser.post("/tenders/new", data={**typed, "consortium_id": "abc"})
    assert refused.status_code == 422 and "There is a problem" in refused.text and "Nothing was created" in refused.text
    assert odd_lot.status_code == 422 and "lots: expected a record number from the list" in odd_lot.text
    assert odd_consortium.status_code == 422 and "consortium: expected a record number" in odd_consortium.text
    for value in ('value="Ealing home care"', ">Acton</textarea>", 'value="2026-03-04T12:00"', 'value="0.35"',
                  'value="3"', f'value="{plan["HC-EALING-ACT"]}" checked>'):
        assert value in refused.text, value
    assert f'value="{plan["HC-HF-NORTH"]}">' in refused.text  # unticked stays unticked


def test_a_cancelled_tender_says_what_became_of_its_bids_and_its_demand(world: World) -> None:
    lead = world.caller(LEAD)
    unopened = world.tender()
    world.bid("bids@a.test", unopened, "HC-BRENT-KIL", "21.90")
    with world.db.uow() as uow:
        tendering.cancel(uow=uow, caller=lead, ref=unopened, reason="demand moved")
    opened = world.tender()  # the same demand, free again
    world.bid("bids@a.test", opened, "HC-EALING-ACT", "22.40")
    world.clock.advance(days=15)
    with world.db.uow() as uow:
        opening.open_bids(uow=uow, caller=lead, ref=opened)
    with world.db.uow() as uow:
        tendering.cancel(uow=uow, caller=lead, ref=opened, reason="budget withdrawn")
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        before = browser.get(f"/tenders/{unopened}").text
        after = browser.get(f"/tenders/{opened}").text
        browser.cookies.clear()
        sign_in(browser, "bids@a.test")
        bidder = browser.get(f"/tenders/{opened}").text
        mine = browser.get("/tenders/my-bids").text
    assert "<h2>This tender was cancelled</h2>" in bidder and "<q>budget withdrawn</q>" in bidder
    assert "None of its bids will be awarded" in bidder and "once the consortium confirms the award" not in bidder
    assert f'tender cancelled: <a href="/tenders/{opened}#cancelled">not awarded' in mine
    assert "Cancelled on 2026-03-1" in after and "<q>budget withdrawn</q>" in after
    assert "Cancelled before opening: <strong>1 sealed bid</strong> stay sealed and unread." in before
    assert "21.90" not in before and "until the bids are opened" not in before
    assert "22.40" in after and "sealed bid" not in after  # opened before it was cancelled: the panel still sees them
    assert "(led by Hammersmith and Fulham)" in after  # the lead by name, not its code
    assert f'rebuild the lots on the <a href="/tenders/plan/{world.consortium_id}">lot plan</a>' in after


def test_editing_on_the_page_says_how_many_bids_it_invalidated(world: World) -> None:
    draft = world.tender(publish=False)
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        form = {"title": "Home care 2026/27", "description": "All four localities", "deadline": "", **RULES}
        page = browser.post(f"/tenders/{draft}/edit", data=form).text
        assert "Tender changed.</div>" in page and "invalidated" not in page and "All four localities" in page
        page = browser.post(f"/tenders/{draft}/edit", data={**form, "title": " "}).text
        assert "the title cannot be empty" in page and "Home care 2026/27" in page  # nothing changed
        with world.db.uow() as uow:
            tendering.cancel(uow=uow, caller=world.caller(LEAD), ref=draft, reason="replaced")
        published = world.tender()
        world.bid("bids@a.test", published, "HC-BRENT-KIL", "21.90")
        page = browser.post(f"/tenders/{published}/edit", data={**form, "max_share": "55%"}).text
        assert "Tender changed. 1 submitted bid was invalidated; the bidders are asked to bid again." in page
        browser.cookies.clear()
        sign_in(browser, "bids@a.test")
        mine = browser.get(f"/tenders/{published}").text
        assert "your bid on HC-BRENT-KIL no longer counts. Bid again before the deadline" in mine
        world.bid("bids@a.test", published, "HC-BRENT-KIL", "21.95")
        assert "Bid again" not in browser.get(f"/tenders/{published}").text
        browser.cookies.clear()
        sign_in(browser, LEAD)
        page = browser.post(f"/tenders/plan/{world.consortium_id}/threshold", data={"hours": "lots"}).text
        assert "SME threshold (hours a week): expected a number like 120.5, got &#39;lots&#39;" in page


def test_the_sme_threshold_learns_only_from_the_consortiums_own_opened_bids(world: World) -> None:
    """A median of one bidder's capacity is that bidder's capacity: another consortium must not read it."""
    ref = world.tender()
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80, capacity="640")  # an SME
    world.bid("bids@c.test", ref, "HC-BRENT-KIL", "21.20", 70, capacity="5000")  # not an SME
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        sealed = procurement.sme_threshold_of(uow=uow, caller=lead, consortium_id=world.consortium_id)
    assert "no SME capacities known yet" in sealed[1]  # sealed bids say nothing
    world.clock.advance(days=15)
    with world.db.uow() as uow:
        opening.open_bids(uow=uow, caller=lead, ref=ref)
    with world.db.uow() as uow:
        own = procurement.sme_threshold_of(uow=uow, caller=lead, consortium_id=world.consortium_id)
        other = consortia.create_consortium(uow=uow, caller=lead, name="Harrow and Brent", members=[BRENT])
    with world.db.uow() as uow:
        theirs = procurement.sme_threshold_of(uow=uow, caller=lead, consortium_id=other.id)
    assert own == (Decimal("640.00"), "capacity of the median small or medium bidder (1 seen): 640.00 hours a week")
    assert "no SME capacities known yet" in theirs[1]


def test_splitting_and_merging_on_the_plan_say_what_became_of_the_lots(world: World) -> None:
    with world.db.uow() as uow:
        plan = {s.lot.code: s.id for s in procurement.build_lots(uow=uow, caller=world.caller(LEAD),
                                                                 consortium_id=world.consortium_id)}
    page_of = f"/tenders/plan/{world.consortium_id}"
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        blank = browser.post(f"{page_of}/lots/{plan['HC-HF-NORTH']}/split", data={"parts": ""}).text
        split = browser.post(f"{page_of}/lots/{plan['HC-HF-NORTH']}/split", data={"parts": "2"}).text
        one = browser.post(f"{page_of}/merge", data={"lot_ids": [str(plan["HC-EALING-ACT"])], "name": "Acton+"}).text
        merged = browser.post(f"{page_of}/merge", data={
            "lot_ids": [str(plan["HC-EALING-ACT"]), str(plan["HC-BRENT-KIL"])], "name": "Acton and Kilburn"}).text
    assert "parts: give the number of parts to split the lot into, 2 to 50, not &#39;&#39;" in blank
    assert "Lot split into 2: HC-HF-NORTH-1, HC-HF-NORTH-2." in split  # not silently in two on a blank
    assert "choose at least two lots to merge" in one  # refused: the tick and the name are back
    assert f'value="{plan["HC-EALING-ACT"]}" form="merge" aria-label="merge HC-EALING-ACT" checked>' in one
    assert 'id="merge-name" name="name" form="merge" value="Acton+">' in one
    assert '<div class="warning" role="alert"' in merged and "It is larger than a small provider could take on " \
        "(1,560.00 hours a week, above the SME threshold), so it is flagged too big." in merged


def test_a_draft_cancelled_before_publishing_stays_the_consortiums(world: World) -> None:
    draft = world.tender(publish=False)
    with world.db.uow() as uow:
        tendering.cancel(uow=uow, caller=world.caller(LEAD), ref=draft, reason="Brent's budget was cut; internal")
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, "bids@c.test")
        api = browser.get(f"/api/procurement/tenders/{draft}",
                          headers={"Authorization": f"Bearer {token_for(world.db, 'bids@c.test')}"})
        page = browser.get(f"/tenders/{draft}")
        listed = browser.get("/tenders").text
    assert api.status_code == 404 and page.status_code == 404 and "internal" not in page.text
    assert draft not in listed  # never published: never public, cancelled or not


def test_a_deadline_is_taken_with_its_time_zone_or_not_at_all(world: World) -> None:
    draft = world.tender(publish=False)
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        form = {"title": "Home care", "description": "", **RULES, "deadline": "2026-04-20T13:00+01:00"}
        browser.post(f"/tenders/{draft}/edit", data=form)
    with world.db.uow() as uow:
        saved = tendering.get_tender(uow=uow, caller=world.caller(LEAD), ref=draft).deadline
    assert saved is not None and (saved.hour, saved.tzinfo is not None) == (12, True)  # 13:00 BST is 12:00 UTC
    with world.db.uow() as uow:
        tendering.publish(uow=uow, caller=world.caller(LEAD), ref=draft)
    later = world.clock.now.replace(tzinfo=None) + timedelta(days=30)
    with world.db.uow() as uow, pytest.raises(CarepoolError, match="give the deadline with its time zone"):
        tendering.update_tender(uow=uow, caller=world.caller(LEAD), ref=draft, deadline=later)  # not server time


def test_demand_under_a_running_contract_starts_unticked_but_can_be_tendered_again(world: World) -> None:
    """The next contract is bought before the current one ends: flagged and unticked, not refused."""
    first = _tender(world, {"HC-BRENT-KIL"})
    world.bid("bids@a.test", first, "HC-BRENT-KIL", "22.10", 80, capacity="700")
    world.bid("bids@c.test", first, "HC-BRENT-KIL", "21.20", 70, capacity="5000")
    world.clock.advance(days=15)
    world.award(first)
    world.clock.advance(days=11)  # past the standstill
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        assert evaluation.make_contracts(uow=uow, caller=lead, ref=first) >= 1
        ends = max(c.end for c in reports.award_lines(uow, tendering.get_tender(
            uow=uow, caller=lead, ref=first).id) if c.end)
        plan = {s.lot.code: s.id for s in procurement.build_lots(uow=uow, caller=lead,
                                                                 consortium_id=world.consortium_id)}
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        blank = browser.get(f"/tenders/new?consortium={world.consortium_id}").text
    flag = f"already in {first} (under contract until {ends:%Y-%m-%d}) as HC-BRENT-KIL"
    assert f'value="{plan["HC-BRENT-KIL"]}">' in blank and flag in blank  # unticked, and says why
    assert f'value="{plan["HC-EALING-ACT"]}" checked>' in blank
    with world.db.uow() as uow, pytest.raises(CarepoolError) as overlapping:  # not to start while it runs
        tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Next",
                                lot_ids=[plan["HC-BRENT-KIL"]], rules=RULES)
    after = ends + timedelta(days=1)
    assert overlapping.value.kind == "conflict" and overlapping.value.message == (
        f"lot HC-BRENT-KIL buys demand under contract in {first} (as HC-BRENT-KIL) until {ends:%Y-%m-%d}: set the "
        f"contracts to start on {after:%Y-%m-%d} or later, so they follow the running ones, or leave that lot out")
    with world.db.uow() as uow:  # but it may be tendered for when the contract ends
        again = tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Next",
                                        lot_ids=[plan["HC-BRENT-KIL"]], rules=RULES, contract_start=after)
    assert [s.lot.code for s in again.lots] == ["HC-BRENT-KIL"]
    with world.db.uow() as uow, pytest.raises(CarepoolError, match="buys demand under contract"):  # nor moved back
        tendering.update_tender(uow=uow, caller=lead, ref=again.ref, contract_start=ends)
