"""The award optimiser: heuristic plan first, then the MILP solver, never without a plan.

``optimise(problem)`` is the one entry point (pure: no files, no database):

1. arrays (``instance.build_instance``) and the causes of infeasibility visible
   without a solver (``diagnose.check_static``);
2. a greedy + repair plan (``heuristic``) within seconds;
3. the MILP built once (``milp.build_model``) and handed to the chosen backend
   (HiGHS by default, CBC through PuLP with ``solver="cbc"``) with the plan as its
   starting solution and the time left;
4. the better of the two plans, with its gap to the solver's proven bound.

Status is ``optimal`` when the plan is proven within a relative gap of 1e-6,
``feasible`` otherwise. A proven-infeasible model raises ``CarepoolError`` (kind
``infeasible``) naming the rule that cannot be met; no plan when time runs out, without a
proof that none exists, raises kind ``timed_out``.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from carepool.award.alongside import MIN_SECONDS as ALONGSIDE_MIN_SECONDS
from carepool.award.alongside import PlanExchange, cores, search_alongside
from carepool.award.diagnose import check_static, explain_infeasible
from carepool.award.exact import ExactRules
from carepool.award.exact_milp import settle_exactly
from carepool.award.heuristic import heuristic_plan
from carepool.award.improve import improve_lazily, priced_costs
from carepool.award.instance import Instance, build_instance
from carepool.award.lazy import LEFT_OUT_TOL, LazyRules, broken_rules, has_lazy_rows
from carepool.award.metrics import build_result, plan_cost
from carepool.award.milp import SparseModel, build_model, full_vector, with_totals
from carepool.award.model import AwardProblem, AwardResult, Status
from carepool.award.policy import SearchPolicy, heuristic_seconds
from carepool.award.solvers import BACKENDS, REL_GAP, Outcome, solve_relaxation
from carepool.core.errors import CarepoolError

FEASIBILITY_TOL = 1e-6
EXACT_SECONDS = 10.0  # most extra time for an exact plan when the best plan cannot be rounded (rare)


@dataclass
class Timings:
    """Where the time went (for the benchmark): seconds per phase."""

    prepare: float = 0.0
    heuristic: float = 0.0
    build: float = 0.0
    improve: float = 0.0
    solve: float = 0.0
    total: float = 0.0
    first_plan: float | None = None  # seconds from the start until a feasible plan existed
    solver_first: float | None = None  # seconds into the solve of the solver's own first plan


def relative_gap(objective: float, bound: float | None) -> float | None:
    if bound is None or not np.isfinite(bound):
        return None
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))


def _valid_start(inst: Instance, model: SparseModel, plan: np.ndarray | None) -> np.ndarray | None:
    if plan is None:
        return None
    start = full_vector(inst, model, plan)
    return start if model.violation(start) <= FEASIBILITY_TOL else None


def _cost(model: SparseModel, col: np.ndarray | None) -> float:
    return float(np.dot(model.cost, col)) if col is not None else np.inf


def _cost_or_none(model: SparseModel, col: np.ndarray | None) -> float | None:
    return None if col is None else _cost(model, col)


# Called as each phase starts, with the objective of the best plan so far (None before there is one):
# for a progress display. The engine does no I/O itself.
ProgressReport = Callable[[str, float | None], None]


def _silent(_phase: str, _best: float | None) -> None:
    return None


def optimise(problem: AwardProblem, *, solver: str = "highs", time_limit: float = 60.0,
             use_packages: bool = False, warm_start: bool = True, threads: int | None = None,
             rel_gap: float = REL_GAP, timings: Timings | None = None,
             policy: SearchPolicy | None = None, progress: ProgressReport | None = None) -> AwardResult:
    """Award the lots of ``problem`` at least cost (or best value) under its rules.

    Small tenders go straight to the MILP (warm-started by the heuristic). Large ones
    first solve the LP relaxation (a bound, and shadow prices that make the heuristic
    spread scarce capacity well), then improve the plan neighbourhood by neighbourhood
    (``improve``), and spend what time is left on the full MILP, which may prove
    optimality or tighten the bound. The result is the best plan found, never none.
    """
    if solver not in BACKENDS:
        raise CarepoolError(f"unknown solver {solver!r}: choose one of {', '.join(BACKENDS)}")
    if time_limit <= 0:
        raise CarepoolError(f"time limit must be positive, got {time_limit}")
    clock = timings or Timings()
    began = time.perf_counter()
    deadline = began + time_limit
    inst = build_instance(problem, use_packages=use_packages)
    check_static(inst)
    clock.prepare = time.perf_counter() - began

    policy = policy or SearchPolicy.for_size(inst.n_bids)
    report = progress or _silent
    report("heuristic plan", None)
    mark = time.perf_counter()
    plan = heuristic_plan(inst, time_budget=heuristic_seconds(time_limit))
    clock.heuristic = time.perf_counter() - mark
    mark = time.perf_counter()
    full = build_model(inst)
    lazy = LazyRules.none_yet(inst) if policy.lazy_rules and has_lazy_rows(full) else None
    model = lazy.model(inst) if lazy is not None else full
    start = _valid_start(inst, full, plan)
    clock.build = time.perf_counter() - mark
    if start is not None:
        clock.first_plan = time.perf_counter() - began
    heuristic_cost = plan_cost(inst, plan) if start is not None and plan is not None else None

    lp_bound = None
    if policy.price_with_lp:
        report("LP relaxation and priced plan", _cost_or_none(full, start))
        mark = time.perf_counter()
        relaxation = solve_relaxation(model, time_limit=max(1.0, policy.relaxation_share * time_limit))
        if relaxation.infeasible:
            raise explain_infeasible(inst, full)
        lp_bound = relaxation.objective
        if relaxation.row_dual is not None:
            priced = heuristic_plan(inst, time_budget=heuristic_seconds(time_limit),
                                    prefer=priced_costs(model, inst, relaxation.row_dual))
            candidate = _valid_start(inst, full, priced)
            if candidate is not None and _cost(full, candidate) < _cost(full, start):
                if start is None:
                    heuristic_cost = plan_cost(inst, priced)  # type: ignore[arg-type]
                start = candidate
                if clock.first_plan is None:
                    clock.first_plan = time.perf_counter() - began
        clock.heuristic += time.perf_counter() - mark
    if start is not None and policy.search_share > 0:
        report("neighbourhood search", _cost_or_none(full, start))
        mark = time.perf_counter()
        search_deadline = time.perf_counter() + policy.search_share * (deadline - time.perf_counter())
        start, model = improve_lazily(inst, full, model, lazy, start, deadline=search_deadline)
        clock.improve = time.perf_counter() - mark
    outcome = Outcome(solver, False, False, None, None, lp_bound, 0.0)
    searched: np.ndarray | None = None  # the best plan of the search alongside the solver, if it ran
    if policy.run_milp or start is None:
        report(f"MILP ({solver}): improving and proving", _cost_or_none(full, start))
        mark = time.perf_counter()
        solve = functools.partial(_solve_lazily, inst, full, model, lazy, solver, start if warm_start else None,
                                  deadline=deadline, rel_gap=rel_gap, threads=threads)
        if (policy.search_alongside and solver == "highs" and warm_start and start is not None and cores() >= 2
                and deadline - mark >= ALONGSIDE_MIN_SECONDS):
            with search_alongside(problem, use_packages=use_packages, lazy=lazy, start=start, cost=full.cost,
                                  seconds=deadline - mark) as exchange:
                outcome = solve(exchange=exchange)
            searched = exchange.final()
        else:
            outcome = solve()
        clock.solve = time.perf_counter() - mark
        clock.solver_first = outcome.first_solution
        if lp_bound is not None and (outcome.bound is None or outcome.bound < lp_bound):
            outcome.bound = lp_bound
    x, status, gap, bound = _choose(full, [start, searched], outcome, rel_gap)
    if x is None:
        raise CarepoolError(
            f"no plan meeting every rule was found within {time_limit:g} s (not proven impossible): "
            "allow a longer --time-limit, try --solver cbc, or relax max_share / min_sme_share", kind="timed_out")
    if clock.first_plan is None:
        clock.first_plan = time.perf_counter() - began
    others = sorted((c for c in (outcome.x, start, searched) if c is not None and c is not x), key=full.cost.dot)
    seconds = max(deadline - time.perf_counter(), min(EXACT_SECONDS, max(1.0, time_limit / 4)))
    hundredths, status, gap, bound = settle_exactly(
        ExactRules(inst), [model.quantities(c) for c in (x, *others)], status, gap, bound, seconds=seconds,
        rel_gap=rel_gap, threads=threads)
    report("done", _cost(full, x))
    clock.total = time.perf_counter() - began
    return build_result(inst, hundredths, status=status, gap=gap, bound=bound,
                        seconds=round(clock.total, 3), solver=outcome.solver, heuristic_cost=heuristic_cost)


def _solve_lazily(inst: Instance, full: SparseModel, model: SparseModel, lazy: LazyRules | None, solver: str,
                  start: np.ndarray | None, *, deadline: float, rel_gap: float, threads: int | None,
                  exchange: PlanExchange | None = None) -> Outcome:
    """Solve ``model``; while its plan breaks a share or SME rule left out, add those rows and solve again.

    Each round starts from the best plan that meets every rule (the search alongside's, when
    it has a cheaper one). The bound of every round holds for the full model; a plan breaking a
    rule when time runs out is discarded.
    """
    bound: float | None = None
    trade = {"exchange": exchange} if exchange is not None else {}
    while True:
        remaining = deadline - time.perf_counter()
        outcome = BACKENDS[solver](model, start=start, time_limit=max(0.5, 0.95 * remaining),
                                   rel_gap=rel_gap, threads=threads, **trade)
        if outcome.infeasible and start is None:
            raise explain_infeasible(inst, full)  # a relaxation without a plan: so is the full model
        if outcome.bound is not None:
            bound = outcome.bound if bound is None else max(bound, outcome.bound)
        outcome.bound = bound
        if outcome.x is not None:
            outcome.x = with_totals(inst, full, outcome.x)
        broken = lazy.left_out(broken_rules(inst, full, outcome.x, tol=LEFT_OUT_TOL)) \
            if lazy is not None and outcome.x is not None else None
        if not broken:
            return outcome
        assert lazy is not None and outcome.x is not None
        lazy.add(broken)
        outcome.x, outcome.objective, outcome.proven = None, None, False
        if deadline - time.perf_counter() < 1.0:
            return outcome
        model = lazy.model(inst)
        searched = exchange.final() if exchange is not None else None
        if searched is not None and _cost(full, searched) < _cost(full, start):
            start = searched


def _choose(model: SparseModel, plans: list[np.ndarray | None], outcome: Outcome, rel_gap: float
            ) -> tuple[np.ndarray | None, Status, float | None, float | None]:
    """The best of the solver's plan and the other ``plans`` (the search's), with its status and gap."""
    candidates = [col for col in (outcome.x, *plans) if col is not None]
    if not candidates:
        return None, Status.INFEASIBLE, None, outcome.bound
    best = min(candidates, key=lambda col: float(np.dot(model.cost, col)))
    objective = float(np.dot(model.cost, best))
    bound = outcome.bound
    gap = relative_gap(objective, bound)
    solver_best = outcome.objective is not None and objective <= outcome.objective + 1e-9 * max(1.0, abs(objective))
    proven = outcome.proven and rel_gap <= REL_GAP and solver_best
    if proven or (gap is not None and gap <= REL_GAP):
        return best, Status.OPTIMAL, gap if gap is not None else 0.0, bound
    return best, Status.FEASIBLE, gap, bound
