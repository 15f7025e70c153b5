"""Year-end settlement of a Section 75 pool, to the penny. Pure: no files, no database.

Order: variance per scheme → offset across schemes (if agreed) → contingency →
each scheme's rule. Every split is largest remainder (``Money.allocate``), ties to
the partner (or scheme) listed first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from carepool.core.errors import CarepoolError
from carepool.core.money import Money, Weight
from carepool.pooled_budget.model import (
    Agreement,
    Capped,
    CarryForward,
    ContingencyOutcome,
    Excess,
    FixedShares,
    Lead,
    PartnerPosition,
    Proportional,
    Scheme,
    SchemeOutcome,
    SettlementResult,
)
from carepool.pooled_budget.validation import ensure_valid, format_share


def _split(amount: int, weights: Sequence[Weight]) -> list[int]:
    """Pence per weight; nothing to split gives zeros (and needs no non-zero weight)."""
    if amount == 0:
        return [0] * len(weights)
    return [part.pence for part in Money(amount).allocate(weights)]


@dataclass
class _Split:
    """How one scheme's remaining variance was shared by its rule."""

    shares: dict[str, Money]
    carried_forward: Money
    unallocated: Money
    line: str


def _parts(agreement: Agreement, shares: dict[str, Money], weights: Sequence[Weight]) -> str:
    named = [f"{agreement.partner_name(code)} {shares[code]}"
             for code, weight in zip(agreement.codes, weights, strict=True) if weight or shares[code]]
    return ", ".join(named)


def _base(agreement: Agreement, scheme: Scheme, rule: Proportional | FixedShares,
          amount: Money) -> tuple[dict[str, Money], list[Weight], str]:
    if isinstance(rule, FixedShares):
        weights: list[Weight] = [rule.shares.get(code, 0) for code in agreement.codes]
        described = "/".join(format_share(rule.shares[c] * 100) for c in agreement.codes if c in rule.shares)
        how = f"split {described} under the fixed-shares rule"
    else:
        weights = [scheme.contributions.get(code, Money.zero()).pence for code in agreement.codes]
        how = "split in proportion to contributions"
    parts = amount.allocate(weights)
    return dict(zip(agreement.codes, parts, strict=True)), weights, how


def _share(agreement: Agreement, scheme: Scheme, remaining: Money) -> _Split:
    zero = Money.zero()
    shares = {code: zero for code in agreement.codes}
    if not remaining:
        return _Split(shares, zero, zero, "")
    over = remaining.pence > 0
    rule = scheme.overspend if over else scheme.underspend
    head = f"{'Overspend' if over else 'Underspend'} on {scheme.name} {abs(remaining)}"
    if isinstance(rule, CarryForward):
        return _Split(shares, -remaining, zero, f"{head}: carried forward in the pool under the "
                                                 "carry-forward rule")
    if isinstance(rule, Lead):
        shares[rule.partner] = remaining
        verb = "borne in full by" if over else "returned in full to"
        lead = agreement.partner_name(rule.partner)
        return _Split(shares, zero, zero, f"{head}: {verb} the lead commissioner {lead} under the lead rule")
    base_rule = rule.base if isinstance(rule, Capped) else rule
    parts, weights, how = _base(agreement, scheme, base_rule, remaining)
    if not over:
        how = how.replace("split", "returned", 1)
    if not isinstance(rule, Capped):
        return _Split(parts, zero, zero, f"{head}: {how} ({_parts(agreement, parts, weights)})")
    excess = zero
    cut = []
    for code in agreement.codes:
        cap = rule.caps.get(code)
        if cap is not None and parts[code] > cap:
            excess += parts[code] - cap
            parts[code] = cap
            cut.append(f"{agreement.partner_name(code)} capped at {cap}")
    unallocated = zero
    if excess and rule.excess is Excess.HOST:
        parts[agreement.host] += excess
        tail = f"; excess {excess} borne by the host {agreement.partner_name(agreement.host)}"
    elif excess:
        unallocated = excess
        tail = f"; excess {excess} left unallocated for a board decision"
    else:
        tail = "; no partner reached its cap"
    capped = f", {', '.join(cut)}" if cut else ""
    line = f"{head}: {how} with caps{capped}{tail} ({_parts(agreement, parts, weights)})"
    return _Split(parts, zero, unallocated, line)


def _opening(scheme: Scheme, outturn: str) -> str:
    variance = scheme.variance
    state = (f"an overspend of {variance}" if variance.pence > 0
             else f"an underspend of {-variance}" if variance.pence < 0 else "on budget")
    return f"{scheme.name} ({scheme.id}): budget {scheme.budget}, {outturn} {scheme.actual}: {state}"


def settle(agreement: Agreement, *, outturn_words: Mapping[str, str] | None = None) -> SettlementResult:
    """Settle the year: each partner's contribution, shares of the variance and final cost.

    A forecast settles the forecast outturn as if it were the actual; ``outturn_words`` (by scheme id) then says
    what each scheme's figure is ("forecast outturn"), so the explanation never calls a forecast "actual"."""
    ensure_valid(agreement)
    codes, schemes = agreement.codes, agreement.schemes
    over = [max(s.variance.pence, 0) for s in schemes]
    under = [max(-s.variance.pence, 0) for s in schemes]
    offset = [0] * len(schemes)
    if agreement.offset_across_schemes:
        cancelled = min(sum(over), sum(under))
        cut_over, cut_under = _split(cancelled, over), _split(cancelled, under)
        offset = [a + b for a, b in zip(cut_over, cut_under, strict=True)]
        over = [o - c for o, c in zip(over, cut_over, strict=True)]
        under = [u - c for u, c in zip(under, cut_under, strict=True)]

    absorbed = [0] * len(schemes)
    contingency = None
    returned = {code: Money.zero() for code in codes}
    if agreement.contingency is not None:
        fund = agreement.contingency
        used = min(fund.amount.pence, sum(over))
        absorbed = _split(used, over)
        over = [o - a for o, a in zip(over, absorbed, strict=True)]
        funding = [fund.funded.get(code, Money.zero()).pence for code in codes]
        back = _split(fund.amount.pence - used, funding)
        returned = {code: Money(p) for code, p in zip(codes, back, strict=True)}
        contingency = ContingencyOutcome(
            amount=fund.amount, funded=dict(fund.funded), used=Money(used), returned=returned,
            explanation=_contingency_lines(agreement, Money(used), returned),
        )

    outcomes = []
    for i, scheme in enumerate(schemes):
        remaining = Money(over[i] - under[i])
        split = _share(agreement, scheme, remaining)
        lines = [_opening(scheme, (outturn_words or {}).get(scheme.id, "actual"))]
        if offset[i]:
            lines.append(f"{scheme.name}: {Money(offset[i])} of the "
                         f"{'overspend' if scheme.variance.pence > 0 else 'underspend'} "
                         "offset against other schemes")
        if absorbed[i]:
            lines.append(f"{scheme.name}: {Money(absorbed[i])} of the overspend met from the contingency")
        if split.line:
            lines.append(split.line)
        outcomes.append(SchemeOutcome(
            id=scheme.id, name=scheme.name, contributions=dict(scheme.contributions),
            budget=scheme.budget, actual=scheme.actual, variance=scheme.variance,
            offset=Money(offset[i]), contingency_used=Money(absorbed[i]), remaining=remaining,
            rule=(scheme.overspend if remaining.pence > 0 else scheme.underspend).name,
            shares=split.shares, carried_forward=split.carried_forward, unallocated=split.unallocated,
            explanation=tuple(lines),
        ))

    positions = []
    for partner in agreement.partners:
        code = partner.code
        paid_in = Money.sum(s.contributions.get(code, Money.zero()) for s in schemes)
        if agreement.contingency is not None:
            paid_in += agreement.contingency.funded.get(code, Money.zero())
        scheme_shares = [o.shares[code] for o in outcomes]
        positions.append(PartnerPosition(
            code=code, name=partner.name, contribution=paid_in,
            overspend_share=Money.sum(s for s in scheme_shares if s.pence > 0),
            underspend_share=Money.sum(s for s in scheme_shares if s.pence < 0) - returned[code],
        ))

    result = SettlementResult(
        agreement=agreement.name, year=agreement.year, host=agreement.host,
        partners=tuple(positions), schemes=tuple(outcomes),
        carried_forward=Money.sum(o.carried_forward for o in outcomes),
        unallocated=Money.sum(o.unallocated for o in outcomes), contingency=contingency,
    )
    problems = check_settlement(result)
    if problems:  # a bug, not bad input: never hand out a settlement that does not add up
        raise CarepoolError("settlement does not add up: " + "; ".join(problems), kind="conflict")
    return result


def _contingency_lines(agreement: Agreement, used: Money, returned: dict[str, Money]) -> tuple[str, ...]:
    assert agreement.contingency is not None
    amount = agreement.contingency.amount
    lines = [f"Contingency {amount}: {used} used against overspends, {amount - used} unused"]
    unused = amount - used
    if unused:
        parts = ", ".join(f"{agreement.partner_name(c)} {m}" for c, m in returned.items() if m)
        lines.append(f"Unused contingency {unused}: returned to its funders in proportion to "
                     f"their funding ({parts})")
    return tuple(lines)


def check_settlement(result: SettlementResult) -> list[str]:
    """Every way the settlement fails to add up to the penny; empty when it is sound."""
    problems = []
    funded = result.contingency.funded if result.contingency else {}
    for p in result.partners:
        paid_in = Money.sum(s.contributions.get(p.code, Money.zero()) for s in result.schemes)
        paid_in += funded.get(p.code, Money.zero())
        if p.contribution != paid_in:
            problems.append(f"{p.code}: contribution {p.contribution} but paid in {paid_in}")
        if p.overspend_share.is_negative() or p.underspend_share.pence > 0:
            problems.append(f"{p.code}: overspend share {p.overspend_share} or underspend share "
                            f"{p.underspend_share} has the wrong sign")
    for s in result.schemes:
        sign = 1 if s.variance.pence >= 0 else -1
        if s.variance - s.offset * sign - s.contingency_used != s.remaining:
            problems.append(f"scheme {s.id}: variance {s.variance} less offset and contingency "
                            f"is not the remaining {s.remaining}")
        shared = Money.sum(s.shares.values())
        if shared + s.unallocated - s.carried_forward != s.remaining:
            problems.append(f"scheme {s.id}: shares {shared} do not account for {s.remaining}")
    expected = result.total_actual + result.carried_forward - result.unallocated
    if result.total_final_cost != expected:
        problems.append(f"final costs add up to {result.total_final_cost}, expected {expected} "
                        "(actual + carried forward - unallocated)")
    return problems
