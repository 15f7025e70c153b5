"""The settlement statement lists partners in the agreement's order (as every other table does), and where final
costs fall short of actual spend by an amount left for the board, the page and the workbook show that check.

One scheme, the ICB listed first: £600 each, £110 a month spent (£1,320: £120 over). In proportion £60 each, but
the ICB is capped at £10.00, so £50.00 is left unallocated: final costs £660 + £610 = £1,270 = £1,320 − £50."""

from __future__ import annotations

import io

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carepool.db.engine import Database
from tests.integration.pooled_budget.builders import BRENT, ICB, MONTHS, new_pool

AGREEMENT = {"agreement": "Capped test", "year": "2025/26", "host": BRENT,
             "partners": [{"code": ICB, "name": "NHS North West London ICB"},
                          {"code": BRENT, "name": "London Borough of Brent"}],
             "schemes": [{"id": "S", "name": "Scheme S", "contributions": {BRENT: "600.00", ICB: "600.00"},
                          "overspend": {"rule": "capped", "base": "proportional", "caps": {ICB: "10.00"},
                                        "excess": "unallocated"}}]}


def _settled(client: TestClient, database: Database) -> int:
    pool = new_pool(client, database, AGREEMENT)
    figures = [{"scheme_id": "S", "month": month, "source": BRENT, "actual": "110.00"} for month in MONTHS]
    assert client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": figures}).status_code == 200
    settled = client.post(f"/api/pool/agreements/{pool}/settlement")
    assert settled.status_code == 200, settled.text
    return pool


def test_the_statement_follows_the_agreements_order_and_shows_the_board_check(client: TestClient,
                                                                               database: Database) -> None:
    pool = _settled(client, database)
    page = client.get(f"/pool/{pool}/settlement").text
    table = page[page.index('id="statement"'):page.index("</table>", page.index('id="statement"'))]
    assert table.index(f"({ICB})") < table.index(f"({BRENT})")  # the agreement lists the ICB first
    assert "Check: final costs £1,270.00 = actual spend £1,320.00 + carried forward £0.00 − unallocated £50.00" in page
    assert ("Final costs £1,270.00 are £50.00 less than actual spend £1,320.00: £50.00 of the overspend is above "
            "the partners&#39; caps and left unallocated for the partnership board to decide.") in page
    assert '<th scope="row">Total</th>' in table

    got = client.get(f"/pool/{pool}/download/statement")
    book = load_workbook(io.BytesIO(got.content))
    codes = [row[0] for row in book["Settlement"].iter_rows(min_row=2, values_only=True)]
    assert codes == [ICB, BRENT, None]  # then the Total row
    assert [row[0] for row in book["Signed"].iter_rows(min_row=2, values_only=True)] == [ICB, BRENT]
    cover = {row[0]: row[1] for row in book["Statement"].iter_rows(min_row=2, values_only=True)}
    assert (cover["Final costs (all partners)"], cover["Actual spend"]) == (1270, 1320)
    assert cover["Unallocated (left for the board to decide)"] == 50
    assert cover["Check"] == ("final costs £1,270.00 = actual spend £1,320.00 + carried forward £0.00 − "
                              "unallocated £50.00")
    assert "left unallocated for the partnership board" in cover["Note"]
    monitoring = load_workbook(io.BytesIO(client.get(f"/pool/{pool}/download/monitoring").content))
    assert [row[0] for row in monitoring["Settlement"].iter_rows(min_row=2, values_only=True)] == [ICB, BRENT]
