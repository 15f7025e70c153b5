"""On PostgreSQL, both partners approving at the same moment still applies the variation exactly once,
the same import sent twice at once posts once, and two people accepting an agreement for the same
partner at once activate it (and post its contributions) once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.db.retry import in_transaction
from carepool.ledger.tables import LedgerTransactionRow
from carepool.partners.model import Caller
from carepool.pooled_budget import agreeing, monitoring, variations
from carepool.pooled_budget.changes import SetContribution
from carepool.pooled_budget.definition import definition_from_json
from tests.integration.helpers import add_user
from tests.integration.pooled_budget.builders import (
    BRENT,
    ICB,
    MARCUS,
    PRIYA,
    agreed,
    agreement_json,
    balance,
    caller,
    ledger_csv,
    m,
    partners_and_users,
)

pytestmark = pytest.mark.postgres


def test_simultaneous_approvals_and_imports(pg_database: Database, tmp_path: Path) -> None:
    partners_and_users(pg_database)
    priya, marcus = caller(pg_database, PRIYA), caller(pg_database, MARCUS)
    stored = agreed(pg_database, priya)
    with pg_database.uow() as uow:
        variations.propose(uow=uow, by=priya, agreement_id=stored.id, description="more equipment",
                           changes=[SetContribution("ICES", BRENT, m("70000"))])

    def approve(who: object) -> str:
        return in_transaction(pg_database, lambda uow: variations.decide(
            uow=uow, by=who, agreement_id=stored.id, number=1, decision="approve").status)  # type: ignore[arg-type]

    with ThreadPoolExecutor(2) as pool:
        statuses = sorted(pool.map(approve, [priya, marcus]))
    assert statuses == ["approved", "proposed"]
    assert balance(pg_database, stored.chart.due(BRENT)) == m("556000")

    export = ledger_csv(tmp_path / "icb.csv", [["REAB", "2025-04", ICB, "60000.00", ""]])

    def load(_: int) -> int:
        return in_transaction(pg_database, lambda uow: monitoring.import_files(
            uow=uow, by=priya, agreement_id=stored.id, paths=[export]).new)

    with ThreadPoolExecutor(4) as pool:
        assert sorted(pool.map(load, range(4))) == [0, 0, 0, 1]
    assert balance(pg_database, stored.spend_accounts["REAB"]) == m("60000")


def test_two_people_accepting_for_one_partner_at_once(pg_database: Database) -> None:
    partners_and_users(pg_database)
    add_user(pg_database, "deputy@icb.test", ICB, "commissioner")
    with pg_database.uow() as uow:
        pool = agreeing.create(uow=uow, by=caller(pg_database, PRIYA),
                               definition=definition_from_json(agreement_json())).stored

    def accept(who: Caller) -> str:
        try:
            return in_transaction(pg_database, lambda uow: agreeing.decide(
                uow=uow, by=who, agreement_id=pool.id, decision="accept").status)
        except CarepoolError as error:
            return error.message

    with ThreadPoolExecutor(2) as threads:
        said = list(threads.map(accept, [caller(pg_database, MARCUS), caller(pg_database, "deputy@icb.test")]))
    assert said.count("active") == 1, said  # one of them activated it; the other was told it had been accepted
    assert any("NHS North West London ICB already accepted agreement" in words for words in said), said
    assert balance(pg_database, pool.chart.due(ICB)) == m("786000")  # posted once
    with pg_database.uow() as uow:
        posted = uow.session.execute(select(func.count()).select_from(LedgerTransactionRow)).scalar_one()
    assert posted == 1
