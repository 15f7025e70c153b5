"""Read models after opening: bids as buyers see them, the award summary with its comparisons,
savings per member, and a provider's own result (never anyone else's)."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import select

from carepool.audit import service as audit
from carepool.audit.model import AuditEvent
from carepool.core.errors import CarepoolError
from carepool.core.money import Money
from carepool.db.uow import UnitOfWork
from carepool.partners import service as partners
from carepool.partners.model import Caller, OrgKind, Role
from carepool.procurement import bidding, consortia, engine, service, tendering
from carepool.procurement.access import member_codes, require_provider, tender_for
from carepool.procurement.evaluation import bidders, broken_rules, lot_designs, opened_bids
from carepool.procurement.model import RESULT_STATUSES, BidStatus, TenderStatus, baseline_annual, from_cents
from carepool.procurement.tables import AwardRow, BidRow, ContractRow, LotRow, TenderRow

OPENED_STATUSES = frozenset({TenderStatus.CLOSED, TenderStatus.EVALUATED, TenderStatus.AWARDED,
                             TenderStatus.CONTRACTED})


@dataclass(frozen=True)
class BidLine:
    reference: str
    lot_code: str
    provider_code: str
    provider_name: str
    sme: bool
    status: BidStatus
    status_note: str | None
    receipt_sha256: str
    price: Money | None
    quality: Decimal | None
    panel_quality: Decimal | None
    max_quantity: Decimal | None
    capacity: Decimal | None
    eligible: bool
    panel_note: str | None = None  # how the panel came to its score


@dataclass(frozen=True)
class BidListing:
    """Before opening: how many bids, nothing else. After opening: every bid, with its hash check."""

    sealed: bool
    counts: dict[str, int]
    bids: list[BidLine] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class AwardLine:
    id: int
    lot_code: str
    lot_name: str
    provider_code: str
    provider_name: str
    sme: bool
    weekly_quantity: Decimal
    price: Money
    weekly_cost: Money
    annual_value: Money
    source: str
    contract_ref: str | None = None
    start: date | None = None
    end: date | None = None
    reason: str | None = None  # why, when the lot's award was set by hand


@dataclass(frozen=True)
class LotOutcome:
    code: str
    name: str
    weekly_quantity: Decimal
    baseline_annual: Money
    awarded_annual: Money
    providers: int


@dataclass(frozen=True)
class AwardSummary:
    tender: tendering.TenderView
    awards: list[AwardLine]
    lots: list[LotOutcome]
    awarded: engine.Market
    cheapest: engine.Market
    rule_costs: dict[str, Money]
    excluded: list[dict[str, Any]]
    savings: list[engine.MemberSaving]
    names: dict[str, str]
    unawarded: list[str] = field(default_factory=list)  # lots nobody is awarded (no valid bid: unsuccessful)
    rules_broken: list[str] = field(default_factory=list)  # by an award changed by hand, in words
    today: engine.TodayMarket | None = None  # the market before the tender, where members named current providers

    @property
    def baseline(self) -> Money:
        """Today's yearly cost of the lots that were awarded (unsuccessful lots stay as they are)."""
        return Money.sum(lot.baseline_annual for lot in self.lots if lot.code not in self.unawarded)

    @property
    def saving(self) -> Money:
        return self.baseline - self.awarded.total

    @property
    def saving_pct(self) -> Decimal:
        base = self.baseline.pence
        return Decimal(0) if base == 0 else (Decimal(self.saving.pence) * 100 / base).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP)  # as each member's saving_pct


def member_tender(uow: UnitOfWork, caller: Caller, ref: str,
                   what: str = "the bids and the award summary of tender {ref} are") -> TenderRow:
    row, member = tender_for(uow, caller, ref)  # not found for a draft, or for another consortium's draft
    if not member:  # the tender is public: say why, not "not found"
        provider = (" a provider sees its own bids and result on the tender's page (API: /api/procurement/my/bids "
                    f"and /api/procurement/tenders/{row.ref}/result)" if caller.has(Role.PROVIDER) else
                    f" {caller.organisation_name} is not a member of it; its notices are public on the tender's page "
                    "and in the open data")
        raise CarepoolError(f"{what.format(ref=row.ref)} for the buying consortium's members;{provider}",
                            kind="forbidden")
    return row


def tender_history(*, uow: UnitOfWork, caller: Caller, ref: str) -> list[AuditEvent]:
    """What every member of the consortium did to the tender, its consortium (demand, lots) and, once opened, its
    bids (panel scores, tampering found), newest first: the trail a challenge from a losing bidder is answered
    from. Members only; and only members' own actions, so a provider's sealing (who bid, and when) never shows."""
    row = member_tender(uow, caller, ref, what="the history of tender {ref} is")
    references = list(uow.session.execute(select(BidRow.reference).where(BidRow.tender_id == row.id)).scalars())
    return consortia.without_copies(audit.record_history(
        uow=uow, records=[("tender", row.ref), ("consortium", str(row.consortium_id))]
        + [("bid", reference) for reference in references], by=member_codes(uow, row.consortium_id)))


def bid_listing(*, uow: UnitOfWork, caller: Caller, ref: str) -> BidListing:
    """Bids as the buying consortium sees them: only counts until the bids are opened."""
    row = member_tender(uow, caller, ref)
    counts = tendering.bid_counts(uow, row.id)
    if TenderStatus(row.status) not in OPENED_STATUSES and row.opened_at is None:  # cancelled after opening: opened
        return BidListing(sealed=True, counts=counts)
    who = bidders(uow, row)
    rules = tendering.view(uow, row, member=True).rules
    lots = {r.id: r.code for r in uow.session.execute(select(LotRow).where(LotRow.tender_id == row.id)).scalars()}
    rows = uow.session.execute(select(BidRow).where(BidRow.tender_id == row.id, BidRow.status.in_(
        [BidStatus.OPENED.value, BidStatus.TAMPERED.value])).order_by(BidRow.lot_id, BidRow.id)).scalars()
    lines = []
    for bid in rows:
        quality = from_cents(bid.quality_cents)
        panel = from_cents(bid.panel_quality_cents)
        used = panel if panel is not None else quality
        eligible = bid.status == BidStatus.OPENED.value and (
            rules.min_quality is None or (used is not None and used >= rules.min_quality))
        bidder = who.get(bid.provider_code)
        lines.append(BidLine(bid.reference, lots[bid.lot_id], bid.provider_code,
                             bidder.name if bidder else bid.provider_code, bool(bidder and bidder.sme),
                             BidStatus(bid.status), bid.status_note, bid.receipt_sha256, bid.price, quality, panel,
                             from_cents(bid.max_quantity_cents), from_cents(bid.capacity_cents), eligible,
                             bid.panel_note))
    return BidListing(sealed=False, counts=counts, bids=lines)


def award_lines(uow: UnitOfWork, tender_id: int, *, provider: str | None = None) -> list[AwardLine]:
    query = (select(AwardRow, LotRow, ContractRow).join(LotRow, LotRow.id == AwardRow.lot_id)
             .outerjoin(ContractRow, ContractRow.award_id == AwardRow.id).where(AwardRow.tender_id == tender_id)
             .order_by(LotRow.code, AwardRow.provider_code))
    if provider is not None:
        query = query.where(AwardRow.provider_code == provider)
    who = bidders(uow, uow.session.get(TenderRow, tender_id))
    lines = []
    for award, lot, contract in uow.session.execute(query):
        bidder = who.get(award.provider_code)
        lines.append(AwardLine(award.id, lot.code, lot.name, award.provider_code,
                               bidder.name if bidder else award.provider_code, bool(bidder and bidder.sme),
                               from_cents(award.weekly_quantity_cents) or Decimal(0), award.price, award.weekly_cost,
                               award.annual_value, award.source, contract.ref if contract else None,
                               contract.start_date if contract else None, contract.end_date if contract else None,
                               award.reason))
    return lines


def award_summary(*, uow: UnitOfWork, caller: Caller, ref: str) -> AwardSummary | None:
    """The evaluated award with cheapest-wins, rule costs, market health and savings (members; None before)."""
    row = member_tender(uow, caller, ref)
    if row.evaluation_json is None or TenderStatus(row.status) is TenderStatus.CANCELLED:
        return None
    evaluation = json.loads(row.evaluation_json)
    awards = award_lines(uow, row.id)
    lots_by_id = lot_designs(uow, row)
    designs = list(lots_by_id.values())
    who = bidders(uow, row)
    smes = {c for c, b in who.items() if b.sme}
    values: dict[str, Money] = {}
    yearly_by_lot: dict[str, Money] = {}
    for line in awards:
        values[line.provider_code] = values.get(line.provider_code, Money(0)) + line.annual_value
        yearly_by_lot[line.lot_code] = yearly_by_lot.get(line.lot_code, Money(0)) + line.annual_value
    unawarded = [d.code for d in designs if d.code not in yearly_by_lot]  # as awarded now (an override may fill one)
    lots = [LotOutcome(d.code, d.name, d.weekly_quantity, baseline_annual(d.shares),
                       Money.sum(a.annual_value for a in awards if a.lot_code == d.code),
                       sum(1 for a in awards if a.lot_code == d.code)) for d in designs]
    cheapest = engine.market({p: Money(v) for p, v in evaluation["cheapest"]["values"].items()}, smes)
    organisations = partners.list_organisations(uow=uow)
    names = {o.code: o.name for o in organisations}
    directory = {o.code: engine.Bidder(o.code, o.name, o.sme) for o in organisations if o.kind is OrgKind.PROVIDER}
    kept = evaluation.get("today")  # evaluations stored before it was kept read the demand as it is now
    by_provider_today, unnamed_today = (
        ({w: Money(v) for w, v in kept["values"].items()}, Money(kept["unnamed"])) if kept else
        engine.today_values(service.list_demand(uow=uow, caller=caller, consortium_id=row.consortium_id), designs,
                            directory))
    today = engine.today_market(by_provider_today, unnamed_today, directory)
    return AwardSummary(tendering.view(uow, row, member=True), awards, lots, engine.market(values, smes), cheapest,
                        {k: Money(v) for k, v in evaluation["rule_costs"].items()}, evaluation["excluded"],
                        engine.member_savings([d for d in designs if d.code not in unawarded], yearly_by_lot), names,
                        unawarded, broken_rules(uow, row, lots=lots_by_id, who=who), today)


@dataclass(frozen=True)
class ProviderResult:
    tender: tendering.TenderView
    published: bool  # results are shown once the award is confirmed
    bids: list[bidding.MyBid]
    awards: list[AwardLine]
    quality_floor: Decimal | None
    excluded: dict[str, str]  # own bid's reference -> why it was not considered
    standings: list[engine.BidStanding] = field(default_factory=list)  # once the award is confirmed
    capacity: Decimal | None = None  # the capacity across the tender the award used (the least stated)

    @property
    def capacity_note(self) -> str | None:
        """Why a lot got fewer hours than offered, when the provider's own stated capacity is the reason."""
        if self.capacity is None or not self.awards:
            return None
        total = sum((a.weekly_quantity for a in self.awards), Decimal(0))
        if total < self.capacity - Decimal("0.01"):
            return None
        parts = ", ".join(f"{a.weekly_quantity:,.2f} on {a.lot_code}" for a in self.awards)
        return (f"Your stated capacity across the tender, {self.capacity:,.2f} hours a week, was awarded in full "
                f"({parts}): where a lot got fewer hours than you offered on it, that capacity is why.")

    @property
    def to_bid_again(self) -> list[str]:
        """Lots whose latest bid a change to the tender invalidated, while there is still time to bid again."""
        if self.tender.status is not TenderStatus.PUBLISHED or self.tender.deadline_passed:
            return []
        latest: dict[str, BidStatus] = {}
        for bid in self.bids:  # newest first
            latest.setdefault(bid.lot_code, bid.status)
        return sorted(lot for lot, status in latest.items() if status is BidStatus.INVALIDATED)

    @property
    def annual_value(self) -> Money:
        return Money.sum(a.annual_value for a in self.awards)


def my_result(*, uow: UnitOfWork, caller: Caller, ref: str) -> ProviderResult:
    """The caller's own bids on a tender and, once the award is confirmed, its own result."""
    require_provider(caller)
    row, _ = tender_for(uow, caller, ref)
    tender = tendering.view(uow, row, member=False)
    bids = bidding.my_bids(uow=uow, caller=caller, ref=row.ref)
    published = tender.status in RESULT_STATUSES
    excluded: dict[str, str] = {}
    if published and row.evaluation_json:
        for item in json.loads(row.evaluation_json)["excluded"]:
            if item["provider"] == caller.organisation_code:
                excluded[item["bid"]] = item["reason"]
        for bid in bids:
            if bid.status is BidStatus.TAMPERED:
                excluded[bid.reference] = bid.status_note or "excluded at opening"
    every_award = award_lines(uow, row.id) if published else []
    awards = [a for a in every_award if a.provider_code == caller.organisation_code]
    floor = tender.rules.min_quality
    if not published:
        return ProviderResult(tender, published, bids, awards, floor, excluded)
    every_bid = [bid for _, bid in opened_bids(uow, row)]
    mine = [bid for bid in every_bid if bid.provider == caller.organisation_code]
    standings = _standings(every_bid, mine, caller.organisation_code, floor, every_award)
    capacity = engine.provider_capacities(mine).get(caller.organisation_code)
    return ProviderResult(tender, published, bids, awards, floor, excluded, standings, capacity)


def _standings(every_bid: list[engine.OpenedBid], mine: list[engine.OpenedBid], provider: str,
               floor: Decimal | None, every_award: list[AwardLine]) -> list[engine.BidStanding]:
    prices: dict[str, list[Money]] = {}
    for award in every_award:
        prices.setdefault(award.lot_code, []).append(award.price)
    mine_awarded = {a.lot_code: a.weekly_quantity for a in every_award if a.provider_code == provider}
    by_hand = {a.lot_code: a.reason for a in every_award if a.source == "override"}
    return engine.bid_standings(mine, every_bid, floor, mine_awarded, prices, by_hand)
