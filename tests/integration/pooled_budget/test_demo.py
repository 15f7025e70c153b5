"""The pooled budget demo step on its own: a settled year whose ledger agrees, and its files."""

from __future__ import annotations

from pathlib import Path

import pytest

from carepool.db.engine import Database
from carepool.demo import service as demo
from carepool.pooled_budget import service, yearend
from carepool.pooled_budget.demo import BRENT, ICB, monthly_figures, run


def test_the_demo_pool_is_settled_and_its_ledger_agrees(database: Database, tmp_path: Path) -> None:
    if not database.is_sqlite:
        pytest.skip("tests/integration/demo runs the whole demo, this step included, on PostgreSQL")
    demo.load_partners(database)
    demo.load_users(database)
    result = run(database, tmp_path)
    names = {p.name for p in (tmp_path / "pooled-budget").iterdir()}
    assert {"monitoring-workbook.xlsx", "bcf-return.xlsx", "register.csv", "settlement.json",
            "ledger.beancount"} <= names
    lines = {p.code: p for p in result.statement.partners}
    assert set(lines) == {BRENT, ICB}
    overspent = [s for s in result.statement.data["schemes"] if s["variance"][0] != "-"]
    assert [s["id"] for s in overspent] == ["REAB"]
    with database.uow() as uow:
        stored = service.get(uow=uow, agreement_id=result.agreement_id, by=service.Operator("test"))
        assert stored.settled and yearend.check_ledger(uow=uow, stored=stored) == []
    assert monthly_figures() == monthly_figures()  # seeded: the same every run
