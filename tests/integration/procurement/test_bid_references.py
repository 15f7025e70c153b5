"""A bid is named by a random reference, never by its number: two of a provider's own receipts say nothing of
how many bids others sealed in between, and a reference finds its own bidder's bid only (buyers': only once
opened, and only in their tender)."""

from __future__ import annotations

import json

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from fastapi.testclient import TestClient
from sqlalchemy import inspect, select, text

from carepool.db.base import Base
from carepool.db.engine import Database
from carepool.db.migrate import alembic_config
from carepool.procurement import bidding, evaluation, reports, tendering
from carepool.procurement.sealing import REFERENCE
from carepool.procurement.tables import BidRow
from tests.integration.helpers import sign_in
from tests.integration.procurement.conftest import SME_A, World, bearer, usual_bids

LEAD = "proc@hf.test"
LOTS = ("HC-BRENT-KIL", "HC-EALING-ACT", "HC-HF-NORTH")




def _unused(*taken: str) -> str:
    """A well-formed reference no bid has."""
    return next(r for r in (f"B-{n:010d}" for n in range(100)) if r not in taken)


def test_two_receipts_of_one_provider_say_nothing_of_the_bids_between(world: World, client: TestClient) -> None:
    ref = world.tender()
    first = world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.10", 80)
    between = [world.bid(email, ref, lot, f"{21 + n / 100:.2f}") for n in range(8)
               for email in ("bids@b.test", "bids@c.test") for lot in LOTS]  # each bids again: 48 bids
    second = world.bid("bids@a.test", ref, "HC-HF-NORTH", "23.50", 78)
    references = [r.bid_ref for r in (first, *between, second)]
    assert all(REFERENCE.fullmatch(r) for r in references) and len(set(references)) == len(references)
    assert references != sorted(references)  # in no order (1 in 50! that 50 random ones come sorted)
    with world.db.uow() as uow:
        numbers = {row.reference: row.id for row in uow.session.execute(select(BidRow)).scalars()}
    assert numbers[second.bid_ref] - numbers[first.bid_ref] == 49  # what the numbers would have told A

    a = bearer(world, "bids@a.test")
    mine = client.get("/api/procurement/my/bids", headers=a).json()
    assert [b["reference"] for b in mine] == [second.bid_ref, first.bid_ref]  # newest first, as sealed
    assert all("id" not in b and "bid_id" not in b["receipt"] for b in mine)
    receipt = client.get(f"/api/procurement/my/bids/{second.bid_ref}/receipt", headers=a).json()
    assert receipt["bid_ref"] == second.bid_ref and receipt["sha256"] == second.sha256
    typed = client.get(f"/api/procurement/my/bids/{second.bid_ref.lower()}/receipt", headers=a)
    assert typed.status_code == 200 and typed.json()["bid_ref"] == second.bid_ref  # as a person might type it
    events = client.get("/api/audit/events?entity_type=bid", headers=bearer(world, "bids@b.test")).json()
    assert events and all(REFERENCE.fullmatch(e["entity_id"]) for e in events)  # the trail names them so too

    # Another provider's bid, and a bid nobody made, are not found, in the same words.
    theirs, nobodys = between[0].bid_ref, _unused(*references)
    for path in ("/api/procurement/my/bids/{}/receipt", "/api/procurement/my/bids/{}/sealed"):
        assert client.get(path.format(first.bid_ref), headers=a).status_code == 200
        other, unknown = (client.get(path.format(r), headers=a) for r in (theirs, nobodys))
        assert other.status_code == unknown.status_code == 404
        assert other.json()["error"].replace(theirs, "?") == unknown.json()["error"].replace(nobodys, "?")
        assert "21.00" not in other.text
    for odd in ("B-%00", "17", "B-" + "Z" * 300):  # not a reference: not found, and no database is asked
        assert client.get(f"/api/procurement/my/bids/{odd}/receipt", headers=a).status_code == 404
    sign_in(client, "bids@a.test")
    assert client.get(f"/tenders/my-bids/{first.bid_ref}/bid-{first.bid_ref}-receipt.txt").status_code == 200
    pages = [client.get(f"/tenders/my-bids/{r}/bid-{r}-{kind}") for r in (theirs, nobodys)
             for kind in ("receipt.txt", "sealed.json")]
    assert [p.status_code for p in pages] == [404] * 4
    assert pages[0].text.replace(theirs, "?") == pages[2].text.replace(nobodys, "?")
    shown = client.get("/tenders/my-bids").text
    assert f'Bid <span class="bid-ref">{first.bid_ref}</span>' in shown and f"bid-{second.bid_ref}-sealed.json" in shown
    world.clock.advance(minutes=5)
    page = client.post(f"/tenders/{ref}/bid", data={"lot": "HC-EALING-ACT", "price": "22.40", "quality": "75"})
    with world.db.uow() as uow:
        newest = uow.session.execute(select(BidRow.provider_code, BidRow.reference)
                                     .order_by(BidRow.id.desc()).limit(1)).one()
    assert page.status_code == 200 and newest.provider_code == SME_A
    box = page.text[page.text.index('id="receipt-box"'):page.text.index("</section>", page.text.index("receipt-box"))]
    assert f'<td class="bid-ref">{newest.reference}</td>' in box and box.count("<tr>") == 2  # just that bid


def test_a_buyer_names_a_bid_by_reference_after_opening_and_in_its_own_tender_only(world: World,
                                                                                 client: TestClient) -> None:
    lead = bearer(world, LEAD)
    elsewhere = world.tender()
    other_tender = world.bid("bids@a.test", elsewhere, "HC-BRENT-KIL", "21.90").bid_ref
    with world.db.uow() as uow:
        tendering.cancel(uow=uow, caller=world.caller(LEAD), ref=elsewhere, reason="demand moved")
    ref = world.tender()
    replaced = world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.90", 80).bid_ref
    usual_bids(world, ref)  # Acorn bids on Brent again: that bid replaces the first
    path = f"/api/procurement/tenders/{ref}/bids/{{}}/panel-score"
    score = {"score": "72", "note": "panel read the method statement"}
    sealed = client.post(path.format(replaced), json=score, headers=lead)
    assert sealed.status_code == 409 and "after opening" in sealed.json()["error"]  # sealed: nothing to name yet
    world.clock.advance(days=15)
    assert client.post(f"/api/procurement/tenders/{ref}/open", headers=lead).status_code == 200
    listing = client.get(f"/api/procurement/tenders/{ref}/bids", headers=lead).json()
    assert all(REFERENCE.fullmatch(b["reference"]) and "id" not in b for b in listing["bids"])
    a_kil = next(b["reference"] for b in listing["bids"] if (b["provider"], b["lot"]) == (SME_A, "HC-BRENT-KIL"))
    sign_in(client, LEAD)
    assert f"/tenders/{ref}/bids/{a_kil}/panel-score" in client.get(f"/tenders/{ref}").text
    client.cookies.clear()

    assert client.post(path.format(a_kil), json=score, headers=lead).status_code == 200
    gone = client.post(path.format(replaced), json=score, headers=lead)
    assert gone.status_code == 409 and f"bid {replaced} is superseded" in gone.json()["error"]
    for outside in (other_tender, _unused(*(b["reference"] for b in listing["bids"]))):
        refused = client.post(path.format(outside), json=score, headers=lead)
        assert refused.status_code == 404 and refused.json()["error"] == f"bid {outside} in tender {ref} not found"
    provider = client.post(path.format(a_kil), json=score, headers=bearer(world, "bids@c.test"))
    assert provider.status_code in (403, 404)

    with world.db.uow() as uow:
        evaluation.evaluate(uow=uow, caller=world.caller(LEAD), ref=ref, time_limit=10)
    override = {"reason": "continuity", "allocations": [{"bid_ref": other_tender, "weekly_quantity": "660.00"}]}
    refused = client.post(f"/api/procurement/tenders/{ref}/override", json=override, headers=lead)
    assert refused.status_code == 404
    assert refused.json()["error"] == f"opened bid {other_tender} in tender {ref} not found"
    override["allocations"] = [{"bid_ref": a_kil, "weekly_quantity": "660.00"}]
    changed = client.post(f"/api/procurement/tenders/{ref}/override", json=override, headers=lead)
    assert changed.status_code == 200, changed.text
    assert [(a["provider"], a["source"]) for a in changed.json()["awards"] if a["lot"] == "HC-BRENT-KIL"] == [
        (SME_A, "override")]


def _migrate(db: Database, revision: str, *, down: bool = False) -> None:
    with db.engine.begin() as connection:
        config = alembic_config(db)
        config.attributes["connection"] = connection
        (command.downgrade if down else command.upgrade)(config, revision)


def _stored(db: Database) -> tuple[dict[int, str | None], list[object]]:
    """Each bid's reference by number (None before 0010), and what each evaluation excluded."""
    with db.engine.connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("procurement_bids")}
        reference = "reference" if "reference" in columns else "NULL"
        bids = dict(connection.execute(text(f"SELECT id, {reference} FROM procurement_bids")).all())
        evaluations = connection.execute(text("SELECT evaluation_json FROM procurement_tenders "
                                              "WHERE evaluation_json IS NOT NULL")).scalars()
        excluded = [item["bid"] for e in evaluations for item in json.loads(e)["excluded"]]
        for child in ("procurement_sealed_bids", "procurement_awards"):  # every envelope and award finds its bid
            orphans = connection.execute(text(f"SELECT count(*) FROM {child} c LEFT JOIN procurement_bids b "
                                              "ON b.id = c.bid_id WHERE b.id IS NULL")).scalar_one()
            assert orphans == 0, child
        if db.is_sqlite:
            assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
    return bids, excluded


def test_migration_0010_names_every_bid_already_made_and_goes_back(world: World) -> None:
    """Bids sealed, opened, evaluated (one below the quality floor), awarded and contracted before 0010 get a
    reference each, and the evaluation names the excluded bid by it; going back restores the numbers."""
    ref = world.tender()
    usual_bids(world, ref)
    world.bid("bids@b.test", ref, "HC-HF-NORTH", "23.90", 55, capacity="500")  # under the floor of 60
    world.clock.advance(days=15)
    world.award(ref)
    world.clock.advance(days=10)
    with world.db.uow() as uow:
        assert evaluation.make_contracts(uow=uow, caller=world.caller(LEAD), ref=ref) > 0
    before, excluded = _stored(world.db)
    assert len(before) == 7 and len(excluded) == 1 and excluded[0] in before.values()

    _migrate(world.db, "0009", down=True)
    numbers, excluded_then = _stored(world.db)
    assert set(numbers.values()) == {None} and excluded_then == [next(n for n, r in before.items()
                                                                       if r == excluded[0])]
    _migrate(world.db, "head")
    after, excluded_now = _stored(world.db)
    assert set(after) == set(before)  # the same bids, under the same numbers
    assert all(REFERENCE.fullmatch(r or "") for r in after.values()) and len(set(after.values())) == len(after)
    assert excluded_now == [after[excluded_then[0]]]  # the same bid, by its new reference
    with world.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if "procurement_bids" in str(d)]
    assert differences == []  # the table made anew is the model's, exactly (test_migrations checks the rest)
    acorn, birch_caller = world.caller("bids@a.test"), world.caller("bids@b.test")
    with world.db.uow() as uow:
        birch = reports.my_result(uow=uow, caller=birch_caller, ref=ref)
        mine = bidding.my_bids(uow=uow, caller=acorn)
        copy = bidding.sealed_copy(uow=uow, caller=acorn, bid_ref=mine[0].reference)
    assert list(birch.excluded) == excluded_now and "below the floor" in birch.excluded[excluded_now[0]]
    assert {b.reference for b in mine} <= set(after.values()) and f"Bid:        {mine[0].reference}" in (
        copy.receipt_text())


def test_a_bidder_sees_lots_by_code_without_their_numbers_or_each_members_price(
        world: World, client: TestClient) -> None:
    ref = world.tender()
    provider = client.get(f"/api/procurement/tenders/{ref}", headers=bearer(world, "bids@a.test")).json()
    member = client.get(f"/api/procurement/tenders/{ref}", headers=bearer(world, "comm@brent.test")).json()
    assert [lot["code"] for lot in provider["lots"]] == [lot["code"] for lot in member["lots"]] == list(LOTS)
    assert all(lot["id"] is None and lot["shares"] == [] for lot in provider["lots"])
    assert all(isinstance(lot["id"], int) and lot["shares"] for lot in member["lots"])
    brent = member["lots"][0]["shares"]
    assert {s["baseline_price"] for s in brent} == {"23.40", "24.75"}  # Brent's and the ICB's prices today
    assert "24.75" not in json.dumps(provider)
