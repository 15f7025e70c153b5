"""An organisation is a consortium's member, and so a buyer, only once one of its own users accepts."""

from __future__ import annotations

from decimal import Decimal

from fastapi.testclient import TestClient

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.partners.service import Located
from carepool.procurement import consortia
from carepool.procurement import service as procurement
from carepool.procurement.model import DemandLine
from carepool.web.app import create_app
from tests.integration.helpers import sign_in
from tests.integration.procurement.conftest import BRENT, HARROW, World, bearer

ROGUE = "proc@harrow.test"  # Harrow's procurement team, in no consortium with Brent


def _rogue_consortium(world: World) -> int:
    with world.db.uow() as uow:
        return consortia.create_consortium(uow=uow, caller=world.caller(ROGUE), name="Rogue", members=[BRENT]).id


def _raises(kind: str, match: str, action: object, world: World, **kwargs: object) -> None:
    with world.db.uow() as uow:
        try:
            action(uow=uow, **kwargs)  # type: ignore[operator]
        except CarepoolError as error:
            said = " ".join([error.message, *(p.message for p in error.problems)])
            assert error.kind == kind and match in said, error
        else:
            raise AssertionError(f"{action} was not refused")


def test_a_named_member_is_only_invited_and_nothing_is_stated_for_it_until_it_accepts(world: World) -> None:
    consortium_id = _rogue_consortium(world)
    brent = world.caller("comm@brent.test")
    with world.db.uow() as uow:
        view = consortia.get_consortium(uow=uow, caller=world.caller(ROGUE), consortium_id=consortium_id)
        assert dict(view.members) == {HARROW: "Harrow"} and list(dict(view.invited)) == [BRENT]
        assert [c.name for c in consortia.list_consortia(uow=uow, caller=brent)] == ["West London"]
        assert [c.name for c in consortia.invitations(uow=uow, caller=brent)] == ["Rogue"]
    line = DemandLine(BRENT, "home-care", "BRENT-KIL", Decimal(5000), Money.parse("99.00"))
    _raises("invalid", f"{BRENT} has been invited to this consortium but has not yet accepted",
            procurement.save_demand, world, caller=world.caller(ROGUE), consortium_id=consortium_id,
            lines=[Located(line, "rogue.csv", None, 2)])
    _raises("not_found", "consortium", procurement.list_demand, world, caller=brent, consortium_id=consortium_id)
    _raises("forbidden", "", consortia.accept, world, caller=world.caller("viewer@brent.test"),
            consortium_id=consortium_id)  # a viewer cannot commit the council
    _raises("not_found", "invitation", consortia.accept, world, caller=world.caller("fin@ealing.test"),
            consortium_id=consortium_id)  # Ealing was not invited
    with world.db.uow() as uow:
        consortia.accept(uow=uow, caller=brent, consortium_id=consortium_id)
    with world.db.uow() as uow:
        procurement.save_demand(uow=uow, caller=world.caller(ROGUE), consortium_id=consortium_id,
                                lines=[Located(line)])
        assert {c.name for c in consortia.list_consortia(uow=uow, caller=brent)} == {"Rogue", "West London"}
        trail = [e.action for e in audit.list_events(uow=uow, organisation=BRENT, entity_type="consortium",
                                                     entity_id=str(consortium_id))]
        lead_trail = [e.action for e in audit.list_events(uow=uow, organisation=HARROW, entity_type="consortium",
                                                          entity_id=str(consortium_id))]
    assert sorted(trail) == ["consortium.invited", "consortium.joined"]
    assert sorted(lead_trail) == ["consortium.created", "demand.saved"]
    _raises("conflict", "already a member", consortia.accept, world, caller=brent, consortium_id=consortium_id)


def test_declining_removes_the_invitation_and_the_api_and_page_answer(world: World) -> None:
    consortium_id = _rogue_consortium(world)
    with TestClient(create_app(database=world.db)) as client:
        headers = bearer(world, "comm@brent.test")
        invited = client.get("/api/procurement/consortia/invitations", headers=headers).json()
        assert [(c["name"], c["lead_code"], c["members"], c["invited"]) for c in invited] == [
            ("Rogue", HARROW, {HARROW: "Harrow"}, {})]  # its name, lead and who has joined: not who else was asked
        assert client.get(f"/api/procurement/consortia/{consortium_id}", headers=headers).status_code == 404
        sign_in(client, "comm@brent.test")
        page = client.get("/tenders").text
        assert "Invitations to join a consortium" in page and f"/tenders/consortia/{consortium_id}/decline" in page
        answered = client.post(f"/tenders/consortia/{consortium_id}/decline")
        assert "Declined: Brent is not a member of Rogue" in answered.text
        again = client.post(f"/api/procurement/consortia/{consortium_id}/accept", headers=headers)
        unknown = f"invitation to consortium {consortium_id} not found"
        assert (again.status_code, again.json()["error"]) == (404, unknown)
    with world.db.uow() as uow:
        view = consortia.get_consortium(uow=uow, caller=world.caller(ROGUE), consortium_id=consortium_id)
    assert view.invited == () and list(dict(view.members)) == [HARROW]


def test_an_outsider_cannot_tell_another_consortiums_lot_from_one_that_never_was(world: World) -> None:
    with world.db.uow() as uow:
        theirs = procurement.build_lots(uow=uow, caller=world.caller("proc@hf.test"),
                                        consortium_id=world.consortium_id)[0].id
    own_consortium = _rogue_consortium(world)
    with world.db.uow() as uow:
        procurement.save_demand(uow=uow, caller=world.caller(ROGUE), consortium_id=own_consortium, lines=[Located(
            DemandLine(HARROW, "home-care", "HARROW-E", Decimal(100), Money.parse("20.00")))])
    with world.db.uow() as uow:
        own = procurement.build_lots(uow=uow, caller=world.caller(ROGUE), consortium_id=own_consortium)[0].id
    with TestClient(create_app(database=world.db)) as client:
        headers = bearer(world, ROGUE)
        for probe in (theirs, 9999):
            split = client.post(f"/api/procurement/lots/{probe}/split", json={"parts": 2}, headers=headers)
            merge = client.post("/api/procurement/lots/merge", json={"lot_ids": [own, probe]}, headers=headers)
            assert (split.status_code, split.json()["error"]) == (404, f"lot {probe} not found")
            assert (merge.status_code, merge.json()["error"]) == (404, f"lot {probe} not found")
