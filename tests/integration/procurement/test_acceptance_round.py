"""What an acceptance tester found: the API answered a field of the wrong type in FastAPI's raw shape (and took no
JSON number for a quality score); a provider that never bid saw "No bids yet" and a result; a refusal named only the
first lot in the way; a panel score reported one problem at a time, and a bid of another tender as a conflict; the
bid form asked for a quality score "like 120.5"."""

from __future__ import annotations

import html
import re
from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient

from carepool.core.errors import CarepoolError
from carepool.procurement import evaluation, opening, reports, tendering
from carepool.procurement import service as procurement
from carepool.procurement.portal import bid_from_form
from carepool.web.app import create_app
from tests.integration.helpers import sign_in
from tests.integration.procurement.conftest import RULES, SME_A, World, bearer, usual_bids

LEAD = "proc@hf.test"
BID = {"lot": "HC-BRENT-KIL", "price": "23.50", "quality": 70}


def _problem(page: str) -> str:
    found = re.search(r"<h2>There is a problem</h2><p[^>]*>(.*?)</p>", page, re.S)
    assert found is not None, "the page says no problem"
    return html.unescape(found.group(1))


def test_the_bid_api_takes_a_score_as_a_number_and_refuses_money_as_one_in_its_own_shape(
        world: World, client: TestClient) -> None:
    ref = world.tender()
    provider = bearer(world, "bids@a.test")
    path = f"/api/procurement/tenders/{ref}/bids"
    for quality in (70, 72.5, "72.5"):
        sealed = client.post(path, json={**BID, "quality": quality}, headers=provider)
        assert sealed.status_code == 201, sealed.text
    with world.db.uow() as uow:
        listing = reports.bid_listing(uow=uow, caller=world.caller(LEAD), ref=ref)
    assert listing.count == 1  # each bid on the lot replaced the one before

    floaty = client.post(path, json={**BID, "price": 23.50}, headers=provider)
    said = 'price: expected an amount as text, like "23.50" (money travels as text, never as a JSON number), got 23.5'
    assert floaty.status_code == 422
    assert floaty.json() == {"error": said, "kind": "invalid", "problems": [said]}

    both = client.post(path, json={"lot": "HC-BRENT-KIL", "price": 23, "quality": True}, headers=provider).json()
    assert both["kind"] == "invalid"
    assert both["error"] == "the request has 2 problems (each in problems): price, quality"
    assert both["problems"] == [
        'price: expected an amount as text, like "23.50" (money travels as text, never as a JSON number), got 23',
        "quality: expected a score from 0 to 100, like 75, got true"]
    missing = client.post(path, json={"price": "23.50", "quality": 70}, headers=provider).json()
    assert missing["error"] == "lot: missing; the request must give it" and missing["kind"] == "invalid"
    too_high = client.post(path, json={**BID, "quality": 120}, headers=provider)
    assert too_high.status_code == 422
    assert too_high.json()["error"] == "quality: expected a score from 0 to 100, like 75, got 120"
    broken = client.post(path, content=b'{"lot": ', headers={**provider, "Content-Type": "application/json"})
    assert broken.status_code == 422 and broken.json()["error"].startswith("the request body is not valid JSON")


def test_every_api_refusal_fastapi_makes_has_the_api_shape(world: World, client: TestClient) -> None:
    lead = bearer(world, LEAD)
    address = client.get("/api/procurement/consortia/seven", headers=lead)
    assert address.status_code == 422 and address.json() == {
        "error": 'path parameter consortium_id: expected a whole number, got "seven"', "kind": "invalid",
        "problems": ['path parameter consortium_id: expected a whole number, got "seven"']}
    nowhere = client.get("/api/procurement/nowhere", headers=lead)
    assert nowhere.status_code == 404 and nowhere.json()["kind"] == "not_found"
    assert nowhere.json()["error"] == ("there is nothing at /api/procurement/nowhere: the API's addresses are "
                                       "listed at /api/docs")
    wrong_way = client.put("/api/procurement/tenders", headers=lead)
    assert wrong_way.status_code == 405 and wrong_way.headers["allow"] == "GET"  # the header is kept
    assert wrong_way.json()["kind"] == "not_allowed"
    assert wrong_way.json()["error"] == "/api/procurement/tenders does not take PUT; it takes GET"
    described = client.get("/api/openapi.json").json()
    assert "HTTPValidationError" not in described["components"]["schemas"]
    assert described["components"]["schemas"]["Refusal"]["required"] == ["error", "kind", "problems"]
    bids = described["paths"]["/api/procurement/tenders/{ref}/bids"]["post"]["responses"]["422"]
    assert bids["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Refusal"}


def test_a_provider_that_did_not_bid_is_told_so_and_shown_no_result(world: World) -> None:
    ref = world.tender(rules={"min_quality": "60", "max_providers": 2})  # two bidders can meet them
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, "bids@b.test")
        open_page = browser.get(f"/tenders/{ref}").text
    assert "You have not bid on this tender yet." in open_page and "No bids yet" not in open_page
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80, capacity="700")
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "23.50", 78, capacity="700")
    for lot, price in (("HC-BRENT-KIL", "21.20"), ("HC-EALING-ACT", "21.00"), ("HC-HF-NORTH", "22.80")):
        world.bid("bids@c.test", ref, lot, price, 70, capacity="5000")
    world.clock.advance(days=15)
    world.award(ref)
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, "bids@b.test")
        outsider = browser.get(f"/tenders/{ref}").text
        browser.cookies.clear()
        sign_in(browser, "bids@a.test")
        bidder = browser.get(f"/tenders/{ref}").text
    assert "You did not bid on this tender." in outsider
    for absent in ("No bids yet", "Your result", "You were not awarded", "The quality floor was"):
        assert absent not in outsider, absent
    assert "Your result" in bidder and "You did not bid" not in bidder


def _contracted(world: World) -> tuple[str, date, dict[str, int]]:
    """A tender of all three lots awarded and contracted; the plan rebuilt while its contracts run."""
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    world.award(ref)
    world.clock.advance(days=11)  # past the standstill
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        evaluation.make_contracts(uow=uow, caller=lead, ref=ref)
        ends = max(c.end for c in reports.award_lines(uow, tendering.get_tender(
            uow=uow, caller=lead, ref=ref).id) if c.end)
        plan = {s.lot.code: s.id for s in procurement.build_lots(uow=uow, caller=lead,
                                                                 consortium_id=world.consortium_id)}
    return ref, ends, plan


def test_a_tender_refused_for_running_contracts_names_every_lot_in_the_way(world: World) -> None:
    first, ends, plan = _contracted(world)
    lead = world.caller(LEAD)
    with world.db.uow() as uow, pytest.raises(CarepoolError) as refused:
        tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Next",
                                lot_ids=[plan["HC-BRENT-KIL"], plan["HC-HF-NORTH"]], rules=RULES,
                                contract_start=ends - timedelta(days=300))
    after = ends + timedelta(days=1)
    assert refused.value.kind == "conflict" and refused.value.message == (
        f"lot HC-BRENT-KIL buys demand under contract in {first} (as HC-BRENT-KIL) until {ends:%Y-%m-%d}; "
        f"lot HC-HF-NORTH buys demand under contract in {first} (as HC-HF-NORTH) until {ends:%Y-%m-%d}: set the "
        f"contracts to start on {after:%Y-%m-%d} or later, so they follow the running ones, or leave those lots out")
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        page = browser.post("/tenders/new", data={
            "consortium_id": str(world.consortium_id), "title": "Next", "lot_ids": [str(plan["HC-BRENT-KIL"]),
                                                                                   str(plan["HC-HF-NORTH"])],
            "contract_start": f"{ends - timedelta(days=300):%Y-%m-%d}", **{k: str(v) for k, v in RULES.items()}})
    assert page.status_code == 422
    said = html.unescape(page.text)
    assert f"lot HC-BRENT-KIL buys demand under contract in {first}" in said
    assert f"lot HC-HF-NORTH buys demand under contract in {first}" in said


def test_a_tender_refused_for_live_demand_names_every_lot_in_the_way(world: World) -> None:
    first = world.tender(publish=False)
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        plan = {s.lot.code: s.id for s in procurement.build_lots(uow=uow, caller=lead,
                                                                 consortium_id=world.consortium_id)}
    with world.db.uow() as uow, pytest.raises(CarepoolError) as refused:
        tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Again",
                                lot_ids=[plan["HC-BRENT-KIL"], plan["HC-EALING-ACT"]], rules=RULES)
    assert refused.value.kind == "conflict" and refused.value.message == (
        f"lot HC-BRENT-KIL buys demand already in lot HC-BRENT-KIL of tender {first} (draft); lot HC-EALING-ACT "
        f"buys demand already in lot HC-EALING-ACT of tender {first} (draft); the same demand cannot be tendered "
        f"twice at once: take those lots out of {first} or cancel it first")


def _opened(world: World) -> tuple[str, str]:
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    with world.db.uow() as uow:
        opening.open_bids(uow=uow, caller=world.caller(LEAD), ref=ref)
        acorn = next(b for b in reports.bid_listing(uow=uow, caller=world.caller(LEAD), ref=ref).bids
                     if b.provider_code == SME_A and b.lot_code == "HC-BRENT-KIL").reference
    return ref, acorn


def test_a_panel_score_reports_every_problem_at_once(world: World) -> None:
    ref, acorn = _opened(world)
    with TestClient(create_app(database=world.db)) as browser:
        sign_in(browser, LEAD)
        page = browser.post(f"/tenders/{ref}/bids/{acorn}/panel-score", data={"score": "120", "note": ""}).text
    assert _problem(page) == ("Panel score for Acorn Care on HC-BRENT-KIL: score: expected a score from 0 to 100, "
                              "like 75, got '120'; and say how the panel reached the score (it is recorded)")
    assert 'value="120" aria-invalid="true" autofocus>' in page
    assert 'placeholder="why" value="" aria-invalid="true">' in page


def test_a_panel_score_on_a_bid_of_another_tender_is_not_found_whatever_the_tender_stands(
        world: World, client: TestClient) -> None:
    elsewhere = world.tender()
    other = world.bid("bids@a.test", elsewhere, "HC-BRENT-KIL", "21.90").bid_ref
    with world.db.uow() as uow:
        tendering.cancel(uow=uow, caller=world.caller(LEAD), ref=elsewhere, reason="demand moved")
    ref = world.tender()  # published, its bids sealed
    score = {"score": "72", "note": "panel read the method statement"}
    refused = client.post(f"/api/procurement/tenders/{ref}/bids/{other}/panel-score", json=score,
                          headers=bearer(world, LEAD))
    assert refused.status_code == 404
    assert refused.json() == {"error": f"bid {other} in tender {ref} not found", "kind": "not_found", "problems": []}
    assert elsewhere not in refused.text
    world.clock.advance(days=15)
    with world.db.uow() as uow:
        opening.open_bids(uow=uow, caller=world.caller(LEAD), ref=ref)
    out_of_range = client.post(f"/api/procurement/tenders/{ref}/bids/{other}/panel-score",
                               json={"score": "120", "note": ""}, headers=bearer(world, LEAD))
    assert out_of_range.status_code == 404  # the bid is looked up first


def test_the_bid_form_asks_for_a_score_from_0_to_100_and_a_quantity_like_any_number() -> None:
    typed = {"lot": "HC-BRENT-KIL", "price": "21.40", "max_quantity": "", "capacity": ""}
    for quality, got in (("120", "'120'"), ("high", "'high'"), ("-5", "'-5'")):
        with pytest.raises(CarepoolError) as refused:
            bid_from_form(**typed, quality=quality)
        assert [str(p) for p in refused.value.problems] == [
            f"quality score: expected a score from 0 to 100, like 75, got {got}"]
    with pytest.raises(CarepoolError) as hours:
        bid_from_form(**{**typed, "max_quantity": "lots"}, quality="75")
    assert [str(p) for p in hours.value.problems] == [
        "most hours a week on this lot: expected a number like 120.5, got 'lots'"]
    assert bid_from_form(**typed, quality="72.5").quality == 72.5
