"""The award as it is reported, as a MILP in integers: the fallback when rounding cannot keep every rule.

Each bid's quantity is a whole number of hundredths ``h_b`` (with its win flag ``y_b``); each line's money
over 1 and 52 periods is a whole number of pence ``c_b`` tied to it by the rounding itself
(``100 c_b - k p_b h_b`` between -49 and 50: half up); package discounts are whole pence rounded the same
way. Every rule is then a row over integers, in each money of ``exact.MONIES``, so a plan of this model keeps
them exactly, its bound holds for the plans that can be reported, and its infeasibility means no plan in
hundredths and pence meets the rules (while one with finer quantities might). The engine uses it only when
the solver's plan cannot be rounded (``ExactRules.settle``): first with that plan's winners fixed (quick), then
over every bid.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from carepool.award.exact import MONIES, ExactRules, Values
from carepool.award.milp import INF, SparseModel, _Rows
from carepool.award.model import Status
from carepool.award.solvers import REL_GAP, solve_highs
from carepool.core.errors import CarepoolError

PERIODS = tuple(m for m in MONIES if m)  # monies rounded per line (0, the exact value, needs no columns)


@dataclass
class Layout:
    nb: int
    money: bool  # line money, totals and discounts modelled (share or SME rules, or packages)
    n_cols: int = 0

    def __post_init__(self) -> None:
        self.y, self.h = 0, self.nb
        self.c = {k: 2 * self.nb + i * self.nb for i, k in enumerate(PERIODS)} if self.money else {}
        after = 2 * self.nb + len(self.c) * self.nb
        self.total = {m: after + i for i, m in enumerate(MONIES)} if self.money else {}
        self.pkg = after + len(self.total)


def build_exact(rules: ExactRules, *, fixed: np.ndarray | None = None) -> tuple[SparseModel, Layout]:
    """The exact model; ``fixed`` (a mask over bids) fixes the winners."""
    inst = rules.inst
    nb, npk = inst.n_bids, len(rules.packages)
    lay = Layout(nb, rules.has_money_rules or npk > 0)
    n_cols = lay.pkg + (1 + len(MONIES)) * npk if lay.money else lay.pkg
    lay.n_cols = n_cols
    z = lay.pkg + np.arange(npk)
    disc = {m: lay.pkg + (1 + i) * npk + np.arange(npk) for i, m in enumerate(MONIES)}
    price = np.array(rules.price, dtype=np.float64)
    bids = np.arange(nb)
    cost, lower, upper = np.zeros(n_cols), np.zeros(n_cols), np.full(n_cols, INF)
    integer = np.ones(n_cols, dtype=bool)
    cost[lay.h : lay.h + nb] = inst.coef / 100
    upper[lay.y : lay.y + nb] = 1.0
    upper[lay.h : lay.h + nb] = rules.up
    if fixed is not None:
        lower[lay.y : lay.y + nb] = upper[lay.y : lay.y + nb] = fixed.astype(np.float64)
    rows = _Rows()
    rows.add("cover", inst.n_lots, inst.b_lot, lay.h + bids, np.ones(nb), rules.target, rules.target)
    pair_r, pair_c = np.repeat(bids, 2), np.stack([lay.h + bids, lay.y + bids], 1).ravel()
    rows.add("upper", nb, pair_r, pair_c, np.stack([np.ones(nb), -rules.up], 1).ravel(), -INF, 0.0)
    rows.add("lower", nb, pair_r, pair_c, np.stack([np.ones(nb), -rules.low], 1).ravel(), 0.0, INF)
    rows.add("winners", inst.n_lots, inst.b_lot, lay.y + bids, np.ones(nb), -INF, inst.lot_k.astype(np.float64))
    capped = np.flatnonzero(rules.cap < np.bincount(inst.b_prov, weights=rules.up, minlength=inst.n_providers))
    if len(capped):
        mask = np.isin(inst.b_prov, capped)
        row_of = np.full(inst.n_providers, -1)
        row_of[capped] = np.arange(len(capped))
        rows.add("capacity", len(capped), row_of[inst.b_prov[mask]], lay.h + bids[mask], np.ones(int(mask.sum())),
                 -INF, rules.cap[capped].astype(np.float64))
    if lay.money:
        _money_rows(rules, lay, rows, price, upper, integer, z, disc)
    cost[disc[1]] = -0.01  # the discount in pence, off the objective in pounds
    row_lower, row_upper, start, index, value = rows.csr(n_cols, 1, np.zeros(1))
    model = SparseModel(cost, lower, upper, integer, row_lower, row_upper, start, index, value, n_bids=nb,
                        min_award=np.zeros(nb), t_col=None, pkg_start=n_cols, n_packages=0,
                        row_blocks=rows.blocks)
    return model, lay


def _money_rows(rules: ExactRules, lay: Layout, rows: _Rows, price: np.ndarray, upper: np.ndarray,
                integer: np.ndarray, z: np.ndarray, disc: dict[int, np.ndarray]) -> None:
    inst = rules.inst
    nb, npk = inst.n_bids, len(rules.packages)
    bids = np.arange(nb)
    line_col: dict[int, np.ndarray] = {0: lay.h + bids}
    line_coef: dict[int, np.ndarray] = {0: price * rules.scale}
    for k, start in lay.c.items():
        cols = start + bids
        upper[cols] = np.ceil(k * price * rules.up / 100) + 1
        rows.add(f"round{k}", nb, np.repeat(bids, 2), np.stack([cols, lay.h + bids], 1).ravel(),
                 np.stack([np.full(nb, 100.0), -k * price], 1).ravel(), -49.0, 50.0)
        line_col[k], line_coef[k] = cols, np.ones(nb)
    upper[z] = 1.0
    owner = np.array([p for p, _, _ in rules.packages], dtype=np.int64)
    for k, (_, members, share) in enumerate(rules.packages):
        n = len(members)
        ys = lay.y + np.array(members)
        rows.add(f"pkg{k}_each", n, np.repeat(np.arange(n), 2), np.stack([np.full(n, z[k]), ys], 1).ravel(),
                 np.tile([1.0, -1.0], n), -INF, 0.0)  # z_k <= y_b: won only with every lot
        rows.add(f"pkg{k}_all", 1, np.zeros(n + 1), np.concatenate([[z[k]], ys]),
                 np.concatenate([[1.0], -np.ones(n)]), 1.0 - n, INF)
        for m in MONIES:
            cols, coef = line_col[m][members], line_coef[m][members]
            most = float(np.dot(coef, upper[cols]))
            big = float(share) * most + 1.0
            d = disc[m][k]
            integer[d] = m != 0  # pence; the exact value's discount follows the (whole) quantities
            upper[d] = big
            if m == 0:  # exact: the discount share x value, when won (whole: ``scale``)
                rows.add(f"pkg{k}_v{m}", 1, np.zeros(n + 1), np.concatenate([[d], cols]),
                         np.concatenate([[1.0], -float(share) * coef]), -INF, 0.0)
                rows.add(f"pkg{k}_f{m}", 1, np.zeros(n + 2), np.concatenate([[d, z[k]], cols]),
                         np.concatenate([[1.0, -big], -float(share) * coef]), -big, INF)
            else:  # half up: 2 den d - 2 num S in [-(den - 1), den] when won, d = 0 when not
                num, den = share.numerator, share.denominator
                rows.add(f"pkg{k}_v{m}", 1, np.zeros(n + 1), np.concatenate([[d], cols]),
                         np.concatenate([[2.0 * den], -2.0 * num * coef]), -INF, float(den))
                slack = 2.0 * num * most + den
                rows.add(f"pkg{k}_f{m}", 1, np.zeros(n + 2), np.concatenate([[d, z[k]], cols]),
                         np.concatenate([[-2.0 * den, slack], 2.0 * num * coef]), -INF, den - 1.0 + slack)
            rows.add(f"pkg{k}_z{m}", 1, np.zeros(2), np.array([d, z[k]]), np.array([1.0, -big]), -INF, 0.0)
    for m in MONIES:
        t = lay.total[m]
        integer[t] = False
        rows.add(f"total{m}", 1, np.zeros(nb + 1 + npk), np.concatenate([[t], line_col[m], disc[m]]),
                 np.concatenate([[1.0], -line_coef[m], np.ones(npk)]), 0.0, 0.0)
        share = rules.share
        if share is not None:
            num, den = float(share.numerator), float(share.denominator)
            cols = np.concatenate([line_col[m], disc[m], np.full(inst.n_providers, t)])
            who = np.concatenate([inst.b_prov, owner, np.arange(inst.n_providers)])
            vals = np.concatenate([den * line_coef[m], -den * np.ones(npk), np.full(inst.n_providers, -num)])
            rows.add(f"share{m}", inst.n_providers, who, cols, vals, -INF, 0.0)
        floor = rules.sme_floor
        if floor is not None:
            num, den = float(floor.numerator), float(floor.denominator)
            mine = inst.sme[inst.b_prov]
            pk = inst.sme[owner] if npk else np.zeros(0, dtype=bool)
            cols = np.concatenate([line_col[m][mine], disc[m][pk], [t]])
            vals = np.concatenate([den * line_coef[m][mine], -den * np.ones(int(pk.sum())), [-num]])
            rows.add(f"sme{m}", 1, np.zeros(len(cols)), cols, vals, 0.0, INF)


def start_columns(rules: ExactRules, lay: Layout, q: np.ndarray) -> np.ndarray:
    """Every column's value for the plan of ``q`` hundredths (a start for the solver)."""
    nb, npk = rules.inst.n_bids, len(rules.packages)
    col = np.zeros(lay.n_cols)
    col[lay.y : lay.y + nb] = q > 0
    col[lay.h : lay.h + nb] = q
    if lay.money:
        values = Values(rules, q.copy())
        for k, first in lay.c.items():
            col[first : first + nb] = values.lines[k]
        col[lay.pkg : lay.pkg + npk] = values.won
        for i, m in enumerate(MONIES):
            col[lay.total[m]] = values.total[m]
            col[lay.pkg + (1 + i) * npk : lay.pkg + (2 + i) * npk] = values.taken[m]
    return col


@dataclass
class ExactOutcome:
    q: np.ndarray | None  # hundredths per bid, keeping every rule exactly
    bound: float | None
    proven: bool
    infeasible: bool


def solve_exact(rules: ExactRules, *, fixed: np.ndarray | None = None, start: np.ndarray | None = None,
                time_limit: float, rel_gap: float = REL_GAP, threads: int | None = None) -> ExactOutcome:
    model, lay = build_exact(rules, fixed=fixed)
    col = None if start is None else start_columns(rules, lay, start)
    out = solve_highs(model, start=col, time_limit=time_limit, rel_gap=rel_gap, threads=threads)
    q = None
    if out.x is not None:
        q = np.rint(out.x[lay.h : lay.h + rules.inst.n_bids]).astype(np.int64)
        if rules.broken(q):  # within the solver's tolerance only: not a plan to report
            q = None
    return ExactOutcome(q, out.bound, out.proven and q is not None, out.infeasible and out.x is None)


def _gap(objective: float, bound: float | None) -> float | None:
    if bound is None or not np.isfinite(bound):
        return None
    return max(0.0, (objective - bound) / max(abs(objective), 1e-9))


def settle_exactly(rules: ExactRules, plans: list[np.ndarray], status: Status, gap: float | None,
                   bound: float | None, *, seconds: float, rel_gap: float = REL_GAP, threads: int | None = None
                   ) -> tuple[np.ndarray, Status, float | None, float | None]:
    """The best plan of ``plans`` (quantities, best first) in hundredths, keeping every rule exactly.

    Rounding the first plan keeps its status and gap. When it cannot be rounded, the exact model finds the
    cheapest plan with its winners, the other plans are rounded, and the exact model over every bid improves
    on the best of them (or proves none exists) in ``seconds``; the status then says what was proven about
    the plan reported, never more."""
    q = rules.settle(plans[0])
    if q is not None:
        return q, status, gap, bound
    began = time.perf_counter()
    found: list[np.ndarray] = []
    fixed = rules.winners(plans[0])
    quick = solve_exact(rules, fixed=fixed, time_limit=max(0.5, seconds / 4), rel_gap=rel_gap, threads=threads)
    found += [quick.q] if quick.q is not None else []
    found += [q for q in (rules.settle(x) for x in plans[1:]) if q is not None]
    best = min(found, key=rules.objective) if found else None
    proven = False
    if best is None or (_gap(rules.objective(best), bound) or 0.0) > rel_gap:
        left = max(0.5, seconds - (time.perf_counter() - began))
        full = solve_exact(rules, start=best, time_limit=left, rel_gap=rel_gap, threads=threads)
        if full.infeasible and best is None:
            raise CarepoolError(
                "no plan in hundredths of a unit keeps every rule exactly: the rules can be met only by splitting "
                "a lot more finely (say, a provider exactly at max_share with a lot of an odd number of "
                "hundredths); relax max_share, min_sme_share or min_award_fraction a little, or allow more "
                "providers per lot", kind="infeasible")
        if full.bound is not None:
            bound = full.bound if bound is None else max(bound, full.bound)
        if full.q is not None and (best is None or rules.objective(full.q) <= rules.objective(best)):
            best, proven = full.q, full.proven
    if best is None:
        raise CarepoolError(
            "no plan keeping every rule exactly in hundredths of a unit was found in time (the best plan found "
            "keeps them only to within a fraction of a hundredth): allow a longer --time-limit, or relax "
            "max_share / min_sme_share", kind="timed_out")
    gap = _gap(rules.objective(best), bound)
    optimal = (proven and rel_gap <= REL_GAP) or (gap is not None and gap <= REL_GAP)
    return best, Status.OPTIMAL if optimal else Status.FEASIBLE, 0.0 if proven and gap is None else gap, bound
