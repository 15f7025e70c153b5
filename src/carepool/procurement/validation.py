"""Checks on demand as it is imported (refusals), on a bid as it is sealed (warnings), and on a tender's dates.

Demand: a line is one member's hours a week of one service in one locality, at the price it pays today. A figure
no real consortium could have (a billion hours a week, £10,000,000 an hour) is a slip, and left in it would make a
lot worth trillions; so a line beyond ``MOST_HOURS_A_WEEK``, with a price outside ``LEAST_PRICE_AN_HOUR`` to
``MOST_PRICE_AN_HOUR``, or with no price, is refused, and with it the whole file. Each check is a pure function of
the line returning ``(column, message)`` or ``None``.

Bids: a bid is the provider's to make, so it is sealed as typed; but nobody can read it until the
deadline, and then it is too late to fix a slip. So what looks like one (21.50 typed as 2150,
more hours than the lot has) is said on the receipt, while the provider can still bid again.
Each check is a pure function of the lot and the bid returning a warning or ``None``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.procurement.model import MIN_NOTICE, STANDSTILL, BidContent, DemandLine, LotDesign, hours_text

# One line's hours a week: 250,000 hours is about 6,700 carers working full time, for one member's service in one
# locality; no council buys that much of one service across its whole area.
MOST_HOURS_A_WEEK = Decimal(250_000)
# What a member pays an hour today: care costs tens of pounds an hour; £1,000 is a slip (pence typed as pounds).
MOST_PRICE_AN_HOUR = Money.parse("1000")
# ... and £1 an hour is a slip the other way (pounds typed as pence, a decimal point in the wrong place)
LEAST_PRICE_AN_HOUR = Money.parse("1")

DemandProblem = tuple[str, str]  # (column, message)


def hours_beyond_reason(line: DemandLine) -> DemandProblem | None:
    if line.weekly_quantity > MOST_HOURS_A_WEEK:
        return ("hours_per_week", f"{hours_text(line.weekly_quantity)} hours a week is more than any one line can "
                f"be (at most {hours_text(MOST_HOURS_A_WEEK)} for one member's service in one locality); check it "
                "is not a slip")
    return None


def price_not_above_zero(line: DemandLine) -> DemandProblem | None:
    if line.baseline_price.pence <= 0:
        return "baseline_price", f"must be above zero, got {line.baseline_price}"
    if line.baseline_price < LEAST_PRICE_AN_HOUR:
        return ("baseline_price", f"{line.baseline_price} an hour is less than any price of care today can be (at "
                f"least {LEAST_PRICE_AN_HOUR}); check it is not a slip, such as a decimal point in the wrong place")
    return None


def price_beyond_reason(line: DemandLine) -> DemandProblem | None:
    if line.baseline_price > MOST_PRICE_AN_HOUR:
        return ("baseline_price", f"{line.baseline_price} an hour is more than any price of care today can be (at "
                f"most {MOST_PRICE_AN_HOUR}); check it is not a slip, such as pence typed as pounds")
    return None


DEMAND_CHECKS: tuple[Callable[[DemandLine], DemandProblem | None], ...] = (
    hours_beyond_reason, price_not_above_zero, price_beyond_reason)


def demand_problems(line: DemandLine) -> list[DemandProblem]:
    """What refuses ``line`` (and the file it is in): each ``(column, message)``; empty when nothing does."""
    return [found for check in DEMAND_CHECKS if (found := check(line)) is not None]


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


# --- a tender's dates ---------------------------------------------------------------------


def earliest_start(deadline: datetime) -> date:
    """The first day contracts can start: the day after the standstill that follows an award at the deadline."""
    return deadline.astimezone(UTC).date() + STANDSTILL + timedelta(days=1)


def checked_contract_start(start: date | None, deadline: datetime | None) -> date | None:
    """Contracts cannot start before bids are opened, the award decided and the standstill over."""
    if start is None or deadline is None:
        return start
    earliest = earliest_start(deadline)
    if start < earliest:
        raise CarepoolError(f"contracts cannot start on {start:%Y-%m-%d}: the deadline is {deadline:%Y-%m-%d} and "
                            f"the {STANDSTILL.days}-day standstill follows the award, so the earliest start is "
                            f"{earliest:%Y-%m-%d}")
    return start


def checked_deadline(deadline: datetime | None, now: datetime) -> datetime | None:
    """A deadline with its time zone, leaving bidders at least ``MIN_NOTICE``, in UTC."""
    if deadline is None:
        return None
    if deadline.tzinfo is None:
        raise CarepoolError("give the deadline with its time zone, e.g. 2027-03-01T12:00:00+00:00")
    if deadline < now + MIN_NOTICE:
        raise CarepoolError(f"the deadline must leave bidders at least {MIN_NOTICE.days} days: "
                            f"{deadline.astimezone(UTC):%Y-%m-%d %H:%M} UTC is too soon")
    return deadline.astimezone(UTC)
