"""Share and SME rows left out of the model and added only when a plan breaks them."""

from __future__ import annotations

import json

import numpy as np
import pytest

from carepool.award.instance import build_instance
from carepool.award.lazy import LEFT_OUT_TOL, LazyRules, broken_rules, has_lazy_rows
from carepool.award.milp import build_model, full_vector, with_totals
from carepool.award.model import JsonDecimal, parse_problem
from carepool.award.solvers import solve_highs
from tests.unit.award.award_builders import award, tender

# P1 is cheapest everywhere: alone it would win 100% of the value
SHARED = tender(lots="L1 100; L2 100", providers="P1; P2 sme",
                bids="P1 L1 20.00; P1 L2 20.00; P2 L1 21.00; P2 L2 21.00", max_share="0.6", min_sme_share="0.45")


def _instance(data):
    return build_instance(parse_problem(json.loads(json.dumps(data), parse_float=JsonDecimal)))


def test_the_relaxed_model_has_the_same_columns_and_none_of_the_left_out_rows():
    inst = _instance(SHARED)
    full = build_model(inst)
    relaxed = LazyRules.none_yet(inst).model(inst)
    assert has_lazy_rows(full) and not has_lazy_rows(relaxed)
    assert relaxed.n_cols == full.n_cols and relaxed.t_col == full.t_col
    assert np.array_equal(relaxed.cost, full.cost)
    # the share rows, the SME row, and the dense total row only they use
    assert full.n_rows - relaxed.n_rows == len(full.share_provider) + 2 and "total" not in relaxed.row_blocks


def test_a_plan_of_the_relaxation_that_breaks_rules_names_them_and_they_are_added():
    inst = _instance(SHARED)
    full = build_model(inst)
    lazy = LazyRules.none_yet(inst)
    outcome = solve_highs(lazy.model(inst), time_limit=10)
    assert outcome.x is not None
    assert np.allclose(full.quantities(outcome.x)[[0, 1]], 100)  # P1 takes both lots when nothing stops it
    broken = broken_rules(inst, full, outcome.x)
    assert broken and list(np.flatnonzero(broken.share)) == [0] and broken.sme
    lazy.add(broken)
    with_rules = lazy.model(inst)
    assert has_lazy_rows(with_rules)
    again = solve_highs(with_rules, time_limit=10)
    assert again.x is not None and not broken_rules(inst, full, again.x)


def test_a_plan_meeting_every_rule_breaks_none():
    inst = _instance(SHARED)
    full = build_model(inst)
    plan = np.array([100.0, 0.0, 0.0, 100.0])  # P1 L1, P1 L2, P2 L1, P2 L2 (in bid order)
    assert not broken_rules(inst, full, full_vector(inst, full, plan))


def test_rules_are_checked_on_the_plans_total_not_on_a_relaxed_models_floating_total():
    data = tender(lots="L1 100; L2 100", providers="P1 sme; P2",
                  bids="P1 L1 10.00; P1 L2 10.00; P2 L1 30.00; P2 L2 30.00", max_share="0.8", min_sme_share="0.2")
    inst = _instance(data)
    full = build_model(inst)
    col = full_vector(inst, full, np.array([100.0, 0.0, 0.0, 100.0]))  # P1 £1,000 (SME), P2 £3,000: every rule met
    assert not broken_rules(inst, full, col)
    # a model without the total row may leave T anywhere within its bounds (£2,000 to £6,000)
    for wrong in (full.lower[full.t_col], full.upper[full.t_col]):
        col[full.t_col] = wrong
        assert not broken_rules(inst, full, col)


def test_the_engine_meets_rules_it_first_left_out_and_proves_the_optimum():
    result = award(SHARED)
    assert result.status.value == "optimal"
    assert result.provider_shares["P1"] <= 0.6 and result.sme_share >= 0.45
    # one winner per lot: P1 cannot take both, so P1 one lot at 20.00 and P2 the other at 21.00
    assert result.total_cost.plain() == "4100.00"


def test_setting_the_total_leaves_the_solvers_flags_and_quantities_alone():
    inst = _instance(SHARED)
    full = build_model(inst)
    col = full_vector(inst, full, np.array([100.0, 0.0, 0.0, 100.0]))
    col[2] = 1e-8  # P2 on L1 within the solver's tolerance of nothing, its flag off: not a minimum award
    col[full.t_col] = 0.0
    settled = with_totals(inst, full, col)
    assert np.array_equal(np.delete(settled, full.t_col), np.delete(col, full.t_col))
    assert settled[full.t_col] == pytest.approx(100 * 20.00 + 100 * 21.00)


def test_a_left_out_rule_broken_by_less_than_the_solvers_tolerance_is_still_added_once():
    # P1 holds 60% + 1e-8 of the value: within RULE_TOL (the solver's tolerance for rows it carries), but the
    # relaxed model never carried the row, so it is simply over it (and would be reported over it)
    inst = _instance(SHARED)
    full = build_model(inst)
    lazy = LazyRules.none_yet(inst)
    # P1 all of L1 and p of L2 at £20.00, P2 the rest of L2 at £21.00: 2,000 + 20 p = 0.6 (4,100 - p) at p = 460 / 20.6
    p = 460 / 20.6 * (1 + 2e-8)
    plan = np.array([100.0, p, 0.0, 100.0 - p])  # P1 L1, P1 L2, P2 L1, P2 L2
    col = full_vector(inst, full, plan)
    assert not broken_rules(inst, full, col).share.any()
    broken = lazy.left_out(broken_rules(inst, full, col, tol=LEFT_OUT_TOL))
    assert list(np.flatnonzero(broken.share)) == [0]
    lazy.add(broken)
    assert not lazy.left_out(broken_rules(inst, full, col, tol=LEFT_OUT_TOL)).share.any()  # carried now
