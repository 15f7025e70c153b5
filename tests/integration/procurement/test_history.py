"""A tender's history is shared by the consortium's members (each member's audit trail holds only its own
organisation's actions): every member's actions on the tender, its consortium and its opened bids, and never a
provider's sealing of a bid (who bid, and when)."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from carepool.procurement import bidding, opening
from carepool.web.app import create_app
from tests.integration.helpers import sign_in, token_for
from tests.integration.procurement.conftest import World, usual_bids


def _actions(client: TestClient, world: World, email: str, ref: str) -> list[str]:
    response = client.get(f"/api/procurement/tenders/{ref}/history",
                          headers={"Authorization": f"Bearer {token_for(world.db, email)}"})
    assert response.status_code == 200, response.text
    return [event["action"] for event in response.json()]


def test_members_share_the_tenders_history_and_no_bidder_shows(world: World) -> None:
    ref = world.tender()
    usual_bids(world, ref)
    with TestClient(create_app(database=world.db)) as client:
        before = _actions(client, world, "comm@brent.test", ref)  # Brent: a member, not the lead
        assert before[:2] == ["tender.published", "tender.created"]
        assert {"consortium.created", "demand.saved", "lots.built"} <= set(before)
        assert not [a for a in before if a.startswith("bid.")]  # five bids sealed: not a trace of them

        world.clock.advance(days=15)
        lead = world.caller("proc@hf.test")
        with world.db.uow() as uow:
            opening.open_bids(uow=uow, caller=lead, ref=ref)
        with world.db.uow() as uow:
            scored = bidding.my_bids(uow=uow, caller=world.caller("bids@b.test"), ref=ref)[0]
        with world.db.uow() as uow:
            opening.set_panel_score(uow=uow, caller=lead, ref=ref, bid_ref=scored.reference, score=Decimal(65),
                                    note="method statement reviewed")
        after = _actions(client, world, "fin@ealing.test", ref)
        assert after[:2] == ["bid.panel_scored", "tender.opened"]
        assert "bid.submitted" not in after

        refused = client.get(f"/api/procurement/tenders/{ref}/history",
                             headers={"Authorization": f"Bearer {token_for(world.db, 'bids@a.test')}"})
        assert refused.status_code == 403
        assert refused.json()["error"].startswith(f"the history of tender {ref} is for the buying consortium's")
        outsider = client.get(f"/api/procurement/tenders/{ref}/history",
                              headers={"Authorization": f"Bearer {token_for(world.db, 'proc@harrow.test')}"})
        assert outsider.status_code == 403  # a public tender, but not Harrow's consortium

        sign_in(client, "comm@brent.test")
        assert f'href="/tenders/{ref}/history"' in client.get(f"/tenders/{ref}").text
        page = client.get(f"/tenders/{ref}/history")
        assert page.status_code == 200 and "What each member did, and when" in page.text
        assert "bid.panel_scored" in page.text and "method statement reviewed" in page.text
        assert 'href="/audit?' not in page.text  # Brent's own trail would not hold the lead's events
        client.post("/logout", data={"csrf_token": client.headers.pop("X-CSRF-Token")})
        sign_in(client, "bids@a.test")
        refused_page = client.get(f"/tenders/{ref}/history")
        assert refused_page.status_code == 403 and "Acorn Care" in refused_page.text  # signed in: its header


def test_a_drafts_history_is_not_found_outside_its_consortium(world: World) -> None:
    ref = world.tender(publish=False)
    with TestClient(create_app(database=world.db)) as client:
        assert _actions(client, world, "comm@brent.test", ref) == [
            "tender.created", "lots.built", "demand.saved", *["consortium.joined"] * 3,  # each member accepted
            "consortium.created"]  # which names those invited: not again as each one's copy of it
        for outsider in ("proc@harrow.test", "bids@a.test"):
            response = client.get(f"/api/procurement/tenders/{ref}/history",
                                  headers={"Authorization": f"Bearer {token_for(world.db, outsider)}"})
            assert response.status_code == 404
