"""The award MILP, built once from numpy arrays into a solver-independent sparse model.

Columns: per possible bid a win flag ``y_b`` and the quantity *above the minimum award*
``w_b`` (so the quantity is ``x_b = f Q_l y_b + w_b``; writing it this way removes the
``x_b >= f Q_l y_b`` rows, which HiGHS's cut loop handled badly: 29 s to 4 s on a 1,000-lot
test with only the per-lot rules); ``T`` (total awarded value) when a share rule is on; ``z_k``/``d_k`` (package won,
discount taken) per package. Rows, written in ``x`` and substituted (each block only
when it can bind):

* cover        sum_b x_b = Q_l                                  per lot
* upper link   x_b - u_b y_b <= 0      (w_b <= (u_b - f Q_l) y_b)   per bid
* winners      sum_b y_b <= K_l                                 per lot with more bids than K_l
* capacity     sum_b x_b <= cap_p                               per provider whose bids can exceed it
* total        T - sum_b price_b x_b + sum_k d_k = 0
* share        sum_{b of p} price_b x_b - sum_{k of p} d_k - s T <= 0   per provider that can exceed it
* sme          sum_{b of SMEs} price_b x_b - sum_{k of SMEs} d_k - m T >= 0
* package      z_k <= y_b (each lot of k), z_k >= sum y_b - (|k| - 1): z_k = 1 exactly when all are won;
               d_k <= delta_k V_k, d_k <= M_k z_k, d_k >= delta_k V_k - M_k (1 - z_k): so
               d_k = delta_k V_k when the package is won and 0 otherwise (M_k = delta_k x most V_k)

Objective: sum_b coef_b x_b - sum_k d_k (coef is the price, or the quality-weighted price).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from carepool.award.instance import Instance

INF = np.inf


@dataclass
class SparseModel:
    """min cost.x  s.t.  row_lower <= A x <= row_upper,  lower <= x <= upper,  x_j integer if integer[j]."""

    cost: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    integer: np.ndarray
    row_lower: np.ndarray
    row_upper: np.ndarray
    start: np.ndarray  # CSR, row-wise
    index: np.ndarray
    value: np.ndarray
    n_bids: int
    min_award: np.ndarray  # f Q_l per bid: x_b = min_award_b y_b + w_b
    t_col: int | None  # total awarded value, when a share rule needs it
    pkg_start: int  # z columns start here, d columns follow
    n_packages: int
    row_blocks: dict[str, tuple[int, int]] = field(default_factory=dict)
    share_provider: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # per share row

    @property
    def n_cols(self) -> int:
        return len(self.cost)

    @property
    def n_rows(self) -> int:
        return len(self.row_lower)

    @property
    def nnz(self) -> int:
        return len(self.value)

    def col_name(self, j: int) -> str:
        nb = self.n_bids
        if j < nb:
            return f"w{j}"
        if j < 2 * nb:
            return f"y{j - nb}"
        if j == self.t_col:
            return "T"
        k = j - self.pkg_start
        return f"z{k}" if k < self.n_packages else f"d{k - self.n_packages}"

    def bid_cost(self, per_unit: np.ndarray) -> np.ndarray:
        """An objective over columns equal to ``per_unit . x`` (x written as w + min_award y)."""
        cost = np.zeros(self.n_cols)
        cost[: self.n_bids] = per_unit
        cost[self.n_bids : 2 * self.n_bids] = per_unit * self.min_award
        return cost

    def quantities(self, col: np.ndarray) -> np.ndarray:
        """The quantity x_b of each bid from a full column vector."""
        nb = self.n_bids
        return col[:nb] + self.min_award * np.round(col[nb : 2 * nb])

    def activity(self, x: np.ndarray) -> np.ndarray:
        counts = np.diff(self.start)
        rows = np.repeat(np.arange(self.n_rows), counts)
        return np.bincount(rows, weights=self.value * x[self.index], minlength=self.n_rows)

    def violation(self, x: np.ndarray) -> float:
        """Largest violation of a row or bound, relative to the row's size (0 when feasible)."""
        act = self.activity(x)
        counts = np.diff(self.start)
        rows = np.repeat(np.arange(self.n_rows), counts)
        size = np.bincount(rows, weights=np.abs(self.value * x[self.index]), minlength=self.n_rows)
        size = np.maximum(1.0, size)
        worst = max(
            float(np.max((self.row_lower - act) / size, initial=0.0)),
            float(np.max((act - self.row_upper) / size, initial=0.0)),
            float(np.max((self.lower - x) / np.maximum(1.0, np.abs(self.lower)), initial=0.0)),
            float(np.max((x - self.upper) / np.maximum(1.0, np.abs(self.upper)), initial=0.0)),
        )
        return worst


class _Rows:
    """Collects row blocks as COO triplets; ``csr`` sorts them once into CSR arrays."""

    def __init__(self) -> None:
        self.r: list[np.ndarray] = []
        self.c: list[np.ndarray] = []
        self.v: list[np.ndarray] = []
        self.lo: list[np.ndarray] = []
        self.up: list[np.ndarray] = []
        self.n = 0
        self.blocks: dict[str, tuple[int, int]] = {}

    def add(self, name: str, count: int, r: np.ndarray, c: np.ndarray, v: np.ndarray,
            lo: np.ndarray | float, up: np.ndarray | float) -> None:
        if count == 0:
            return
        self.r.append(np.asarray(r, dtype=np.int64) + self.n)
        self.c.append(np.asarray(c, dtype=np.int64))
        self.v.append(np.asarray(v, dtype=np.float64))
        self.lo.append(np.broadcast_to(np.asarray(lo, dtype=np.float64), (count,)))
        self.up.append(np.broadcast_to(np.asarray(up, dtype=np.float64), (count,)))
        self.blocks[name] = (self.n, self.n + count)
        self.n += count

    def csr(self, n_cols: int, n_bids: int, lower: np.ndarray) -> tuple[np.ndarray, ...]:
        """CSR arrays with every ``x_b`` entry rewritten as ``w_b + lower_b y_b`` (duplicates merged)."""
        r = np.concatenate(self.r)
        c = np.concatenate(self.c)
        v = np.concatenate(self.v)
        on_x = (c < n_bids) & (lower[np.minimum(c, n_bids - 1)] > 0)
        if np.any(on_x):
            r = np.concatenate([r, r[on_x]])
            v = np.concatenate([v, v[on_x] * lower[c[on_x]]])
            c = np.concatenate([c, c[on_x] + n_bids])
            key, inverse = np.unique(r * n_cols + c, return_inverse=True)
            v = np.bincount(inverse.ravel(), weights=v)
            r, c = key // n_cols, key % n_cols
            keep = np.abs(v) > 1e-12
            r, c, v = r[keep], c[keep], v[keep]
        order = np.lexsort((c, r))
        start = np.zeros(self.n + 1, dtype=np.int64)
        np.cumsum(np.bincount(r, minlength=self.n), out=start[1:])
        return (np.concatenate(self.lo), np.concatenate(self.up), start.astype(np.int32),
                c[order].astype(np.int32), v[order])


def build_model(inst: Instance, *, share_rows: np.ndarray | None = None, sme_row: bool = True) -> SparseModel:
    """The MILP of ``inst``; ``share_rows`` (a mask over providers) and ``sme_row`` leave rules out.

    A model without some share or SME rows is a *relaxation* with the same columns: its
    bound holds for the full model, and a plan of it that happens to meet the left-out
    rules is a plan of the full model (the engine adds rules lazily this way).
    """
    nb, nl, npv = inst.n_bids, inst.n_lots, inst.n_providers
    bids = np.arange(nb)
    need_t = inst.max_share is not None or inst.min_sme is not None
    share_provider = np.zeros(0, dtype=np.int64)
    t_col = 2 * nb if need_t else None
    pkg_start = 2 * nb + (1 if need_t else 0)
    npk = len(inst.packages)
    n_cols = pkg_start + 2 * npk

    # bounds: T between the cheapest and dearest way to cover every lot
    cost = np.zeros(n_cols)
    cost[:nb] = inst.coef
    lower = np.zeros(n_cols)
    upper = np.ones(n_cols)
    upper[:nb] = inst.upper
    integer = np.zeros(n_cols, dtype=bool)
    integer[nb : 2 * nb] = True
    if need_t:
        t_lo = np.full(nl, np.inf)
        t_hi = np.zeros(nl)
        np.minimum.at(t_lo, inst.b_lot, inst.price)
        np.maximum.at(t_hi, inst.b_lot, inst.price)
        total_q = inst.lot_q
        most_off = sum(p.discount * float(np.dot(inst.price[p.bids], inst.upper[p.bids]))
                       for p in inst.packages)
        lower[t_col] = float(np.sum(np.where(np.isfinite(t_lo), t_lo, 0.0) * total_q)) - most_off
        upper[t_col] = float(np.sum(t_hi * total_q))
    rows = _Rows()
    rows.add("cover", nl, inst.b_lot, bids, np.ones(nb), inst.lot_q, inst.lot_q)
    rows.add("upper", nb, np.repeat(bids, 2), np.stack([bids, bids + nb], 1).ravel(),
             np.stack([np.ones(nb), -inst.upper], 1).ravel(), -INF, 0.0)
    per_lot = np.bincount(inst.b_lot, minlength=nl)
    busy = per_lot > inst.lot_k
    if np.any(busy):
        lot_row = np.cumsum(busy) - 1
        mask = busy[inst.b_lot]
        rows.add("winners", int(busy.sum()), lot_row[inst.b_lot[mask]], bids[mask] + nb,
                 np.ones(int(mask.sum())), -INF, inst.lot_k[busy].astype(np.float64))
    reach = np.bincount(inst.b_prov, weights=inst.upper, minlength=npv)
    tight = inst.cap < reach - 1e-9
    if np.any(tight):
        prov_row = np.cumsum(tight) - 1
        mask = tight[inst.b_prov]
        rows.add("capacity", int(tight.sum()), prov_row[inst.b_prov[mask]], bids[mask],
                 np.ones(int(mask.sum())), -INF, inst.cap[tight])
    pk_prov = np.array([p.provider for p in inst.packages], dtype=np.int64)
    d_cols = pkg_start + npk + np.arange(npk)
    if inst.max_share is not None:
        s = inst.max_share
        most = np.bincount(inst.b_prov, weights=inst.price * inst.upper, minlength=npv)
        active = most > s * lower[t_col] + 1e-6  # could this provider ever pass the share?
        if share_rows is not None:
            active &= share_rows
        share_provider = np.flatnonzero(active)
        if np.any(active):
            prov_row = np.cumsum(active) - 1
            mask = active[inst.b_prov]
            pmask = active[pk_prov] if npk else np.zeros(0, dtype=bool)
            n_act = int(active.sum())
            rows.add("share", n_act,
                     np.concatenate([prov_row[inst.b_prov[mask]], np.arange(n_act), prov_row[pk_prov[pmask]]]),
                     np.concatenate([bids[mask], np.full(n_act, t_col), d_cols[pmask]]),
                     np.concatenate([inst.price[mask], np.full(n_act, -s), -np.ones(int(pmask.sum()))]),
                     -INF, 0.0)
    if inst.min_sme is not None and sme_row:
        m = inst.min_sme
        mask = inst.sme[inst.b_prov]
        pmask = inst.sme[pk_prov] if npk else np.zeros(0, dtype=bool)
        cols = np.concatenate([bids[mask], [t_col], d_cols[pmask]])
        vals = np.concatenate([inst.price[mask], [-m], -np.ones(int(pmask.sum()))])
        rows.add("sme", 1, np.zeros(len(cols), dtype=np.int64), cols, vals, 0.0, INF)
    if "share" in rows.blocks or "sme" in rows.blocks:
        # T is the total awarded value only through this row, which is dense (every bid): a model whose
        # rules do not use T leaves it out (T then floats within its bounds; ``with_totals`` sets it).
        assert t_col is not None
        rows.add("total", 1, np.zeros(nb + 1 + npk, dtype=np.int64),
                 np.concatenate([bids, [t_col], d_cols]),
                 np.concatenate([-inst.price, [1.0], np.ones(npk)]), 0.0, 0.0)
    if npk:
        _package_rows(inst, rows, pkg_start, cost, upper, integer)
    # substitute x = lower y + w: costs and bounds follow the rows
    cost[nb : 2 * nb] += inst.coef * inst.lower
    upper[:nb] = inst.upper - inst.lower
    row_lower, row_upper, start, index, value = rows.csr(n_cols, nb, inst.lower)
    return SparseModel(cost, lower, upper, integer, row_lower, row_upper, start, index, value,
                       n_bids=nb, min_award=inst.lower, t_col=t_col, pkg_start=pkg_start, n_packages=npk,
                       row_blocks=rows.blocks, share_provider=share_provider)


def _package_rows(inst: Instance, rows: _Rows, pkg_start: int, cost: np.ndarray, upper: np.ndarray,
                  integer: np.ndarray) -> None:
    nb = inst.n_bids
    npk = len(inst.packages)
    z = pkg_start + np.arange(npk)
    d = z + npk
    integer[z] = True
    cost[d] = -1.0
    sizes = np.array([len(p.bids) for p in inst.packages])
    members = np.concatenate([p.bids for p in inst.packages])
    owner = np.repeat(np.arange(npk), sizes)
    n_link = len(members)
    rows.add("package_link", n_link, np.repeat(np.arange(n_link), 2),
             np.stack([z[owner], members + nb], 1).ravel(),
             np.tile([1.0, -1.0], n_link), -INF, 0.0)
    delta = np.array([p.discount for p in inst.packages])
    rows.add("package_value", npk, np.concatenate([np.arange(npk), owner]),
             np.concatenate([d, members]),
             np.concatenate([np.ones(npk), -delta[owner] * inst.price[members]]), -INF, 0.0)
    big_m = np.bincount(owner, weights=delta[owner] * inst.price[members] * inst.upper[members],
                        minlength=npk)
    upper[d] = big_m
    rows.add("package_all", npk, np.concatenate([np.arange(npk), owner]),
             np.concatenate([z, members + nb]),
             np.concatenate([np.ones(npk), -np.ones(n_link)]), 1.0 - sizes, INF)
    rows.add("package_switch", npk, np.repeat(np.arange(npk), 2), np.stack([d, z], 1).ravel(),
             np.stack([np.ones(npk), -big_m], 1).ravel(), -INF, 0.0)
    rows.add("package_forced", npk, np.concatenate([np.arange(npk), np.arange(npk), owner]),
             np.concatenate([d, z, members]),
             np.concatenate([np.ones(npk), -big_m, -delta[owner] * inst.price[members]]), -big_m, INF)


def with_totals(inst: Instance, model: SparseModel, col: np.ndarray) -> np.ndarray:
    """``col`` with T set to the total value its plan awards (a model without share and SME rows has no total
    row, and leaves T anywhere within its bounds). Only T changes: the flags and quantities are the solver's."""
    if model.t_col is None:
        return col
    col = col.copy()
    discounts = col[model.pkg_start + model.n_packages : model.pkg_start + 2 * model.n_packages]
    col[model.t_col] = float(np.dot(inst.price, model.quantities(col))) - float(discounts.sum())
    return col


def full_vector(inst: Instance, model: SparseModel, x: np.ndarray) -> np.ndarray:
    """Every column's value for a plan of quantities ``x`` (flags, total, packages taken)."""
    nb = inst.n_bids
    col = np.zeros(model.n_cols)
    won = x > 1e-9
    col[:nb] = np.maximum(0.0, x - inst.lower * won)
    col[nb : 2 * nb] = won
    discount_total = 0.0
    for k, package in enumerate(inst.packages):
        if won[package.bids].all():
            amount = package.discount * float(np.dot(inst.price[package.bids], x[package.bids]))
            col[model.pkg_start + k] = 1.0
            col[model.pkg_start + model.n_packages + k] = amount
            discount_total += amount
    if model.t_col is not None:
        col[model.t_col] = float(np.dot(inst.price, x)) - discount_total
    return col
