"""After settlement the command line and the monitoring workbook show the settled view the page shows: settled
shares, the contribution unpaid at the year end, what was paid since, and what each partner owes or is owed now,
the same numbers as ``GET …/settlement`` (``outstanding``), to the penny."""

from __future__ import annotations

import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carepool.cli import main
from carepool.db.engine import Database
from tests.integration.pooled_budget.builders import BRENT, ICB
from tests.integration.pooled_budget.test_unpaid_at_settlement import _outstanding, _pay, _pool


def _settled_and_paid(client: TestClient, database: Database) -> int:
    """Brent paid £600 and the ICB £300 of £600; £120 over, £60 each. The ICB then pays its £360 in full."""
    pool = _pool(client, database, "110.00", {BRENT: "600.00", ICB: "300.00"})
    assert client.post(f"/api/pool/agreements/{pool}/settlement").status_code == 200
    assert _pay(client, pool, ICB, "360.00", "2026-05-01", "SETTLE-ICB").status_code == 201
    return pool


def test_the_cli_shows_the_settled_view(cli_env: Database, client: TestClient,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    pool = _settled_and_paid(client, cli_env)
    assert _outstanding(client, pool)[ICB]["now"] == "0.00"
    assert main(["pool", "show", str(pool)]) == 0
    out = capsys.readouterr().out
    assert "Partners (settled shares" in out and "forecast shares" not in out
    assert "owed (−)" in out and "year end" in out and "settlement" in out  # headers may wrap
    icb = next(line for line in out.splitlines() if f"({ICB})" in line)
    # contribution, contributions paid, unpaid at year end, shares, final cost, paid since, owes now
    assert [cell for cell in icb.replace("│", " ").split() if cell.startswith(("£", "-£", "−£"))] == [
        "£600.00", "£300.00", "£300.00", "£60.00", "£0.00", "£660.00", "£360.00", "£0.00"]


def test_the_monitoring_workbook_shows_the_settled_view(client: TestClient, database: Database) -> None:
    pool = _settled_and_paid(client, database)
    got = client.get(f"/api/pool/agreements/{pool}/reports/monitoring")
    sheet = load_workbook(io.BytesIO(got.content))["Partners"]
    headers, *rows = list(sheet.iter_rows(values_only=True))
    assert not any(str(h).startswith("forecast_") or h == "still_to_pay" for h in headers), headers
    table = {row[0]: dict(zip(headers, row, strict=True)) for row in rows}
    outstanding = _outstanding(client, pool)
    for code in (BRENT, ICB):
        assert f"{table[code]['owes_or_owed_now']:.2f}" == outstanding[code]["now"]
        assert f"{table[code]['unpaid_at_year_end']:.2f}" == outstanding[code]["unpaid_contribution"]
        assert f"{table[code]['paid_since_settlement']:.2f}" == outstanding[code]["paid_since"]
    assert (table[ICB]["settled_final_cost"], table[ICB]["paid_since_settlement"]) == (660, 360)
    assert [row[0] for row in rows] == [BRENT, ICB]  # the agreement's order
