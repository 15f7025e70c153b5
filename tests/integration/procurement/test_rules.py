"""Refused moves say why; roles are enforced; demand files are checked whole; lots split and merge."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.partners.service import Located
from carepool.procurement import bidding, evaluation, io, opening, reports, service, tendering
from carepool.procurement.model import BidContent
from carepool.web.app import create_app
from tests.integration.helpers import job_ended, sign_in, token_for
from tests.integration.procurement.conftest import (
    BRENT,
    EALING,
    HF,
    ICB,
    LARGE_C,
    SME_A,
    SME_B,
    World,
    bearer,
    usual_bids,
)

LEAD = "proc@hf.test"


def _fails(world: World, match: str, kind: str, action: object, **kwargs: object) -> None:
    with world.db.uow() as uow, pytest.raises(CarepoolError, match=match) as caught:
        action(uow=uow, **kwargs)  # type: ignore[operator]
    assert caught.value.kind == kind, caught.value


def test_invalid_moves_are_refused_with_clear_messages(world: World) -> None:
    lead = world.caller(LEAD)
    draft = world.tender(publish=False)
    _fails(world, f"cannot open bids of tender {draft}: it is draft; this needs it to be published", "conflict",
           opening.open_bids, caller=lead, ref=draft)
    _fails(world, "cannot evaluate .* it is draft; this needs it to be closed or evaluated", "conflict",
           evaluation.evaluate, caller=lead, ref=draft)
    _fails(world, "tender .* not found", "not_found", tendering.get_tender, caller=world.caller("bids@a.test"),
           ref=draft)  # providers do not see drafts
    with world.db.uow() as uow:
        tendering.publish(uow=uow, caller=lead, ref=draft)
    _fails(world, "cannot publish .* it is published; this needs it to be draft", "conflict", tendering.publish,
           caller=lead, ref=draft)
    _fails(world, "cannot confirm the award of .* it is published; this needs it to be evaluated", "conflict",
           evaluation.confirm, caller=lead, ref=draft)
    _fails(world, "cannot make contracts for .* it is published; this needs it to be awarded", "conflict",
           evaluation.make_contracts, caller=lead, ref=draft)
    _fails(world, "this needs the procurement role", "forbidden", tendering.publish,
           caller=world.caller("comm@brent.test"), ref=draft)
    _fails(world, "only the procurement team of the consortium buying under tender .* opens its bids, after the "
           "deadline$", "forbidden", opening.open_bids, caller=world.caller("proc@harrow.test"),
           ref=draft)  # another council's procurement team reads the published tender, but cannot act on it
    with pytest.raises(CarepoolError, match="only a provider's users"):
        world.bid("comm@brent.test", draft, "HC-HF-NORTH", "20.00")
    world.clock.advance(days=15)
    _fails(world, "deadline has passed; it can no longer be changed", "conflict", tendering.update_tender,
           caller=lead, ref=draft, title="Renamed")
    with world.db.uow() as uow:
        tendering.cancel(uow=uow, caller=lead, ref=draft, reason="re-scoping")
    _fails(world, "cannot open bids of .* it is cancelled", "conflict", opening.open_bids, caller=lead, ref=draft)


def test_publishing_needs_a_fair_deadline(world: World) -> None:
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        lots = service.build_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)
    _fails(world, "at least 7 days", "invalid", tendering.create_tender, caller=lead,
           consortium_id=world.consortium_id, title="Too soon", lot_ids=[lots[0].id], rules={},
           deadline=world.clock.now + timedelta(days=3))
    _fails(world, "unknown award rule 'max_sahre'", "invalid", tendering.create_tender, caller=lead,
           consortium_id=world.consortium_id, title="Typo", lot_ids=[lots[0].id], rules={"max_sahre": "0.3"})
    with world.db.uow() as uow:
        ref = tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="No deadline",
                                      lot_ids=[lots[0].id], rules={}).ref
    _fails(world, "has no deadline", "invalid", tendering.publish, caller=lead, ref=ref)


def test_the_api_answers_refusals_with_status_codes(world: World) -> None:
    ref = world.tender()
    with TestClient(create_app(database=world.db)) as client:
        lead = {"Authorization": f"Bearer {token_for(world.db, LEAD)}"}
        viewer = {"Authorization": f"Bearer {token_for(world.db, 'viewer@brent.test')}"}
        assert client.post(f"/api/procurement/tenders/{ref}/publish", headers=lead).status_code == 409
        assert client.post(f"/api/procurement/tenders/{ref}/open", headers=lead).status_code == 409
        assert client.post(f"/api/procurement/tenders/{ref}/publish", headers=viewer).status_code == 403
        bid = {"lot": "HC-HF-NORTH", "price": 21.5, "quality": "70"}
        provider = {"Authorization": f"Bearer {token_for(world.db, 'bids@a.test')}"}
        assert client.post(f"/api/procurement/tenders/{ref}/bids", json=bid, headers=provider).status_code == 422
        bid["price"] = "21.50"
        receipt = client.post(f"/api/procurement/tenders/{ref}/bids", json=bid, headers=provider)
        assert receipt.status_code == 201 and len(receipt.json()["sha256"]) == 64
        assert receipt.json()["warnings"] == []
        slip = client.post(f"/api/procurement/tenders/{ref}/bids", headers=provider,
                           json={**bid, "price": "2150.00", "max_quantity": "5000"})
        assert slip.status_code == 201 and slip.json()["warnings"] == [  # sealed as typed, with what looks wrong
            "lot HC-HF-NORTH: £2,150.00 an hour is more than 3 times what the members pay today (£24.90); "
            "check it is not a slip",
            "lot HC-HF-NORTH: you offer up to 5,000.00 hours a week, but the lot has 400.00; no more than that "
            "can be awarded"]
        sign_in(client, "bids@a.test")
        page = client.post(f"/tenders/{ref}/bid", data={"lot": "HC-HF-NORTH", "price": "2.49", "quality": "70"})
        assert "Bid sealed on lot HC-HF-NORTH. Keep your receipt.\nSealed as typed, but check" in page.text
        assert "£2.49 an hour is less than a third of what the members pay today (£24.90)" in page.text
        assert '<div class="warning" role="alert" style="white-space: pre-line">Bid sealed on lot' in page.text
        assert '<option value="HC-HF-NORTH" selected>' in page.text and 'value="2.49"' in page.text  # to put right
        page = client.post(f"/tenders/{ref}/bid", data={"lot": "HC-HF-NORTH", "price": "21,50", "quality": "70",
                                                       "max_quantity": "300"})
        assert "price per hour" in page.text and "There is a problem" in page.text  # refused, and what was typed
        assert '<option value="HC-HF-NORTH" selected>' in page.text and 'value="21,50"' in page.text  # is back
        assert 'id="max_quantity" name="max_quantity" inputmode="decimal" value="300"' in page.text
        assert 'value="21,50"' not in client.get(f"/tenders/{ref}").text  # once
        capacities = client.post(f"/api/procurement/tenders/{ref}/bids", headers=provider,
                                 json={"lot": "HC-BRENT-KIL", "price": "22.00", "quality": "70", "capacity": "1500"})
        client.post(f"/api/procurement/tenders/{ref}/bids", headers=provider,
                    json={**bid, "capacity": "800"})
        assert capacities.json()["warnings"] == []  # its only other live bid declared none
        differs = client.post(f"/api/procurement/tenders/{ref}/bids", headers=provider,
                              json={"lot": "HC-EALING-ACT", "price": "22.00", "quality": "70", "capacity": "1500"})
        assert differs.json()["warnings"] == [
            "lot HC-EALING-ACT: you declare a capacity across the tender of 1,500.00 hours a week here, but 800.00 "
            "on HC-HF-NORTH; the award uses the smallest you declare on any lot (800.00 hours a week). Bid again so "
            "they agree, if that is not what you mean"]


def test_demand_file_is_checked_whole_then_lots_split_and_merge(world: World, tmp_path: Path) -> None:
    lead = world.caller(LEAD)
    book = Workbook()
    sheet = book.active
    sheet.title = "Demand"
    sheet.append(["member_code", "service", "locality_code", "hours_per_week", "baseline_price"])
    sheet.append([BRENT, "home-care", "BRENT-KIL", 1500, 23.4])
    sheet.append(["E09000015", "home-care", "HARROW-E", 100, 22.0])  # Harrow is not a member
    sheet.append([BRENT, "home care", "NOWHERE", "lots", "£1.005"])
    path = tmp_path / "demand.xlsx"
    book.save(path)
    demand = io.read_demand(path)
    with world.db.uow() as uow, pytest.raises(CarepoolError) as caught:
        service.save_demand(uow=uow, caller=lead, consortium_id=world.consortium_id, lines=demand.lines,
                            problems=demand.problems, incomplete=demand.incomplete, what=path.name)
    message = str(caught.value)
    assert "nothing was imported" in message
    assert "demand.xlsx, sheet Demand, row 3, column member_code: E09000015 is not a member" in message
    assert "row 4, column service" in message and "row 4, column hours_per_week" in message
    # a row with a figure that could not be read is still checked for where it is, so one upload names all
    assert "row 4, column locality_code: NOWHERE is not a known locality" in message
    with world.db.uow() as uow:
        assert len(service.list_demand(uow=uow, caller=lead, consortium_id=world.consortium_id)) == 4  # untouched

    sheet.delete_rows(3, 2)
    book.save(path)
    demand = io.read_demand(path)
    lines, problems = demand.lines, demand.problems
    with world.db.uow() as uow:  # Brent's file replaces Brent's line; the other members keep theirs
        saved = service.save_demand(uow=uow, caller=lead, consortium_id=world.consortium_id, lines=lines,
                                    problems=problems)
    assert (saved.lines, saved.members, saved.replaced, saved.kept) == (1, (BRENT,), 1, 3)
    with world.db.uow() as uow:
        on_record = service.list_demand(uow=uow, caller=lead, consortium_id=world.consortium_id)
    assert sorted((d.member, d.weekly_quantity) for d in on_record) == sorted(
        [(BRENT, Decimal(1500)), (ICB, Decimal(60)), (EALING, Decimal(900)), (HF, Decimal(400))])
    with world.db.uow() as uow, pytest.raises(CarepoolError, match="no demand lines in it, so nothing was imported"):
        service.save_demand(uow=uow, caller=lead, consortium_id=world.consortium_id, lines=[], what="empty.csv")
    with world.db.uow() as uow:  # replace all: members left out of the file have no demand
        saved = service.save_demand(uow=uow, caller=lead, consortium_id=world.consortium_id, lines=lines,
                                    problems=problems, replace_all=True)
    everyone = tuple(sorted([BRENT, EALING, HF, ICB]))
    assert (saved.lines, saved.members, saved.replaced, saved.kept) == (1, everyone, 4, 0)
    with world.db.uow() as uow:
        (big,) = service.build_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)
    assert big.lot.too_big_for_sme and big.lot.annual_value.plain() == "1825200.00"
    with world.db.uow() as uow:
        parts = service.split_lot(uow=uow, caller=lead, lot_id=big.id, parts=3)
    assert [p.lot.weekly_quantity for p in parts] == [Decimal(500)] * 3
    assert not any(p.lot.too_big_for_sme for p in parts)
    with world.db.uow() as uow:
        (merged,) = service.merge_lots(uow=uow, caller=lead, lot_ids=[p.id for p in parts])
    assert merged.lot.weekly_quantity == Decimal(1500) and merged.lot.shares[0].share_bp == 10_000
    exported = io.write_demand(tmp_path / "out.xlsx", [line.value for line in lines], {})
    again = io.read_demand(exported)
    assert again.problems == [] and [x.value for x in again.lines] == [line.value for line in lines]


def test_a_members_demand_file_on_the_page_says_what_it_replaced_and_kept(world: World) -> None:
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, "proc@hf.test")
        brent_only = f"member_code,service,locality_code,hours_per_week,baseline_price\n" \
                     f"{BRENT},night-care,BRENT-KIL,100,31.00\n".encode()
        page = client.post(f"/tenders/plan/{world.consortium_id}/demand",
                           files={"file": ("brent.csv", brent_only, "text/csv")})
        assert page.status_code == 200
        assert "Imported brent.csv: 1 line for Brent, in place of 1 line; other members&#39; 3 lines kept." in page.text
        assert "Demand on record: 4 lines, 1,460.00 hours a week." in page.text
        page = client.post(f"/tenders/plan/{world.consortium_id}/demand", data={"replace_all": "true"},
                           files={"file": ("brent.csv", brent_only, "text/csv")})
        assert "1 line for Brent, Ealing, Hammersmith and Fulham, NWL ICB, in place of 4 lines." in page.text
        assert "Demand on record: 1 line, 100.00 hours a week." in page.text
        two_slips = f"member_code,service,locality_code,hours_per_week,baseline_price\n" \
                    f"{BRENT},night-care,NOWHERE,a hundred,31.00\n".encode()
        answer = client.post(f"/api/procurement/consortia/{world.consortium_id}/demand",
                             files={"file": ("slips.csv", two_slips, "text/csv")})
        assert answer.status_code == 422
        assert "row 2, column hours_per_week" in answer.text and "NOWHERE is not a known locality" in answer.text
        refused = client.post(f"/tenders/plan/{world.consortium_id}/demand", data={"replace_all": "true"},
                              files={"file": ("slips.csv", two_slips, "text/csv")}).text
        assert "NOWHERE is not a known locality" in refused and "<details open><summary>Import demand" in refused
        assert 'name="replace_all" value="true" checked>' in refused  # the panel as it was sent


def test_a_refused_override_names_the_provider_and_keeps_what_was_typed(world: World) -> None:
    ref = world.tender()
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.37", 80)
    world.bid("bids@c.test", ref, "HC-BRENT-KIL", "21.11", 70, capacity="5000")
    world.bid("bids@c.test", ref, "HC-EALING-ACT", "21.00", 70, capacity="5000")
    world.clock.advance(days=15)
    world.award(ref, confirm=False)
    with world.db.uow() as uow:
        listing = reports.bid_listing(uow=uow, caller=world.caller("proc@hf.test"), ref=ref)
    acorn = next(b for b in listing.bids if b.provider_code == SME_A)
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, "proc@hf.test")
        page = client.post(f"/tenders/{ref}/override",
                           data={f"q{acorn.reference}": "six hundred", "reason": "continuity"})
    said = "hours a week for Acorn Care on HC-BRENT-KIL: expected a number like 120.5, got &#39;six hundred&#39;"
    assert said in page.text
    assert 'value="six hundred"' in page.text and ">continuity</textarea>" in page.text  # typed, kept
    assert "<details open><summary>Change the award by hand" in page.text


def test_an_award_no_plan_can_meet_says_what_can_still_be_done(world: World) -> None:
    ref = world.tender()
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.37", 80)
    world.clock.advance(days=15)
    with world.db.uow() as uow:
        opening.open_bids(uow=uow, caller=world.caller("proc@hf.test"), ref=ref)
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, "proc@hf.test")
        started = client.post(f"/tenders/{ref}/evaluate").text
        assert "Running the award: the optimiser runs once under the rules" in html.unescape(started)
        job = job_ended(client, f"/api/procurement/tenders/{ref}/award/job")
        page = client.get(f"/tenders/{ref}").text
    assert job["status"] == "failed" and job["message"] in html.unescape(page)
    assert "The award could not be run: max_share 0.6 needs at least 2 winning providers but only 1 have eligible " \
           "bids. The rules were published with the tender and cannot change once bids are open" in page
    assert "cancel the tender and publish a new one" in page and 'action="/tenders/' + ref + '/evaluate"' in page


def test_an_override_that_breaks_the_published_rules_says_so_before_and_at_confirming(world: World) -> None:
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    world.award(ref, confirm=False)
    lead = world.caller("proc@hf.test")
    with world.db.uow() as uow:
        kept = reports.award_summary(uow=uow, caller=lead, ref=ref)
        listing = reports.bid_listing(uow=uow, caller=lead, ref=ref)
    assert kept is not None and kept.rules_broken == []  # the optimiser's award keeps every rule
    crown = {b.lot_code: b for b in listing.bids if b.provider_code == LARGE_C}
    typed = {f"q{b.reference}": "0.00" for b in listing.bids}
    typed.update({f"q{crown[lot.code].reference}": str(lot.weekly_quantity) for lot in kept.lots})
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, "proc@hf.test")
        page = client.post(f"/tenders/{ref}/override", data={**typed, "reason": "one provider is simpler"}).text
        api = client.get(f"/api/procurement/tenders/{ref}/award", headers=bearer(world, "proc@hf.test")).json()
    broken = ["the cap on any one provider's share: Crown Care plc holds 100.0% of the value, above 60% "
              "(£873,849.60 a year over it)",
              "the floor for small and medium providers: they hold 0.0% of the value, below 25% "
              "(£546,156.00 a year short of it)"]
    assert 'class="warning" role="alert"' in page and "It now breaks the tender&#39;s published rules" in page
    assert all(rule.replace("'", "&#39;") in page for rule in broken)
    assert page.count("This award breaks 2 of the tender's published rules") == 2  # on the award and the button
    assert "<caption>Yearly cost by lot: today's prices and awarded</caption>" in page  # the chart's figures
    assert '"title":{"text":"Yearly cost"}' in page and '"tickprefix":"\\u00a3"' in page
    assert api["rules_broken"] == broken
    with world.db.uow() as uow:
        evaluation.confirm(uow=uow, caller=lead, ref=ref)
        events = audit.list_events(uow=uow, organisation=HF, entity_type="tender", entity_id=ref)
    recorded = {e.action: e.after["rules_broken"] for e in events if e.action in ("award.overridden",
                                                                                    "award.confirmed")}
    assert recorded == {"award.overridden": broken, "award.confirmed": broken}


def test_a_lot_awarded_by_hand_after_no_valid_bid_counts_in_the_savings(world: World) -> None:
    ref = world.tender(rules={"min_quality": "60", "max_providers": 2})
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80)
    world.bid("bids@c.test", ref, "HC-EALING-ACT", "21.00", 70)
    world.bid("bids@b.test", ref, "HC-HF-NORTH", "20.00", 50)  # below the floor: the lot goes unawarded
    world.clock.advance(days=15)
    world.award(ref, confirm=False)
    lead = world.caller(LEAD)
    with world.db.uow() as uow:
        before = reports.award_summary(uow=uow, caller=lead, ref=ref)
        birch = next(b for b in reports.bid_listing(uow=uow, caller=lead, ref=ref).bids if b.provider_code == SME_B)
    assert before is not None and before.unawarded == ["HC-HF-NORTH"]
    with world.db.uow() as uow:
        broken = evaluation.override(uow=uow, caller=lead, ref=ref, reason="cover is needed",
                                     allocations=[evaluation.Allocation(birch.reference, Decimal("400"))])
    assert broken == ["the quality floor: Birch Home Help wins HC-HF-NORTH with a quality score of 50, below 60"]
    with world.db.uow() as uow:
        after = reports.award_summary(uow=uow, caller=lead, ref=ref)
    assert after is not None and after.unawarded == []
    assert after.baseline == Money.sum(lot.baseline_annual for lot in after.lots)
    assert Money.sum(m.baseline for m in after.savings) == after.baseline
    assert Money.sum(m.awarded for m in after.savings) == after.awarded.total
    assert Money.sum(m.saving for m in after.savings) == after.saving


def test_panel_scores_and_overrides_name_bids_as_the_buyer_sees_them_and_keep_what_was_typed(world: World) -> None:
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    lead = world.caller("proc@hf.test")
    with world.db.uow() as uow:
        opening.open_bids(uow=uow, caller=lead, ref=ref)
        listing = reports.bid_listing(uow=uow, caller=lead, ref=ref)
    acorn = next(b for b in listing.bids if b.provider_code == SME_A and b.lot_code == "HC-BRENT-KIL")
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, "proc@hf.test")
        page = client.post(f"/tenders/{ref}/bids/{acorn.reference}/panel-score",
                           data={"score": "150", "note": "strong on continuity"}).text
        again = client.get(f"/tenders/{ref}").text  # the typed values are shown once
        scored = client.post(f"/tenders/{ref}/bids/{acorn.reference}/panel-score",
                             data={"score": "85", "note": "strong on continuity"}).text
    assert ("Panel score for Acorn Care on HC-BRENT-KIL: score: expected a score from 0 to 100, like 75, got "
            "&#39;150&#39;") in page
    assert 'value="150" aria-invalid="true" autofocus>' in page and 'value="strong on continuity">' in page
    assert 'value="150"' not in again
    assert re.search(r"\d bids matched their receipts, every one.</p>", page)
    assert "Panel score for Acorn Care on HC-BRENT-KIL recorded." in scored
    birch = next(b for b in listing.bids if b.provider_code != SME_A and b.lot_code == "HC-EALING-ACT"
                 and b.max_quantity is not None)
    with world.db.uow() as uow:
        evaluation.evaluate(uow=uow, caller=lead, ref=ref, time_limit=10)
    with world.db.uow() as uow, pytest.raises(CarepoolError) as refused:
        evaluation.override(uow=uow, caller=lead, ref=ref, reason="continuity",
                            allocations=[evaluation.Allocation(birch.reference, Decimal(900))])
    assert refused.value.message == ("Birch Home Help on HC-EALING-ACT: 900.00 hours a week is more than the "
                                     "500.00 the provider offered")


def test_uploads_are_refused_by_who_is_sending_before_the_file_is_read(world: World) -> None:
    """A file is read only for someone allowed to send it: a refusal names the permission, not the file."""
    ref = world.tender()
    junk = {"file": ("huge.xlsx", b"PK\x03\x04 not really a workbook", "application/octet-stream")}
    with TestClient(create_app(database=world.db)) as client:
        viewer = bearer(world, "viewer@brent.test")
        bids = client.post(f"/api/procurement/tenders/{ref}/bids/workbook", files=junk, headers=viewer)
        demand = client.post(f"/api/procurement/consortia/{world.consortium_id}/demand", files=junk,
                             headers=bearer(world, "bids@a.test"))
        other = client.post(f"/api/procurement/consortia/{world.consortium_id}/demand", files=junk,
                            headers=bearer(world, "proc@harrow.test"))  # not a member of this consortium
        sign_in(client, "comm@brent.test")
        plan = client.get(f"/tenders/plan/{world.consortium_id}").text
    assert bids.status_code == 403 and "huge.xlsx" not in bids.text
    assert demand.status_code in (403, 404) and "huge.xlsx" not in demand.text
    assert other.status_code == 404 and "huge.xlsx" not in other.text
    # a member's commissioner may state its own demand on the page, not only through the API
    assert "<summary>Import your organisation's demand</summary>" in plan
    assert "Rebuild lots from demand</button>" not in plan


def test_a_workbook_that_puts_capacities_right_is_not_warned_about_the_bids_it_replaces(world: World) -> None:
    ref = world.tender()
    world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80, capacity="800")
    world.bid("bids@a.test", ref, "HC-HF-NORTH", "23.50", 78, capacity="800")

    def bid(lot: str, capacity: str) -> Located:
        return Located((lot, BidContent(Money.parse("22.00"), Decimal(80), None, Decimal(capacity))), "bids.xlsx",
                       "Bids", 2)

    with world.db.uow() as uow:
        both = bidding.submit_bids(uow=uow, caller=world.caller("bids@a.test"), ref=ref,
                                   bids=[bid("HC-BRENT-KIL", "1500"), bid("HC-HF-NORTH", "1500")])
    assert [r.warnings for r in both] == [(), ()]  # 1,500 on both: nothing differs once the upload is sealed
    with world.db.uow() as uow:
        one = bidding.submit_bids(uow=uow, caller=world.caller("bids@a.test"), ref=ref,
                                  bids=[bid("HC-BRENT-KIL", "1200")])
    assert "but 1,500.00 on HC-HF-NORTH; the award uses the smallest you declare on any lot (1,200.00" in \
        one[0].warnings[0]
