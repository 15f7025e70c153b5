"""On PostgreSQL, both partners approving at the same moment still applies the variation exactly once,
and the same import sent twice at once posts once."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from carepool.db.engine import Database
from carepool.db.retry import in_transaction
from carepool.pooled_budget import monitoring, service, variations
from carepool.pooled_budget.changes import SetContribution
from carepool.pooled_budget.definition import definition_from_json
from tests.integration.pooled_budget.builders import (
    BRENT,
    ICB,
    MARCUS,
    PRIYA,
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
    with pg_database.uow() as uow:
        stored = service.create(uow=uow, by=priya, definition=definition_from_json(agreement_json()))
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
