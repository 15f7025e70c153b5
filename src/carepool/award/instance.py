"""The award problem as numpy arrays: what the heuristic, the MILP builder and the diagnosis share.

Only *possible* bids become columns: a bid below ``min_quality`` is not eligible, and a
bid that can never reach the lot's minimum award (``min_award_fraction`` x quantity)
because of its ``max_quantity`` or its provider's capacity is dropped too. Floats here
feed the solver only; money in the result is recomputed exactly from ``Money`` prices.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from carepool.award.model import AwardProblem, Bid, Objective

HUNDRED = Decimal(100)


@dataclass
class PackageArrays:
    provider: int
    bids: np.ndarray  # indices of the provider's bids on the package's lots
    discount: float
    index: int  # position in problem.packages


@dataclass
class Instance:
    problem: AwardProblem
    bids: list[Bid]  # the possible bids, in column order
    lot_ids: list[str]
    provider_ids: list[str]
    b_lot: np.ndarray  # int, lot index of each bid
    b_prov: np.ndarray  # int, provider index of each bid
    price: np.ndarray  # pounds per unit (solver only)
    coef: np.ndarray  # objective per unit: price, or price weighted for quality
    upper: np.ndarray  # most a bid can win: min(max_quantity, lot quantity, capacity)
    lower: np.ndarray  # least a winning bid must get: min_award_fraction x lot quantity
    lot_q: np.ndarray
    lot_k: np.ndarray  # winners allowed per lot after min_award_fraction: min(K, floor(1/f))
    cap: np.ndarray  # provider capacity, inf when none
    sme: np.ndarray  # bool per provider
    max_share: float | None
    min_sme: float | None
    packages: list[PackageArrays] = field(default_factory=list)
    by_lot: list[np.ndarray] = field(default_factory=list)  # bid indices per lot, cheapest first
    by_prov: list[np.ndarray] = field(default_factory=list)

    @property
    def n_bids(self) -> int:
        return len(self.bids)

    @property
    def n_lots(self) -> int:
        return len(self.lot_ids)

    @property
    def n_providers(self) -> int:
        return len(self.provider_ids)


def unit_objective(problem: AwardProblem, bid: Bid) -> Decimal:
    """What one unit of a bid costs in the objective, exactly."""
    rules = problem.rules
    if rules.objective is Objective.COST or rules.quality_weight == 0:
        return bid.price.amount
    return bid.price.amount * (1 + rules.quality_weight * (HUNDRED - bid.quality) / HUNDRED)


def winners_allowed(max_providers: int, fraction: Decimal) -> int:
    if fraction <= 0:
        return max_providers
    return max(1, min(max_providers, int(Decimal(1) / fraction)))


def build_instance(problem: AwardProblem, *, use_packages: bool = False) -> Instance:
    lots = {lot.id: (i, lot) for i, lot in enumerate(problem.lots)}
    provs = {p.id: (i, p) for i, p in enumerate(problem.providers)}
    fraction = problem.rules.min_award_fraction
    keep: list[Bid] = []
    uppers: list[Decimal] = []
    for bid in problem.bids:
        if not problem.eligible(bid):
            continue
        lot = lots[bid.lot][1]
        provider = provs[bid.provider][1]
        limits = [lot.quantity]
        if bid.max_quantity is not None:
            limits.append(bid.max_quantity)
        if provider.capacity is not None:
            limits.append(provider.capacity)
        upper = min(limits)
        if upper <= 0 or upper < fraction * lot.quantity:
            continue
        keep.append(bid)
        uppers.append(upper)
    n = len(keep)
    b_lot = np.fromiter((lots[b.lot][0] for b in keep), dtype=np.int64, count=n)
    b_prov = np.fromiter((provs[b.provider][0] for b in keep), dtype=np.int64, count=n)
    price = np.fromiter((b.price.pence / 100 for b in keep), dtype=np.float64, count=n)
    coef = np.fromiter((float(unit_objective(problem, b)) for b in keep), dtype=np.float64, count=n)
    lot_q = np.array([float(lot.quantity) for lot in problem.lots], dtype=np.float64)
    lot_k = np.array([winners_allowed(lot.max_providers, fraction) for lot in problem.lots], dtype=np.int64)
    cap = np.array(
        [np.inf if p.capacity is None else float(p.capacity) for p in problem.providers], dtype=np.float64
    )
    rules = problem.rules
    instance = Instance(
        problem=problem,
        bids=keep,
        lot_ids=[lot.id for lot in problem.lots],
        provider_ids=[p.id for p in problem.providers],
        b_lot=b_lot,
        b_prov=b_prov,
        price=price,
        coef=coef,
        upper=np.array([float(u) for u in uppers], dtype=np.float64),
        lower=float(fraction) * lot_q[b_lot],
        lot_q=lot_q,
        lot_k=lot_k,
        cap=cap,
        sme=np.array([p.sme for p in problem.providers], dtype=bool),
        max_share=None if rules.max_share is None or rules.max_share >= 1 else float(rules.max_share),
        min_sme=None if not rules.min_sme_share else float(rules.min_sme_share),
    )
    order = np.lexsort((instance.upper * -1, coef, b_lot))
    starts = np.searchsorted(b_lot[order], np.arange(len(lots) + 1))
    instance.by_lot = [order[starts[i] : starts[i + 1]] for i in range(len(lots))]
    porder = np.argsort(b_prov, kind="stable")
    pstarts = np.searchsorted(b_prov[porder], np.arange(len(provs) + 1))
    instance.by_prov = [porder[pstarts[i] : pstarts[i + 1]] for i in range(len(provs))]
    if use_packages:
        index = {(b.provider, b.lot): i for i, b in enumerate(keep)}
        for k, package in enumerate(problem.packages):
            cols = [index.get((package.provider, lot)) for lot in package.lots]
            if any(c is None for c in cols):
                continue  # the provider cannot win every lot of the package
            instance.packages.append(
                PackageArrays(provs[package.provider][0], np.array(cols, dtype=np.int64),
                              float(package.discount), k)
            )
    return instance
