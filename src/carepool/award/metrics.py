"""From solver quantities to an exact, explainable result: awards, money, shares, HHI, savings.

Quantities come out of the solver as floats; ``exact.ExactRules`` rounds them to whole
hundredths of a unit that add up exactly to each lot and keep every rule exactly. Each
award's cost is then ``price x quantity`` computed exactly and rounded half-up to the penny,
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
    """Quantities to 0.01 of a unit, each lot summing exactly to its quantity (largest remainder).

    For a plan's figures only (the heuristic's cost): the plan the engine reports is rounded by
    ``ExactRules.settle``, which also keeps every bound and rule exactly."""
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
    return [Decimal(int(v)) * QUANTUM for v in result.tolist()]


def _share(part: int, whole: int) -> Decimal:
    if whole == 0:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP)


def build_result(inst: Instance, hundredths: np.ndarray, *, status: Status, gap: float | None,
                 bound: float | None, seconds: float, solver: str, heuristic_cost: Money | None = None) -> AwardResult:
    """The result of the plan of ``hundredths`` per bid (whole hundredths of a unit, as ``ExactRules`` settled
    them): money computed exactly from them."""
    problem = inst.problem
    quantities = [Decimal(int(v)) * QUANTUM for v in np.asarray(hundredths).tolist()]
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
