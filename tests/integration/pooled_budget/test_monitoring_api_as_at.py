"""The monitoring API's ``as_at`` takes the command line's month (2025-09) as well as a month number (1 = April),
is documented in OpenAPI, and its ``monthly`` array says null for a month with no figure, "0.00" for a real £0.00."""

from __future__ import annotations

from fastapi.testclient import TestClient

from carepool.db.engine import Database
from tests.integration.pooled_budget.builders import BRENT, PRIYA, auth, new_pool


def test_as_at_takes_a_month_or_its_number_and_monthly_says_null_for_no_figure(client: TestClient,
                                                                                database: Database) -> None:
    pool = new_pool(client, database)
    headers = auth(database, PRIYA)
    figures = [{"scheme_id": "REAB", "month": month, "source": BRENT, "actual": actual}
               for month, actual in (("2025-04", "100.00"), ("2025-05", "0.00"), ("2025-07", "300.00"))]
    assert client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": figures},
                       headers=headers).status_code == 200
    url = f"/api/pool/agreements/{pool}/monitoring"
    by_month = client.get(url, params={"as_at": "2025-07"}, headers=headers).json()
    by_number = client.get(url, params={"as_at": "4"}, headers=headers).json()
    assert by_month == by_number and by_month["as_at_label"] == "Jul 2025"
    reab = by_month["schemes"][0]
    assert reab["monthly"] == ["100.00", "0.00", None, "300.00", *[None] * 8]  # June has no figure
    assert client.get(url, params={"as_at": "2025-05"}, headers=headers).json()["schemes"][0]["monthly"][:4] == [
        "100.00", "0.00", None, None]
    for bad in ("13", "2024-09", "soon"):
        refused = client.get(url, params={"as_at": bad}, headers=headers)
        assert refused.status_code == 422 and refused.json()["error"].startswith("as_at: "), refused.text
    report = client.get(f"/api/pool/agreements/{pool}/reports/monitoring", params={"as_at": "2025-05"},
                        headers=headers)
    assert report.status_code == 200


def test_as_at_is_documented_in_openapi(client: TestClient) -> None:
    spec = client.get("/api/openapi.json")
    if spec.status_code == 404:
        spec = client.get("/openapi.json")
    operation = spec.json()["paths"]["/api/pool/agreements/{agreement_id}/monitoring"]["get"]
    as_at = next(p for p in operation["parameters"] if p["name"] == "as_at")
    assert "2025-09" in as_at["description"] and "1 = April" in as_at["description"]
