"""Payments and the year end as a browser walk-through found them: a payment outside the pool's year is
refused (it would break bean-check), the year cannot be settled with months missing, and once settled the
"forecast" everywhere is the settled outturn."""

from __future__ import annotations

from beancount import loader
from fastapi.testclient import TestClient

from carepool.db.engine import Database
from tests.integration.pooled_budget.builders import BRENT, ICB, MONTHS, new_pool


def _figures(client: TestClient, pool: int, scheme: str, months: list[str], actual: str,
             commitments: str | None = None) -> None:
    figures = [{"scheme_id": scheme, "month": month, "source": BRENT, "actual": actual,
                **({"commitments": commitments} if commitments else {})} for month in months]
    response = client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": figures})
    assert response.status_code == 200, response.text


def test_a_payment_outside_the_year_is_refused_and_the_ledger_stays_checkable(client: TestClient,
                                                                              database: Database) -> None:
    pool = new_pool(client, database)
    early = {"partner": ICB, "amount": "1000.00", "on": "2024-04-03", "reference": "EARLY", "kind": "contribution"}
    page = client.post(f"/pool/{pool}/payments", data=early)
    assert page.status_code == 422
    assert ("date: a contribution payment to a 2025/26 pool must be dated in its year, 1 April 2025 to "
            "31 March 2026; got 2024-04-03") in page.text
    late = client.post(f"/api/pool/agreements/{pool}/payments", json={**early, "on": "2026-04-01"})
    assert late.status_code == 422 and "got 2026-04-01" in late.json()["error"]
    assert client.get(f"/api/pool/agreements/{pool}/payments").json() == []
    on_time = client.post(f"/api/pool/agreements/{pool}/payments", json={**early, "on": "2026-03-31"})
    assert on_time.status_code == 201, on_time.text
    ledger = client.get(f"/pool/{pool}/download/ledger").text
    _entries, errors, _options = loader.load_string(ledger)
    assert errors == []


def test_the_year_settles_only_when_every_month_is_in_and_then_the_forecast_is_the_outturn(
        client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    _figures(client, pool, "REAB", MONTHS[:4] + MONTHS[6:], "100000.00")  # August and September missing
    _figures(client, pool, "ICES", MONTHS[:1], "9000.00")
    refused = client.post(f"/api/pool/agreements/{pool}/settlement")
    assert refused.status_code == 409
    assert refused.json()["error"].startswith(
        "the year is not complete: there are no actuals for Reablement (REAB): Aug 2025 to Sep 2025; "
        "Community equipment (ICES): May 2025 to Mar 2026.")
    page = client.post(f"/pool/{pool}/settlement")
    assert page.status_code == 409 and "Reablement (REAB): Aug 2025 to Sep 2025" in page.text
    assert client.get(f"/api/pool/agreements/{pool}/settlement").status_code == 404

    _figures(client, pool, "REAB", MONTHS[4:6], "100000.00")
    _figures(client, pool, "ICES", MONTHS[1:11], "9000.00")
    _figures(client, pool, "ICES", MONTHS[11:], "9000.00", commitments="50000.00")  # March's orders
    client.put(f"/api/pool/agreements/{pool}/schemes/REAB/forecast", json={"amount": "2000000.00",
                                                                             "note": "two new placements"})
    monitored = client.get(f"/api/pool/agreements/{pool}/monitoring").json()
    reab, ices = monitored["schemes"]
    # no month remains: the outturn is the year's actuals, March's commitments and the manual forecast aside
    assert (reab["forecast_outturn"], reab["basis"]) == ("1200000.00", "actual (year complete)")
    assert (ices["forecast_outturn"], ices["commitments"]) == ("108000.00", "50000.00")

    settled = client.post(f"/api/pool/agreements/{pool}/settlement")
    assert settled.status_code == 200, settled.text
    statement = settled.json()["settlement"]
    after = client.get(f"/api/pool/agreements/{pool}/monitoring").json()
    assert {s["id"]: s["forecast_outturn"] for s in after["schemes"]} == {
        s["id"]: s["actual"] for s in statement["schemes"]}
    assert {p["code"]: p["forecast_final_cost"] for p in after["partners"]} == {
        code: p["final_cost"] for code, p in statement["partners"].items()}
    overview = client.get(f"/pool/{pool}").text
    assert "Outturn (settled)" in overview and "£1,308,000.00" in overview  # 1,200,000 + 108,000
    assert f"/pool/{pool}/download/statement" in overview  # to print and sign
    signed = client.get(f"/pool/{pool}/download/statement")
    assert signed.status_code == 200 and signed.headers["content-type"].startswith("application/vnd.openxmlformats")

    early = {"partner": ICB, "amount": "1.00", "on": "2026-03-30", "reference": "S1", "kind": "settlement"}
    refused_payment = client.post(f"/api/pool/agreements/{pool}/payments", json=early)
    assert refused_payment.status_code == 422
    assert refused_payment.json()["error"] == ("date: a settlement payment must be dated on or after the year end it "
                                               "settles, 31 March 2026; got 2026-03-30")
