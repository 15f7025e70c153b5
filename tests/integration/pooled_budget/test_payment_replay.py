"""Recording the same payment reference twice records one payment, and says so: "already recorded on <date>:
nothing posted", on the page, at the command line and in the API (which answers 201 as the first time did)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from carepool.cli import main
from carepool.db.engine import Database
from tests.integration.pooled_budget.builders import ICB, PRIYA, agreed, auth, new_pool, partners_and_users

FORM = {"partner": ICB, "amount": "1000.00", "on": "2025-05-01", "reference": "ICB-Q1", "kind": "contribution"}


def test_the_page_says_a_repeated_reference_was_already_recorded(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    first = client.post(f"/pool/{pool}/payments", data=FORM)
    assert "Recorded contribution payment ICB-Q1" in first.text and "posted to the ledger" in first.text
    again = client.post(f"/pool/{pool}/payments", data=FORM)
    assert "Recorded contribution payment ICB-Q1" not in again.text
    assert "was already recorded on " in again.text and "nothing posted" in again.text
    assert len(client.get(f"/api/pool/agreements/{pool}/payments").json()) == 1


def test_the_api_says_a_repeated_reference_was_already_recorded(client: TestClient, database: Database) -> None:
    pool = new_pool(client, database)
    url, headers = f"/api/pool/agreements/{pool}/payments", auth(database, PRIYA)
    first = client.post(url, json=FORM, headers=headers)
    assert first.status_code == 201 and first.json()["already_recorded"] is False
    again = client.post(url, json=FORM, headers=headers)
    assert again.status_code == 201, again.text  # the convention for an idempotent replay: the same status
    assert again.json()["already_recorded"] is True
    assert "already recorded on" in again.json()["message"] and "nothing posted" in again.json()["message"]
    assert len(client.get(url, headers=headers).json()) == 1


def test_the_cli_says_a_repeated_reference_was_already_recorded(cli_env: Database,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    partners_and_users(cli_env)
    pool = str(agreed(cli_env).id)
    command = ["pool", "pay", pool, "--partner", ICB, "--amount", "1000.00", "--on", "2025-05-01",
               "--reference", "ICB-Q1"]
    assert main(command) == 0
    assert "posted to the ledger" in capsys.readouterr().out
    assert main(command) == 0
    out = capsys.readouterr().out
    assert "already recorded on" in out and "nothing posted" in out and "posted to the ledger" not in out
