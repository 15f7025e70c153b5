"""The engine follows its search policy: which phases run is chosen by tender size, or by the caller."""

from __future__ import annotations

import pytest

from carepool.award.model import Status
from carepool.award.policy import HUGE_BIDS, SMALL_BIDS, SearchPolicy
from tests.unit.award.award_builders import award, tender

CAPACITY = tender(lots="L1 100; L2 200", providers="P1 cap=250; P2",
                  bids="P1 L1 20.00; P2 L1 20.50; P1 L2 19.00; P2 L2 21.00")


def test_the_policy_by_size() -> None:
    small, large, huge = (SearchPolicy.for_size(n) for n in (SMALL_BIDS, SMALL_BIDS + 1, HUGE_BIDS + 1))
    assert (small.price_with_lp, small.search_share, small.run_milp) == (False, 0.0, True)
    assert (large.price_with_lp, large.lazy_rules, large.run_milp) == (True, True, True)
    assert (large.search_share, large.search_alongside) == (0.0, True)  # the search runs beside the MILP
    assert (huge.lazy_rules, huge.search_share, huge.run_milp) == (False, 1.0, False)
    assert not small.search_alongside and not huge.search_alongside
    with pytest.raises(ValueError, match="fractions"):
        SearchPolicy(price_with_lp=False, lazy_rules=False, search_share=1.5, run_milp=True)


def test_a_given_policy_decides_which_phases_run() -> None:
    heuristic_only = SearchPolicy(price_with_lp=False, lazy_rules=False, search_share=0.0, run_milp=False)
    plain = award(CAPACITY, policy=heuristic_only)
    assert plain.status is Status.FEASIBLE and plain.gap is None  # nothing proved a bound
    assert plain.total_cost == plain.heuristic_cost

    priced = award(CAPACITY, policy=SearchPolicy(price_with_lp=True, lazy_rules=False, search_share=0.0,
                                                 run_milp=False))
    assert priced.gap is not None  # the LP relaxation's bound

    default = award(CAPACITY)
    assert default.status is Status.OPTIMAL and default.total_cost.plain() == "5850.00"


def test_progress_reports_each_phase_and_the_best_plan_so_far() -> None:
    seen: list[tuple[str, float | None]] = []
    result = award(CAPACITY, progress=lambda phase, best: seen.append((phase, best)))
    assert [phase for phase, _ in seen] == ["heuristic plan", "MILP (highs): improving and proving", "done"]
    assert seen[0][1] is None and seen[-1][1] == pytest.approx(float(result.total_cost.pence) / 100)
