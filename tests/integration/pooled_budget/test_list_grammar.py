"""Pages join partner lists as English ("A, B and C") and the verb agrees: "once B and C approve"."""

from __future__ import annotations

from fastapi.testclient import TestClient

from carepool.db.engine import Database
from tests.integration.helpers import sign_in
from tests.integration.pooled_budget.builders import (
    BRENT,
    EALING,
    ICB,
    MARCUS,
    PRIYA,
    agreement_json,
    auth,
    propose,
)


def test_three_partners_are_listed_and_the_verb_agrees(client: TestClient, database: Database) -> None:
    data = agreement_json()
    data["partners"].append({"code": EALING, "name": "London Borough of Ealing"})
    data["schemes"][1]["contributions"][EALING] = "60000.00"
    proposed = propose(client, database, partners=data["partners"], schemes=data["schemes"])
    assert proposed.status_code == 201, proposed.text
    pool = proposed.json()["id"]
    sign_in(client, PRIYA)
    header = client.get(f"/pool/{pool}").text
    assert ("partners London Borough of Brent, NHS North West London ICB and London Borough of Ealing"
            in header), header[:3000]
    sign_in(client, MARCUS)
    page = client.get(f"/pool/{pool}").text
    assert "once London Borough of Ealing accepts too" in page
    for email in (MARCUS, "finance@ealing.test"):
        assert client.post(f"/api/pool/agreements/{pool}/accept", headers=auth(database, email)).status_code == 200
    sign_in(client, PRIYA)
    proposed_variation = client.post(f"/api/pool/agreements/{pool}/variations", headers=auth(database, PRIYA),
                                     json={"description": "more equipment", "changes": [
                                         {"kind": "contribution", "scheme": "ICES", "partner": BRENT,
                                          "amount": "70000.00"}]})
    assert proposed_variation.status_code in (200, 201), proposed_variation.text
    sign_in(client, PRIYA)
    variations = client.get(f"/pool/{pool}/variations").text
    assert "once NHS North West London ICB and London Borough of Ealing approve too" in variations, ICB
