"""Which of a tender's published rules an award breaks, in words (pure: no I/O).

The optimiser's award keeps every rule; an award changed by hand need not. The team may still have good reason
(a provider withdrew), but it must know, and say so, before it confirms: a departure from the published award
rules is what a losing bidder would challenge.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from carepool.core.money import percent
from carepool.procurement.award_rules import AwardRules, as_percent
from carepool.procurement.engine import OpenedBid, provider_capacities
from carepool.procurement.model import LotDesign, hours_text, score_text


@dataclass(frozen=True)
class Awarded:
    provider: str
    lot: str
    weekly_quantity: Decimal


def _pct(part: Fraction) -> str:
    return percent(Decimal(part.numerator) / Decimal(part.denominator), 1)


def rules_broken(awards: Iterable[Awarded], lots: Iterable[LotDesign], bids: Iterable[OpenedBid],
                 rules: AwardRules, names: Mapping[str, str], smes: Iterable[str]) -> list[str]:
    """Each rule ``awards`` breaks, naming who and by how much; empty when it keeps them all.

    Quantities are awarded in hundredths of an hour, so the optimiser keeps a share rule only to within the value
    of that step: a share is judged broken when it misses by more than the value of 0.01 hours at the dearest
    price awarded (what no rounding explains). Capacity is the smallest a provider declared on the lots the
    optimiser considered (those with a bid above the quality floor), as the optimiser read it."""
    floor = rules.min_quality
    considered = {b.lot for b in bids if floor is None or b.quality >= floor}
    by_key = {(b.provider, b.lot): b for b in bids}
    quantity_of = {lot.code: lot.weekly_quantity for lot in lots}
    plan = [a for a in awards if a.weekly_quantity > 0]
    value: dict[str, Fraction] = defaultdict(Fraction)
    hours: dict[str, Decimal] = defaultdict(Decimal)
    winners: dict[str, int] = defaultdict(int)
    broken: list[str] = []
    for a in plan:
        bid = by_key[(a.provider, a.lot)]
        value[a.provider] += Fraction(bid.price.pence) * Fraction(a.weekly_quantity)
        hours[a.provider] += a.weekly_quantity
        winners[a.lot] += 1
        name = names.get(a.provider, a.provider)
        if rules.min_quality is not None and bid.quality < rules.min_quality:
            broken.append(f"the quality floor: {name} wins {a.lot} with a quality score of "
                          f"{score_text(bid.quality)}, below {score_text(rules.min_quality)}")
        smallest = rules.min_award_fraction * quantity_of[a.lot]
        if a.weekly_quantity < smallest:
            broken.append(f"the minimum part of a lot: {name} has {hours_text(a.weekly_quantity)} hours a week of "
                          f"{a.lot}, less than {as_percent(rules.min_award_fraction)} of it "
                          f"({hours_text(smallest)})")
    for lot, count in sorted(winners.items()):
        if count > rules.max_providers:
            broken.append(f"the most providers per lot: {lot} is split between {count}, more than "
                          f"{rules.max_providers}")
    for provider, capacity in sorted(provider_capacities(b for b in by_key.values() if b.lot in considered).items()):
        if capacity is not None and hours[provider] > capacity:
            broken.append(f"{names.get(provider, provider)}'s capacity: {hours_text(hours[provider])} hours a week "
                          f"against the {hours_text(capacity)} it declared")
    total = sum(value.values(), Fraction(0))
    if total == 0:
        return broken
    step = max(Fraction(by_key[(a.provider, a.lot)].price.pence) for a in plan) / 100  # 0.01 hours, dearest
    if rules.max_share is not None:
        for provider, won in sorted(value.items(), key=lambda kv: -kv[1]):
            if won - Fraction(rules.max_share) * total > step:
                broken.append(f"the cap on any one provider's share: {names.get(provider, provider)} holds "
                              f"{_pct(won / total)} of the value, above {as_percent(rules.max_share)}")
    if rules.min_sme_share is not None:
        sme_codes = set(smes)
        share = sum((v for p, v in value.items() if p in sme_codes), Fraction(0)) / total
        if Fraction(rules.min_sme_share) * total - share * total > step:
            broken.append(f"the floor for small and medium providers: they hold {_pct(share)} of the value, "
                          f"below {as_percent(rules.min_sme_share)}")
    return broken
