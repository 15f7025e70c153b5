"""Sealed means sealed: before the deadline no role and no route shows a bid's contents (only a
count); a bid altered in the database is caught at opening; a provider only ever sees its own."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta
from decimal import Decimal

from fastapi.testclient import TestClient
from sqlalchemy import select, update

from carepool.core.money import Money
from carepool.procurement import bidding, evaluation, opening, reports, sealing
from carepool.procurement.model import BidContent, BidStatus
from carepool.procurement.tables import BidRow, SealedBidRow
from tests.integration.helpers import sign_in, token_for
from tests.integration.procurement.conftest import HF, LARGE_C, SME_A, USERS, World, bearer

# Distinctive values that must not appear anywhere before opening (except to their own bidder).
A_SECRETS = ("21.37", "93.17", "432.19", "1234.56")
C_SECRETS = ("29.83", "61.29")
LEAD = "proc@hf.test"


def _seal(world: World) -> str:
    ref = world.tender()
    with world.db.uow() as uow:
        bidding.submit_bid(uow=uow, caller=world.caller("bids@a.test"), ref=ref, lot_code="HC-HF-NORTH",
                           content=BidContent(Money.parse("21.37"), Decimal("93.17"), Decimal("432.19"),
                                              Decimal("1234.56")))
    with world.db.uow() as uow:
        bidding.submit_bid(uow=uow, caller=world.caller("bids@c.test"), ref=ref, lot_code="HC-HF-NORTH",
                           content=BidContent(Money.parse("29.83"), Decimal("61.29"), None, None))
    return ref




def _api_paths(client: TestClient, params: dict[str, str]) -> list[str]:
    """Every GET route of the API, its path parameters filled in (other features' ids: 1)."""
    paths = []
    for path, methods in client.app.openapi()["paths"].items():  # type: ignore[attr-defined]
        if "get" in methods:
            paths.append(re.sub(r"\{(\w+)\}", lambda m: params.get(m.group(1), "1"), path))
    return paths


def test_no_role_and_no_route_reveals_a_sealed_bid(world: World, client: TestClient) -> None:
    ref = _seal(world)
    with world.db.uow() as uow:
        bids = uow.session.execute(select(BidRow)).scalars().all()
        assert all(b.price is None and b.quality_cents is None for b in bids)  # nothing unsealed in the bid rows
        a_bid = next(b for b in bids if b.provider_code == SME_A)
        params = {"ref": ref, "consortium_id": str(world.consortium_id), "lot_id": str(a_bid.lot_id),
                  "bid_ref": a_bid.reference, "code": HF}
        a_ref, a_receipt = a_bid.reference, a_bid.receipt_sha256
    api = _api_paths(client, params)
    assert any("/bids" in p for p in api) and any("/ocds" in p for p in api) and len(api) > 20
    pages = ["/", "/tenders", f"/tenders/{ref}", f"/tenders/plan/{world.consortium_id}", "/tenders/my-bids",
             f"/tenders/new?consortium={world.consortium_id}", "/partners", f"/partners/{HF}", "/audit",
             "/open-data/tenders", f"/open-data/tenders/{ref}.json", f"/open-data/tenders/{ref}-record.json",
             "/open-data/contracts.csv"]
    posts = [f"/api/procurement/tenders/{ref}/open", f"/api/procurement/tenders/{ref}/evaluate",
             f"/api/procurement/tenders/{ref}/confirm", f"/api/procurement/tenders/{ref}/contracts"]
    for email in USERS:
        hidden = {"bids@a.test": C_SECRETS, "bids@c.test": A_SECRETS}.get(email, A_SECRETS + C_SECRETS)
        headers = {"Authorization": f"Bearer {token_for(world.db, email)}"}
        bodies = [client.get(path, headers=headers) for path in api]
        bodies += [client.post(path, headers=headers) for path in posts]
        client.cookies.clear()
        sign_in(client, email)
        bodies += [client.get(path) for path in pages]
        own_sealed = f"/api/procurement/my/bids/{a_ref}/sealed"
        for response in bodies:
            assert response.status_code < 500, (email, response.url, response.text[:300])
            for secret in hidden:
                assert secret not in response.text, (email, str(response.url), secret)
            if email == "bids@a.test" and response.url.path == own_sealed:
                continue  # A's own bid as sealed, to check its receipt: A's alone (below)
            assert "nonce" not in response.text and "price_per_unit" not in response.text
        client.cookies.clear()
    assert sealed_for_its_bidder_only(client, world, a_ref, a_receipt)
    # What the consortium does see: how many.
    lead = {"Authorization": f"Bearer {token_for(world.db, LEAD)}"}
    listing = client.get(f"/api/procurement/tenders/{ref}/bids", headers=lead).json()
    assert listing == {"sealed": True, "count": 2, "counts": {"HC-BRENT-KIL": 0, "HC-EALING-ACT": 0,
                                                              "HC-HF-NORTH": 2}, "bids": []}
    assert client.post(f"/api/procurement/tenders/{ref}/open", headers=lead).status_code == 409
    # And the bidder sees its own bid and receipt.
    mine = client.get("/api/procurement/my/bids", headers=bearer(world, "bids@a.test"))
    assert [b["price"] for b in mine.json()] == ["21.37"] and len(mine.json()[0]["receipt"]["sha256"]) == 64


def sealed_for_its_bidder_only(client: TestClient, world: World, bid_ref: str, receipt_sha256: str) -> bool:
    """The bidder downloads its bid exactly as sealed, and its SHA-256 is the receipt's; no one else gets it."""
    sealed = client.get(f"/api/procurement/my/bids/{bid_ref}/sealed", headers=bearer(world, "bids@a.test"))
    assert hashlib.sha256(sealed.content).hexdigest() == receipt_sha256 and '"21.37"' in sealed.text
    sign_in(client, "bids@a.test")
    receipt = client.get(f"/tenders/my-bids/{bid_ref}/bid-{bid_ref}-receipt.txt")
    assert f'filename="bid-{bid_ref}-receipt.txt"' in receipt.headers["content-disposition"]
    assert "attachment" in receipt.headers["content-disposition"]
    assert f"Bid:        {bid_ref}\n" in receipt.text and f"sha256sum bid-{bid_ref}-sealed.json" in receipt.text
    assert f"Provider:   Acorn Care ({SME_A})\n" in receipt.text  # by name, as the provider knows itself
    assert f"SHA-256:    {receipt_sha256}" in receipt.text and sealed.text in receipt.text
    page_copy = client.get(f"/tenders/my-bids/{bid_ref}/bid-{bid_ref}-sealed.json")
    assert page_copy.content == sealed.content and f"bid-{bid_ref}-receipt.txt" in client.get("/tenders/my-bids").text
    client.cookies.clear()
    for email in ("bids@c.test", "bids@b.test", LEAD, "admin@hf.test"):
        other = client.get(f"/api/procurement/my/bids/{bid_ref}/sealed", headers=bearer(world, email))
        assert other.status_code in (403, 404) and "21.37" not in other.text, email
    return True


def test_a_bid_altered_in_the_database_is_caught_at_opening(world: World, client: TestClient) -> None:
    ref = _seal(world)
    world.bid("bids@b.test", ref, "HC-HF-NORTH", "24.10", 70)
    with world.db.uow() as uow:
        a_bid = uow.session.execute(select(BidRow).where(BidRow.provider_code == SME_A)).scalar_one()
        a_id, a_ref, a_receipt = a_bid.id, a_bid.reference, a_bid.receipt_sha256
        envelope = uow.session.get(SealedBidRow, a_id)
        assert envelope is not None and '"21.37"' in envelope.sealed_json
        uow.session.execute(update(SealedBidRow).where(SealedBidRow.bid_id == a_id).values(
            sealed_json=envelope.sealed_json.replace('"21.37"', '"19.99"')))
        uow.commit()
    world.clock.advance(days=15)
    lead = {"Authorization": f"Bearer {token_for(world.db, LEAD)}"}
    opened = client.post(f"/api/procurement/tenders/{ref}/open", headers=lead).json()
    assert opened["opened"] == 2
    assert opened["tampered"] == [{"bid": a_ref, "provider": SME_A,
                                   "problem": "its contents do not match the SHA-256 on its receipt"}]
    with world.db.uow() as uow:
        row = uow.session.get(BidRow, a_id)
        assert row is not None and row.status == BidStatus.TAMPERED.value and row.price is None
    events = client.get("/api/audit/events", headers=bearer(world, "admin@hf.test"))
    tampered = [e for e in events.json() if e["action"] == "bid.tampered"]
    assert len(tampered) == 1 and tampered[0]["after"]["receipt_sha256"] == a_receipt
    assert tampered[0]["entity_id"] == a_ref  # the audit trail names the bid as its receipt does
    with world.db.uow() as uow:
        evaluation.evaluate(uow=uow, caller=world.caller(LEAD), ref=ref, time_limit=10)
    award = client.get(f"/api/procurement/tenders/{ref}/award", headers=lead).json()
    assert SME_A not in {a["provider"] for a in award["awards"]}


def test_an_envelope_swapped_onto_another_bid_is_caught(world: World) -> None:
    ref = _seal(world)
    with world.db.uow() as uow:
        rows = {b.provider_code: b for b in uow.session.execute(select(BidRow)).scalars()}
        a_ref = rows[SME_A].reference
        c_envelope = uow.session.get(SealedBidRow, rows[LARGE_C].id)
        a_envelope = uow.session.get(SealedBidRow, rows[SME_A].id)
        assert c_envelope is not None and a_envelope is not None
        a_envelope.sealed_json = c_envelope.sealed_json  # C's genuine envelope under A's bid
        rows[SME_A].receipt_sha256 = rows[LARGE_C].receipt_sha256  # and the receipt to match
        uow.commit()
    world.clock.advance(days=15)
    with world.db.uow() as uow:
        found = opening.open_bids(uow=uow, caller=world.caller(LEAD), ref=ref)
    assert [(b, why) for b, _, why in found.tampered] == [
        (a_ref, "its envelope names a different tender, version, lot or provider")]


def test_each_provider_sees_only_its_own_result(world: World, client: TestClient) -> None:
    ref = _seal(world)
    world.bid("bids@b.test", ref, "HC-BRENT-KIL", "22.00", 70)
    world.bid("bids@c.test", ref, "HC-BRENT-KIL", "21.90", 70)
    world.bid("bids@c.test", ref, "HC-EALING-ACT", "21.50", 70)
    world.bid("bids@b.test", ref, "HC-EALING-ACT", "22.20", 70)
    lead = world.caller(LEAD)
    world.clock.advance(days=15)
    world.award(ref, confirm=False)
    b = bearer(world, "bids@b.test")
    before = client.get(f"/api/procurement/tenders/{ref}/result", headers=b).json()
    assert before["published"] is False and before["awards"] == []  # nothing until the award is confirmed
    with world.db.uow() as uow:
        evaluation.confirm(uow=uow, caller=lead, ref=ref)
    result = client.get(f"/api/procurement/tenders/{ref}/result", headers=b).json()
    assert result["published"] is True
    assert {x["provider"] for x in result["awards"]} <= {"1-101000002"}
    assert {x["receipt"]["provider"] for x in result["bids"]} == {"1-101000002"}
    # Prices awarded on B's lots (here Large C's 21.90 and 21.50) are in the public award notice, and B sees
    # them as the lot's awarded prices; no other price of another bidder reaches B.
    notice = client.get(f"/api/procurement/tenders/{ref}/ocds", headers=b).json()
    public = " ".join(a["description"] for r in notice["releases"] for a in r.get("awards", []))
    awarded = {p for s in result["standings"] for p in s["awarded_prices"]}
    assert awarded == {"21.90", "22.00", "21.50"} and all(f"at £{p} an hour" in public for p in awarded)
    without_awarded = str([{k: v for k, v in s.items() if k != "awarded_prices"} for s in result["standings"]]
                          + [result[k] for k in result if k != "standings"])
    for secret in A_SECRETS + C_SECRETS + ("21.90", "21.50"):
        assert secret not in without_awarded
    assert client.get(f"/api/procurement/tenders/{ref}/award", headers=b).status_code == 403
    refused = client.get(f"/api/procurement/tenders/{ref}/bids", headers=b)
    assert refused.status_code == 403 and "for the buying consortium's members" in refused.json()["error"]
    with world.db.uow() as uow:
        summary = reports.award_summary(uow=uow, caller=lead, ref=ref)
    assert summary is not None and summary.awards
    assert world.clock.now < summary.tender.standstill_ends + timedelta(days=1)  # type: ignore[operator]


def test_numbers_beyond_storage_are_refused_and_cannot_stop_an_opening(world: World, client: TestClient) -> None:
    """A capacity or price no column could hold is refused as it is typed (not a 500 at opening, which would leave
    the tender unopenable); a bid sealed with one before the limit existed is excluded at opening, named."""
    ref = _seal(world)
    provider = bearer(world, "bids@b.test")
    for field, typed in (("capacity", "10000000000000000000000"), ("quality", "1e30"),
                         ("price", "99999999999999999999999.00"), ("max_quantity", "1e30")):
        body = {"lot": "HC-HF-NORTH", "price": "24.10", "quality": "70", field: typed}
        refused = client.post(f"/api/procurement/tenders/{ref}/bids", json=body, headers=provider)
        assert refused.status_code in (400, 422), (field, refused.text)
        said = "expected a score from 0 to 100" if field == "quality" else "check for a typo or a figure in the wrong"
        assert said in refused.text, (field, refused.text)
    with world.db.uow() as uow:
        a_bid = uow.session.execute(select(BidRow).where(BidRow.provider_code == SME_A)).scalar_one()
        envelope = uow.session.get(SealedBidRow, a_bid.id)
        assert envelope is not None and '"21.37"' in envelope.sealed_json
        envelope.sealed_json = envelope.sealed_json.replace('"21.37"', '"99999999999999999999999.00"')
        a_bid.receipt_sha256 = sealing.sha256(envelope.sealed_json)  # as if sealed before the limit
        a_ref = a_bid.reference
        uow.commit()
    assert world.bid("bids@a.test", ref, "HC-BRENT-KIL", "22.00", 70).warnings == ()  # not blocked by the old one
    world.clock.advance(days=15)
    with world.db.uow() as uow:
        found = opening.open_bids(uow=uow, caller=world.caller(LEAD), ref=ref)
    assert found.opened >= 1 and [b for b, _, _ in found.tampered] == [a_ref]
    assert "expected an amount of at most £10,000,000,000.00 either way" in found.tampered[0][2]
