"""A settled pool is worded as settled: the overview's check and explanation, the outturn card (commitments no
longer count) and the position workbook speak of settled shares, not forecasts."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carepool.db.engine import Database
from tests.integration.pooled_budget.builders import BRENT, ICB
from tests.integration.pooled_budget.test_unpaid_at_settlement import _pool


def test_a_settled_pool_is_worded_as_settled(client: TestClient, database: Database) -> None:
    pool = _pool(client, database, "110.00", {BRENT: "600.00", ICB: "300.00"})
    before = client.get(f"/pool/{pool}").text
    assert "Check: final costs £1,320.00 = actual spend £1,320.00" in before  # the year is complete
    assert client.post(f"/api/pool/agreements/{pool}/settlement").status_code == 200
    overview = client.get(f"/pool/{pool}").text
    assert "How each forecast share" not in overview and "forecast final costs" not in overview
    assert "Check: final costs £1,320.00 = actual spend £1,320.00" in overview
    assert "How each share was worked out" in overview
    card = overview[overview.index("Outturn (settled)"):][:300]
    assert "commitments" not in card and "settled" in card
    got = client.get(f"/api/pool/agreements/{pool}/reports/position", params={"partner": ICB})
    book = load_workbook(io.BytesIO(got.content))
    fields = [row[0] for row in book["Position"].iter_rows(values_only=True)]
    assert not any(str(f).startswith("Forecast") for f in fields), fields
    assert fields.count("Settled final cost") == 1 and "Settled overspend share" in fields
    assert "your_settled_share" in next(book["Schemes"].iter_rows(values_only=True))
