"""The greedy + repair heuristic, the two solver backends, and the rounding of quantities."""

from __future__ import annotations

import json
import random
from decimal import Decimal
from typing import Any

import numpy as np
import pytest

from carepool.award.heuristic import heuristic_plan, plan_violations
from carepool.award.instance import build_instance
from carepool.award.metrics import round_quantities
from carepool.award.milp import build_model, full_vector
from carepool.award.model import JsonDecimal, parse_problem
from tests.unit.award.award_builders import award, bench_generator, random_tiny

generate = bench_generator()


def _instance(data: dict[str, Any]):
    return build_instance(parse_problem(json.loads(json.dumps(data), parse_float=JsonDecimal)))


def easy_tender(rng: random.Random) -> dict[str, Any]:
    """Cover and capacity only: 6 lots, 5 providers, capacities that leave some slack overall."""
    lots = [{"id": f"L{i}", "quantity": rng.randrange(100, 600, 10), "max_providers": rng.choice([1, 2, 3])}
            for i in range(6)]
    need = sum(lot["quantity"] for lot in lots)
    providers = [{"id": f"P{p}", "capacity": rng.randrange(need // 4, need // 2, 10)} for p in range(5)]
    bids = [{"provider": p["id"], "lot": lot["id"], "price": f"{rng.uniform(18, 28):.2f}"}
            for lot in lots for p in providers if rng.random() < 0.8]
    return {"lots": lots, "providers": providers, "bids": bids,
            "rules": {"min_award_fraction": rng.choice(["0", "0.1", "0.2"])}}


@pytest.mark.parametrize("seed", range(25))
def test_heuristic_meets_cover_and_capacity_on_easy_tenders(seed):
    data = easy_tender(random.Random(seed))
    inst = _instance(data)
    try:
        award(data, time_limit=5)
    except Exception:
        pytest.skip("this random tender has no feasible award at all")
    plan = heuristic_plan(inst)
    assert plan is not None
    assert plan_violations(inst, plan) == []


@pytest.mark.parametrize("seed", range(40))
def test_any_heuristic_plan_meets_every_rule(seed):
    inst = _instance(random_tiny(random.Random(seed), lots=3, providers=4))
    plan = heuristic_plan(inst)
    if plan is not None:
        assert plan_violations(inst, plan) == []
        model = build_model(inst)
        assert model.violation(full_vector(inst, model, plan)) <= 1e-6


def test_heuristic_plans_the_consortium_benchmark_within_two_percent():
    data = generate("consortium")
    inst = _instance(data)
    plan = heuristic_plan(inst)
    assert plan is not None and plan_violations(inst, plan) == []
    best = award(data, time_limit=20)
    assert best.status.value == "optimal"
    assert float(np.dot(inst.coef, plan)) <= float(best.objective.amount) * 1.02  # measured: 1.4% above


@pytest.mark.parametrize("min_award_fraction", ["0.2", "0"])
def test_heuristic_plans_the_tightest_benchmark_region_where_twelve_greedy_passes_did_not(min_award_fraction):
    """Seed 2's region leaves 5 to 24 lots uncovered after the plain squeaky-wheel passes (its groups spend
    their capacity on lots others could take); bidders who ran out count as dearer until every lot is covered.
    Without a plan here the engine had only the solver to rely on, which on a slow machine found none in 30 s."""
    data = generate("region", seed=2)
    data["rules"]["min_award_fraction"] = min_award_fraction
    inst = _instance(data)
    plan = heuristic_plan(inst)
    assert plan is not None and plan_violations(inst, plan) == []


@pytest.mark.parametrize("seed", [1, 2, 3, 5, 8])
def test_cbc_and_highs_agree(seed):
    data = random_tiny(random.Random(100 + seed), lots=3, providers=3)
    try:
        highs = award(data, solver="highs")
    except Exception as error:
        with pytest.raises(type(error)):
            award(data, solver="cbc")
        return
    cbc = award(data, solver="cbc")
    assert cbc.status == highs.status
    assert abs(cbc.objective.amount - highs.objective.amount) <= Decimal("0.10")


def test_rounded_quantities_add_up_to_each_lot_exactly():
    inst = _instance(random_tiny(random.Random(7), lots=3, providers=4))
    rng = np.random.default_rng(7)
    x = np.zeros(inst.n_bids)
    for lot, cand in enumerate(inst.by_lot):
        weights = rng.random(len(cand))
        x[cand] = inst.lot_q[lot] * weights / weights.sum()
    quantities = round_quantities(inst, x)
    for lot, cand in enumerate(inst.by_lot):
        assert sum(quantities[b] for b in cand.tolist()) == inst.problem.lots[lot].quantity
    assert all(q == q.quantize(Decimal("0.01")) for q in quantities)
