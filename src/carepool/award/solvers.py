"""Solver backends behind one interface: HiGHS through highspy (default) and CBC through PuLP.

Both take the same ``SparseModel``, an optional starting plan (every column's value), a
time limit and a relative gap, and return an ``Outcome``: the best solution found (if
any), its objective, the proven lower bound and whether optimality was proven.
"""

from __future__ import annotations

import os
import re
import tempfile
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from carepool.award.milp import SparseModel
from carepool.core.highs import new_highs

REL_GAP = 1e-6  # "optimal" means proven within this relative gap


@dataclass
class Outcome:
    solver: str
    proven: bool  # optimal within the gap asked for
    infeasible: bool  # proven: no plan meets every rule
    x: np.ndarray | None  # every column's value, when a solution was found
    objective: float | None
    bound: float | None  # best proven lower bound on the objective
    seconds: float
    first_solution: float | None = None  # seconds until the solver's own first solution


def to_highs(model: SparseModel, *, time_limit: float | None = None, rel_gap: float = REL_GAP,
             threads: int | None = None, log: bool = False):  # -> highspy.Highs
    """Load the model into a fresh HiGHS instance with bulk calls (no per-row Python objects)."""
    import highspy

    h = new_highs(log=log)
    h.setOptionValue("mip_rel_gap", float(rel_gap))
    if time_limit is not None:
        h.setOptionValue("time_limit", float(max(time_limit, 0.01)))
    if threads:
        h.setOptionValue("threads", int(threads))
    n = model.n_cols
    empty_i = np.zeros(0, dtype=np.int32)
    h.addCols(n, model.cost, model.lower, model.upper, 0, empty_i, empty_i, np.zeros(0))
    h.addRows(model.n_rows, model.row_lower, model.row_upper, model.nnz, model.start[:-1],
              model.index, model.value)
    ints = np.flatnonzero(model.integer).astype(np.int32)
    if len(ints):
        kind = np.full(len(ints), int(highspy.HighsVarType.kInteger), dtype=np.uint8)
        h.changeColsIntegrality(len(ints), ints, kind)
    return h


def write_mps(model: SparseModel, path: str) -> None:
    h = to_highs(model)
    h.writeModel(path)


class PlanTrader(Protocol):
    """Another search running while the MILP is solved (``alongside.PlanExchange``)."""

    def better_than(self, objective: float) -> np.ndarray | None: ...

    def send(self, col: np.ndarray) -> None: ...


def solve_highs(model: SparseModel, *, start: np.ndarray | None = None, time_limit: float = 60.0,
                rel_gap: float = REL_GAP, threads: int | None = None, log: bool = False,
                exchange: PlanTrader | None = None) -> Outcome:
    """HiGHS on ``model`` from ``start``; with an ``exchange``, the other search's better plans are handed to
    HiGHS as it runs (before each dive) and HiGHS's better plans are sent to it."""
    import highspy

    began = time.perf_counter()
    h = to_highs(model, time_limit=time_limit, rel_gap=rel_gap, threads=threads, log=log)
    firsts: list[float] = []
    failures: list[BaseException] = []

    def guarded(callback: Callable[[Any], None]) -> Callable[[Any], None]:
        """HiGHS swallows what a callback raises and stops without a plan: keep it, stop, raise it after."""
        def run(event: Any) -> None:
            try:
                callback(event)
            except BaseException as error:  # Ctrl-C too
                failures.append(error)
                event.interrupt()
        return run

    def improved(event: Any) -> None:
        firsts.append(time.perf_counter() - began)
        if exchange is not None:  # a copy: HiGHS's buffer is reused once the callback returns
            exchange.send(np.array(event.data_out.mip_solution, dtype=np.float64, copy=True))

    def user_solution(event: Any) -> None:
        assert exchange is not None
        plan = exchange.better_than(float(event.data_out.mip_primal_bound))
        if plan is not None:
            event.data_in.setSolution(plan)
            event.data_in.user_has_solution = True

    h.cbMipImprovingSolution.subscribe(guarded(improved))
    if exchange is not None:
        h.cbMipUserSolution.subscribe(guarded(user_solution))
    if start is not None:
        h.setSolution(model.n_cols, np.arange(model.n_cols, dtype=np.int32), start.astype(np.float64))
    h.run()
    if failures:
        raise failures[0]
    status = h.getModelStatus()
    info = h.getInfo()
    has_solution = info.primal_solution_status == int(highspy.SolutionStatus.kSolutionStatusFeasible)
    x = np.asarray(h.getSolution().col_value, dtype=np.float64) if has_solution else None
    objective = float(info.objective_function_value) if has_solution else None
    if model.integer.any():
        bound = float(info.mip_dual_bound)
        bound = bound if np.isfinite(bound) else None
    else:
        bound = objective
    proven = status == highspy.HighsModelStatus.kOptimal
    infeasible = status == highspy.HighsModelStatus.kInfeasible
    return Outcome("highs", proven, infeasible, x, objective, bound, time.perf_counter() - began,
                   firsts[0] if firsts else None)


@dataclass
class Relaxation:
    """The LP relaxation: a lower bound on any plan, and shadow prices for the heuristic."""

    infeasible: bool
    objective: float | None
    col: np.ndarray | None
    row_dual: np.ndarray | None
    seconds: float


def solve_relaxation(model: SparseModel, *, time_limit: float = 60.0) -> Relaxation:
    import highspy

    began = time.perf_counter()
    h = to_highs(model, time_limit=time_limit)
    h.setOptionValue("solver", "ipm")  # with crossover: 1.4 s against 3.4 s for simplex on 1,000 lots
    ints = np.flatnonzero(model.integer).astype(np.int32)
    if len(ints):
        h.changeColsIntegrality(len(ints), ints, np.zeros(len(ints), dtype=np.uint8))
    h.run()
    status = h.getModelStatus()
    seconds = time.perf_counter() - began
    if status == highspy.HighsModelStatus.kInfeasible:
        return Relaxation(True, None, None, None, seconds)
    if status != highspy.HighsModelStatus.kOptimal:
        return Relaxation(False, None, None, None, seconds)
    solution = h.getSolution()
    return Relaxation(False, float(h.getInfo().objective_function_value), np.asarray(solution.col_value),
                      np.asarray(solution.row_dual), seconds)


_CBC_BOUND = re.compile(r"^(?:Lower bound|Objective value):\s*(-?[\d.eE+-]+)", re.MULTILINE)


def _cbc_command(pulp, time_limit: float, rel_gap: float, threads: int | None, warm: bool, log_path: str):
    options = dict(msg=False, timeLimit=max(1, round(time_limit)), gapRel=rel_gap, threads=threads,
                   warmStart=warm, logPath=log_path)
    external = pulp.COIN_CMD(**options)
    if external.available():
        return external
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return pulp.PULP_CBC_CMD(**options)  # the CBC binary bundled with PuLP 2.x/3.x


def to_pulp(model: SparseModel):  # -> (pulp.LpProblem, list[pulp.LpVariable])
    import pulp

    prob = pulp.LpProblem("award", pulp.LpMinimize)
    # PuLP 3.3 prefers prob.add_variable (the PuLP 4.0 way); older PuLP only has LpVariable
    make = getattr(prob, "add_variable", None) or pulp.LpVariable
    variables = []
    for j in range(model.n_cols):
        lo = float(model.lower[j])
        up = float(model.upper[j]) if np.isfinite(model.upper[j]) else None
        kind = pulp.LpInteger if model.integer[j] else pulp.LpContinuous
        variables.append(make(model.col_name(j), lo, up, kind))
    nz = np.flatnonzero(model.cost)
    prob += pulp.LpAffineExpression([(variables[j], float(model.cost[j])) for j in nz])
    for r in range(model.n_rows):
        lo, up = float(model.row_lower[r]), float(model.row_upper[r])
        s, e = int(model.start[r]), int(model.start[r + 1])
        expr = pulp.LpAffineExpression(
            [(variables[j], v) for j, v in zip(model.index[s:e].tolist(), model.value[s:e].tolist(),
                                               strict=True)])
        if lo == up:
            prob += pulp.LpConstraint(expr, pulp.LpConstraintEQ, f"r{r}", up)
            continue
        if np.isfinite(up):
            prob += pulp.LpConstraint(expr, pulp.LpConstraintLE, f"r{r}", up)
        if np.isfinite(lo):
            prob += pulp.LpConstraint(expr, pulp.LpConstraintGE, f"r{r}_lo" if np.isfinite(up) else f"r{r}", lo)
    return prob, variables


def solve_cbc(model: SparseModel, *, start: np.ndarray | None = None, time_limit: float = 60.0,
              rel_gap: float = REL_GAP, threads: int | None = None, log: bool = False) -> Outcome:
    import pulp

    began = time.perf_counter()
    prob, variables = to_pulp(model)
    if start is not None:
        for var, value in zip(variables, start.tolist(), strict=True):
            var.setInitialValue(round(value) if var.cat == pulp.LpInteger else value, check=False)
    handle, log_path = tempfile.mkstemp(prefix="carepool-cbc-", suffix=".log")
    os.close(handle)
    try:
        remaining = max(1.0, time_limit - (time.perf_counter() - began))
        solver = _cbc_command(pulp, remaining, rel_gap, threads, start is not None, log_path)
        prob.solve(solver)
        with open(log_path, encoding="utf-8", errors="replace") as handle_log:
            text = handle_log.read()
    finally:
        os.unlink(log_path)
    if log:
        print(text)
    has_solution = prob.sol_status in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible)
    x = np.array([v.varValue or 0.0 for v in variables]) if has_solution else None
    objective = float(np.dot(model.cost, x)) if x is not None else None
    proven = prob.sol_status == pulp.LpSolutionOptimal
    infeasible = prob.status == pulp.LpStatusInfeasible and not has_solution
    bound = objective if proven else None
    if not proven:
        found = dict.fromkeys(("Lower bound", "Objective value"))
        for match in _CBC_BOUND.finditer(text):
            found[match.group(0).split(":")[0]] = float(match.group(1))
        bound = found["Lower bound"]
    return Outcome("cbc", proven, infeasible, x, objective, bound, time.perf_counter() - began)


Backend = Callable[..., Outcome]
BACKENDS: dict[str, Backend] = {"highs": solve_highs, "cbc": solve_cbc}
