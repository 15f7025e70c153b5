"""Lot design, pure: aggregate demand by service and locality, flag lots too big for SMEs, split, merge.

Every quantity stays exact to 1/100 of an hour: a split hands each member's quantity out
to the parts by largest remainder, so the parts always add back up to the whole, member
by member. So does money: each member's yearly spend today on the lot is handed out to the
parts by largest remainder too (rounding each part's price x hours x 52 on its own would
change the consortium's baseline by pennies), and a merge adds the parts' spend up. A lot's
member shares are basis points that sum to exactly 10,000.
"""

from __future__ import annotations

import dataclasses
import itertools
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal
from statistics import median

from carepool.core.errors import CarepoolError
from carepool.core.money import Money, allocate_int
from carepool.procurement.model import (
    DEFAULT_SME_LOT_HOURS,
    MOST_LOCALITIES_TEXT,
    MOST_LOT_CODE,
    MOST_NAME,
    SERVICES,
    DemandLine,
    LotDesign,
    MemberShare,
    cents,
    from_cents,
    share_annual,
)

MAX_PARTS = 50  # more is a typing slip, not a lot plan (and each part must still be worth tendering)


def with_share_points(shares: Sequence[MemberShare]) -> tuple[MemberShare, ...]:
    """The same shares with basis points of the lot's quantity, summing to exactly 10,000."""
    weights = [cents(s.weekly_quantity) for s in shares]
    if not shares or sum(weights) == 0:
        return tuple(shares)
    points = allocate_int(10_000, weights)
    return tuple(dataclasses.replace(s, share_bp=bp) for s, bp in zip(shares, points, strict=True))


def _share(member: str, hours: Decimal, price: Money, annual: Money) -> MemberShare:
    """A share spending ``annual`` a year today; that is left unsaid where it is price x hours x 52, half-up."""
    plain = MemberShare(member, hours, price)
    return plain if share_annual(plain) == annual else dataclasses.replace(plain, annual=annual)


def sme_threshold(*, stated: Decimal | None = None, sme_capacities: Iterable[Decimal] = ()) -> tuple[Decimal, str]:
    """The weekly quantity above which a lot is too big for a small provider, and why.

    A stated number wins; otherwise the capacity of the median small or medium bidder
    seen so far; otherwise ``DEFAULT_SME_LOT_HOURS``.
    """
    if stated is not None:
        if stated <= 0:
            raise CarepoolError(f"the SME threshold must be above zero, got {stated}")
        return stated, f"stated threshold of {stated:,} hours a week"
    capacities = sorted(c for c in sme_capacities if c > 0)
    if capacities:
        value = Decimal(median(capacities)).quantize(Decimal("0.01"))
        return value, f"capacity of the median small or medium bidder ({len(capacities)} seen): {value:,} hours a week"
    return DEFAULT_SME_LOT_HOURS, f"default of {DEFAULT_SME_LOT_HOURS:,} hours a week (no SME capacities known yet)"


def flag(lot: LotDesign, threshold: Decimal) -> LotDesign:
    return LotDesign(lot.code, lot.name, lot.service, lot.localities, lot.shares,
                     too_big_for_sme=lot.weekly_quantity > threshold)


def aggregate(demand: Iterable[DemandLine], *, threshold: Decimal,
              locality_names: dict[str, str] | None = None) -> list[LotDesign]:
    """One lot per service and locality, with each member's share of it."""
    names = locality_names or {}
    grouped: dict[tuple[str, str], list[MemberShare]] = {}
    for line in demand:
        if line.weekly_quantity == 0:
            continue
        grouped.setdefault((line.service, line.locality), []).append(
            MemberShare(line.member, line.weekly_quantity, line.baseline_price))
    lots = []
    for (service_code, locality), shares in sorted(grouped.items()):
        service = SERVICES[service_code]
        lot = LotDesign(code=f"{service.prefix}-{locality}",
                        name=f"{service.name}, {names.get(locality, locality)}",
                        service=service_code, localities=(locality,), shares=with_share_points(_combine(shares)))
        lots.append(flag(lot, threshold))
    return lots


def _combine(shares: Iterable[MemberShare]) -> list[MemberShare]:
    """One share per member and price (a member paying two prices keeps both, so savings stay exact), spending
    what the shares it combines spent."""
    combined: dict[tuple[str, int], tuple[Decimal, Money]] = {}
    for share in shares:
        key = (share.member, share.baseline_price.pence)
        hours, annual = combined.get(key, (Decimal(0), Money(0)))
        combined[key] = (hours + share.weekly_quantity, annual + share_annual(share))
    return [_share(member, q, Money(pence), annual) for (member, pence), (q, annual) in combined.items()]


def split(lot: LotDesign, parts: int, *, threshold: Decimal) -> list[LotDesign]:
    """Cut a lot into ``parts`` lots of equal size (to 0.01 of an hour), keeping every member's hours exact.

    The members' hours are laid end to end and cut at equal intervals, so each part gets
    the stretches of members that fall within it.
    """
    if not 2 <= parts <= MAX_PARTS:
        raise CarepoolError(f"lot {lot.code}: split it into 2 to {MAX_PARTS} parts, not {parts}")
    total = cents(lot.weekly_quantity)
    if total < parts * 100:
        raise CarepoolError(f"lot {lot.code}: {lot.weekly_quantity} a week is too small to split {parts} ways "
                            "(each part needs at least 1 a week)")
    bounds = [0, *itertools.accumulate(allocate_int(total, [1] * parts))]
    pieces: list[list[MemberShare]] = [[] for _ in range(parts)]
    start = 0
    for share in lot.shares:
        end = start + cents(share.weekly_quantity)
        cuts = [(index, min(end, bounds[index + 1]) - max(start, bounds[index])) for index in range(parts)]
        cuts = [(index, overlap) for index, overlap in cuts if overlap > 0]  # none for a share of no hours
        spend = share_annual(share).allocate([overlap for _, overlap in cuts]) if cuts else []  # adds up exactly
        for (index, overlap), annual in zip(cuts, spend, strict=True):
            hours = from_cents(overlap) or Decimal(0)
            pieces[index].append(_share(share.member, hours, share.baseline_price, annual))
        start = end
    result = []
    for index, found in enumerate(pieces):
        part = LotDesign(code=f"{lot.code}-{index + 1}", name=f"{lot.name} (part {index + 1} of {parts})",
                         service=lot.service, localities=lot.localities,
                         shares=with_share_points(found))
        result.append(flag(part, threshold))
    return result


def split_to_fit(lot: LotDesign, threshold: Decimal) -> list[LotDesign]:
    """Split a lot into as few parts as bring each under the threshold (unchanged if it fits)."""
    if lot.weekly_quantity <= threshold:
        return [flag(lot, threshold)]
    parts = math.ceil(lot.weekly_quantity / threshold)
    if parts > MAX_PARTS:
        raise CarepoolError(f"lot {lot.code}: {lot.weekly_quantity} a week would need {parts} parts to come under "
                            f"the small-provider threshold of {threshold}; state a higher threshold on the lot plan "
                            "page, or rebuild without splitting and split this lot by hand")
    return split(lot, parts, threshold=threshold)


def merge(lots: Sequence[LotDesign], *, threshold: Decimal, code: str | None = None,
          name: str | None = None) -> LotDesign:
    """Join lots of one service into one lot covering all their localities."""
    if len(lots) < 2:
        raise CarepoolError("choose at least two lots to merge")
    services = {lot.service for lot in lots}
    if len(services) > 1:
        raise CarepoolError(f"lots {', '.join(lot.code for lot in lots)} are for different services "
                            f"({', '.join(sorted(services))}); only lots of one service can be merged")
    if name is not None and len(name.strip()) > MOST_NAME:
        raise CarepoolError(f"a lot's name is at most {MOST_NAME} characters; this one has {len(name.strip()):,}")
    localities = tuple(dict.fromkeys(loc for lot in lots for loc in lot.localities))
    shares = _combine(share for lot in lots for share in lot.shares)
    joined = "+".join(lot.code for lot in lots)
    merged = LotDesign(code=code or (joined if len(joined) <= MOST_LOT_CODE else f"{lots[0].code}+{len(lots) - 1}"),
                       name=name or f"{SERVICES[lots[0].service].name}, {len(localities)} localities",
                       service=lots[0].service, localities=localities, shares=with_share_points(shares))
    return flag(merged, threshold)


def too_long(lot: LotDesign) -> str | None:
    """What would not fit where a lot is kept (its code names its contracts), or None."""
    if len(lot.code) > MOST_LOT_CODE:
        return (f"its code would be {len(lot.code)} characters, and a lot's code is at most {MOST_LOT_CODE} (it names "
                "the lot's contracts): split or merge fewer times, or rebuild the lots from demand")
    if len(lot.name) > MOST_NAME:
        return f"its name would be {len(lot.name):,} characters; at most {MOST_NAME}"
    if len(",".join(lot.localities)) > MOST_LOCALITIES_TEXT:
        return f"it would cover {len(lot.localities)} localities, more than one lot can hold: merge fewer lots"
    return None
