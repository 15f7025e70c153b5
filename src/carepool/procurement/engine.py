"""Evaluation, pure: the award optimiser's input from lots and opened bids, the comparison runs,
market health, and each member's savings.

Lots are awarded in hours a week; the optimiser's costs are weekly. An award line's yearly value is hours a
week x price x 52, rounded half up once (``line_yearly``), as the lots' yearly spend today is, so anyone can
check it from the published hours and price; every yearly total is the sum of its lines. A rule's cost is the
difference of two optimised weekly costs, times 52. Each member's saving on a lot is its current yearly spend
on its share minus its share of the awarded yearly cost, split by hours with largest remainder, so the
members' savings add up exactly to the tender's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Any

from carepool.award.engine import optimise
from carepool.award.model import AwardResult, parse_problem
from carepool.core.errors import CarepoolError
from carepool.core.money import Money, Rounding, allocate_int
from carepool.procurement.award_rules import RULE_NAMES, AwardRules
from carepool.procurement.model import WEEKS_PER_YEAR, DemandLine, LotDesign, cents, share_annual


@dataclass(frozen=True)
class OpenedBid:
    bid_id: int  # internal: orders bids; never shown
    bid_ref: str  # the bid's public reference
    provider: str
    lot: str
    price: Money
    quality: Decimal  # the panel's score when given, else the provider's own
    max_quantity: Decimal | None
    capacity: Decimal | None


@dataclass(frozen=True)
class Bidder:
    code: str
    name: str
    sme: bool


@dataclass(frozen=True)
class Market:
    """Who wins how much: shares of yearly value, concentration (HHI 0-10,000), SME share."""

    values: dict[str, Money]
    total: Money
    shares: dict[str, Decimal]
    hhi: Decimal
    sme_share: Decimal
    winners: int
    shown_shares: dict[str, Decimal] = field(default_factory=dict)  # to 0.1%, summing to exactly 100%: for tables

    @property
    def shown_shares_total(self) -> Decimal:
        return sum(self.shown_shares.values(), Decimal(0))


@dataclass(frozen=True)
class Comparison:
    awarded: AwardResult
    cheapest: AwardResult
    rule_costs: dict[str, Money] = field(default_factory=dict)  # yearly cost of each rule given the others
    unawarded: list[str] = field(default_factory=list)  # lots without a valid bid: unsuccessful


def market(values: Mapping[str, Money], smes: Iterable[str]) -> Market:
    positive = {p: v for p, v in values.items() if v.pence > 0}
    total = Money.sum(positive.values())
    sme_codes = set(smes)
    if total.pence == 0:
        return Market({}, total, {}, Decimal(0), Decimal(0), 0)

    def share(pence: int) -> Decimal:
        return (Decimal(pence) / Decimal(total.pence)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)

    exact = sum((Fraction(100 * v.pence, total.pence) ** 2 for v in positive.values()), Fraction(0))
    hhi = (Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    sme = sum(v.pence for p, v in positive.items() if p in sme_codes)
    tenths = allocate_int(1000, [v.pence for v in positive.values()])  # largest remainder: a column adds to 100%
    return Market(dict(sorted(positive.items(), key=lambda kv: -kv[1].pence)), total,
                  {p: share(v.pence) for p, v in positive.items()}, hhi, share(sme), len(positive),
                  {p: Decimal(n) / 1000 for p, n in zip(positive, tenths, strict=True)})


@dataclass(frozen=True)
class TodayMarket:
    """The market the consortium buys the tendered demand from today, from the current providers its members named.

    ``market`` is over the value whose provider is named (its shares and HHI are of that value); ``named`` is that
    value's share of all of today's value; ``sme_known`` says whether every named provider is in the directory, so
    that the SME share means something."""

    market: Market
    named: Decimal
    sme_known: bool
    whole: Money  # today's yearly value of that demand, named or not


def today_values(demand: Iterable[DemandLine], lots: Iterable[LotDesign], directory: Mapping[str, Bidder]) -> \
        tuple[dict[str, Money], Money]:
    """Today's yearly value of the ``lots`` by current provider, and the value whose provider nobody named: each
    member's share of a lot (its spend on it today, to the penny) is handed out by largest remainder over the
    providers of that member's demand lines at that price for the lot's service and places, by their hours; so the
    parts add up to the lots' value today, a split lot included. A share with no such line (demand changed since the
    lots were built) counts as unnamed. ``directory`` finds a named provider by its code or, failing that, its name
    (case apart): a provider named both ways counts once, under its code."""
    by_name = {b.name.casefold(): code for code, b in directory.items()}
    lines = list(demand)
    values: dict[str, Money] = {}
    unnamed = Money(0)
    for lot in lots:
        for share in lot.shares:
            behind = [d for d in lines if (d.member, d.service, d.baseline_price) == (
                share.member, lot.service, share.baseline_price) and d.locality in lot.localities]
            hours = [cents(d.weekly_quantity) for d in behind]
            if not sum(hours):
                unnamed += share_annual(share)
                continue
            for line, part in zip(behind, share_annual(share).allocate(hours), strict=True):
                if not line.current_provider:
                    unnamed += part
                    continue
                who = line.current_provider.upper() if line.current_provider.upper() in directory else \
                    by_name.get(line.current_provider.casefold(), line.current_provider)
                values[who] = values.get(who, Money(0)) + part
    return values, unnamed


def today_market(values: Mapping[str, Money], unnamed: Money, directory: Mapping[str, Bidder]) -> TodayMarket | None:
    """The market of ``values`` (``today_values``), or None when no member named a current provider."""
    if not values:
        return None
    named = Money.sum(values.values())
    whole = named + unnamed
    return TodayMarket(market(values, {code for code, b in directory.items() if b.sme}),
                       (Decimal(named.pence) / Decimal(whole.pence)).quantize(Decimal("0.0001"), ROUND_HALF_UP),
                       all(code in directory for code in values), whole)


def provider_capacities(bids: Iterable[OpenedBid]) -> dict[str, Decimal | None]:
    """A provider's capacity across the tender: the smallest it declared on any of its bids."""
    result: dict[str, Decimal | None] = {}
    for bid in bids:
        known = result.get(bid.provider)
        if bid.capacity is None:
            result.setdefault(bid.provider, None)
        else:
            result[bid.provider] = bid.capacity if known is None else min(known, bid.capacity)
    return result


def problem_input(ref: str, lots: Iterable[LotDesign], bids: list[OpenedBid], bidders: Mapping[str, Bidder],
                  rules: AwardRules, *, without: frozenset[str] = frozenset()) -> dict[str, Any]:
    """The award engine's input (the JSON shape of ``carepool tender award``)."""
    capacities = provider_capacities(bids)
    return {
        "tender": ref,
        "currency": "GBP",
        "lots": [{"id": lot.code, "name": lot.name, "quantity": str(lot.weekly_quantity), "unit": "hour",
                  "max_providers": rules.max_providers, "baseline_price": lot.baseline_price.plain()}
                 for lot in lots],
        "providers": [{"id": code, "name": bidders[code].name, "sme": bidders[code].sme,
                       **({} if capacities[code] is None else {"capacity": str(capacities[code])})}
                      for code in sorted(capacities)],
        "bids": [{"provider": b.provider, "lot": b.lot, "price": b.price.plain(), "quality": str(b.quality),
                  **({} if b.max_quantity is None else {"max_quantity": str(b.max_quantity)})} for b in bids],
        "rules": rules.engine_rules(without=without),
    }


def solve(data: dict[str, Any], *, time_limit: float) -> AwardResult:
    return optimise(parse_problem(data), time_limit=time_limit)


def compare(ref: str, lots: list[LotDesign], bids: list[OpenedBid], bidders: Mapping[str, Bidder],
            rules: AwardRules, *, time_limit: float = 30.0,
            progress: Callable[[int, int], None] | None = None) -> Comparison:
    """The award under the tender's rules, "cheapest wins" without them, and what each rule costs a year;
    ``progress(runs done, runs in all)`` after each of the award optimiser's runs."""
    floor = rules.min_quality
    covered = {b.lot for b in bids if floor is None or b.quality >= floor}
    unawarded = [lot.code for lot in lots if lot.code not in covered]
    lots = [lot for lot in lots if lot.code in covered]
    bids = [b for b in bids if b.lot in covered]
    if not lots:
        raise CarepoolError(f"tender {ref} has no valid bids on any lot: nothing can be awarded", kind="infeasible")
    set_rules = frozenset(n for n in RULE_NAMES if n in rules.engine_rules())
    runs = [frozenset(), set_rules, *(frozenset({name}) for name in sorted(set_rules))]  # each run leaves these out

    def run(index: int) -> AwardResult:
        if progress:
            progress(index, len(runs))
        return solve(problem_input(ref, lots, bids, bidders, rules, without=runs[index]), time_limit=time_limit)

    awarded, cheapest = run(0), run(1)
    costs = {}
    for index, name in enumerate(sorted(set_rules), start=2):
        relaxed = run(index)
        # a difference of optimised costs, not of contract values: weekly x 52, so two plans of equal cost
        # never show a rule costing a penny through how their lines round
        costs[name] = (awarded.total_cost - relaxed.total_cost) * WEEKS_PER_YEAR
    if progress:
        progress(len(runs), len(runs))
    return Comparison(awarded, cheapest, costs, unawarded)


def line_yearly(price: Money, weekly: Decimal) -> Money:
    """An award line's yearly value, rounded once: 478.50 hours x £20.75 x 52 = £516,301.50 (52 times the
    rounded weekly cost, £9,928.88, would be £516,301.76)."""
    return price.times(weekly * WEEKS_PER_YEAR, rounding=Rounding.HALF_UP)


def yearly_by_provider(result: AwardResult) -> dict[str, Money]:
    values: dict[str, Money] = {}
    for award in result.awards:
        values[award.provider] = values.get(award.provider, Money(0)) + line_yearly(award.price, award.quantity)
    return values


@dataclass(frozen=True)
class MemberSaving:
    member: str
    baseline: Money  # yearly spend on its shares of the lots at today's prices
    awarded: Money  # its share of the awarded yearly cost
    by_lot: dict[str, Money]  # saving per lot

    @property
    def saving(self) -> Money:
        return self.baseline - self.awarded

    @property
    def saving_pct(self) -> Decimal:
        if self.baseline.pence == 0:
            return Decimal(0)
        return (Decimal(self.saving.pence) * 100 / Decimal(self.baseline.pence)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)


def member_savings(lots: Iterable[LotDesign], yearly_cost_by_lot: Mapping[str, Money]) -> list[MemberSaving]:
    """Each member's yearly saving: its shares at today's prices minus its part of the awarded cost."""
    baseline: dict[str, Money] = {}
    awarded: dict[str, Money] = {}
    by_lot: dict[str, dict[str, Money]] = {}
    for lot in lots:
        yearly = yearly_cost_by_lot.get(lot.code, Money(0))
        parts = yearly.allocate([cents(s.weekly_quantity) for s in lot.shares])
        for share, part in zip(lot.shares, parts, strict=True):
            before = share_annual(share)
            baseline[share.member] = baseline.get(share.member, Money(0)) + before
            awarded[share.member] = awarded.get(share.member, Money(0)) + part
            member_lots = by_lot.setdefault(share.member, {})
            member_lots[lot.code] = member_lots.get(lot.code, Money(0)) + before - part
    return [MemberSaving(m, baseline[m], awarded[m], by_lot[m]) for m in sorted(baseline)]


@dataclass(frozen=True)
class BidStanding:
    """How one provider's bid fared on its lot: what a bidder may learn after the award (its own
    price and score, where its price stood, and the prices awarded, which the award notice publishes)."""

    bid_ref: str
    lot: str
    price: Money
    quality: Decimal
    considered: bool  # passed the quality floor
    price_rank: int | None  # 1 = the lowest price among the bids considered on the lot (ties share a rank)
    bids_considered: int
    awarded_quantity: Decimal  # hours a week awarded to this bid
    awarded_prices: tuple[Money, ...]  # every price awarded on the lot, lowest first
    set_by_hand: bool = False  # the consortium replaced the optimiser's award on this lot
    by_hand_reason: str | None = None  # and why, as it recorded for this lot


def bid_standings(mine: Iterable[OpenedBid], every_bid: Iterable[OpenedBid], floor: Decimal | None,
                  awarded: Mapping[str, Decimal], awarded_prices: Mapping[str, Iterable[Money]],
                  by_hand: Mapping[str, str | None] | None = None) -> list[BidStanding]:
    """Standings of ``mine`` among ``every_bid`` on their lots; ``awarded`` maps a lot to the weekly quantity
    awarded to the provider there (a provider has one opened bid per lot); ``by_hand`` maps the lots whose
    award the consortium set by hand to the reason it recorded for each."""
    by_hand = by_hand or {}
    considered: dict[str, list[Money]] = {}
    for bid in every_bid:
        if floor is None or bid.quality >= floor:
            considered.setdefault(bid.lot, []).append(bid.price)
    standings = []
    for bid in sorted(mine, key=lambda b: (b.lot, b.bid_id)):
        prices = considered.get(bid.lot, [])
        passed = floor is None or bid.quality >= floor
        rank = 1 + sum(1 for p in prices if p < bid.price) if passed else None
        standings.append(BidStanding(bid.bid_ref, bid.lot, bid.price, bid.quality, passed, rank, len(prices),
                                     awarded.get(bid.lot, Decimal(0)),
                                     tuple(sorted(awarded_prices.get(bid.lot, ()))), bid.lot in by_hand,
                                     by_hand.get(bid.lot)))
    return standings
