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
from tests.integration.procurement.conftest import BRENT, EALING, HARROW, HF, ICB, SME_A, World, bearer

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
    assert sorted(trail) == ["consortium.invited", "consortium.joined", "demand.stated_for_member"]
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
        unknown = (f"no invitation to consortium {consortium_id} is waiting for Brent's answer: it was answered "
                   "already, or withdrawn by the consortium's lead")
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


def test_the_lead_invites_after_creation_and_again_after_a_decline_and_may_withdraw(world: World) -> None:
    consortium_id = _rogue_consortium(world)
    brent, harrow = world.caller("comm@brent.test"), world.caller(ROGUE)
    with world.db.uow() as uow:
        consortia.decline(uow=uow, caller=brent, consortium_id=consortium_id)
    with world.db.uow() as uow:  # asked again after a no, with a second council
        view = consortia.invite(uow=uow, caller=harrow, consortium_id=consortium_id,
                                members=[f" {BRENT.lower()}", EALING, HF])
    assert list(dict(view.invited)) == [BRENT, EALING, HF] and list(dict(view.members)) == [HARROW]
    _raises("conflict", "Brent has already been invited to Rogue and has yet to answer; nobody was invited",
            consortia.invite, world, caller=harrow, consortium_id=consortium_id, members=[BRENT, ICB])
    _raises("invalid", f"Acorn Care ({SME_A}) is a provider", consortia.invite, world, caller=harrow,
            consortium_id=consortium_id, members=[SME_A])
    _raises("invalid", "tick at least one organisation to invite", consortia.invite, world, caller=harrow,
            consortium_id=consortium_id, members=[" "])
    _raises("not_found", "consortium", consortia.invite, world, caller=world.caller("proc@hf.test"),
            consortium_id=consortium_id, members=[ICB])  # invited is not yet a member: no such consortium
    for answering in (brent, world.caller("proc@hf.test")):
        with world.db.uow() as uow:
            consortia.accept(uow=uow, caller=answering, consortium_id=consortium_id)
    _raises("forbidden", "only the lead of Rogue, Harrow, changes its members", consortia.invite, world,
            caller=world.caller("proc@hf.test"), consortium_id=consortium_id, members=[ICB])  # a member's team
    _raises("forbidden", "procurement", consortia.invite, world, caller=brent, consortium_id=consortium_id,
            members=[ICB])  # a member, but not the lead's procurement team
    _raises("not_found", f"unanswered invitation of {BRENT}", consortia.withdraw, world, caller=harrow,
            consortium_id=consortium_id, member=BRENT)  # joined: stays a member
    ealing = world.caller("fin@ealing.test")
    with world.db.uow() as uow:
        view = consortia.withdraw(uow=uow, caller=harrow, consortium_id=consortium_id, member=EALING.lower())
        assert view.invited == () and list(dict(view.members)) == [BRENT, HF, HARROW]
        assert [c.name for c in consortia.invitations(uow=uow, caller=ealing)] == []
        ealing_trail = [e.action for e in audit.list_events(uow=uow, organisation=EALING, entity_type="consortium",
                                                            entity_id=str(consortium_id))]
        lead_trail = [e.action for e in audit.list_events(uow=uow, organisation=HARROW, entity_type="consortium",
                                                          entity_id=str(consortium_id))]
    assert sorted(ealing_trail) == ["consortium.invitation_withdrawn", "consortium.invited"]
    assert sorted(lead_trail) == ["consortium.created", "consortium.declined", "consortium.invitation_withdrawn",
                                  "consortium.invitations"]


def test_a_consortium_is_started_and_grown_from_the_pages_and_the_api(world: World) -> None:
    with TestClient(create_app(database=world.db)) as client:
        sign_in(client, ROGUE)
        page = client.get("/tenders").text
        assert "Start a consortium led by Harrow" in page and f'value="{BRENT}"' in page
        assert f'value="{SME_A}"' not in page  # only buyers are offered
        refused = client.post("/tenders/consortia", data={"name": "West London", "members": [BRENT]})
        assert "a consortium called &#39;West London&#39; already exists" in refused.text
        assert 'value="West London"' in refused.text  # what was typed comes back
        started = client.post("/tenders/consortia", data={"name": "North West", "members": [BRENT]})
        assert "North West is started, led by Harrow; invited: Brent." in started.text
        consortium_id = int(str(started.url).rsplit("/", 1)[1])
        assert f"/tenders/plan/{consortium_id}/invitations/{BRENT}/withdraw" in started.text
        grown = client.post(f"/tenders/plan/{consortium_id}/invite", data={"members": [EALING, ICB]})
        assert "Invited Ealing, NWL ICB: each joins when one of its own users accepts." in grown.text
        withdrawn = client.post(f"/tenders/plan/{consortium_id}/invitations/{ICB}/withdraw")
        assert "The invitation of NWL ICB to North West is withdrawn." in withdrawn.text
        headers = bearer(world, ROGUE)
        again = client.post(f"/api/procurement/consortia/{consortium_id}/invitations", headers=headers,
                            json={"members": [EALING]})
        assert again.status_code == 409 and "Ealing has already been invited" in again.json()["error"]
        made = client.post(f"/api/procurement/consortia/{consortium_id}/invitations", headers=headers,
                           json={"members": [ICB]})
        assert made.status_code == 201 and made.json()["invited"] == {BRENT: "Brent", EALING: "Ealing",
                                                                     ICB: "NWL ICB"}
        gone = client.delete(f"/api/procurement/consortia/{consortium_id}/invitations/{ICB}", headers=headers)
        assert gone.status_code == 200 and ICB not in gone.json()["invited"]
        sign_in(client, "comm@brent.test")  # a member that does not lead: sees who is asked, cannot ask
        assert "Start a consortium" not in client.get("/tenders").text  # a commissioner, not procurement
        outsider = client.post(f"/tenders/plan/{consortium_id}/invite", data={"members": [HF]})
        assert "consortium" in outsider.text and "not found" in outsider.text  # not yet a member: no such thing


def test_the_consortium_history_shows_each_member_what_the_others_did_to_it(world: World) -> None:
    consortium_id = _rogue_consortium(world)
    with world.db.uow() as uow:
        consortia.accept(uow=uow, caller=world.caller("comm@brent.test"), consortium_id=consortium_id)
    line = DemandLine(BRENT, "home-care", "BRENT-KIL", Decimal(500), Money.parse("21.00"))
    with world.db.uow() as uow:
        procurement.save_demand(uow=uow, caller=world.caller(ROGUE), consortium_id=consortium_id,
                                lines=[Located(line)])
    with TestClient(create_app(database=world.db)) as client:
        history = client.get(f"/api/procurement/consortia/{consortium_id}/history",
                             headers=bearer(world, "comm@brent.test"))  # Brent sees the lead state its demand
        assert [(e["action"], e["organisation"]) for e in history.json()] == [
            ("demand.saved", HARROW), ("consortium.joined", BRENT),
            ("consortium.created", HARROW)]  # the lead's import and invitation once, not again as Brent's copies
        outsider = client.get(f"/api/procurement/consortia/{consortium_id}/history",
                              headers=bearer(world, "fin@ealing.test"))
        assert outsider.status_code == 404
        sign_in(client, ROGUE)
        page = client.get(f"/tenders/plan/{consortium_id}/history")
        assert page.status_code == 200 and "Rogue: what each member did, and when" in page.text
        assert page.text.count('title="consortium.') == 2 and 'title="demand.saved"' in page.text
