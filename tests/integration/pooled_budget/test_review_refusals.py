"""What the API refuses, with the problem named and nothing stored: month cells that are no real date (once a
500), a financial year carepool cannot hold (once stored, then a 500 on acceptance), a header-only actuals file
(once "imported" with an audit event), and withdrawing a variation once the year is settled."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update

from carepool.audit.tables import AuditEventRow
from carepool.db.engine import Database
from carepool.pooled_budget.tables import PoolAgreementRow, PoolMonthlyRow, PoolVariationRow
from tests.integration.pooled_budget.builders import BRENT, MARCUS, MONTHS, PRIYA, agreement_json, auth, new_pool


def _count(database: Database, table: Any) -> int:
    with database.uow() as uow:
        return int(uow.session.execute(select(func.count()).select_from(table)).scalar_one())


def _csv(name: str, text: str) -> dict[str, Any]:
    return {"files": (name, text.encode(), "text/csv")}


def test_month_cells_that_are_no_real_date_are_named_not_a_500(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    before = (_count(database, PoolMonthlyRow), _count(database, AuditEventRow))
    for cell in ("0000-04", "2025-06-45"):
        upload = client.post(f"/api/pool/agreements/{pool}/actuals/import",
                             files=_csv("x.csv", f"scheme_id,month,source,actual\nREAB,{cell},{BRENT},1.00\n"))
        assert upload.status_code == 422, upload.text
        assert upload.json()["problems"] == [f"x.csv, row 2, column month: {cell!r} is not a real date: expected a "
                                             "month like 2025-04 or Apr 2025 (or a whole date such as 2025-06-30)"]
        typed = client.post(f"/api/pool/agreements/{pool}/actuals",
                            json={"figures": [{"scheme_id": "REAB", "month": cell, "source": BRENT, "actual": "1"}]})
        assert typed.status_code == 422 and "is not a real date" in typed.json()["problems"][0]
    assert (_count(database, PoolMonthlyRow), _count(database, AuditEventRow)) == before


def test_a_header_only_actuals_file_is_refused_and_nothing_recorded(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    before = (_count(database, PoolMonthlyRow), _count(database, AuditEventRow))
    header_only = _csv("icb-april.csv", "scheme_id,month,source,actual\n")
    upload = client.post(f"/api/pool/agreements/{pool}/actuals/import", files=header_only)
    assert upload.status_code == 422, upload.text
    assert upload.json()["problems"] == [
        "icb-april.csv, row 2: give at least one monthly figure: there is a header row but no figures under it"]
    page = client.post(f"/pool/{pool}/monitoring/import", files=header_only)
    assert page.status_code == 422 and "give at least one monthly figure" in page.text
    assert (_count(database, PoolMonthlyRow), _count(database, AuditEventRow)) == before


def test_a_financial_year_out_of_bounds_is_refused_before_anything_is_stored(client: TestClient,
                                                                             database: Database) -> None:
    before = _count(database, PoolAgreementRow)
    for year in ("0000/01", "9999/00"):
        created = client.post("/api/pool/agreements", content=json.dumps(agreement_json(year=year)).encode(),
                              headers=auth(database, PRIYA))
        assert created.status_code == 422, created.text
        assert (f"field year: '{year}' is not a financial year carepool can hold: expected a year from 1999/00 "
                "to 2100/01") in created.text
    assert _count(database, PoolAgreementRow) == before


def test_a_variation_cannot_be_withdrawn_once_the_year_is_settled(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    proposed = client.post(f"/api/pool/agreements/{pool}/variations", json={
        "description": "move equipment money", "changes": [
            {"kind": "move", "partner": BRENT, "from": "ICES", "to": "REAB", "amount": "1000.00"}]})
    assert proposed.status_code == 201, proposed.text
    assert client.post(f"/api/pool/agreements/{pool}/variations/1/reject",
                       headers=auth(database, MARCUS)).status_code == 200
    figures = [{"scheme_id": s, "month": month, "source": BRENT, "actual": "9000.00"}
               for s in ("REAB", "ICES") for month in MONTHS]
    assert client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": figures}).status_code == 200
    assert client.post(f"/api/pool/agreements/{pool}/settlement").status_code == 200
    # a proposal left open by data stored before the year could not be settled with one pending
    with database.uow() as uow:
        uow.session.execute(update(PoolVariationRow).where(PoolVariationRow.agreement_id == pool)
                            .values(status="proposed", decided_at=None))
        uow.commit()
    events = _count(database, AuditEventRow)
    refused = client.post(f"/api/pool/agreements/{pool}/variations/1/withdraw")
    assert refused.status_code == 409
    assert refused.json()["error"] == ("Brent BCF pool (2025/26) has been settled; its figures and terms can no "
                                       "longer change")
    assert client.get(f"/api/pool/agreements/{pool}/variations").json()[0]["status"] == "proposed"
    assert _count(database, AuditEventRow) == events
