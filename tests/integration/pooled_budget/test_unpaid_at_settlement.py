"""A partner that has not paid all its contribution by the year end still owes it: the settlement posts it with
the partner's share of the variance, one settlement payment pays both, and the statement, the position workbook
and the page say what was owed at settlement and what is owed now, from the ledger, to the penny.

The reviewer's case: one scheme, £600 from each partner, £110 a month spent (£1,320: £120 over, £60 each). Brent
has paid its £600, the ICB only £300 of its £600 when the year is settled."""

from __future__ import annotations

import io
from typing import Any

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carepool.audit import service as audit
from carepool.db.engine import Database
from tests.integration.pooled_budget.builders import BRENT, ICB, MONTHS, balance, m, new_pool

AGREEMENT = {"agreement": "Unpaid contribution test", "year": "2025/26", "host": BRENT,
             "partners": [{"code": BRENT, "name": "London Borough of Brent"},
                          {"code": ICB, "name": "NHS North West London ICB"}],
             "schemes": [{"id": "S", "name": "Scheme S", "contributions": {BRENT: "600.00", ICB: "600.00"}}]}


def _pool(client: TestClient, database: Database, monthly: str, paid: dict[str, str]) -> int:
    pool = new_pool(client, database, AGREEMENT)
    figures = [{"scheme_id": "S", "month": month, "source": BRENT, "actual": monthly} for month in MONTHS]
    assert client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": figures}).status_code == 200
    for code, amount in paid.items():
        done = _pay(client, pool, code, amount, "2025-04-01", f"C-{code}", "contribution")
        assert done.status_code == 201, done.text
    return pool


def _pay(client: TestClient, pool: int, partner: str, amount: str, on: str, reference: str,
         kind: str = "settlement") -> Any:
    return client.post(f"/api/pool/agreements/{pool}/payments",
                       json={"partner": partner, "amount": amount, "on": on, "reference": reference, "kind": kind})


def _outstanding(client: TestClient, pool: int) -> dict[str, dict[str, str]]:
    return client.get(f"/api/pool/agreements/{pool}/settlement").json()["settlement"]["outstanding"]


def _position(client: TestClient, pool: int, code: str) -> dict[str, Any]:
    got = client.get(f"/api/pool/agreements/{pool}/reports/position", params={"partner": code})
    return {row[0]: row[1] for row in load_workbook(io.BytesIO(got.content))["Position"].iter_rows(values_only=True)}


def test_a_contribution_unpaid_at_settlement_is_owed_and_paid_with_the_settlement(client: TestClient,
                                                                                   database: Database) -> None:
    pool = _pool(client, database, "110.00", {BRENT: "600.00", ICB: "300.00"})
    before = _pay(client, pool, ICB, "300.00", "2026-04-10", "LATE", "contribution")
    assert before.status_code == 422 and before.json()["error"].endswith(
        "got 2026-04-10; a contribution still unpaid at the year end is part of the settlement: settle the year, "
        "then record it as a settlement payment")

    settled = client.post(f"/api/pool/agreements/{pool}/settlement")
    assert settled.status_code == 200, settled.text
    assert settled.json()["settlement"]["positions"][ICB] == {"paid": "300.00", "balance": "360.00",
                                                              "unpaid_contribution": "300.00"}
    assert _outstanding(client, pool) == {
        BRENT: {"at_settlement": "60.00", "unpaid_contribution": "0.00", "paid_since": "0.00", "now": "60.00"},
        ICB: {"at_settlement": "360.00", "unpaid_contribution": "300.00", "paid_since": "0.00", "now": "360.00"}}
    chart = f"POOL-{pool}"
    assert balance(database, f"{chart}:Settlement:{ICB}") == m("360.00")  # £60 share + £300 contribution unpaid
    assert balance(database, f"{chart}:Due:{ICB}") == m("0.00")
    assert balance(database, f"{chart}:Risk-share:{ICB}") == m("-60.00")
    assert "NHS North West London ICB owes the pool £360.00</td>" in client.get(f"/pool/{pool}/settlement").text
    overview = client.get(f"/pool/{pool}").text  # the overview says what is owed now too, not only what was unpaid
    assert "Owes (+) or is owed (−) now</th>" in overview and "Settled overspend share</th>" in overview
    assert '<td class="num">£360.00</td></tr>' in overview

    # the unpaid contribution is not a contribution payment any more, whatever its date
    late = _pay(client, pool, ICB, "300.00", "2026-03-31", "Q2", "contribution")
    assert late.status_code == 422 and late.json()["error"] == (
        "kind: the year has been settled, so what NHS North West London ICB still owes, any unpaid contribution "
        "included, is paid as a settlement payment (it owes the pool £360.00)")
    too_much = _pay(client, pool, ICB, "360.01", "2026-04-10", "Q-over")
    assert too_much.status_code == 422 and too_much.json()["error"].startswith(
        "NHS North West London ICB owes the pool £360.00;")
    part = _pay(client, pool, ICB, "300.00", "2026-04-10", "Q-settle-1")
    assert part.status_code == 201, part.text
    assert _outstanding(client, pool)[ICB] == {"at_settlement": "360.00", "unpaid_contribution": "300.00",
                                               "paid_since": "300.00", "now": "60.00"}
    position = _position(client, pool, ICB)
    assert position["Owes (+) or is owed (-) now"] == 60 and position["Settlement"] == (
        "owes the pool £60.00 now (owed the pool £360.00 at settlement; £300.00 paid to the pool since)")

    for code, amount, reference in ((ICB, "60.00", "Q-settle-2"), (BRENT, "60.00", "B-settle")):
        assert _pay(client, pool, code, amount, "2026-04-10", reference).status_code == 201
    assert {code: o["now"] for code, o in _outstanding(client, pool).items()} == {BRENT: "0.00", ICB: "0.00"}
    assert balance(database, f"{chart}:Bank") == m("1320.00")  # every penny of the year's spend paid in
    assert _pay(client, pool, BRENT, "0.01", "2026-04-11", "B-extra").json()["error"].startswith(
        "London Borough of Brent owes the pool £0.00;")

    for code, owed in ((BRENT, "£60.00"), (ICB, "£360.00")):
        position = _position(client, pool, code)
        assert position["Settlement"] == (f"owes nothing and is owed nothing now (owed the pool {owed} at "
                                          f"settlement; {owed} paid to the pool since)")
        assert position["Owes (+) or is owed (-) now"] == 0
        assert position["Owed at settlement (+ owes, - is owed)"] == m(owed.lstrip("£")).amount
    assert _position(client, pool, ICB)["Unpaid at the year end (in the settlement)"] == 300
    page = client.get(f"/pool/{pool}/settlement").text
    assert "NHS North West London ICB owes nothing and is owed nothing now (owed the pool £360.00 at" in page
    assert "ledger accounts agree with its contributions, payments, monthly actuals and settlement" in page
    book = load_workbook(io.BytesIO(client.get(f"/api/pool/agreements/{pool}/reports/statement").content))
    header, *rows, total = list(book["Settlement"].iter_rows(values_only=True))
    assert header[7:10] == ("owed_at_settlement", "paid_since_settlement", "owes_or_owed_now")
    assert [row[7:10] for row in rows] == [(60, 60, 0), (360, 360, 0)]
    assert total[7:10] == (420, 420, 0)
    bcf = load_workbook(io.BytesIO(client.get(f"/api/pool/agreements/{pool}/reports/bcf-return").content))
    head, *partners, all_partners = list(bcf["Income"].iter_rows(values_only=True))
    assert head[5:] == ("received_to_date", "unpaid_at_year_end", "paid_since_settlement", "owes_or_owed_now")
    assert {row[0]: row[5:] for row in partners} == {BRENT: (600, 0, 60, 0), ICB: (300, 300, 360, 0)}
    assert all_partners[5:] == (900, 300, 420, 0)  # the return agrees with the statement: nothing owed now
    with database.uow() as uow:
        events = audit.list_events(uow=uow, organisation=BRENT, action="pool.payment_recorded",
                                   entity_id=str(pool))
    assert len(events) == 5  # 2 contributions, 3 settlement payments (refusals leave nothing)


def test_a_partner_owed_an_underspend_that_had_not_paid_in_full_owes_the_difference(client: TestClient,
                                                                                      database: Database) -> None:
    # £90 a month: £1,080 spent, £120 under, £60 back to each. The ICB paid £300: it owes £300 - £60 = £240.
    pool = _pool(client, database, "90.00", {BRENT: "600.00", ICB: "300.00"})
    assert client.post(f"/api/pool/agreements/{pool}/settlement").status_code == 200
    assert {code: o["now"] for code, o in _outstanding(client, pool).items()} == {BRENT: "-60.00", ICB: "240.00"}
    assert _pay(client, pool, BRENT, "-60.00", "2026-04-30", "B-refund").status_code == 201
    assert _pay(client, pool, ICB, "240.00", "2026-04-30", "Q-settle").status_code == 201
    assert {code: o["now"] for code, o in _outstanding(client, pool).items()} == {BRENT: "0.00", ICB: "0.00"}
    assert balance(database, f"POOL-{pool}:Bank") == m("1080.00")
    page = client.get(f"/pool/{pool}/settlement").text
    assert "London Borough of Brent owes nothing and is owed nothing now (was owed £60.00 by the pool at " \
           "settlement; £60.00 paid out by the pool since)" in page
    assert "ledger accounts agree" in page


def test_a_payment_dated_after_today_is_refused(client: TestClient, database: Database) -> None:
    pool = _pool(client, database, "100.00", {BRENT: "600.00"})
    later = _pay(client, pool, ICB, "600.00", "2099-04-30", "LATER")
    assert later.status_code == 422 and "a payment is recorded once it is received: 2099-04-30 is after today" in \
        later.json()["error"]
