"""Which of a tender's published rules an award breaks, in words (pure: no I/O).

The optimiser's award keeps every rule; an award changed by hand need not. The team may still have good reason
(a provider withdrew), but it must know, and say so, before it confirms: a departure from the published award
rules is what a losing bidder would challenge.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from carepool.core.money import Money, percent
from carepool.procurement.award_rules import AwardRules, as_percent
from carepool.procurement.engine import OpenedBid, line_yearly, provider_capacities
from carepool.procurement.model import LotDesign, hours_text, score_text


@dataclass(frozen=True)
class Awarded:
    provider: str
    lot: str
    weekly_quantity: Decimal


def _pct(part: Fraction, beside: Decimal | None = None) -> str:
    """A share as a percentage to 0.1%, or to as many places (up to 4) as it takes not to read as ``beside``, the
    limit it breaks: a share a penny over a 60% cap reads 60.0001%, not 60.0%."""
    share = Decimal(part.numerator) / Decimal(part.denominator)
    for places in range(1, 4):
        if beside is None or percent(share, places) != percent(beside, places):
            return percent(share, places)
    return percent(share, 4)


def _money(pence: Fraction) -> str:
    """An amount over or short, up to the next penny (so a fraction of a penny still shows as 1p)."""
    return str(Money(math.ceil(pence)))


def rules_broken(awards: Iterable[Awarded], lots: Iterable[LotDesign], bids: Iterable[OpenedBid],
                 rules: AwardRules, names: Mapping[str, str], smes: Iterable[str]) -> list[str]:
    """Each rule ``awards`` breaks, naming who and by how much; empty when it keeps them all.

    Shares are judged exactly, on the yearly values the award shows (each line's hours x price x 52, rounded once):
    the optimiser's plan keeps them to the penny (``award.exact``), so a share over by a penny is over. Capacity is
    the smallest a provider declared on the lots the optimiser considered (those with a bid above the quality
    floor), as the optimiser read it."""
    floor = rules.min_quality
    considered = {b.lot for b in bids if floor is None or b.quality >= floor}
    by_key = {(b.provider, b.lot): b for b in bids}
    quantity_of = {lot.code: lot.weekly_quantity for lot in lots}
    plan = [a for a in awards if a.weekly_quantity > 0]
    value: dict[str, int] = defaultdict(int)  # yearly pence
    hours: dict[str, Decimal] = defaultdict(Decimal)
    winners: dict[str, int] = defaultdict(int)
    broken: list[str] = []
    for a in plan:
        bid = by_key[(a.provider, a.lot)]
        value[a.provider] += line_yearly(bid.price, a.weekly_quantity).pence
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
    total = sum(value.values())
    if total == 0:
        return broken
    if rules.max_share is not None:
        for provider, won in sorted(value.items(), key=lambda kv: -kv[1]):
            over = won - Fraction(rules.max_share) * total
            if over > 0:
                held = _pct(Fraction(won, total), rules.max_share)
                broken.append(f"the cap on any one provider's share: {names.get(provider, provider)} holds {held} of "
                              f"the value, above {as_percent(rules.max_share)} ({_money(over)} a year over it)")
    if rules.min_sme_share is not None:
        sme_codes = set(smes)
        held = sum(v for p, v in value.items() if p in sme_codes)
        short = Fraction(rules.min_sme_share) * total - held
        if short > 0:
            broken.append(f"the floor for small and medium providers: they hold "
                          f"{_pct(Fraction(held, total), rules.min_sme_share)} of the value, below "
                          f"{as_percent(rules.min_sme_share)} ({_money(short)} a year short of it)")
    return broken
