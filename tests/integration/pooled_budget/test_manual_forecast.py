"""A manual forecast needs a reason, and the page confirms what was set, as other actions do."""

from __future__ import annotations

from fastapi.testclient import TestClient

from carepool.db.engine import Database
from tests.integration.pooled_budget.builders import PRIYA, auth, new_pool


def test_a_manual_forecast_without_a_reason_is_refused(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    page = client.post(f"/pool/{pool}/monitoring/forecast", data={"scheme_id": "REAB", "amount": "1300000.00",
                                                                  "note": "  "})
    assert page.status_code == 422
    assert "why: say why the forecast outturn differs from the run rate" in page.text
    assert 'value="1300000.00"' in page.text  # what was typed is kept
    api = client.put(f"/api/pool/agreements/{pool}/schemes/REAB/forecast", json={"amount": "1300000.00"},
                     headers=auth(database, PRIYA))
    assert api.status_code == 422 and api.json()["error"].startswith("why: ")
    assert client.get(f"/api/pool/agreements/{pool}/monitoring").json()["schemes"][0]["basis"] != "manual"


def test_the_page_confirms_the_forecast_set(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    done = client.post(f"/pool/{pool}/monitoring/forecast", data={
        "scheme_id": "REAB", "amount": "1300000.00", "note": "two new placements from October"})
    assert done.status_code == 200
    assert "Forecast outturn for Reablement set to £1,300,000.00: two new placements from October" in done.text
    cleared = client.post(f"/pool/{pool}/monitoring/forecast", data={"scheme_id": "REAB", "amount": ""})
    assert "Forecast outturn for Reablement cleared" in cleared.text
