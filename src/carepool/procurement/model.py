"""Collaborative procurement, pure: services, demand, lots, tender and bid states, rules, receipts.

Statuses are ``StrEnum``s and the moves between them are data (``TENDER_MOVES``,
``BID_MOVES``): ``check_move`` is the one place a refused move becomes a message.
Quantities are exact ``Decimal`` to 1/100 of a unit (hours per week); money is ``Money``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from carepool.core.errors import CarepoolError
from carepool.core.money import LARGEST_QUANTITY, Money, Rounding, refuse_beyond

QUANTUM = Decimal("0.01")  # quantities are kept to 1/100 of a unit
WEEKS_PER_YEAR = 52
MIN_NOTICE = timedelta(days=7)  # an edit to a published tender leaves bidders at least this long
STANDSTILL = timedelta(days=10)  # between award decision and contracts
CONTRACT_YEARS = 4
# Lengths the database keeps (PostgreSQL refuses longer; SQLite would keep them silently): a lot's code names its
# contracts ("CP-2026-001-<code>-01", 60 characters at most), so it stays short
MOST_LOT_CODE = 40
MOST_NAME = 200  # a lot's name, a tender's title
MOST_CONSORTIUM_NAME = 120
MOST_LOCALITIES_TEXT = 500  # a lot's locality codes, comma-separated
DEFAULT_SME_LOT_HOURS = Decimal(1000)  # about what a 40-carer agency delivers in a week


@dataclass(frozen=True)
class Service:
    code: str
    name: str
    unit: str
    prefix: str  # starts the codes of its lots


SERVICES: dict[str, Service] = {
    s.code: s
    for s in (
        Service("home-care", "Home care", "hour", "HC"),
        Service("reablement", "Reablement", "hour", "RB"),
        Service("supported-living", "Supported living", "hour", "SL"),
        Service("night-care", "Waking night care", "hour", "NC"),
    )
}


def service(code: Any) -> Service:
    key = str(code).strip().lower()
    if key not in SERVICES:
        raise CarepoolError(f"{code!r} is not a service; expected one of {', '.join(SERVICES)}")
    return SERVICES[key]


# 1500, 1,500.5, .5 or 1.5e3 (as a JSON number is spelt); ASCII digits, and commas only between thousands
_TYPED_QUANTITY = re.compile(r"[-+]?(?=\.?\d)(?:\d{1,3}(?:,\d{3})+|\d+)?(?:\.\d+)?(?:[eE][-+]?\d+)?", re.ASCII)


def _typed_number(value: Any, what: str, expected: str) -> Decimal:
    """The number typed or sent, exactly; floats are read through their shortest spelling."""
    if isinstance(value, bool):
        raise CarepoolError(f"{what}: expected {expected}, got {value!r}")
    if isinstance(value, str):
        text = value.strip()
        if not _TYPED_QUANTITY.fullmatch(text):  # not Decimal() alone, which takes "1_000" and "١٢"
            raise CarepoolError(f"{what}: expected {expected}, got {value!r}")
        text = text.replace(",", "")
    else:
        text = repr(value) if isinstance(value, float) else str(value)
    try:
        return Decimal(text)
    except InvalidOperation:
        raise CarepoolError(f"{what}: expected {expected}, got {value!r}") from None


def _hundredths(number: Decimal, what: str, value: Any) -> Decimal:
    if number != number.quantize(QUANTUM):
        raise CarepoolError(f"{what}: {value} has more than 2 decimals")
    return number.quantize(QUANTUM)


def quantity(value: Any, *, what: str = "quantity", zero_ok: bool = False) -> Decimal:
    """An exact quantity to 1/100 of a unit; floats are read through their shortest spelling."""
    number = _typed_number(value, what, "a number like 120.5")
    if not number.is_finite() or number < 0 or (number == 0 and not zero_ok):
        raise CarepoolError(f"{what}: expected a number {'of zero or more' if zero_ok else 'above zero'}, "
                            f"got {value!r}")
    refuse_beyond(number, LARGEST_QUANTITY, what=what, given=value)
    return _hundredths(number, what, value)


SCORE = "a score from 0 to 100, like 75"


def score(value: Any, *, what: str = "quality score") -> Decimal:
    """A quality score (a method statement's, a panel's) from 0 to 100, exact to 1/100."""
    number = _typed_number(value, what, SCORE)
    if not number.is_finite() or not Decimal(0) <= number <= 100:
        given = repr(value) if isinstance(value, str) else str(value)  # '120' as typed, 120 as sent or read
        raise CarepoolError(f"{what}: expected {SCORE}, got {given}")
    return _hundredths(number, what, value)


def hours_text(value: Decimal) -> str:
    """Hours (or any quantity) as messages write them: 1,500.00."""
    return f"{value:,.2f}"


def score_text(value: Decimal) -> str:
    """A quality score as people write it: 50, 72.5 (no trailing zeros)."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def cents(value: Decimal) -> int:
    return int(value * 100)


def from_cents(value: int | None) -> Decimal | None:
    return None if value is None else (Decimal(value) / 100).quantize(QUANTUM)


# --- lifecycle --------------------------------------------------------------------------


class TenderStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"  # open for bids until the deadline
    CLOSED = "closed"  # deadline passed and bids opened
    EVALUATED = "evaluated"  # award run, under review (may be overridden)
    AWARDED = "awarded"  # decision confirmed; standstill running
    CONTRACTED = "contracted"  # call-off contracts made after standstill
    CANCELLED = "cancelled"


TENDER_MOVES: dict[TenderStatus, frozenset[TenderStatus]] = {
    TenderStatus.DRAFT: frozenset({TenderStatus.DRAFT, TenderStatus.PUBLISHED, TenderStatus.CANCELLED}),
    TenderStatus.PUBLISHED: frozenset({TenderStatus.PUBLISHED, TenderStatus.CLOSED, TenderStatus.CANCELLED}),
    TenderStatus.CLOSED: frozenset({TenderStatus.EVALUATED, TenderStatus.CANCELLED}),
    TenderStatus.EVALUATED: frozenset({TenderStatus.EVALUATED, TenderStatus.AWARDED, TenderStatus.CANCELLED}),
    TenderStatus.AWARDED: frozenset({TenderStatus.CONTRACTED}),
    TenderStatus.CONTRACTED: frozenset(),
    TenderStatus.CANCELLED: frozenset(),
}

_S = TenderStatus
# Tenders still buying their lots: a lot code may be in one of these at a time, so no demand is tendered twice.
LIVE_TENDERS = frozenset({_S.DRAFT, _S.PUBLISHED, _S.CLOSED, _S.EVALUATED, _S.AWARDED})
# The award is confirmed: each bidder sees its own result.
RESULT_STATUSES = frozenset({_S.AWARDED, _S.CONTRACTED})
# Each action: the statuses it may start from, and the status it leaves (every pair is in TENDER_MOVES).
ACTIONS: dict[str, tuple[frozenset[TenderStatus], TenderStatus | None]] = {
    "edit": (frozenset({_S.DRAFT, _S.PUBLISHED}), None),  # None: the status stays as it is
    "publish": (frozenset({_S.DRAFT}), _S.PUBLISHED),
    "open bids of": (frozenset({_S.PUBLISHED}), _S.CLOSED),
    "evaluate": (frozenset({_S.CLOSED, _S.EVALUATED}), _S.EVALUATED),
    "override the award of": (frozenset({_S.EVALUATED}), _S.EVALUATED),
    "confirm the award of": (frozenset({_S.EVALUATED}), _S.AWARDED),
    "make contracts for": (frozenset({_S.AWARDED}), _S.CONTRACTED),
    "cancel": (frozenset({_S.DRAFT, _S.PUBLISHED, _S.CLOSED, _S.EVALUATED}), _S.CANCELLED),
}


def check_move(ref: str, current: TenderStatus, action: str) -> TenderStatus:
    """The status after ``action``, or a conflict error saying what the tender would need to be."""
    sources, target = ACTIONS[action]
    if current not in sources:
        order = list(TenderStatus)
        needed = " or ".join(s.value for s in sorted(sources, key=order.index))
        raise CarepoolError(f"cannot {action} tender {ref}: it is {current.value}; this needs it to be {needed}",
                            kind="conflict")
    after = current if target is None else target
    assert after in TENDER_MOVES[current], (current, after)
    return after


class BidStatus(StrEnum):
    SUBMITTED = "submitted"  # sealed, waiting for the deadline
    SUPERSEDED = "superseded"  # replaced by a later bid from the same provider on the same lot
    INVALIDATED = "invalidated"  # the tender changed after submission: bid again
    OPENED = "opened"  # opened after the deadline; hash matched the receipt
    TAMPERED = "tampered"  # hash did not match at opening: excluded


BID_MOVES: dict[BidStatus, frozenset[BidStatus]] = {
    BidStatus.SUBMITTED: frozenset({BidStatus.SUPERSEDED, BidStatus.INVALIDATED, BidStatus.OPENED,
                                    BidStatus.TAMPERED}),
    BidStatus.SUPERSEDED: frozenset(),
    BidStatus.INVALIDATED: frozenset(),
    BidStatus.OPENED: frozenset(),
    BidStatus.TAMPERED: frozenset(),
}


def check_bid_move(bid_ref: str, current: BidStatus, target: BidStatus) -> None:
    if target not in BID_MOVES[current]:
        raise CarepoolError(f"bid {bid_ref} is {current.value}; it cannot become {target.value}", kind="conflict")


def extended_deadline(now: datetime, deadline: datetime) -> datetime:
    """After an edit to a published tender, bidders keep at least ``MIN_NOTICE`` to bid again."""
    return max(deadline, now + MIN_NOTICE)


def contract_period(standstill_ends: datetime, planned: date | None = None) -> tuple[date, date]:
    """Contracts start on the tender's ``planned`` date, or the day after standstill if that is later (or there is
    no planned date), and run ``CONTRACT_YEARS`` years."""
    start = max(standstill_ends.date() + timedelta(days=1), planned or date.min)
    try:
        end = start.replace(year=start.year + CONTRACT_YEARS) - timedelta(days=1)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + CONTRACT_YEARS, day=28)
    return start, end


# --- rules ------------------------------------------------------------------------------


def pence_of(value: Decimal) -> Money:
    """An exact amount of pence (maybe fractional) rounded half-up to the penny."""
    return Money(1).times(value, rounding=Rounding.HALF_UP)


# --- demand, lots, bids -----------------------------------------------------------------


@dataclass(frozen=True)
class DemandKey:
    """Whose demand, for what, where and from whom today; a field is None where a file's cell could not be read."""

    member: str | None
    service: str | None
    locality: str | None
    current_provider: str | None = ""  # '': not named


@dataclass(frozen=True)
class DemandLine:
    member: str  # organisation code of the consortium member
    service: str
    locality: str
    weekly_quantity: Decimal  # units (hours) per week
    baseline_price: Money  # what the member pays per unit today
    current_provider: str = ""  # who provides it today, as the member names it ('': not named)

    @property
    def annual_value(self) -> Money:
        return pence_of(Decimal(self.baseline_price.pence) * self.weekly_quantity * WEEKS_PER_YEAR)

    @property
    def key(self) -> DemandKey:
        return DemandKey(self.member, self.service, self.locality, self.current_provider)


@dataclass(frozen=True)
class MemberShare:
    member: str
    weekly_quantity: Decimal
    baseline_price: Money
    share_bp: int = 0  # basis points of the lot's quantity; a lot's shares sum to exactly 10,000
    # its yearly spend today when a split or merge handed it out (None: price x hours a week x 52, half-up)
    annual: Money | None = None


@dataclass(frozen=True)
class LotDesign:
    code: str
    name: str
    service: str
    localities: tuple[str, ...]
    shares: tuple[MemberShare, ...]
    too_big_for_sme: bool = False

    @property
    def weekly_quantity(self) -> Decimal:
        return sum((s.weekly_quantity for s in self.shares), Decimal(0))

    @property
    def member_points(self) -> dict[str, int]:
        """Each member's basis points of the lot, once per member (one paying two prices today holds two shares,
        so its savings stay exact)."""
        points: dict[str, int] = {}
        for share in self.shares:
            points[share.member] = points.get(share.member, 0) + share.share_bp
        return points

    @property
    def annual_value(self) -> Money:
        """What the members pay for this lot's quantity today, for a year (exact, then half-up)."""
        return baseline_annual(self.shares)

    @property
    def baseline_price(self) -> Money:
        """The quantity-weighted mean of the members' current prices, to the penny."""
        total = self.weekly_quantity
        if total == 0:
            return Money(0)
        weekly = sum((Decimal(s.baseline_price.pence) * s.weekly_quantity for s in self.shares), Decimal(0))
        return pence_of(weekly / total)


def share_annual(share: MemberShare) -> Money:
    """A member's current yearly spend on its share of a lot: price x hours a week x 52, half-up; or, for a share
    of a split or merged lot, its part of what the member spent on the lot it came from (``lots.split``), so a
    split or merge never changes what a member spends, by a penny."""
    if share.annual is not None:
        return share.annual
    return pence_of(Decimal(share.baseline_price.pence) * share.weekly_quantity * WEEKS_PER_YEAR)


def baseline_annual(shares: tuple[MemberShare, ...] | list[MemberShare]) -> Money:
    """The members' yearly spend today: the sum of their rounded shares, so member figures add up."""
    return Money.sum(share_annual(s) for s in shares)


@dataclass(frozen=True)
class BidContent:
    """What a provider offers on one lot: sealed until opening."""

    price: Money  # per unit
    quality: Decimal  # 0-100: self-declared method statement score
    max_quantity: Decimal | None  # units per week the provider will take on this lot
    capacity: Decimal | None  # units per week the provider can take across the whole tender

    def __post_init__(self) -> None:
        if self.price.pence <= 0:
            raise CarepoolError(f"price must be above zero, got {self.price}")
        if not Decimal(0) <= self.quality <= 100:
            raise CarepoolError(f"quality must be a score from 0 to 100, got {self.quality}")


@dataclass(frozen=True)
class Receipt:
    bid_ref: str  # the bid's public reference (random: see ``sealing.new_reference``)
    tender: str
    lot: str
    provider: str
    sha256: str
    submitted_at: datetime
    warnings: tuple[str, ...] = ()  # what looked like a slip as it was sealed (not part of the sealed bid)


@dataclass(frozen=True)
class Opening:
    """What opening found: how many bids matched their receipts, and which did not."""

    opened: int
    tampered: list[tuple[str, str, str]] = field(default_factory=list)  # (bid reference, provider, reason)

