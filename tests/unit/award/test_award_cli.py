"""`carepool tender award` end to end: the contract, infeasible tenders (exit 3), bad input (exit 2)."""

from __future__ import annotations

import json

import pytest

from tests.unit.award.award_builders import run_cli, tender, write

EXAMPLE = {
    "tender": "Home care 2026", "currency": "GBP",
    "lots": [{"id": "L1", "name": "Home care Brent north", "quantity": 5200, "unit": "hour/week",
              "max_providers": 2, "baseline_price": "21.50"}],
    "providers": [{"id": "P1", "name": "Kindly Care Ltd", "sme": True, "capacity": 8000},
                  {"id": "P2", "name": "Brent Homecare Group", "sme": False, "capacity": 20000},
                  {"id": "P3", "name": "Harrow Helpers", "sme": True}],
    "bids": [{"provider": "P1", "lot": "L1", "price": "19.80", "quality": 72, "max_quantity": 3000},
             {"provider": "P2", "lot": "L1", "price": "18.90", "quality": 64},
             {"provider": "P3", "lot": "L1", "price": "20.40", "quality": 81}],
    "rules": {"objective": "cost", "quality_weight": 0.0, "min_quality": 50, "max_share": 0.6,
              "min_sme_share": 0.25, "min_award_fraction": 0.2},
}


def test_json_output_follows_the_contract(capsys, tmp_path):
    run = run_cli(capsys, "tender", "award", write(tmp_path, EXAMPLE))
    assert run.code == 0, run.err
    out = json.loads(run.out)
    assert list(out) == ["status", "total_cost", "objective", "gap", "baseline_cost", "savings", "savings_pct",
                         "awards", "provider_shares", "hhi", "sme_share", "seconds", "details"]
    assert out["status"] == "optimal"
    # P2 is cheapest but capped at 60% of the value: 18.90 x2 = 0.6 (18.90 x2 + 19.80 x1), x1 + x2 = 5,200
    # gives x1 = 2,022.22.. hours to P1 (the next cheapest); rounding keeps P2 at or under 60%
    assert out["awards"] == [  # by lot, cheapest first
        {"provider": "P2", "lot": "L1", "quantity": 3177.77, "price": "18.90", "cost": "60059.85"},
        {"provider": "P1", "lot": "L1", "quantity": 2022.23, "price": "19.80", "cost": "40040.15"},
    ]
    assert out["total_cost"] == out["objective"] == "100100.00"
    assert out["baseline_cost"] == "111800.00"  # 5,200 x 21.50
    assert out["savings"] == "11700.00"
    assert out["savings_pct"] == 10.47
    assert out["provider_shares"] == {"P1": 0.4, "P2": 0.6}
    assert 60059.85 / 100100.00 <= 0.6
    assert out["sme_share"] == 0.4
    assert out["hhi"] == 5200.0  # 40^2 + 60^2


def test_table_output_names_the_winners(capsys, tmp_path):
    run = run_cli(capsys, "tender", "award", write(tmp_path, EXAMPLE), "--format", "table")
    assert run.code == 0, run.err
    assert "P2" in run.out and "£60,059.85" in run.out and "optimal" in run.out


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_both_solvers_and_a_time_limit(capsys, tmp_path, solver):
    run = run_cli(capsys, "tender", "award", write(tmp_path, EXAMPLE), "--solver", solver, "--time-limit", "5")
    assert run.code == 0, run.err
    out = json.loads(run.out)
    assert out["total_cost"] == "100100.00"
    assert out["details"]["solver"] == solver


def _infeasible(**changes):
    data = json.loads(json.dumps(EXAMPLE))
    for path, value in changes.items():
        target = data
        *parents, last = path.split("__")
        for part in parents:
            target = target[int(part)] if part.isdigit() else target[part]
        target[last] = value
    return data


INFEASIBLE = [
    (_infeasible(bids__1__max_quantity=1100, bids__2__max_quantity=1050),
     "lot L1: the 2 largest eligible bids (max_providers 2) offer at most 4,100 of 5,200 hour/week"),
    (_infeasible(bids__1__max_quantity=1000, bids__2__quality=40),
     "lot L1: eligible bids offer at most 3,000 of 5,200 hour/week (1 eligible bid cannot reach the "
     "minimum award of 1,040)"),
    (_infeasible(rules__min_sme_share="0.99", providers__2__sme=False), "min_sme_share 0.99 cannot be met"),
    (_infeasible(rules__min_award_fraction="0.6", bids__1__max_quantity=5000, bids__2__max_quantity=4000),
     "lot L1: min_award_fraction 0.6 allows at most 1 winner (max_providers 2)"),
    (tender(lots="L1 100 k=2; L2 100 k=2", providers="P1 cap=80; P2 cap=80",
            bids="P1 L1 20.00; P2 L1 21.00; P1 L2 20.00; P2 L2 21.00"),
     "capacity totals too small: providers can supply at most 160 (capacity and bid limits) but the lots "
     "need 200"),
    (_infeasible(rules__max_share="0.3"), "max_share 0.3 needs at least 4 winning providers but only 3"),
    (_infeasible(rules__min_quality=90), "lot L1: no eligible bids (3 below min_quality 90)"),
]


@pytest.mark.parametrize(("data", "message"), INFEASIBLE)
def test_infeasible_tenders_exit_3_naming_the_cause(capsys, tmp_path, data, message):
    run = run_cli(capsys, "tender", "award", write(tmp_path, data))
    assert run.code == 3, run.out
    assert run.err.startswith("error: ")
    assert message in run.err
    assert "Traceback" not in run.err
    assert run.err.count("\n") == 1  # one line


def test_sme_floor_message_says_how_far_smes_can_go(capsys, tmp_path):
    data = tender(lots="L1 100 k=2", providers="P1; P2 sme", bids="P1 L1 20.00; P2 L1 21.00 max=50",
                  min_sme_share="0.99")
    run = run_cli(capsys, "tender", "award", write(tmp_path, data))
    assert run.code == 3
    assert "min_sme_share 0.99 cannot be met together with the other rules" in run.err
    assert "SMEs can reach at most 51.2% of the awarded value" in run.err  # 1050 / (1000 + 1050)


def _broken(**changes):
    return _infeasible(**changes)


MALFORMED = [
    (_broken(lots__0__quantity=None), 'lot L1: missing field "quantity"'),
    (_broken(bids__0__provider="P9"), 'bid #1 (P9 on L1): unknown provider "P9"'),
    (_broken(bids__0__lot="L7"), 'bid #1 (P1 on L7): unknown lot "L7"'),
    (_broken(bids__0__price="-19.80"), 'bid #1 (P1 on L1): "price" must not be negative, got -19.80'),
    (_broken(bids__0__price="19.805"), 'bid #1 (P1 on L1): "price": \'19.805\' has a fraction of a penny'),
    ('{"lots": [{"id": "L1", "quantity": 5}], "providers": [{"id": "P1"}], '
     '"bids": [{"provider": "P1", "lot": "L1", "price": 19.8}]}',
     'bid #1 (P1 on L1): "price" 19.8 is a bare number; give money as text like "19.80"'),
    (_broken(rules__max_share="1.5"), 'rules: "max_share" must be a fraction above 0 and at most 1, got 1.5'),
    (_broken(rules__max_shares="0.5"), 'rules: unknown rule "max_shares"'),
    (_broken(lots__0__max_providers=0), 'lot L1: "max_providers" must be a whole number of at least 1'),
    (_broken(bids__0__quality=120), 'bid #1 (P1 on L1): "quality" must be between 0 and 100, got 120'),
    (_broken(currency="EUR"), "currency 'EUR' is not supported"),
    (_broken(lots__0__quantity="1e30"),
     'lot L1: "quantity": expected at most 1,000,000,000, got \'1e30\'; check for a typo'),
    (_broken(bids__0__price="99999999999999999999999.00"),
     'bid #1 (P1 on L1): "price": expected an amount of at most £10,000,000,000.00 either way'),
    ('{"lots": [', "is not valid JSON: Expecting value at line 1, column 11"),
    ('{"lots": [], "lots": []}', "is not valid JSON: the key 'lots' appears twice in one object"),
]


@pytest.mark.parametrize(("data", "message"), MALFORMED)
def test_malformed_input_exits_2_with_one_clear_line(capsys, tmp_path, data, message):
    run = run_cli(capsys, "tender", "award", write(tmp_path, data))
    assert run.code == 2, run.out
    assert message in run.err
    assert "Traceback" not in run.err
    assert run.err.count("\n") == 1


def test_duplicate_bid_and_missing_file(capsys, tmp_path):
    data = json.loads(json.dumps(EXAMPLE))
    data["bids"].append(dict(data["bids"][0]))
    run = run_cli(capsys, "tender", "award", write(tmp_path, data))
    assert run.code == 2 and 'bid "P1/L1" appears twice' in run.err
    run = run_cli(capsys, "tender", "award", str(tmp_path / "nope.json"))
    assert run.code == 2 and "no such file" in run.err


def test_unknown_solver_is_a_usage_error(capsys, tmp_path):
    run = run_cli(capsys, "tender", "award", write(tmp_path, EXAMPLE), "--solver", "gurobi")
    assert run.code == 2
    assert "Traceback" not in run.err


@pytest.mark.parametrize("solver", ["highs", "cbc"])
def test_standard_output_is_only_the_json(tmp_path, solver):
    """Solvers write to the process's standard output below Python (HiGHS prints a banner when an
    instance is made); a real process shows what a pipe into ``jq`` would get."""
    import subprocess
    import sys
    from pathlib import Path

    command = Path(sys.executable).with_name("carepool")
    done = subprocess.run([str(command), "tender", "award", write(tmp_path, EXAMPLE), "--format", "json",
                           "--solver", solver], capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["status"] == "optimal"


def test_no_plan_in_time_is_not_called_infeasible(capsys, tmp_path, monkeypatch):
    """When neither the heuristic nor the solver has a plan at the time limit, nothing is proven: exit 7
    (not 3) and say what to try."""
    from carepool.award import engine
    from carepool.award.solvers import Outcome

    monkeypatch.setattr(engine, "heuristic_plan", lambda inst, **_: None)
    monkeypatch.setitem(engine.BACKENDS, "highs",
                        lambda model, **_: Outcome("highs", False, False, None, None, 90_000.0, 0.1))
    run = run_cli(capsys, "tender", "award", write(tmp_path, EXAMPLE), "--time-limit", "2")
    assert run.code == 7
    assert "no plan meeting every rule was found within 2 s (not proven impossible)" in run.err
    assert "longer --time-limit" in run.err and "Traceback" not in run.err


def test_a_terminal_gets_a_progress_bar_on_standard_error(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("FORCE_COLOR", "1")  # rich then treats standard error as a terminal
    run = run_cli(capsys, "tender", "award", write(tmp_path, EXAMPLE), "--time-limit", "5")
    assert run.code == 0 and json.loads(run.out)["status"] == "optimal"
    assert "of 5 s" in run.err
