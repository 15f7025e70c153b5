"""`carepool pool create|list|show|pay|monitor-import|forecast|report|settle-year|ledger` on a real database."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from beancount import loader

from carepool.cli import main
from carepool.db.engine import Database
from tests.integration.pooled_budget.builders import (
    BRENT,
    HUGHES,
    ICB,
    MARCUS,
    PRIYA,
    agreement_json,
    ledger_csv,
    partners_and_users,
)


def test_the_year_at_the_command_line(cli_env: Database, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    partners_and_users(cli_env)
    agreement = tmp_path / "brent-bcf.json"
    agreement.write_text(json.dumps(agreement_json()), encoding="utf-8")
    assert main(["pool", "create", str(agreement)]) == 0  # the operator proposes it for nobody
    out = capsys.readouterr().out
    assert "proposed agreement 1: Brent BCF pool 2025/26" in out and f"waiting for {BRENT}, {ICB} to accept" in out
    assert main(["pool", "list"]) == 0
    assert "proposed" in capsys.readouterr().out
    assert main(["pool", "pay", "1", "--partner", ICB, "--amount", "1.00", "--on", "2025-04-01",
                 "--reference", "EARLY"]) == 6
    assert "is proposed: waiting for London Borough of Brent and NHS North West London ICB" in capsys.readouterr().err
    assert main(["pool", "accept", "1"]) == 2  # a partner accepts through one of its people: --as EMAIL
    assert main(["pool", "accept", "1", "--as", HUGHES]) == 5  # a viewer cannot
    assert main(["pool", "accept", "1", "--as", PRIYA]) == 0
    assert f"agreement 1 (Brent BCF pool 2025/26) is proposed; waiting for {ICB}" in capsys.readouterr().out
    assert main(["pool", "accept", "1", "--as", MARCUS]) == 0
    assert "is active: every partner accepted it; ledger accounts POOL-1:* opened" in capsys.readouterr().out
    assert main(["pool", "list"]) == 0
    assert "Brent BCF pool" in capsys.readouterr().out
    assert main(["pool", "pay", "1", "--partner", ICB, "--amount", "786000.00", "--on", "2025-04-01",
                 "--reference", "YEAR-QRV"]) == 0
    rows = [["REAB", f"{2025 + (n > 9)}-{(n + 2) % 12 + 1:02d}", source, "50000.00", ""]
            for n in range(1, 13) for source in (BRENT, ICB)]
    rows += [["ICES", "2025-04", BRENT, "120000.00", ""]]
    rows += [["ICES", f"{2025 + (n > 9)}-{(n + 2) % 12 + 1:02d}", BRENT, "0", ""] for n in range(2, 13)]
    half = ledger_csv(tmp_path / "first-half.csv", rows[:12])
    bad = ledger_csv(tmp_path / "bad.csv", [["REAB", "2025-13", BRENT, "1", ""]])
    assert main(["pool", "monitor-import", "1", str(half), str(bad)]) == 2
    assert "bad.csv, row 2, column month" in capsys.readouterr().err
    assert main(["pool", "monitor-import", "1", str(half)]) == 0
    capsys.readouterr()
    assert main(["pool", "forecast", "1", "--json"]) == 0
    forecast = json.loads(capsys.readouterr().out)
    assert forecast["as_at_label"] == "Sep 2025" and forecast["schemes"][0]["forecast_outturn"] == "1200000.00"
    assert main(["pool", "forecast", "1", "--as-at", "2025-06"]) == 0
    assert "as at Jun 2025" in capsys.readouterr().out
    assert main(["pool", "settle-year", "1"]) == 6
    assert ("the year is not complete: there are no actuals for Reablement (REAB): Oct 2025 to Mar 2026; "
            "Community equipment (ICES): Apr 2025 to Mar 2026.") in capsys.readouterr().err
    rest = ledger_csv(tmp_path / "second-half.csv", rows[12:])
    assert main(["pool", "monitor-import", "1", str(rest)]) == 0
    assert main(["pool", "settle-year", "1", "--json"]) == 0
    out = capsys.readouterr().out
    settlement = json.loads(out[out.index("{"):])
    assert settlement["positions"][ICB]["paid"] == "786000.00"
    assert settlement["unallocated"] == "0.00"
    assert main(["pool", "report", "1", "monitoring", "--out", str(tmp_path)]) == 0
    book = openpyxl.load_workbook(tmp_path / "pool-1-2025-26-monitoring.xlsx")
    assert {"Schemes", "Partners", "Monthly", "Settlement"} <= set(book.sheetnames)
    assert main(["pool", "report", "1", "position", "--partner", ICB, "--out", str(tmp_path)]) == 0
    position = openpyxl.load_workbook(tmp_path / f"pool-1-2025-26-position-{ICB}.xlsx")["Position"]
    settled = {row[0]: row[1] for row in position.iter_rows(min_row=2, values_only=True)}
    assert settled["Status"] == "settled" and settled["Settlement"].startswith(("owes", "is owed", "is square"))
    assert main(["pool", "report", "1", "position", "--out", str(tmp_path)]) == 2  # which partner? a clear error
    assert main(["pool", "report", "1", "statement", "--out", str(tmp_path)]) == 0
    statement = openpyxl.load_workbook(tmp_path / "pool-1-2025-26-settlement-statement.xlsx")
    *partners, total = list(statement["Settlement"].iter_rows(min_row=2, values_only=True))
    assert total[1] == "Total" and total[5] == sum(row[5] for row in partners)  # final costs, to the penny
    assert sorted(row[0] for row in partners) == sorted(settlement["positions"])  # every partner, once
    assert [row[0] for row in statement["Signed"].iter_rows(min_row=2, values_only=True)] == [r[0] for r in partners]
    assert main(["pool", "report", "1", "register", "--out", str(tmp_path / "register.csv")]) == 0
    assert "Older people; Physical disability" in (tmp_path / "register.csv").read_text()
    assert main(["pool", "ledger", "1", "--out", str(tmp_path / "pool.beancount")]) == 0
    _entries, errors, _options = loader.load_file(str(tmp_path / "pool.beancount"))
    assert errors == []
    assert main(["pool", "show", "2"]) == 4


def test_a_variation_at_the_command_line(cli_env: Database, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    """Priya proposes moving £200k of the ICB's money from reablement to equipment; it applies when Marcus
    approves for the ICB as well. Each command acts as the named user, checked and audited as on the web."""
    partners_and_users(cli_env)
    agreement = tmp_path / "brent-bcf.json"
    agreement.write_text(json.dumps(agreement_json()), encoding="utf-8")
    assert main(["pool", "create", str(agreement), "--as", PRIYA]) == 0  # Brent accepts it by proposing it
    assert f"waiting for {ICB} to accept" in capsys.readouterr().out
    assert main(["pool", "accept", "1", "--as", MARCUS]) == 0
    move = tmp_path / "move.json"
    move.write_text(json.dumps([{"kind": "move", "partner": ICB, "from": "REAB", "to": "ICES",
                                 "amount": "200000.00"}]), encoding="utf-8")
    broken = tmp_path / "broken.json"
    broken.write_text('[{"kind": "move", "partner": "QRV"', encoding="utf-8")
    capsys.readouterr()

    assert main(["pool", "variation", "propose", "1", "--as", PRIYA, "--description", "x",
                 "--changes", str(broken)]) == 2
    assert "broken.json is not valid JSON: Expecting ',' delimiter at line 1" in capsys.readouterr().err
    assert main(["pool", "variation", "propose", "1", "--as", "nobody@brent.test", "--description", "x",
                 "--changes", str(move)]) == 4
    capsys.readouterr()
    assert main(["pool", "variation", "propose", "1", "--as", PRIYA, "--description",
                 "more equipment [/] fewer [red]reablement[/red] hours", "--changes", str(move)]) == 0
    assert f"variation 1 is proposed; waiting for {BRENT}, {ICB}" in capsys.readouterr().out
    assert main(["pool", "variation", "approve", "1", "1", "--as", HUGHES]) == 5  # a viewer cannot
    capsys.readouterr()
    assert main(["pool", "variation", "approve", "1", "1", "--as", PRIYA]) == 0
    assert f"waiting for {ICB}" in capsys.readouterr().out
    assert main(["pool", "variation", "approve", "1", "1", "--as", MARCUS]) == 0
    assert "variation 1 is approved" in capsys.readouterr().out
    assert main(["pool", "variation", "list", "1"]) == 0
    listed = " ".join(capsys.readouterr().out.split())
    assert "approved" in listed and MARCUS in listed
    assert "more equipment [/] fewer [red]reablement[/red] hours" in listed  # printed as written, not as markup
    assert main(["pool", "show", "1", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    budgets = {s["id"]: s["budget"] for s in shown["schemes"]}
    assert budgets == {"REAB": "1000000.00", "ICES": "320000.00"}  # the ICB's £200k moved


def test_a_partner_declines_at_the_command_line(cli_env: Database, tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    partners_and_users(cli_env)
    agreement = tmp_path / "brent-bcf.json"
    renamed = agreement_json(partners=[{"code": BRENT, "name": "Brent"}, {"code": ICB, "name": "The ICB"}])
    agreement.write_text(json.dumps(renamed), encoding="utf-8")
    assert main(["pool", "create", str(agreement), "--as", PRIYA]) == 0
    out = " ".join(capsys.readouterr().out.split())
    assert ("note: Partner QRV is named as in the partner directory, NHS North West London ICB; the file called it "
            "'The ICB'.") in out
    assert main(["pool", "decline", "1", "--as", MARCUS, "--reason", "  "]) == 2
    assert "reason: expected why NHS North West London ICB declines Brent BCF pool" in capsys.readouterr().err
    assert main(["pool", "decline", "1", "--as", MARCUS, "--reason", "our share of reablement is 50%"]) == 0
    assert (f"is declined by {ICB} (our share of reablement is 50%); it never took effect"
            in " ".join(capsys.readouterr().out.split()))
    assert main(["pool", "accept", "1", "--as", MARCUS]) == 6
    assert "already declined agreement 1" in capsys.readouterr().err
