"""Checks on a bid as it is sealed: warnings, not refusals.

A bid is the provider's to make, so it is sealed as typed; but nobody can read it until the
deadline, and then it is too late to fix a slip. So what looks like one (21.50 typed as 2150,
more hours than the lot has) is said on the receipt, while the provider can still bid again.
Each check is a pure function of the lot and the bid returning a warning or ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from carepool.procurement.model import BidContent, LotDesign, hours_text

PRICE_FACTOR = 3  # a price this many times above (or below) what the members pay today is probably a slip


def price_far_from_today(lot: LotDesign, bid: BidContent) -> str | None:
    today = lot.baseline_price
    if today.pence == 0:
        return None
    if bid.price.pence > PRICE_FACTOR * today.pence:
        return (f"lot {lot.code}: {bid.price} an hour is more than {PRICE_FACTOR} times what the members pay "
                f"today ({today}); check it is not a slip")
    if PRICE_FACTOR * bid.price.pence < today.pence:
        return (f"lot {lot.code}: {bid.price} an hour is less than a third of what the members pay today "
                f"({today}); check it is not a slip")
    return None


def more_hours_than_the_lot(lot: LotDesign, bid: BidContent) -> str | None:
    if bid.max_quantity is not None and bid.max_quantity > lot.weekly_quantity:
        return (f"lot {lot.code}: you offer up to {hours_text(bid.max_quantity)} hours a week, but the lot has "
                f"{hours_text(lot.weekly_quantity)}; no more than that can be awarded")
    return None


def capacity_below_the_offer(lot: LotDesign, bid: BidContent) -> str | None:
    offer = min(bid.max_quantity, lot.weekly_quantity) if bid.max_quantity is not None else lot.weekly_quantity
    if bid.capacity is not None and bid.capacity < offer:
        return (f"lot {lot.code}: your capacity across the tender ({hours_text(bid.capacity)} hours a week) is less "
                f"than the {hours_text(offer)} you offer on this lot; no more than your capacity can be awarded")
    return None


CHECKS: tuple[Callable[[LotDesign, BidContent], str | None], ...] = (
    price_far_from_today, more_hours_than_the_lot, capacity_below_the_offer)


def bid_warnings(lot: LotDesign, bid: BidContent) -> tuple[str, ...]:
    """What looks like a slip in ``bid`` on ``lot`` (empty when nothing does)."""
    return tuple(warning for check in CHECKS if (warning := check(lot, bid)) is not None)


def capacity_differs(lot: str, capacity: Decimal | None, others: dict[str, Decimal | None]) -> str | None:
    """A capacity that differs from the one declared on the provider's other live bids on the tender (``others``,
    by lot): the award uses the smallest declared on any lot, so say which that is."""
    stated = {code: c for code, c in others.items() if c is not None}
    if capacity is not None:
        stated[lot] = capacity
    differing = sorted(code for code, c in stated.items() if c != capacity) if stated else []
    if not differing:
        return None
    smallest = min(stated.values())
    here = "none" if capacity is None else f"{hours_text(capacity)} hours a week"
    there = ", ".join(f"{hours_text(stated[code])} on {code}" for code in differing[:3]) + (
        f" and {len(differing) - 3} more" if len(differing) > 3 else "")
    return (f"lot {lot}: you declare a capacity across the tender of {here} here, but {there}; the award uses the "
            f"smallest you declare on any lot ({hours_text(smallest)} hours a week). Bid again so they agree, if that "
            "is not what you mean")
