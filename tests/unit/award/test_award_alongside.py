"""The neighbourhood search alongside the MILP: plans cross both ways, only plans meeting every rule are
kept, HiGHS takes a plan handed to it while it runs, and the worker process stops with the solve."""

from __future__ import annotations

import json
import multiprocessing
import threading
import time
from typing import Any

import numpy as np
import pytest

from carepool.award.alongside import Mailbox, PlanExchange, SearchLink, search_alongside, search_worker
from carepool.award.heuristic import heuristic_plan
from carepool.award.instance import build_instance
from carepool.award.lazy import LazyRules
from carepool.award.milp import build_model, full_vector
from carepool.award.model import JsonDecimal, Status, parse_problem
from carepool.award.policy import SearchPolicy
from carepool.award.solvers import solve_highs
from tests.unit.award.award_builders import award, bench_generator, tender

ALONGSIDE = SearchPolicy(price_with_lp=True, lazy_rules=True, search_share=0.0, run_milp=True, search_alongside=True)
SHARES = tender(lots="L1 100; L2 100", providers="P1; P2 sme; P3",
                bids="P1 L1 18.00; P2 L1 20.00; P3 L1 21.00; P1 L2 18.00; P2 L2 20.00; P3 L2 21.00",
                max_share="0.6")


def _problem(data: dict[str, Any]):
    return parse_problem(json.loads(json.dumps(data), parse_float=JsonDecimal))


def _plan(inst, full, quantities: dict[int, float]) -> np.ndarray:
    x = np.zeros(inst.n_bids)
    for bid, quantity in quantities.items():
        x[bid] = quantity
    return full_vector(inst, full, x)


def _mailboxes(n_cols: int) -> tuple[Mailbox, Mailbox]:
    """(to the search: the solver's latest plan, from the search: its best), as ``search_alongside`` makes them."""
    context = multiprocessing.get_context("spawn")
    return Mailbox(context, n_cols, keep_best=False), Mailbox(context, n_cols)


def test_a_mailbox_keeps_only_a_better_plan_and_says_when_there_is_news() -> None:
    latest, box = _mailboxes(3)
    assert latest.post(np.array([1.0, 1.0, 1.0]), 5.0) and latest.post(np.array([2.0, 2.0, 2.0]), 6.0)
    assert latest.read(0)[1] == 6.0  # type: ignore[index]  # the solver's latest: the search judges it
    assert box.read(0) is None
    assert box.post(np.array([1.0, 2.0, 3.0]), 10.0) and not box.post(np.array([9.0, 9.0, 9.0]), 11.0)
    news = box.read(0)
    assert news is not None and news[1] == 10.0 and news[2].tolist() == [1.0, 2.0, 3.0]
    assert box.read(news[0]) is None  # nothing new since


def test_the_search_takes_only_cheaper_plans_that_meet_every_rule_and_sends_only_better_ones() -> None:
    inst = build_instance(_problem(SHARES))
    full = build_model(inst)
    column = {(inst.provider_ids[inst.b_prov[b]], inst.lot_ids[inst.b_lot[b]]): b for b in range(inst.n_bids)}
    dear = _plan(inst, full, {column["P2", "L1"]: 100, column["P3", "L2"]: 100})  # £4,100, meets every rule
    good = _plan(inst, full, {column["P1", "L1"]: 100, column["P2", "L2"]: 100})  # £3,800, P2 at 53%
    greedy = _plan(inst, full, {column["P1", "L1"]: 100, column["P1", "L2"]: 100})  # £3,600, P1 at 100%
    from_solver, to_solver = _mailboxes(full.n_cols)
    link = SearchLink(inst, full, from_solver, to_solver, best=float(full.cost @ dear))

    from_solver.post(greedy, 3600.0)  # cheaper, but breaks max_share: a plan of the solver's relaxed model
    assert link.take() is None
    from_solver.post(good, 3800.0)  # the solver's next plan, once the broken rule is added
    taken = link.take(wait=1.0)
    assert taken is not None and float(full.cost @ taken) == 3800.0 and link.best == 3800.0

    link.give(dear, 4100.0)  # not better than what the solver already has: not sent back
    assert to_solver.read(0) is None
    link.give(good, 3799.0)
    assert to_solver.read(0)[1] == 3799.0  # type: ignore[index]


def test_the_worker_only_ever_sends_cheaper_plans_that_meet_every_rule() -> None:
    problem = _problem(bench_generator()("consortium"))
    inst = build_instance(problem)
    full = build_model(inst)
    start = full_vector(inst, full, heuristic_plan(inst))
    lazy = LazyRules.none_yet(inst)
    from_solver, to_solver = _mailboxes(full.n_cols)
    sent: list[float] = []
    post = to_solver.post

    def record(col: np.ndarray, objective: float) -> bool:
        assert full.violation(col) <= 1e-6 and abs(float(full.cost @ col) - objective) < 1e-6
        sent.append(objective)
        return post(col, objective)

    to_solver.post = record  # type: ignore[method-assign]
    began = time.perf_counter()
    # every rule carried, so the first gain already meets them all (under relaxed rules the search may wander
    # among plans breaking max_share for a while, and whether it comes back within the time is chance)
    search_worker(problem, False, ~lazy.share, True, start, 4.0, from_solver, to_solver)
    assert time.perf_counter() - began < 6.0
    assert sent, "the search improved on the heuristic's plan"
    assert sent == sorted(sent, reverse=True) and sent[0] < float(full.cost @ start)


class HandsOver:
    """An exchange that hands HiGHS one given plan and records what HiGHS sends."""

    def __init__(self, plan: np.ndarray, value: float) -> None:
        self.plan, self.value = plan, value
        self.handed = 0
        self.sent: list[np.ndarray] = []

    def better_than(self, objective: float) -> np.ndarray | None:
        if self.value < objective - 1e-6:
            self.handed += 1
            return self.plan
        return None

    def send(self, col: np.ndarray) -> None:
        self.sent.append(col)


def test_highs_takes_a_plan_handed_to_it_while_it_runs_and_sends_its_own() -> None:
    inst = build_instance(_problem(bench_generator()("consortium")))
    full = build_model(inst)
    optimum = solve_highs(full, time_limit=30)
    assert optimum.proven and optimum.x is not None
    start = full_vector(inst, full, heuristic_plan(inst))
    exchange = HandsOver(optimum.x, float(full.cost @ optimum.x))
    outcome = solve_highs(full, start=start, time_limit=30, exchange=exchange)
    assert exchange.handed == 1  # taken at once: HiGHS never asks again for a plan no better than its own
    assert outcome.objective is not None and abs(outcome.objective - exchange.value) < 1e-6 * exchange.value
    assert exchange.sent and all(full.violation(col) <= 1e-6 for col in exchange.sent)


def test_the_engine_with_the_search_alongside_proves_the_same_optimum_and_leaves_no_process() -> None:
    data = bench_generator()("consortium")
    alone = award(data, time_limit=30)
    both = award(data, time_limit=30, policy=ALONGSIDE)
    assert alone.status is both.status is Status.OPTIMAL
    assert both.total_cost == alone.total_cost
    assert multiprocessing.active_children() == []


def test_the_search_hands_its_plan_over_even_before_the_solver_has_one() -> None:
    to_search, from_search = _mailboxes(2)
    exchange = PlanExchange(np.array([1.0, 1.0]), to_search, from_search)
    assert exchange.better_than(float("inf")) is None  # nothing from the search yet
    from_search.post(np.array([2.0, 3.0]), 5.0)
    handed = exchange.better_than(float("inf"))  # HiGHS's primal bound before its first plan
    assert handed is not None and handed.tolist() == [2.0, 3.0]
    assert exchange.better_than(5.0) is None  # no better than the solver's own
    exchange.send(np.array([1.0, 1.0]))
    assert to_search.read(0)[1] == 2.0  # type: ignore[index]


def test_an_error_in_a_callback_is_raised_not_swallowed() -> None:
    class Broken(HandsOver):
        def better_than(self, objective: float) -> np.ndarray | None:
            raise RuntimeError("the exchange broke")

    inst = build_instance(_problem(bench_generator()("consortium")))
    full = build_model(inst)
    start = full_vector(inst, full, heuristic_plan(inst))
    with pytest.raises(RuntimeError, match="the exchange broke"):
        solve_highs(full, start=start, time_limit=30, exchange=Broken(start, 0.0))


def test_when_no_worker_process_can_start_the_solver_runs_alone(monkeypatch) -> None:
    def refuse(self) -> None:
        raise OSError("Resource temporarily unavailable")

    monkeypatch.setattr(multiprocessing.get_context("spawn").Process, "start", refuse)
    result = award(bench_generator()("consortium"), time_limit=30, policy=ALONGSIDE)
    assert result.status is Status.OPTIMAL and multiprocessing.active_children() == []


def test_plans_nobody_reads_leave_no_thread_or_process_behind() -> None:
    problem = _problem(bench_generator()("consortium"))
    inst = build_instance(problem)
    full = build_model(inst)
    start = full_vector(inst, full, heuristic_plan(inst))
    threads = threading.active_count()
    began = time.perf_counter()
    # half a second: the worker returns without reading what the solver sends, like one busy in its last step
    with search_alongside(problem, use_packages=False, lazy=None, start=start, cost=full.cost,
                          seconds=0.5) as exchange:
        for _ in range(3):
            exchange.send(start * 0.99)
        time.sleep(1.5)
    assert time.perf_counter() - began < 8.0
    assert threading.active_count() == threads and multiprocessing.active_children() == []
