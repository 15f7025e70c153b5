"""From solver quantities to an exact, explainable result: awards, money, shares, HHI, savings.

Quantities come out of the solver as floats. Each lot's quantities are rounded to
0.01 of a unit by largest remainder, so they add up exactly to the lot; each award's
cost is then ``price x quantity`` computed exactly and rounded half-up to the penny,
so anyone can check it with a calculator. Totals, shares and savings are sums of those
pennies; no float ever touches money.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

import numpy as np

from carepool.award.instance import Instance, unit_objective
from carepool.award.model import QUANTUM, Award, AwardResult, PackageAward, Status
from carepool.core.money import Money, Rounding

SHARE_PLACES = Decimal("0.0001")


def round_quantities(inst: Instance, x: np.ndarray) -> list[Decimal]:
    """Quantities to 0.01 of a unit, each lot summing exactly to its quantity, every rule kept."""
    hundredths = np.clip(np.asarray(x, dtype=np.float64), 0.0, None) * 100.0
    result = np.zeros(len(hundredths), dtype=np.int64)
    for lot, cand in enumerate(inst.by_lot):
        if len(cand) == 0:
            continue
        target = round(inst.lot_q[lot] * 100)
        raw = hundredths[cand]
        floors = np.floor(raw + 1e-6).astype(np.int64)
        leftover = target - int(floors.sum())
        if leftover > 0:
            order = np.argsort(-(raw - floors), kind="stable")[:leftover]
            floors[order] += 1
        elif leftover < 0:
            for i in np.argsort(raw - floors, kind="stable").tolist():
                if leftover == 0:
                    break
                if floors[i] > 0:
                    floors[i] -= 1
                    leftover += 1
        result[cand] = floors
    result = _Nudge(inst).fix(result)
    return [Decimal(int(v)) * QUANTUM for v in result.tolist()]


class _Nudge:
    """Rounding to 0.01 can push a provider a hair over its capacity or max_share, or SMEs a hair
    under their floor (the solver's exact answer sits on the line). Moving 0.01 of a unit between
    winners of the same lot puts it back; money is checked exactly, in pence, as reported."""

    def __init__(self, inst: Instance) -> None:
        self.inst = inst
        self.price = np.array([b.price.pence for b in inst.bids], dtype=np.int64)
        self.upper = np.floor(inst.upper * 100 + 1e-6).astype(np.int64)
        self.low = np.ceil(inst.lower * 100 - 1e-6).astype(np.int64)
        self.cap = np.where(np.isfinite(inst.cap), np.floor(np.nan_to_num(inst.cap, posinf=0) * 100 + 1e-6),
                            np.iinfo(np.int64).max // 4).astype(np.int64)
        rules = inst.problem.rules
        self.share = Fraction(rules.max_share) if inst.max_share is not None else None
        self.sme = Fraction(rules.min_sme_share) if inst.min_sme is not None else None

    def values(self, q: np.ndarray) -> np.ndarray:
        cost = (self.price * q + 50) // 100  # pence, half-up
        return np.bincount(self.inst.b_prov, weights=cost, minlength=self.inst.n_providers).astype(np.int64)

    def problem(self, q: np.ndarray) -> tuple[str, int] | None:
        inst = self.inst
        used = np.bincount(inst.b_prov, weights=q, minlength=inst.n_providers).astype(np.int64)
        over = np.flatnonzero(used > self.cap)
        if len(over):
            return "from", int(over[0])
        value = self.values(q)
        total = int(value.sum())
        if self.share is not None:
            over = np.flatnonzero(value * self.share.denominator > self.share.numerator * total)
            if len(over):
                return "from", int(over[0])
        if self.sme is not None:
            sme_value = int(value[inst.sme].sum())
            if sme_value * self.sme.denominator < self.sme.numerator * total:
                return "to_sme", -1
        return None

    def move(self, q: np.ndarray, a: int, b: int) -> bool:
        inst = self.inst
        if a == b or q[a] - 1 < max(self.low[a], 1) or q[b] == 0 or q[b] + 1 > self.upper[b]:
            return False
        pb = inst.b_prov[b]
        if int(q[inst.by_prov[pb]].sum()) + 1 > self.cap[pb]:
            return False
        q[a] -= 1
        q[b] += 1
        return True

    def fix(self, q: np.ndarray, *, steps: int = 500) -> np.ndarray:
        inst = self.inst
        if self.share is None and self.sme is None and not np.isfinite(inst.cap).any():
            return q
        for _ in range(steps):
            found = self.problem(q)
            if found is None:
                return q
            kind, p = found
            if kind == "from":
                sources = [a for a in inst.by_prov[p].tolist() if q[a] > 0]
            else:
                sources = np.flatnonzero((q > 0) & ~inst.sme[inst.b_prov]).tolist()
            moved = False
            for a in sources:
                targets = inst.by_lot[inst.b_lot[a]].tolist()
                if kind == "to_sme":
                    targets = [b for b in targets if inst.sme[inst.b_prov[b]]]
                if any(self.move(q, a, b) for b in targets if inst.b_prov[b] != inst.b_prov[a]):
                    moved = True
                    break
            if not moved:
                return q  # nothing can move; the plan stays within the solver's tolerance
        return q


def _share(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def build_result(inst: Instance, x: np.ndarray, *, status: Status, gap: float | None, bound: float | None,
                 seconds: float, solver: str, heuristic_cost: Money | None = None) -> AwardResult:
    problem = inst.problem
    quantities = round_quantities(inst, x)
    awards: list[Award] = []
    objective_pence = 0  # each award's objective rounded like its cost, so cost mode matches
    value_by_provider: dict[str, int] = {}
    won: dict[tuple[str, str], Money] = {}
    for bid, quantity in zip(inst.bids, quantities, strict=True):
        if quantity <= 0:
            continue
        cost = bid.price.times(quantity, rounding=Rounding.HALF_UP)
        awards.append(Award(bid.provider, bid.lot, quantity, bid.price, cost))
        objective_pence += cost.pence if unit_objective(problem, bid) == bid.price.amount else int(
            (unit_objective(problem, bid) * quantity * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        value_by_provider[bid.provider] = value_by_provider.get(bid.provider, 0) + cost.pence
        won[(bid.provider, bid.lot)] = cost
    lot_order = {lot.id: i for i, lot in enumerate(problem.lots)}
    awards.sort(key=lambda a: (lot_order[a.lot], a.price, a.provider))  # by lot as listed, cheapest first
    packages: list[PackageAward] = []
    for pkg in inst.packages:
        package = problem.packages[pkg.index]
        if all((package.provider, lot) in won for lot in package.lots):
            on_set = Money.sum(won[(package.provider, lot)] for lot in package.lots)
            amount = on_set.times(package.discount, rounding=Rounding.HALF_UP)
            packages.append(PackageAward(package.provider, package.lots, package.discount, amount))
            value_by_provider[package.provider] -= amount.pence
    discount = Money.sum(p.amount for p in packages)
    total = Money.sum(a.cost for a in awards) - discount
    objective = Money(objective_pence) - discount
    shares = {p: _share(v, total.pence) for p, v in sorted(value_by_provider.items())}
    hhi_exact = sum((Fraction(100 * v, total.pence) ** 2 for v in value_by_provider.values()), Fraction(0)) \
        if total.pence else Fraction(0)
    hhi = (Decimal(hhi_exact.numerator) / Decimal(hhi_exact.denominator)).quantize(Decimal("0.1"))
    sme_ids = {p.id for p in problem.providers if p.sme}
    sme_share = _share(sum(v for p, v in value_by_provider.items() if p in sme_ids), total.pence)
    baseline = None
    if all(lot.baseline_price is not None for lot in problem.lots):
        baseline = Money.sum(
            lot.baseline_price.times(lot.quantity, rounding=Rounding.HALF_UP)  # type: ignore[union-attr]
            for lot in problem.lots
        )
    savings = None if baseline is None else baseline - total
    savings_pct = None
    if baseline is not None and savings is not None and baseline.pence:
        savings_pct = (Decimal(savings.pence) * 100 / Decimal(baseline.pence)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)
    return AwardResult(
        status=status, total_cost=total, objective=objective, gap=gap, baseline_cost=baseline,
        savings=savings, savings_pct=savings_pct, awards=tuple(awards), provider_shares=shares,
        hhi=hhi, sme_share=sme_share, seconds=seconds, solver=solver, heuristic_cost=heuristic_cost,
        bound=bound, packages=tuple(packages),
    )


def plan_cost(inst: Instance, x: np.ndarray) -> Money:
    """The plan's cost in money, the same way the result computes it (for comparisons)."""
    quantities = round_quantities(inst, x)
    return Money.sum(bid.price.times(q, rounding=Rounding.HALF_UP)
                     for bid, q in zip(inst.bids, quantities, strict=True) if q > 0)


def hhi_of(shares: dict[str, Decimal]) -> Decimal:
    """HHI on the 0-10,000 scale from value shares (fractions of 1)."""
    return sum(((s * 100) ** 2 for s in shares.values()), Decimal(0))
