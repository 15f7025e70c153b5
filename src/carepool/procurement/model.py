"""Collaborative procurement, pure: services, demand, lots, tender and bid states, rules, receipts.

Statuses are ``StrEnum``s and the moves between them are data (``TENDER_MOVES``,
``BID_MOVES``): ``check_move`` is the one place a refused move becomes a message.
Quantities are exact ``Decimal`` to 1/100 of a unit (hours per week); money is ``Money``.
"""

from __future__ import annotations

from collections.abc import Callable
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


def quantity(value: Any, *, what: str = "quantity", zero_ok: bool = False) -> Decimal:
    """An exact quantity to 1/100 of a unit; floats are read through their shortest spelling."""
    if isinstance(value, bool):
        raise CarepoolError(f"{what}: expected a number, got {value!r}")
    text = repr(value) if isinstance(value, float) else str(value).strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CarepoolError(f"{what}: expected a number like 120.5, got {value!r}") from None
    if not number.is_finite() or number < 0 or (number == 0 and not zero_ok):
        raise CarepoolError(f"{what}: expected a number {'of zero or more' if zero_ok else 'above zero'}, "
                            f"got {value!r}")
    refuse_beyond(number, LARGEST_QUANTITY, what=what, given=value)
    if number != number.quantize(QUANTUM):
        raise CarepoolError(f"{what}: {value} has more than 2 decimals")
    return number.quantize(QUANTUM)


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


def contract_period(standstill_ends: datetime) -> tuple[date, date]:
    """Contracts start the day after standstill and run ``CONTRACT_YEARS`` years."""
    start = standstill_ends.date() + timedelta(days=1)
    try:
        end = start.replace(year=start.year + CONTRACT_YEARS) - timedelta(days=1)
    except ValueError:  # 29 February
        end = start.replace(year=start.year + CONTRACT_YEARS, day=28)
    return start, end


# --- rules ------------------------------------------------------------------------------


def pence_of(value: Decimal) -> Money:
    """An exact amount of pence (maybe fractional) rounded half-up to the penny."""
    return Money(1).times(value, rounding=Rounding.HALF_UP)


RULE_LABELS = {
    "max_share": "Largest share of the total value one provider may win (fraction, e.g. 0.30 or 30%)",
    "min_sme_share": "Least small and medium providers must win (fraction of total value, e.g. 0.25 or 25%)",
    "min_quality": "Quality floor (score 0-100)",
    "quality_weight": "Quality weight (0: lowest price wins)",
    "min_award_fraction": "Smallest part of a lot a provider may be given (fraction, e.g. 0.2 or 20%)",
    "max_providers": "Most providers per lot",
}
RULE_NAMES = {  # the rules an award can be run without, to cost them, in a few words
    "max_share": "cap on any one provider's share",
    "min_sme_share": "floor for small and medium providers",
    "min_quality": "quality floor",
    "min_award_fraction": "minimum part of a lot",
}


RULE_TITLES = {  # each rule as the tender form labels it, for messages
    "max_share": "Largest share one provider may win",
    "min_sme_share": "Least share small and medium providers must win",
    "min_quality": "Quality floor",
    "quality_weight": "Quality weight",
    "min_award_fraction": "Smallest part of a lot",
    "max_providers": "Most providers per lot",
}


def _score(value: Any) -> Decimal | None:
    if value in (None, ""):
        return None
    score = quantity(value, what="min_quality", zero_ok=True)
    if score > 100:
        raise CarepoolError(f"must be a score from 0 to 100, got {score}")
    return score


def _whole(value: Any) -> int:
    if isinstance(value, bool) or not str(value).strip().isdigit() or int(value) < 1:
        raise CarepoolError(f"must be a whole number of at least 1, got {value!r}")
    return int(value)


def _fraction(data: dict[str, Any], key: str) -> Decimal | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, bool | float):
        value = repr(value)
    text = str(value).strip()
    try:
        number = Decimal(text[:-1].strip()) / 100 if text.endswith("%") else Decimal(text)
    except InvalidOperation:
        raise CarepoolError(f"must be a fraction like 0.3 (or 30%), got {value!r}") from None
    if not number.is_finite() or not Decimal(0) <= number <= 1:
        raise CarepoolError(f"must be a fraction between 0 and 1 (e.g. 0.3 or 30%), got {value}")
    return number


@dataclass(frozen=True)
class AwardRules:
    max_share: Decimal | None = None  # no provider wins more than this share of total value
    min_sme_share: Decimal | None = None  # small and medium providers win at least this share
    min_quality: Decimal | None = None  # bids scoring below this (0-100) are excluded
    quality_weight: Decimal = Decimal(0)  # 0 = cheapest; above 0 weighs price up for low quality
    min_award_fraction: Decimal = Decimal(0)  # a provider given part of a lot gets at least this fraction
    max_providers: int = 1  # per lot

    @classmethod
    def parse(cls, data: dict[str, Any]) -> AwardRules:
        """The rules from a form or JSON; every problem at once, each naming the rule as the form labels it and
        by its key (``min_quality``), as the API sends it."""
        unknown = sorted(set(data) - set(cls.__dataclass_fields__))
        if unknown:
            raise CarepoolError(f"unknown award rule {unknown[0]!r}; known: {', '.join(cls.__dataclass_fields__)}")
        problems: list[str] = []

        def read(key: str, parse: Callable[[], Any], default: Any = None) -> Any:
            try:
                return parse()
            except CarepoolError as error:
                problems.append(f"{RULE_TITLES[key]} ({key}): {error.message.removeprefix(f'{key}: ')}")
                return default

        rules = cls(
            max_share=read("max_share", lambda: _fraction(data, "max_share")),
            min_sme_share=read("min_sme_share", lambda: _fraction(data, "min_sme_share")),
            min_quality=read("min_quality", lambda: _score(data.get("min_quality"))),
            quality_weight=read("quality_weight", lambda: quantity(data.get("quality_weight") or 0,
                                                                   what="quality_weight", zero_ok=True), Decimal(0)),
            min_award_fraction=read("min_award_fraction", lambda: _fraction(data, "min_award_fraction"))
            or Decimal(0),
            max_providers=read("max_providers", lambda: _whole(data.get("max_providers", 1)), 1),
        )
        if problems:
            raise CarepoolError("The award rules need correcting:\n" + "\n".join(f"  {p}" for p in problems))
        return rules

    def as_dict(self) -> dict[str, str | int | None]:
        return {
            "max_share": None if self.max_share is None else str(self.max_share),
            "min_sme_share": None if self.min_sme_share is None else str(self.min_sme_share),
            "min_quality": None if self.min_quality is None else str(self.min_quality),
            "quality_weight": str(self.quality_weight),
            "min_award_fraction": str(self.min_award_fraction),
            "max_providers": self.max_providers,
        }

    def engine_rules(self, *, without: frozenset[str] = frozenset()) -> dict[str, str]:
        """The rules in the award engine's input shape, leaving out the named ones."""
        rules: dict[str, str] = {"objective": "value" if self.quality_weight > 0 else "cost",
                                 "quality_weight": str(self.quality_weight)}
        for name in ("max_share", "min_sme_share", "min_quality", "min_award_fraction"):
            value = getattr(self, name)
            if name not in without and value is not None and not (name == "min_award_fraction" and value == 0):
                rules[name] = str(value)
        return rules

    def describe(self) -> str:
        def plain(value: Decimal) -> str:
            return f"{value.normalize():f}"

        parts = []
        if self.max_share is not None:
            parts.append(f"no provider above {plain(self.max_share * 100)}% of total value")
        if self.min_sme_share is not None:
            parts.append(f"at least {plain(self.min_sme_share * 100)}% to small and medium providers")
        if self.min_quality is not None:
            parts.append(f"quality score at least {plain(self.min_quality)}")
        weight = self.quality_weight
        parts.append("lowest price" if weight == 0 else f"price weighted for quality (weight {plain(weight)})")
        if self.min_award_fraction:
            parts.append(f"a provider given part of a lot gets at least {plain(self.min_award_fraction * 100)}% of it")
        parts.append(f"up to {self.max_providers} provider{'s' if self.max_providers > 1 else ''} per lot")
        return "; ".join(parts)


# --- demand, lots, bids -----------------------------------------------------------------


@dataclass(frozen=True)
class DemandKey:
    """Whose demand, for what and where; a field is None where a file's cell could not be read."""

    member: str | None
    service: str | None
    locality: str | None


@dataclass(frozen=True)
class DemandLine:
    member: str  # organisation code of the consortium member
    service: str
    locality: str
    weekly_quantity: Decimal  # units (hours) per week
    baseline_price: Money  # what the member pays per unit today

    @property
    def annual_value(self) -> Money:
        return pence_of(Decimal(self.baseline_price.pence) * self.weekly_quantity * WEEKS_PER_YEAR)

    @property
    def key(self) -> DemandKey:
        return DemandKey(self.member, self.service, self.locality)


@dataclass(frozen=True)
class MemberShare:
    member: str
    weekly_quantity: Decimal
    baseline_price: Money
    share_bp: int = 0  # basis points of the lot's quantity; a lot's shares sum to exactly 10,000


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
    """A member's current yearly spend on its share of a lot: price x hours a week x 52, half-up."""
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

