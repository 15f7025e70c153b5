"""The award's results at the API edge: the award summary (each lot's awards, the market before and after, each
rule's cost) and a provider's own result. Money travels as text ("23.50"), never floats."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from carepool.procurement import engine, reports
from carepool.procurement.schemas import MyBidRead


class AwardLineRead(BaseModel):
    lot: str
    provider: str
    provider_name: str
    sme: bool
    weekly_quantity: str
    price: str
    annual_value: str
    source: str
    reason: str | None  # why, when the lot's award was set by hand
    contract: str | None

    @classmethod
    def of(cls, line: reports.AwardLine) -> AwardLineRead:
        return cls(lot=line.lot_code, provider=line.provider_code, provider_name=line.provider_name, sme=line.sme,
                   weekly_quantity=f"{line.weekly_quantity:.2f}", price=line.price.plain(),
                   annual_value=line.annual_value.plain(), source=line.source, reason=line.reason,
                   contract=line.contract_ref)


def _market(m: engine.Market) -> dict[str, Any]:
    return {"yearly_cost": m.total.plain(), "hhi": str(m.hhi), "sme_share": str(m.sme_share), "winners": m.winners,
            "shares": {p: str(s) for p, s in m.shares.items()}}


class AwardSummaryRead(BaseModel):
    tender: str
    status: str
    awards: list[AwardLineRead]
    baseline_yearly: str
    awarded: dict[str, Any]
    cheapest_wins: dict[str, Any]
    rule_costs: dict[str, str]
    saving_yearly: str
    saving_pct: str
    savings_by_member: list[dict[str, str]]
    excluded: list[dict[str, Any]]
    override_reason: str | None
    rules_broken: list[str] = Field(description="The tender's published rules the award breaks (one changed by hand "
                                    "may), in words; empty when it keeps them all")
    today: dict[str, Any] | None = Field(None, description="The market today, from the current providers named in "
                                         "the demand (null when none is): as 'awarded', plus 'named' (the share of "
                                         "today's value whose provider is named) and 'sme_known'")

    @classmethod
    def of(cls, s: reports.AwardSummary) -> AwardSummaryRead:
        return cls(tender=s.tender.ref, status=s.tender.status.value, awards=[AwardLineRead.of(a) for a in s.awards],
                   baseline_yearly=s.baseline.plain(), awarded=_market(s.awarded), cheapest_wins=_market(s.cheapest),
                   rule_costs={k: v.plain() for k, v in s.rule_costs.items()}, saving_yearly=s.saving.plain(),
                   saving_pct=str(s.saving_pct),
                   savings_by_member=[{"member": m.member, "baseline": m.baseline.plain(), "awarded": m.awarded.plain(),
                                       "saving": m.saving.plain(), "saving_pct": str(m.saving_pct)} for m in s.savings],
                   excluded=s.excluded, override_reason=s.tender.override_reason, rules_broken=s.rules_broken,
                   today=None if s.today is None else {**_market(s.today.market), "named": str(s.today.named),
                                                       "sme_known": s.today.sme_known})


class BidStandingRead(BaseModel):
    bid_ref: str
    lot: str
    price: str
    quality: str
    considered: bool
    price_rank: int | None
    bids_considered: int
    awarded_weekly_quantity: str
    awarded_prices: list[str]
    set_by_hand: bool
    by_hand_reason: str | None  # the consortium's recorded reason, for this lot only

    @classmethod
    def of(cls, s: engine.BidStanding) -> BidStandingRead:
        return cls(bid_ref=s.bid_ref, lot=s.lot, price=s.price.plain(), quality=str(s.quality), considered=s.considered,
                   price_rank=s.price_rank, bids_considered=s.bids_considered,
                   awarded_weekly_quantity=f"{s.awarded_quantity:.2f}",
                   awarded_prices=[p.plain() for p in s.awarded_prices], set_by_hand=s.set_by_hand,
                   by_hand_reason=s.by_hand_reason)


class ProviderResultRead(BaseModel):
    tender: str
    status: str
    published: bool
    bids: list[MyBidRead]
    awards: list[AwardLineRead]
    annual_value: str
    excluded: dict[str, str]  # own bid's reference -> why it was not considered
    standings: list[BidStandingRead]

    @classmethod
    def of(cls, r: reports.ProviderResult) -> ProviderResultRead:
        return cls(tender=r.tender.ref, status=r.tender.status.value, published=r.published,
                   bids=[MyBidRead.of(b) for b in r.bids], awards=[AwardLineRead.of(a) for a in r.awards],
                   annual_value=r.annual_value.plain(), excluded=r.excluded,
                   standings=[BidStandingRead.of(s) for s in r.standings])
