"""The MILP against brute force on tiny random tenders.

Brute force enumerates every set of winners per lot (at most ``max_providers``), solves
the remaining LP over quantities with HiGHS's own modelling API (not our model
builder), and keeps the cheapest. The engine's optimum must match it to within the
rounding of quantities to 0.01 of a unit.
"""

from __future__ import annotations

import itertools
import json
import random
from decimal import Decimal

import highspy
import pytest

from carepool.award.instance import unit_objective
from carepool.award.model import AwardProblem, JsonDecimal, parse_problem
from carepool.core.errors import CarepoolError
from tests.unit.award.award_builders import award, random_tiny


def _lp_over_winners(problem: AwardProblem, winners: list) -> float | None:
    rules = problem.rules
    f = rules.min_award_fraction
    providers = {p.id: p for p in problem.providers}
    lots = {lot.id: lot for lot in problem.lots}
    h = highspy.Highs()
    h.setOptionValue("output_flag", False)
    x = {}
    for bid in winners:
        lot = lots[bid.lot]
        limits = [lot.quantity] + [v for v in (bid.max_quantity, providers[bid.provider].capacity) if v is not None]
        upper, lower = float(min(limits)), float(f * lot.quantity)
        if lower > upper:
            return None
        x[bid] = h.addVariable(lb=lower, ub=upper, obj=float(unit_objective(problem, bid)))
    for lot in problem.lots:
        h.addConstr(sum(x[b] for b in winners if b.lot == lot.id) == float(lot.quantity))
    for p in problem.providers:
        mine = [x[b] for b in winners if b.provider == p.id]
        if p.capacity is not None and mine:
            h.addConstr(sum(mine) <= float(p.capacity))
    total = sum(float(b.price.amount) * x[b] for b in winners)
    if rules.max_share is not None:
        for p in problem.providers:
            mine = [b for b in winners if b.provider == p.id]
            if mine:
                h.addConstr(sum(float(b.price.amount) * x[b] for b in mine) - float(rules.max_share) * total <= 0)
    if rules.min_sme_share:
        smes = [b for b in winners if providers[b.provider].sme]
        sme_value = sum(float(b.price.amount) * x[b] for b in smes) if smes else 0
        h.addConstr(sme_value - float(rules.min_sme_share) * total >= 0)
    h.run()
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    return h.getInfo().objective_function_value


def brute_force(problem: AwardProblem) -> float | None:
    per_lot = []
    for lot in problem.lots:
        bids = [b for b in problem.bids if b.lot == lot.id and problem.eligible(b)]
        per_lot.append([combo for k in range(1, lot.max_providers + 1)
                        for combo in itertools.combinations(bids, k)])
    best = None
    for choice in itertools.product(*per_lot):
        value = _lp_over_winners(problem, [b for combo in choice for b in combo])
        if value is not None and (best is None or value < best - 1e-9):
            best = value
    return best


@pytest.mark.parametrize("seed", range(40))
def test_milp_matches_brute_force(seed):
    data = random_tiny(random.Random(seed))
    problem = parse_problem(json.loads(json.dumps(data), parse_float=JsonDecimal))
    expected = brute_force(problem)
    if expected is None:
        with pytest.raises(CarepoolError) as error:
            award(data)
        assert error.value.kind == "infeasible"
        return
    result = award(data)
    assert result.status.value == "optimal"
    # quantities are reported to 0.01, so the money objective may move by a few pence
    assert abs(result.objective.amount - Decimal(str(round(expected, 2)))) <= Decimal("1.00"), (seed, expected)


def test_brute_force_sample_covers_both_outcomes():
    outcomes = set()
    for seed in range(40):
        problem = parse_problem(json.loads(json.dumps(random_tiny(random.Random(seed))), parse_float=JsonDecimal))
        outcomes.add(brute_force(problem) is None)
    assert outcomes == {True, False}  # some tiny tenders are infeasible, most are not
