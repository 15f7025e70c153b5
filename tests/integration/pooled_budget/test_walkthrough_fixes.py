"""What a walk-through of Section 75 monitoring found: a replayed payment is the recorded payment, a tampered
variation form is refused, the same variation cannot be pending twice, and a monthly import spanning months
says so."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.pooled_budget import payments, variations
from carepool.pooled_budget.changes import MoveContribution
from carepool.pooled_budget.tables import PoolPaymentRow, PoolVariationRow
from tests.integration.helpers import token_for
from tests.integration.pooled_budget.builders import BRENT, ICB, PRIYA, caller, m, new_pool


def _variations(database: Database, pool: int) -> list[tuple[int, str]]:
    with database.uow() as uow:
        rows = uow.session.execute(select(PoolVariationRow.number, PoolVariationRow.status).where(
            PoolVariationRow.agreement_id == pool).order_by(PoolVariationRow.number))
        return [(number, status) for number, status in rows]


def test_replaying_a_recorded_payment_returns_it_even_if_its_date_would_now_be_refused(
        client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    # recorded before payments had to be dated in the pool's year (2025/26 starts on 1 April 2025)
    with database.uow() as uow:
        uow.session.add(PoolPaymentRow(agreement_id=pool, partner_code=ICB, kind="contribution",
                                       on=date(2025, 3, 31), amount=m("1000"), reference="Q0-QRV",
                                       recorded_by=PRIYA, recorded_at=datetime(2025, 3, 31, tzinfo=UTC)))
        uow.commit()
    priya = caller(database, PRIYA)
    with database.uow() as uow:
        again = payments.record_payment(uow=uow, by=priya, agreement_id=pool, partner=ICB, amount=m("1000"),
                                        on=date(2025, 3, 31), reference="Q0-QRV")
    assert (again.reference, again.on, again.amount) == ("Q0-QRV", date(2025, 3, 31), m("1000"))
    with database.uow() as uow, pytest.raises(CarepoolError, match="must be dated in its year"):
        payments.record_payment(uow=uow, by=priya, agreement_id=pool, partner=ICB, amount=m("1000"),
                                on=date(2025, 3, 31), reference="Q0b-QRV")


def test_a_variation_form_with_an_unknown_kind_is_refused_not_read_as_set_contribution(
        client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    form = {"description": "winter pressure", "kind": "rules", "partner": ICB, "scheme": "ICES",
            "amount": "1000", "to_scheme": "REAB"}
    refused = client.post(f"/pool/{pool}/variations", data=form)
    assert refused.status_code == 422
    assert "kind: expected one of move, contribution, got &#39;rules&#39;" in refused.text
    assert _variations(database, pool) == []
    accepted = client.post(f"/pool/{pool}/variations", data={**form, "kind": "move"}, follow_redirects=False)
    assert accepted.status_code == 303 and _variations(database, pool) == [(1, "proposed")]


def test_the_same_variation_cannot_be_pending_twice(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    form = {"description": "winter pressure", "kind": "move", "partner": ICB, "scheme": "ICES",
            "amount": "1000", "to_scheme": "REAB"}
    assert client.post(f"/pool/{pool}/variations", data=form, follow_redirects=False).status_code == 303
    twice = client.post(f"/pool/{pool}/variations", data=form)
    assert twice.status_code == 409 and "variation #1 already proposes this; approve or withdraw it" in twice.text
    assert _variations(database, pool) == [(1, "proposed")]

    # another description, or other changes, is another proposal; once withdrawn, the same may be proposed again
    priya = caller(database, PRIYA)
    move = MoveContribution(ICB, "ICES", "REAB", m("1000"))
    with database.uow() as uow:
        variations.propose(uow=uow, by=priya, agreement_id=pool, description="winter pressure, again",
                           changes=[move])
    with database.uow() as uow:
        variations.propose(uow=uow, by=priya, agreement_id=pool, description="winter pressure",
                           changes=[MoveContribution(BRENT, "ICES", "REAB", m("1000"))])
    with database.uow() as uow:
        variations.withdraw(uow=uow, by=priya, agreement_id=pool, number=1)
    with database.uow() as uow:
        variations.propose(uow=uow, by=priya, agreement_id=pool, description="winter pressure", changes=[move])
    assert _variations(database, pool) == [(1, "withdrawn"), (2, "proposed"), (3, "proposed"), (4, "proposed")]
    with database.uow() as uow, pytest.raises(CarepoolError, match=r"variation #4 already proposes this") as error:
        variations.propose(uow=uow, by=priya, agreement_id=pool, description=" winter pressure ", changes=[move])
    assert error.value.kind == "conflict"
    with database.uow() as uow:
        assert uow.session.execute(select(func.count()).select_from(PoolVariationRow)).scalar_one() == 4


def test_an_import_whose_rows_span_months_says_so_and_is_still_accepted(
        client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    june = "".join(f"{scheme},2025-06,{source},1000\n" for scheme in ("REAB", "ICES") for source in (BRENT, ICB))
    one_month = "scheme_id,month,source,actual\n" + june
    done = client.post(f"/pool/{pool}/monitoring/import", files=[("files", ("june.csv", one_month.encode(),
                                                                             "text/csv"))])
    assert done.status_code == 200 and "4 figures checked: 4 new" in done.text and "Note:" not in done.text

    stray = one_month + f"REAB,2025-07,{BRENT},1000\n"
    done = client.post(f"/pool/{pool}/monitoring/import", files=[("files", ("june.csv", stray.encode(),
                                                                             "text/csv"))])
    assert done.status_code == 200 and "5 figures checked: 1 new, 0 corrected, 4 unchanged" in done.text
    assert ("Note: this import has figures for Jun 2025 (4 rows) and Jul 2025 (1 row); check the dates if that "
            "was not meant.") in done.text

    figures = [{"scheme_id": "ICES", "month": month, "source": ICB, "actual": "5.00"}
               for month in ("2025-08", "2025-09")]
    api = client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": figures},
                      headers={"Authorization": f"Bearer {token_for(database, PRIYA)}"})
    assert api.status_code == 200, api.text
    assert api.json()["note"] == ("Note: this import has figures for Aug 2025 (1 row) and Sep 2025 (1 row); check "
                                  "the dates if that was not meant.")
