"""A Section 75 agreement binds a partner only once that partner has signed it.

The hole this closes: Priya (Brent) posted an agreement hosted by Hammersmith and Fulham, with LBHF putting in
£5,000,000 under a name of her choosing ("Hammersmith & Fulham (agreed)"). It was active at once, public at once,
and LBHF's own audit trail showed ledger events done by Priya. Now it is proposed: seen by its partners only, not
on the register, no accounts and no postings, nothing in LBHF's trail, until LBHF accepts it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from carepool.audit import service as audit
from carepool.audit.model import AuditEvent
from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.ledger import service as ledger
from carepool.ledger.tables import LedgerTransactionRow
from carepool.partners.model import OrgKind
from carepool.pooled_budget import agreeing, service
from tests.integration.helpers import add_organisations, add_user, sign_in
from tests.integration.pooled_budget.builders import (
    BRENT,
    EALING_FINANCE,
    HUGHES,
    ICB,
    MARCUS,
    PRIYA,
    agreement_json,
    auth,
    propose,
)

LBHF, LBHF_NAME, LBHF_FINANCE = "E09000013", "London Borough of Hammersmith and Fulham", "finance@lbhf.test"


def _hosted_by_lbhf() -> dict[str, Any]:
    return {"agreement": "West London reablement pool", "year": "2025/26", "host": LBHF,
            "partners": [{"code": LBHF, "name": "Hammersmith & Fulham (agreed)"},
                         {"code": BRENT, "name": "London Borough of Brent"}],
            "schemes": [{"id": "REAB", "name": "Reablement", "client_group": "Older people",
                         "contributions": {LBHF: "5000000.00", BRENT: "100000.00"}}]}


def _trail(database: Database, code: str) -> list[AuditEvent]:
    """The organisation's audit trail, less what the tests' own set-up recorded (its users and their tokens)."""
    with database.uow() as uow:
        return [e for e in audit.list_events(uow=uow, organisation=code) if e.actor != "test"]


def _ledger(database: Database, pool: int) -> tuple[int, int]:
    """The agreement's ledger accounts, and every transaction in the ledger."""
    with database.uow() as uow:
        accounts = ledger.list_accounts(uow=uow, prefix=f"POOL-{pool}:")
        posted = uow.session.execute(select(func.count()).select_from(LedgerTransactionRow)).scalar_one()
    return len(accounts), posted


def _register(client: TestClient) -> list[str]:
    cookies = dict(client.cookies)
    client.cookies.clear()  # anyone: nobody signed in
    rows = client.get("/open-data/pooled-budgets.csv").text.splitlines()[1:]
    client.cookies.update(cookies)
    return rows


def test_an_agreement_committing_another_organisation_waits_for_it(client: TestClient, database: Database) -> None:
    add_organisations(database, (LBHF, LBHF_NAME, OrgKind.LOCAL_AUTHORITY))
    add_user(database, LBHF_FINANCE, LBHF, "finance")

    made = client.post("/api/pool/agreements", content=json.dumps(_hosted_by_lbhf()).encode(),
                       headers=auth(database, PRIYA))
    assert made.status_code == 201, made.text
    body = made.json()
    pool = body["id"]
    assert (body["status"], body["waiting_for"], body["host"]) == ("proposed", [LBHF], LBHF)
    assert body["partner_details"][0]["name"] == LBHF_NAME  # the directory's name, not the file's
    assert body["notices"] == [f"Partner {LBHF} is named as in the partner directory, {LBHF_NAME}; the file called "
                               "it 'Hammersmith & Fulham (agreed)'."]
    assert [(d["partner"], d["decision"], d["by"]) for d in body["decisions"]] == [(BRENT, "accept", f"user:{PRIYA}")]

    # not public, nothing opened or posted, nothing in LBHF's trail; Brent's trail says Priya proposed it
    assert _register(client) == []
    assert _ledger(database, pool) == (0, 0)
    assert _trail(database, LBHF) == []
    assert [e.actor for e in _trail(database, BRENT) if e.action == "pool.agreement_proposed"] == [f"user:{PRIYA}"]

    # its partners see it (the other organisation too, to decide); nobody can record anything against it
    lbhf = auth(database, LBHF_FINANCE)
    assert [(a["id"], a["status"]) for a in client.get("/api/pool/agreements", headers=lbhf).json()] == [
        (pool, "proposed")]
    assert client.get("/api/pool/agreements", headers=auth(database, EALING_FINANCE)).json() == []
    payment = {"partner": LBHF, "amount": "100.00", "on": "2025-04-01", "reference": "Q1"}
    refused = client.post(f"/api/pool/agreements/{pool}/payments", json=payment, headers=lbhf)
    assert refused.status_code == 409
    assert refused.json()["error"] == (f"West London reablement pool (2025/26) is proposed: waiting for {LBHF_NAME} "
                                       "to accept it; nothing can be recorded against it until every partner has "
                                       "accepted it")
    figure = {"scheme_id": "REAB", "month": "2025-04", "source": BRENT, "actual": "1000.00"}
    priya = auth(database, PRIYA)
    assert client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": [figure]},
                       headers=priya).status_code == 409
    change = {"description": "x", "changes": [{"kind": "contribution", "scheme": "REAB", "partner": LBHF,
                                               "amount": "1.00"}]}
    assert client.post(f"/api/pool/agreements/{pool}/variations", content=json.dumps(change).encode(),
                       headers=priya).status_code == 409
    assert client.post(f"/api/pool/agreements/{pool}/settlement", headers=lbhf).status_code == 409
    assert _ledger(database, pool) == (0, 0) and _trail(database, LBHF) == []

    # LBHF accepts: now it is active, its accounts are opened and the contributions posted, done by LBHF's user
    accepted = client.post(f"/api/pool/agreements/{pool}/accept", headers=lbhf)
    assert accepted.status_code == 200 and accepted.json()["status"] == "active", accepted.text
    assert accepted.json()["waiting_for"] == []
    accounts, posted = _ledger(database, pool)
    assert accounts > 0 and posted == 1
    new = _trail(database, LBHF)
    assert {e.actor for e in new} == {f"user:{LBHF_FINANCE}"}
    assert {"pool.agreement_accepted", "pool.agreement_activated", "ledger.account_opened",
            "ledger.posted"} <= {e.action for e in new}
    [row] = _register(client)
    assert f",{LBHF_NAME}; " in row and f"{LBHF_NAME}: 5000000.00" in row and row.endswith(",active")


def test_only_each_other_partner_accepts_and_only_once(client: TestClient, database: Database) -> None:
    pool = propose(client, database).json()["id"]
    for stranger in ("accept", "decline"):  # an organisation outside the agreement is told it does not exist
        response = client.post(f"/api/pool/agreements/{pool}/{stranger}", json={"reason": "no"},
                               headers=auth(database, EALING_FINANCE))
        assert response.status_code == 404 and "Brent" not in response.text
    sign_in(client, EALING_FINANCE)
    assert client.post(f"/pool/{pool}/accept").status_code == 404
    viewer = client.post(f"/api/pool/agreements/{pool}/accept", headers=auth(database, HUGHES))
    assert viewer.status_code == 403 and "commissioner or finance" in viewer.json()["error"]
    again = client.post(f"/api/pool/agreements/{pool}/accept", headers=auth(database, PRIYA))
    assert again.status_code == 409
    assert again.json()["error"].startswith(f"London Borough of Brent already accepted agreement {pool}, Brent BCF "
                                            f"pool (user:{PRIYA}, ")
    with database.uow() as uow, pytest.raises(CarepoolError, match="by a user of a partner organisation") as error:
        agreeing.decide(uow=uow, by=service.Operator("cli:ops"), agreement_id=pool, decision="accept")
    assert error.value.kind == "forbidden"
    marcus = auth(database, MARCUS)
    assert client.post(f"/api/pool/agreements/{pool}/accept", headers=marcus).json()["status"] == "active"
    late = client.post(f"/api/pool/agreements/{pool}/decline", json={"reason": "changed our mind"}, headers=marcus)
    assert late.status_code == 409 and "already accepted" in late.json()["error"]


def test_a_decline_stops_it(client: TestClient, database: Database) -> None:
    pool = propose(client, database).json()["id"]
    sign_in(client, MARCUS)
    page = client.get(f"/pool/{pool}")
    assert "Proposed: waiting for NHS North West London ICB to agree" in page.text
    assert "Accept for NHS North West London ICB" in page.text and f'action="/pool/{pool}/decline"' in page.text
    unsaid = client.post(f"/pool/{pool}/decline", data={"reason": "   "})
    assert unsaid.status_code == 422 and "reason: expected why NHS North West London ICB declines" in unsaid.text

    declined = client.post(f"/pool/{pool}/decline", data={"reason": "our reablement share is 50%, not 60%"})
    assert declined.status_code == 200 and "You declined the agreement for NHS North West London ICB" in declined.text
    assert "our reablement share is 50%, not 60%" in declined.text and "Accept for" not in declined.text
    read = client.get(f"/api/pool/agreements/{pool}", headers=auth(database, PRIYA)).json()
    assert (read["status"], read["waiting_for"]) == ("declined", [])
    assert read["decisions"][-1]["reason"] == "our reablement share is 50%, not 60%"
    [event] = [e for e in _trail(database, ICB) if e.action == "pool.agreement_declined"]
    assert event.actor == f"user:{MARCUS}" and event.after == {"partner": ICB, "decision": "decline",
                                                               "reason": "our reablement share is 50%, not 60%"}
    assert _ledger(database, pool) == (0, 0) and _register(client) == []
    again = client.post(f"/api/pool/agreements/{pool}/accept", headers=auth(database, MARCUS))
    assert again.status_code == 409 and "NHS North West London ICB already declined agreement" in again.json()["error"]
    payment = {"partner": ICB, "amount": "100.00", "on": "2025-04-01", "reference": "Q1"}
    refused = client.post(f"/api/pool/agreements/{pool}/payments", json=payment, headers=auth(database, PRIYA))
    assert refused.status_code == 409 and refused.json()["error"] == (
        "Brent BCF pool (2025/26) was declined by NHS North West London ICB (our reablement share is 50%, not 60%); "
        "it never took effect")
    assert client.get("/pool").text.count("declined") >= 1


def test_the_pages_propose_and_accept(client: TestClient, database: Database) -> None:
    sign_in(client, PRIYA)
    renamed = agreement_json(partners=[{"code": BRENT, "name": "Brent"},
                                       {"code": ICB, "name": "NHS North West London ICB"}])
    upload = {"file": ("brent-bcf.json", json.dumps(renamed).encode(), "application/json")}
    proposed = client.post("/pool", files=upload)
    assert proposed.status_code == 200 and proposed.url.path.startswith("/pool/")
    pool = int(proposed.url.path.rsplit("/", 1)[1])
    text = " ".join(proposed.text.split())
    assert "You proposed Brent BCF pool for London Borough of Brent" in text
    assert ("Partner E09000005 is named as in the partner directory, London Borough of Brent; the file called it "
            "'Brent'.") in text.replace("&#39;", "'")
    assert "Proposed: waiting for NHS North West London ICB to agree" in text and "Accept for" not in text
    listed = " ".join(client.get("/pool").text.split())
    assert '<span class="tag">proposed</span>' in listed and "waiting for NHS North West London ICB" in listed
    assert "accept or decline it" not in listed  # Brent has accepted by proposing it

    client.post("/logout")
    sign_in(client, MARCUS)
    assert "accept or decline it" in client.get("/pool").text
    done = client.post(f"/pool/{pool}/accept")
    assert done.status_code == 200 and "Every partner has: it is now active." in done.text
    assert "Proposed:" not in done.text
    listed = client.get("/pool").text
    assert '<span class="tag">active</span>' in listed and '<span class="tag">proposed</span>' not in listed
