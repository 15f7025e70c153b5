"""Large awards: LP-priced heuristic and decomposition by geography (large neighbourhood search).

On a 1,000-lot tender HiGHS and CBC can both spend a minute in the root cut loop
without improving a plan. Lots in different places couple only through providers
(capacity, ``max_share``, ``min_sme_share``), so the engine improves a plan one
*neighbourhood* at a time: a group of neighbouring lots (linked by local providers
that bid on several of them) is freed, everything else is held at the incumbent, and
the small MILP that remains, with every coupling row kept (the fixed part moves into
the row's bounds), is solved by HiGHS in a second or two. Each accepted step keeps every
rule, so the plan only ever gets cheaper.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np

from carepool.award.instance import Instance
from carepool.award.lazy import LEFT_OUT_TOL, LazyRules, broken_rules
from carepool.award.milp import SparseModel, with_totals
from carepool.award.solvers import solve_highs

SUB_GAP = 1e-4
COUPLING = ("capacity", "total", "share", "sme")


def priced_costs(model: SparseModel, inst: Instance, row_dual: np.ndarray) -> np.ndarray:
    """Objective per unit of each bid plus the LP's shadow prices of the coupling rows."""
    nb = inst.n_bids
    rows = np.repeat(np.arange(model.n_rows), np.diff(model.start))
    coupling = np.zeros(model.n_rows, dtype=bool)
    for name in COUPLING:
        if name in model.row_blocks:
            s, e = model.row_blocks[name]
            coupling[s:e] = True
    mask = coupling[rows] & (model.index < nb)
    priced = np.bincount(model.index[mask], weights=model.value[mask] * row_dual[rows[mask]], minlength=nb)
    return inst.coef - priced


def neighbourhoods(inst: Instance, *, target_bids: int = 250) -> list[np.ndarray]:
    """Groups of neighbouring lots, each with about ``target_bids`` bids.

    Two lots are neighbours when a local provider (one bidding on few lots) bids on both;
    groups grow breadth-first from the first unassigned lot in input order, so lots
    listed by area also group by area when no provider links them.
    """
    counts = np.bincount(inst.b_prov, minlength=inst.n_providers)
    local = counts <= max(8, int(np.percentile(counts, 75)) if len(counts) else 8)
    lots_of = [np.unique(inst.b_lot[bids]) for bids in inst.by_prov]
    per_lot = np.bincount(inst.b_lot, minlength=inst.n_lots)
    group = np.full(inst.n_lots, -1)
    groups: list[list[int]] = []
    for seed in range(inst.n_lots):
        if group[seed] >= 0:
            continue
        members: list[int] = []
        size = 0
        queue = deque([seed])
        group[seed] = len(groups)
        while queue and size < target_bids:
            lot = queue.popleft()
            members.append(lot)
            size += int(per_lot[lot])
            for b in inst.by_lot[lot].tolist():
                p = inst.b_prov[b]
                if not local[p]:
                    continue
                for other in lots_of[p].tolist():
                    if group[other] < 0:
                        group[other] = len(groups)
                        queue.append(other)
        for lot in queue:  # not reached: free again for later groups
            group[lot] = -1
        if groups and size < target_bids // 3:
            groups[-1].extend(members)  # too small: join the previous group
            group[members] = len(groups) - 1
        else:
            groups.append(members)
    return [np.array(g, dtype=np.int64) for g in groups]


class SubModels:
    """Cuts the sub-MILP over a set of free columns out of the full model, cheaply (numpy only)."""

    def __init__(self, model: SparseModel) -> None:
        self.model = model
        self.rows = np.repeat(np.arange(model.n_rows), np.diff(model.start))

    def cut(self, free: np.ndarray, col: np.ndarray) -> tuple[SparseModel, np.ndarray]:
        m = self.model
        on_free = free[m.index]
        fixed_part = np.bincount(self.rows[~on_free], weights=m.value[~on_free] * col[m.index[~on_free]],
                                 minlength=m.n_rows)
        keep_rows = np.zeros(m.n_rows, dtype=bool)
        keep_rows[self.rows[on_free]] = True
        new_col = np.cumsum(free) - 1
        new_row = np.cumsum(keep_rows) - 1
        entries = on_free & keep_rows[self.rows]
        r, c, v = new_row[self.rows[entries]], new_col[m.index[entries]], m.value[entries]
        n_rows = int(keep_rows.sum())
        order = np.lexsort((c, r))
        start = np.zeros(n_rows + 1, dtype=np.int64)
        np.cumsum(np.bincount(r, minlength=n_rows), out=start[1:])
        cols = np.flatnonzero(free)
        sub = replace(
            m, cost=m.cost[cols], lower=m.lower[cols], upper=m.upper[cols], integer=m.integer[cols],
            row_lower=m.row_lower[keep_rows] - fixed_part[keep_rows],
            row_upper=m.row_upper[keep_rows] - fixed_part[keep_rows],
            start=start.astype(np.int32), index=c[order].astype(np.int32), value=v[order], row_blocks={},
        )
        return sub, cols


def _free_columns(model: SparseModel, inst: Instance, lots: np.ndarray) -> np.ndarray:
    nb = inst.n_bids
    in_group = np.zeros(inst.n_lots, dtype=bool)
    in_group[lots] = True
    bids = in_group[inst.b_lot]
    free = np.zeros(model.n_cols, dtype=bool)
    free[:nb] = bids
    free[nb : 2 * nb] = bids
    if model.t_col is not None:
        free[model.t_col] = True
    for k, package in enumerate(inst.packages):
        if bids[package.bids].any():
            free[model.pkg_start + k] = free[model.pkg_start + model.n_packages + k] = True
            free[package.bids] = free[package.bids + nb] = True
    return free


class Exchange(Protocol):
    """Plans traded with a solver running at the same time (``alongside``)."""

    def take(self) -> np.ndarray | None:
        """A cheaper plan found elsewhere that meets every rule, or None."""

    def give(self, col: np.ndarray, value: float) -> None:
        """A new best plan meeting every rule."""


@dataclass
class Improved:
    best: np.ndarray  # the cheapest plan seen that meets every rule of the guard (the start at worst)
    last: np.ndarray  # where the search ended: meets ``model``'s rules, maybe not the guard's


def improve(model: SparseModel, inst: Instance, col: np.ndarray, *, deadline: float,
            target_bids: int = 250, step_limit: float = 0.5, guard: SparseModel | None = None,
            exchange: Exchange | None = None) -> Improved:
    """Cheaper plans by re-solving one neighbourhood at a time until ``deadline`` or no gain.

    Sweeps alternate single groups and pairs of neighbouring groups (so group boundaries
    move); each sub-MILP gets a short time limit (most of its gain comes early), doubled
    every second sweep once the easy gains are taken. Stops after two sweeps without gain.

    ``guard`` is the full model when ``model`` leaves some rules out (``lazy``): the search
    moves under ``model``'s rules and keeps aside the best plan that meets the guard's too (``col``
    must meet them).
    (Holding every step to the guard would stall it: a plan whose providers sit at
    ``max_share`` cannot get cheaper anywhere without pushing them over.)

    With an ``exchange``, each new best plan is given to it, and before each step a cheaper
    plan taken from it (the solver's) replaces the one being improved.
    """
    guard = guard or model
    cutter = SubModels(model)
    groups = neighbourhoods(inst, target_bids=target_bids)
    current = best_kept = float(np.dot(model.cost, col))
    kept = col
    idle = 0
    for sweep in range(12):
        gained = 0.0
        size = 1 if sweep % 2 == 0 else 2
        step = step_limit * 2 ** min(sweep // 2, 3)
        start = (sweep // 2) % size
        batches = [np.concatenate(groups[i : i + size]) for i in range(start, len(groups), size)]
        for lots in batches:
            left = deadline - time.perf_counter()
            if left < 0.2:
                return Improved(kept, col)
            other = exchange.take() if exchange is not None else None
            if other is not None and float(np.dot(model.cost, other)) < current:
                current = float(np.dot(model.cost, other))
                col = kept = other
                best_kept = current
            free = _free_columns(model, inst, lots)
            sub, cols = cutter.cut(free, col)
            outcome = solve_highs(sub, start=col[cols], time_limit=min(step, left), rel_gap=SUB_GAP)
            if outcome.x is None:
                continue
            trial = col.copy()
            trial[cols] = outcome.x
            trial = with_totals(inst, model, trial)
            value = float(np.dot(model.cost, trial))
            if value < current - 1e-7 * abs(current) and model.violation(trial) <= 1e-6:
                gained += current - value
                current, col = value, trial
                if value < best_kept and (guard is model or guard.violation(trial) <= 1e-6):
                    best_kept, kept = value, trial
                    if exchange is not None:
                        exchange.give(kept, best_kept)
        idle = idle + 1 if gained <= 1e-6 * abs(current) else 0
        if idle >= 2:
            break
    return Improved(kept, col)


def improve_lazily(inst: Instance, full: SparseModel, model: SparseModel, lazy: LazyRules | None,
                   start: np.ndarray, *, deadline: float, target_bids: int = 250,
                   exchange: Exchange | None = None) -> tuple[np.ndarray, SparseModel]:
    """Neighbourhood search under the rows carried so far, keeping the best plan that meets every
    rule; where the search ends breaking a rule, that rule is added and it goes on from that plan."""
    while True:
        found = improve(model, inst, start, deadline=deadline, guard=full, target_bids=target_bids,
                        exchange=exchange)
        start = found.best
        broken = lazy.left_out(broken_rules(inst, full, found.last, tol=LEFT_OUT_TOL)) if lazy is not None else None
        if not broken or deadline - time.perf_counter() < 1.0:
            return start, model
        assert lazy is not None
        lazy.add(broken)
        model = lazy.model(inst)
