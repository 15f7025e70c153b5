"""Why an award is impossible, in words a procurement officer can act on.

``check_static`` catches the causes visible without a solver (a lot nobody can cover,
a minimum award that leaves too few winners, capacity totals below demand, too few
providers for ``max_share``, no SME for ``min_sme_share``). ``explain_infeasible``
runs when the solver proves infeasibility: it switches each rule off in turn on the
LP relaxation (or the MILP, when only integrality bites) and names the one that
makes the difference.
"""

from __future__ import annotations

import math
from dataclasses import replace
from decimal import Decimal

import numpy as np

from carepool.award.instance import Instance, winners_allowed
from carepool.award.milp import SparseModel
from carepool.core.errors import CarepoolError


def _num(value: Decimal | float) -> str:
    d = Decimal(str(value)) if not isinstance(value, Decimal) else value
    d = d.quantize(Decimal("0.01")).normalize() if d != d.to_integral_value() else d.to_integral_value()
    return f"{d:,}"


def infeasible(message: str) -> CarepoolError:
    return CarepoolError(message, kind="infeasible")


def check_static(inst: Instance) -> None:
    problem = inst.problem
    rules = problem.rules
    fraction = rules.min_award_fraction
    kept = {(b.provider, b.lot) for b in inst.bids}
    providers = {p.id: p for p in problem.providers}
    by_lot: dict[str, list] = {lot.id: [] for lot in problem.lots}
    for bid in problem.bids:
        by_lot[bid.lot].append(bid)
    reach: dict[str, Decimal] = {}
    for lot in problem.lots:
        bids = by_lot[lot.id]
        where = f"lot {lot.id}"
        if not bids:
            raise infeasible(f"{where}: no bids")
        eligible = [b for b in bids if problem.eligible(b)]
        if not eligible:
            raise infeasible(f"{where}: no eligible bids ({len(bids)} below min_quality {rules.min_quality})")
        possible = [b for b in eligible if (b.provider, b.lot) in kept]
        if not possible:
            raise infeasible(
                f"{where}: no eligible bid can take the minimum award of {_num(fraction * lot.quantity)} "
                f"{lot.unit} (min_award_fraction {fraction})")
        uppers = []
        for b in possible:
            limits = [lot.quantity]
            cap = providers[b.provider].capacity
            limits += [v for v in (b.max_quantity, cap) if v is not None]
            uppers.append(min(limits))
            reach[b.provider] = reach.get(b.provider, Decimal(0)) + min(limits)
        k = winners_allowed(lot.max_providers, fraction)
        top = sum(sorted(uppers, reverse=True)[:k], Decimal(0))
        if top < lot.quantity:
            short = len(eligible) - len(possible)
            offer = f"at most {_num(top)} of {_num(lot.quantity)} {lot.unit}"
            if short:
                offer += (f" ({short} eligible bid{'s' * (short > 1)} cannot reach the minimum award of "
                          f"{_num(fraction * lot.quantity)})")
            if k < lot.max_providers and len(possible) > k:
                raise infeasible(
                    f"{where}: min_award_fraction {fraction} allows at most {k} winner{'s' * (k > 1)} "
                    f"(max_providers {lot.max_providers}), and they can offer {offer}")
            if len(possible) > k:
                raise infeasible(f"{where}: the {k} largest eligible bids (max_providers {lot.max_providers}) "
                                 f"offer {offer}")
            raise infeasible(f"{where}: eligible bids offer {offer}")
    supply = sum(
        (min(r, providers[p].capacity) if providers[p].capacity is not None else r for p, r in reach.items()),
        Decimal(0))
    demand = sum((lot.quantity for lot in problem.lots), Decimal(0))
    if supply < demand:
        raise infeasible(f"capacity totals too small: providers can supply at most {_num(supply)} "
                         f"(capacity and bid limits) but the lots need {_num(demand)}")
    if rules.max_share is not None and rules.max_share < 1:
        needed = math.ceil(Decimal(1) / rules.max_share)
        if len(reach) < needed:
            raise infeasible(f"max_share {rules.max_share} needs at least {needed} winning providers "
                             f"but only {len(reach)} have eligible bids")
    if rules.min_sme_share and not any(providers[p].sme for p in reach):
        raise infeasible(f"min_sme_share {rules.min_sme_share} cannot be met: no SME has an eligible bid")


def _variant(model: SparseModel, drop: tuple[str, ...]) -> SparseModel:
    lower, upper = model.row_lower.copy(), model.row_upper.copy()
    for name in drop:
        if name in model.row_blocks:
            s, e = model.row_blocks[name]
            lower[s:e], upper[s:e] = -np.inf, np.inf
    return replace(model, row_lower=lower, row_upper=upper)


def _feasible(model: SparseModel, *, relax: bool, time_limit: float) -> bool | None:
    import highspy

    from carepool.award.solvers import to_highs

    h = to_highs(model, time_limit=time_limit)
    if relax and model.integer.any():
        ints = np.flatnonzero(model.integer).astype(np.int32)
        kind = np.full(len(ints), int(highspy.HighsVarType.kContinuous), dtype=np.uint8)
        h.changeColsIntegrality(len(ints), ints, kind)
    h.run()
    status = h.getModelStatus()
    if status == highspy.HighsModelStatus.kInfeasible:
        return False
    if h.getInfo().primal_solution_status == int(highspy.SolutionStatus.kSolutionStatusFeasible):
        return True
    return None


def _max_sme_share(inst: Instance, model: SparseModel) -> float | None:
    """Largest SME value share the LP relaxation allows under the other rules (Dinkelbach)."""
    import highspy

    from carepool.award.solvers import to_highs

    relaxed = _variant(model, ("sme",))
    sme_price = np.where(inst.sme[inst.b_prov], inst.price, 0.0)
    ratio = 0.0
    for _ in range(20):
        trial = replace(relaxed, cost=relaxed.bid_cost(-(sme_price - ratio * inst.price)))  # max S - ratio T
        h = to_highs(trial, time_limit=10)
        ints = np.flatnonzero(trial.integer).astype(np.int32)
        if len(ints):
            h.changeColsIntegrality(len(ints), ints, np.zeros(len(ints), dtype=np.uint8))
        h.run()
        if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
            return None
        x = trial.quantities(np.asarray(h.getSolution().col_value))
        total = float(np.dot(inst.price, x))
        new = float(np.dot(sme_price, x)) / total if total > 0 else 0.0
        if new <= ratio + 1e-9:
            return new
        ratio = new
    return ratio


RULES = [
    ("sme", "min_sme_share"),
    ("share", "max_share"),
    ("capacity", "provider capacity"),
    ("lower", "min_award_fraction"),
    ("winners", "max_providers"),
]


def explain_infeasible(inst: Instance, model: SparseModel, *, time_limit: float = 20.0) -> CarepoolError:
    rules = inst.problem.rules
    relax = _feasible(model, relax=True, time_limit=time_limit) is False
    for block, name in RULES:
        if block not in model.row_blocks:
            continue
        if _feasible(_variant(model, (block,)), relax=relax, time_limit=time_limit):
            if block == "sme":
                best = _max_sme_share(inst, model)
                reach = f" (SMEs can reach at most {best:.1%} of the awarded value)" if best is not None else ""
                return infeasible(
                    f"min_sme_share {rules.min_sme_share} cannot be met together with the other rules{reach}")
            if block == "share":
                return infeasible(f"max_share {rules.max_share} cannot be met together with the other rules: "
                                  "too few providers can take the rest of the value")
            if block == "lower":
                return infeasible(f"min_award_fraction {rules.min_award_fraction} cannot be met together "
                                  "with the other rules (awards this large leave some lot uncovered)")
            return infeasible(f"{name} cannot be met together with the other rules")
    active = [name for block, name in RULES if block in model.row_blocks]
    return infeasible("no award plan meets all the rules together (each one alone can be met); "
                      f"relax one of: {', '.join(active)}")
