"""The buyer's pages of the lot plan, the tender builder and the tender: what a browser walk found wrong."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.partners.service import Located
from carepool.procurement import service as procurement
from carepool.procurement import tendering
from carepool.procurement.model import DemandLine
from carepool.web.app import create_app
from tests.integration.helpers import sign_in
from tests.integration.procurement.conftest import BRENT, ICB, RULES, World, usual_bids

LEAD = "proc@hf.test"
HEADER = "member_code,service,locality_code,hours_per_week,baseline_price\n"


def _text(page: str) -> str:
    return html.unescape(page)


def test_a_demand_file_with_absurd_figures_is_refused_whole_and_nothing_changes(world: World) -> None:
    absurd = (HEADER + "E09000005,home-care,BRENT-KIL,1000000000,23.40\n"
              "E09000009,home-care,EALING-ACT,900,10000000\n"
              "E09000013,home-care,HF-NORTH,400,24.90\n").encode()
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, LEAD)
        page = _text(client.post(f"/tenders/plan/{world.consortium_id}/demand",
                                 files={"file": ("absurd.csv", absurd, "text/csv")}).text)
        api = client.post(f"/api/procurement/consortia/{world.consortium_id}/demand",
                          files={"file": ("absurd.csv", absurd, "text/csv")})
    assert "absurd.csv: 2 problems; nothing was imported" in page
    assert ("absurd.csv, row 2, column hours_per_week: 1,000,000,000.00 hours a week is more than any one line can "
            "be (at most 250,000.00 for one member's service in one locality)") in page
    assert ("absurd.csv, row 3, column baseline_price: £10,000,000.00 an hour is more than any price of care today "
            "can be (at most £1,000.00)") in page
    assert api.status_code == 422 and "at most £1,000.00" in api.text
    with world.db.uow() as uow:  # H&F's good line was not written either
        on_record = procurement.list_demand(uow=uow, caller=world.caller(LEAD), consortium_id=world.consortium_id)
    assert sorted((d.member, str(d.weekly_quantity)) for d in on_record) == [
        ("E09000005", "600.00"), ("E09000009", "900.00"), ("E09000013", "400.00"), ("QRV", "60.00")]


def test_the_import_form_asks_before_a_file_replaces_a_members_lines(world: World) -> None:
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, "comm@brent.test")
        own = _text(client.get(f"/tenders/plan/{world.consortium_id}").text)
        client.cookies.clear()
        sign_in(client, LEAD)
        lead = _text(client.get(f"/tenders/plan/{world.consortium_id}").text)
    assert ('data-confirm="Import this file as Brent\'s whole demand? It replaces the 1 line Brent has on record: '
            "any of them not in the file are gone. Other members' lines stay as they are.\"") in own
    assert "The file replaces all your organisation's demand (Brent: the 1 line on record now)" in own
    assert ("it replaces all that member's lines on record (now Brent 1; Ealing 1; Hammersmith and Fulham 1; NWL "
            'ICB 1); with "replace every member\'s demand" ticked it replaces all 4 lines') in lead


def test_already_in_names_every_lot_of_the_live_tender_that_buys_the_same_demand(world: World) -> None:
    lead = world.caller(LEAD)

    def plan_with_acton_in_two() -> dict[str, int]:
        with world.db.uow() as uow:
            plan = {s.lot.code: s.id for s in procurement.build_lots(uow=uow, caller=lead,
                                                                     consortium_id=world.consortium_id)}
        with world.db.uow() as uow:
            parts = procurement.split_lot(uow=uow, caller=lead, lot_id=plan["HC-EALING-ACT"], parts=2)
        return {s.lot.code: s.id for s in parts}

    plan = plan_with_acton_in_two()
    with world.db.uow() as uow:
        first = tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Acton",
                                        lot_ids=[plan["HC-EALING-ACT-1"], plan["HC-EALING-ACT-2"]], rules=RULES).ref
    plan = plan_with_acton_in_two()  # the plan rebuilt and split the same way, while the tender runs
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, LEAD)
        page = _text(client.get(f"/tenders/plan/{world.consortium_id}").text)
        builder = _text(client.get(f"/tenders/new?consortium={world.consortium_id}").text)
    both = f"already in {first} (draft) as HC-EALING-ACT-1 and HC-EALING-ACT-2"
    assert page.count(both) == 2 and builder.count(both) == 2  # for each of the plan's two parts
    with world.db.uow() as uow, pytest.raises(CarepoolError) as refused:
        tendering.create_tender(uow=uow, caller=lead, consortium_id=world.consortium_id, title="Again",
                                lot_ids=[plan["HC-EALING-ACT-1"]], rules=RULES)
    assert refused.value.message.startswith(f"lot HC-EALING-ACT-1 buys demand already in lots HC-EALING-ACT-1 and "
                              f"HC-EALING-ACT-2 of tender {first} (draft)")


def test_merging_with_nothing_ticked_comes_back_to_the_plan_saying_what_to_do(world: World) -> None:
    with world.db.uow() as uow:
        procurement.build_lots(uow=uow, caller=world.caller(LEAD), consortium_id=world.consortium_id)
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, LEAD)
        page = client.post(f"/tenders/plan/{world.consortium_id}/merge", data={"name": "West"})
    assert page.status_code == 200 and page.url.path == f"/tenders/plan/{world.consortium_id}"
    assert "tick at least two lots to merge (none was ticked)" in page.text
    assert 'id="merge-name" name="name" form="merge" value="West">' in page.text  # what was typed is kept


def test_the_builder_names_every_fields_problem_at_once_and_keeps_what_was_typed(world: World) -> None:
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, LEAD)
        page = client.post("/tenders/new", data={
            "consortium_id": str(world.consortium_id), "title": " ", "description": "Acton",
            "deadline": "2026-03-04T12:00", "contract_start": "next spring", "max_share": "2", "min_sme_share": "",
            "min_quality": "", "quality_weight": "0", "min_award_fraction": "", "max_providers": "2"})
    text = _text(page.text)
    assert page.status_code == 422 and "There is a problem" in text and "5 fields need correcting" in text
    for said in ('<a href="#title">Title</a>: give the tender a title',
                 '<a href="#deadline">Deadline for bids</a>: the deadline must leave bidders at least 7 days',
                 '<a href="#contract_start">Contracts start</a>: ', "next spring",
                 "The award rules need correcting", "max_share",
                 '<a href="#lots">Lots</a>: tick at least one lot from the plan'):
        assert said in text, said
    assert 'value="2026-03-04T12:00"' in text and ">Acton</textarea>" in text and 'value="next spring"' in text
    assert 'id="title" name="title" aria-invalid="true"' in text


def test_irreversible_steps_ask_first_and_the_awards_caption_says_how_yearly_values_are_rounded(
        world: World) -> None:
    ref = world.tender()
    usual_bids(world, ref)
    world.clock.advance(days=15)
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, LEAD)
        closed = _text(client.get(f"/tenders/{ref}").text)
        world.award(ref)
        awarded = _text(client.get(f"/tenders/{ref}").text)
        world.clock.advance(days=11)
        sign_in(client, LEAD)  # a session does not last the standstill
        after_standstill = _text(client.get(f"/tenders/{ref}").text)
    assert (f'action="/tenders/{ref}/open" data-busy="Opening the bids and checking each against its receipt" '
            f'data-confirm="Open the 6 sealed bids of {ref}? Each is checked against its receipt') in closed
    assert "(yearly value: hours a week × price an hour × 52, rounded once to the penny)" in awarded
    assert "the week's cost, to the penny, times 52" not in awarded
    assert (f'action="/tenders/{ref}/contracts" data-busy="Making the call-off contracts" data-confirm="Make the '
            f"call-off contracts of {ref}? One contract for each of the ") in after_standstill
    assert "each running 4 years from the day after standstill; they are published" in after_standstill


def test_the_sme_threshold_is_said_once(world: World) -> None:
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, LEAD)
        client.post(f"/tenders/plan/{world.consortium_id}/threshold", data={"hours": "1500"})
        page = _text(client.get(f"/tenders/plan/{world.consortium_id}").text)
    assert ('flagged <span class="tag">too big for an SME</span> above the stated threshold of 1,500.00 hours a '
            "week.") in page
    assert page.count("1,500.00 hours a week") == 1


def test_a_saved_split_and_merge_keep_each_members_spend_to_the_penny(world: World) -> None:
    lead = world.caller(LEAD)
    odd = [DemandLine(BRENT, "home-care", "BRENT-KIL", Decimal("600.01"), Money.parse("23.41")),
           DemandLine(ICB, "home-care", "BRENT-KIL", Decimal("60.03"), Money.parse("24.77"))]
    with world.db.uow() as uow:
        procurement.save_demand(uow=uow, caller=lead, consortium_id=world.consortium_id, replace_all=True,
                                lines=[Located(line) for line in odd])
    with world.db.uow() as uow:
        (whole,) = procurement.build_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)
    assert whole.lot.annual_value == Money.parse("807725.21")
    with world.db.uow() as uow:
        parts = procurement.split_lot(uow=uow, caller=lead, lot_id=whole.id, parts=7)
    with world.db.uow() as uow:  # read back from the database
        saved = procurement.list_lots(uow=uow, caller=lead, consortium_id=world.consortium_id)
    assert len(saved) == 7 and Money.sum(s.lot.annual_value for s in saved) == Money.parse("807725.21")
    with world.db.uow() as uow:
        merged = procurement.merge_lots(uow=uow, caller=lead, lot_ids=[s.id for s in parts], name="Kilburn")
    assert Money.sum(s.lot.annual_value for s in merged) == Money.parse("807725.21")


def test_demand_stated_without_a_file_is_held_to_the_same_limits(world: World) -> None:
    slip = DemandLine(BRENT, "home-care", "BRENT-KIL", Decimal(600), Money.parse("2340.00"))  # pence typed as pounds
    with world.db.uow() as uow, pytest.raises(CarepoolError) as refused:
        procurement.save_demand(uow=uow, caller=world.caller(LEAD), consortium_id=world.consortium_id,
                                lines=[Located(slip)])
    assert "£2,340.00 an hour is more than any price of care today can be" in str(refused.value.problems)
    with world.db.uow() as uow:
        assert len(procurement.list_demand(uow=uow, caller=world.caller(LEAD), consortium_id=world.consortium_id)) == 4


def test_rebuilding_a_plan_that_has_lots_asks_first(world: World) -> None:
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, LEAD)
        empty = _text(client.get(f"/tenders/plan/{world.consortium_id}").text)
        client.post(f"/tenders/plan/{world.consortium_id}/build", data={})
        built = _text(client.get(f"/tenders/plan/{world.consortium_id}").text)
    assert "Rebuild the lot plan from demand?" not in empty
    assert ('data-confirm="Rebuild the lot plan from demand? Its 3 lots (with any splits and merges made since) are '
            "replaced by new lots; lots already in a tender stay as they are.\"") in built


def test_importing_demand_a_live_tender_buys_says_the_tender_keeps_what_it_was_built_from(world: World) -> None:
    brent = (HEADER + "E09000005,home-care,BRENT-KIL,640,23.40\n").encode()
    harrow_only = (HEADER + "E09000013,home-care,HARROW-E,100,24.00\n").encode()
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, LEAD)
        before = client.post(f"/api/procurement/consortia/{world.consortium_id}/demand",
                             files={"file": ("brent.csv", brent, "text/csv")}).json()
        ref = world.tender()  # buys home care in Kilburn, Acton and Hammersmith North
        page = _text(client.post(f"/tenders/plan/{world.consortium_id}/demand",
                                 files={"file": ("brent.csv", brent.replace(b",640,", b",650,"), "text/csv")}).text)
        api = client.post(f"/api/procurement/consortia/{world.consortium_id}/demand",
                          files={"file": ("brent.csv", brent, "text/csv")}).json()
        elsewhere = client.post(f"/api/procurement/consortia/{world.consortium_id}/demand",
                                files={"file": ("hf.csv", harrow_only, "text/csv")}).json()
    assert (f"Imported brent.csv: 1 line for Brent, in place of 1 line; other members' 3 lines kept. {ref} already "
            "buys some of this demand; it keeps the hours and prices its lots were built from, and the change "
            "applies to lots built from now on.") in page
    assert before["in_live_tenders"] == [] and api["in_live_tenders"] == [ref]
    assert elsewhere["in_live_tenders"] == [ref]  # H&F's old line, in Hammersmith North, is one the tender buys


def test_importing_the_demand_on_record_again_changes_nothing_and_says_so(world: World) -> None:
    brent = (HEADER + "E09000005,home-care,BRENT-KIL,640,23.40\n").encode()
    url = f"/api/procurement/consortia/{world.consortium_id}/demand"
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, LEAD)
        first = client.post(url, files={"file": ("brent.csv", brent, "text/csv")}).json()
        with world.db.uow() as uow:
            events = len(audit.list_events(uow=uow, organisation=None))
        again = client.post(url, files={"file": ("again.csv", brent, "text/csv")}).json()
        page = _text(client.post(f"/tenders/plan/{world.consortium_id}/demand",
                                 files={"file": ("again.csv", brent, "text/csv")}).text)
        with world.db.uow() as uow:
            assert len(audit.list_events(uow=uow, organisation=None)) == events  # nothing for the trail
        other_price = client.post(url, files={"file": ("new.csv", brent.replace(b"23.40", b"23.41"), "text/csv")})
    assert first["changed"] is True and again["changed"] is False and again["lines"] == 1
    assert ("again.csv holds the demand already on record for Brent (1 line): nothing changed, and nothing was "
            "saved.") in page
    assert other_price.json()["changed"] is True  # a penny is a change


def test_an_empty_plan_says_why_and_what_comes_next_for_whoever_reads_it(world: World) -> None:
    plan = f"/tenders/plan/{world.consortium_id}"
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, LEAD)
        never_built = " ".join(_text(client.get(plan).text).split())
        client.cookies.clear()
        sign_in(client, "comm@brent.test")
        member = " ".join(_text(client.get(plan).text).split())
        world.tender()
        client.cookies.clear()
        sign_in(client, LEAD)
        all_tendered = " ".join(_text(client.get(plan).text).split())
    assert "No lots in the plan. Rebuild lots from demand to plan them." in never_built
    assert "gone into a tender" not in never_built + member
    assert "No lots in the plan. The lead, Hammersmith and Fulham, builds lots from the demand." in member
    assert ("No lots in the plan: every lot built so far (3) has gone into a tender. Rebuild lots from demand to "
            "plan more.") in all_tendered
