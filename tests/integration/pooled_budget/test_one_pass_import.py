"""Monthly actuals: every problem in every file is named in one pass (service, page, API and CLI), nothing
written. A figure that takes a scheme's year below zero is named alongside bad rows elsewhere, and an
unreadable file does not stop the next file being checked."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from carepool.cli import main
from carepool.core.errors import CarepoolError
from carepool.db.engine import Database
from carepool.pooled_budget import monitoring
from tests.integration.pooled_budget.builders import (
    BRENT,
    ICB,
    PRIYA,
    agreed,
    auth,
    caller,
    ledger_csv,
    new_pool,
    partners_and_users,
)


def _files(tmp_path: Path) -> list[Path]:
    fake = tmp_path / "fake.xlsx"
    fake.write_text("scheme_id,month\n", encoding="utf-8")  # a CSV renamed: not a workbook
    misc = ledger_csv(tmp_path / "misc.csv", [["REAB", "2025-13", BRENT, "1", ""], ["NOPE", "2025-04", ICB, "1", ""]])
    refund = ledger_csv(tmp_path / "refund.csv", [["ICES", "2025-04", BRENT, "-999999.00", ""]])
    return [fake, misc, refund]


def _named(problems: list[str]) -> None:
    assert any(p.startswith("fake.xlsx: not an Excel workbook") for p in problems), problems
    assert any(p.startswith("misc.csv, row 2, column month") for p in problems), problems
    assert any(p.startswith("misc.csv, row 3") and "no scheme NOPE" in p for p in problems), problems
    assert any(p.startswith("refund.csv, row 2, column actual") and "below zero" in p for p in problems), problems


def test_every_problem_in_every_file_in_one_pass(database: Database, tmp_path: Path) -> None:
    partners_and_users(database)
    pool = agreed(database).id
    with database.uow() as uow, pytest.raises(CarepoolError) as error:
        monitoring.import_files(uow=uow, by=caller(database, PRIYA), agreement_id=pool, paths=_files(tmp_path))
    assert "4 problems; nothing was imported" in error.value.message
    _named([str(p) for p in error.value.problems])
    with database.uow() as uow:
        assert monitoring.figures(uow=uow, stored=monitoring.get(uow=uow, agreement_id=pool,
                                                                 by=caller(database, PRIYA))) == []


def test_typed_figures_name_a_bad_row_and_a_below_zero_row_together(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    entries = [{"scheme_id": "REAB", "month": "2025-04", "source": "E09000009", "actual": "1.00"},
               {"scheme_id": "ICES", "month": "2025-04", "source": BRENT, "actual": "-999999.00"}]
    response = client.post(f"/api/pool/agreements/{pool}/actuals", json={"figures": entries},
                           headers=auth(database, PRIYA))
    assert response.status_code in (400, 422), response.text
    text = response.text
    assert "row 1, column source" in text and "row 2, column actual" in text and "below zero" in text


def test_the_page_names_every_problem_of_several_files(client: TestClient, database: Database,
                                                         tmp_path: Path) -> None:
    pool = new_pool(client, database)
    files = [("files", (p.name, p.read_bytes())) for p in _files(tmp_path)]
    page = client.post(f"/pool/{pool}/monitoring/import", files=files)
    assert "not an Excel workbook" in page.text and "no scheme NOPE" in page.text and "below zero" in page.text


def test_the_cli_checks_the_next_file_after_an_unreadable_one(cli_env: Database, tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    partners_and_users(cli_env)
    pool = agreed(cli_env).id
    assert main(["pool", "monitor-import", str(pool), *map(str, _files(tmp_path))]) == 2
    _named([line.strip() for line in capsys.readouterr().err.splitlines()])
