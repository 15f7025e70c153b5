"""Pydantic models at the API edge. Money and quantities travel as text ("23.50"), never floats; a quality score,
not being money, may also come as a JSON number (72.5)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from carepool.core.ids import LARGEST_ROW_ID
from carepool.core.money import Money
from carepool.procurement import bidding, reports, service, tendering
from carepool.procurement.model import SCORE, BidContent, Opening, Receipt, quantity
from carepool.procurement.model import score as quality_score


def _d(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def _m(value: Money | None) -> str | None:
    return None if value is None else value.plain()


def _money_as_text(value: object) -> object:
    if not isinstance(value, str):  # a JSON number is a float on the way in, and a float loses pennies
        raise PydanticCustomError("money_text", 'expected an amount as text, like "23.50"')
    return value


def _score_as_number_or_text(value: object) -> object:
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise PydanticCustomError("score_type", f"expected {SCORE}")
    return value


# Money travels as text ("23.50"), never as a JSON number; the type says so when a number is sent
MoneyText = Annotated[str, BeforeValidator(_money_as_text)]
# A quality score is not money: 70, 72.5 or "72.5" (read exactly, to 1/100, by model.score)
ScoreIn = Annotated[str | int | float, BeforeValidator(_score_as_number_or_text)]


class ConsortiumCreate(BaseModel):
    name: str
    members: list[str] = Field(description="Organisation codes of the other members (councils, NHS bodies); each "
                                           "is invited, and a member once one of its own users accepts")


class InvitationCreate(BaseModel):
    members: list[str] = Field(description="Organisation codes of the councils or NHS bodies to invite")


class ConsortiumRead(BaseModel):
    id: int
    name: str
    lead_code: str
    members: dict[str, str] = Field(description="Organisations that have joined (code: name)")
    invited: dict[str, str] = Field(description="Organisations invited that have not yet accepted (code: name)")
    sme_threshold_hours: str | None

    @classmethod
    def of(cls, view: service.ConsortiumView) -> ConsortiumRead:
        return cls(id=view.id, name=view.name, lead_code=view.lead_code, members=dict(view.members),
                   invited=dict(view.invited), sme_threshold_hours=_d(view.sme_threshold))


class ThresholdUpdate(BaseModel):
    hours: str | None = Field(None, description="Hours a week above which a lot is too big for an SME; "
                                                "null: the median SME bidder's capacity")


class ShareRead(BaseModel):
    member: str
    weekly_quantity: str
    share_pct: str
    baseline_price: str


class LotRead(BaseModel):
    id: int | None = Field(description="For the consortium's members (to split or merge lots); null for others")
    code: str
    name: str
    service: str
    localities: list[str]
    weekly_quantity: str
    baseline_price: str
    annual_value: str
    too_big_for_sme: bool
    tender: str | None
    shares: list[ShareRead] = Field(description="Each member's hours and current price; members only (empty for "
                                                "others: what one council pays today is not for bidders)")

    @classmethod
    def of(cls, stored: service.StoredLot, *, member: bool = True) -> LotRead:
        """The lot as a member sees it; for anyone else (a provider, the public) without its internal id (lot
        numbers count across every consortium's drafts) and without each member's current price."""
        lot = stored.lot
        return cls(id=stored.id if member else None, code=lot.code, name=lot.name, service=lot.service,
                   localities=list(lot.localities),
                   weekly_quantity=f"{lot.weekly_quantity:.2f}", baseline_price=lot.baseline_price.plain(),
                   annual_value=lot.annual_value.plain(), too_big_for_sme=lot.too_big_for_sme, tender=stored.tender_ref,
                   shares=[ShareRead(member=s.member, weekly_quantity=f"{s.weekly_quantity:.2f}",
                                     share_pct=f"{Decimal(s.share_bp) / 100:.2f}",
                                     baseline_price=s.baseline_price.plain()) for s in lot.shares] if member else [])


class LotSplit(BaseModel):
    parts: int = Field(ge=2)


RowNumber = Annotated[int, Field(ge=1, le=LARGEST_ROW_ID)]


class LotMerge(BaseModel):
    lot_ids: list[RowNumber]
    name: str | None = None


class TenderCreate(BaseModel):
    consortium_id: RowNumber
    title: str
    description: str = ""
    lot_ids: list[RowNumber]
    rules: dict[str, Any] = Field(default_factory=dict, description="max_share, min_sme_share, min_quality, "
                                  "quality_weight, min_award_fraction (text fractions), max_providers")
    deadline: datetime | None = None
    contract_start: date | None = Field(None, description="When the contracts are to start, e.g. 2027-04-01 (the "
                                        "day after standstill if that is later)")


class TenderUpdate(BaseModel):
    title: str | None = None
    description: str | None = None
    rules: dict[str, Any] | None = Field(None, description="Only the rules given change; null removes one, e.g. "
                                         '{"max_share": "0.4", "min_quality": null}')
    deadline: datetime | None = None
    contract_start: date | None = Field(None, description="When the contracts start; null removes it (they start "
                                        "the day after standstill)")
    add_lots: list[str] = Field(default_factory=list, description="Codes of lots to take from the consortium's "
                                "plan into the tender, e.g. HC-BRENT-KIL")
    remove_lots: list[str] = Field(default_factory=list, description="Codes of the tender's lots to put back in "
                                   "the plan (the tender keeps at least one)")
    based_on: str | None = Field(None, description="The edit_token of the tender as read before this change: if "
                                 "someone has changed it since, nothing is saved (409)")


class Reason(BaseModel):
    reason: str


class TenderRead(BaseModel):
    ref: str
    title: str
    description: str
    status: str
    version: int
    consortium: str
    lead_code: str
    rules: dict[str, Any]
    rules_in_words: str
    deadline: datetime | None
    contract_start: date | None
    deadline_passed: bool
    published_at: datetime | None
    opened_at: datetime | None
    awarded_at: datetime | None
    standstill_ends: datetime | None
    annual_value: str
    lots: list[LotRead]
    bid_count: int | None = Field(description="Live bids (members of the consortium only); never their contents")
    bid_counts: dict[str, int] | None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = Field(None, description="Why a cancelled tender was cancelled (its bidders see it)")
    edit_token: str = Field(description="Send it back as based_on with an edit, so a change made meanwhile by "
                            "someone else is not overwritten")
    changed: bool = Field(True, description="On an edit's answer: false when it changed nothing (no bid was "
                          "invalidated)")

    @classmethod
    def of(cls, view: tendering.TenderView) -> TenderRead:
        return cls(ref=view.ref, title=view.title, description=view.description, status=view.status.value,
                   version=view.version, consortium=view.consortium.name, lead_code=view.consortium.lead_code,
                   rules=view.rules.as_dict(), rules_in_words=view.rules.describe(), deadline=view.deadline,
                   contract_start=view.contract_start,
                   deadline_passed=view.deadline_passed, published_at=view.published_at, opened_at=view.opened_at,
                   awarded_at=view.awarded_at, standstill_ends=view.standstill_ends,
                   annual_value=view.annual_value.plain(), edit_token=view.edit_token, changed=view.changed,
                   lots=[LotRead.of(s, member=view.is_member) for s in view.lots],
                   bid_count=view.bid_count, bid_counts=view.bid_counts,
                   cancelled_at=view.cancelled[0] if view.cancelled else None,
                   cancel_reason=view.cancelled[1] if view.cancelled else None)


class BidCreate(BaseModel):
    lot: str
    price: MoneyText = Field(description='Price per hour as text, e.g. "21.85"')
    quality: ScoreIn = Field(description="Self-declared method statement score, 0-100: a number (72.5) or text")
    max_quantity: str | None = Field(None, description="Most hours a week you will take on this lot")
    capacity: str | None = Field(None, description="Hours a week you can take across the whole tender")

    def content(self) -> BidContent:
        return BidContent(price=Money.parse(self.price, what="price"),
                          quality=quality_score(self.quality, what="quality"),
                          max_quantity=None if self.max_quantity in (None, "") else quantity(
                              self.max_quantity, what="max_quantity"),
                          capacity=None if self.capacity in (None, "") else quantity(self.capacity, what="capacity"))


class ReceiptRead(BaseModel):
    bid_ref: str = Field(description="The bid's reference, e.g. B-7K3M9Q2XDA: random, so it reveals nothing of "
                                     "other bids")
    tender: str
    lot: str
    provider: str
    sha256: str
    submitted_at: datetime
    warnings: list[str]  # what looked like a slip as it was sealed: bid again before the deadline to correct it

    @classmethod
    def of(cls, receipt: Receipt) -> ReceiptRead:
        return cls(bid_ref=receipt.bid_ref, tender=receipt.tender, lot=receipt.lot, provider=receipt.provider,
                   sha256=receipt.sha256, submitted_at=receipt.submitted_at, warnings=list(receipt.warnings))


class MyBidRead(BaseModel):
    reference: str
    tender: str
    lot: str
    status: str
    status_note: str | None
    receipt: ReceiptRead
    price: str
    quality: str
    max_quantity: str | None
    capacity: str | None
    panel_quality: str | None

    @classmethod
    def of(cls, bid: bidding.MyBid) -> MyBidRead:
        c = bid.content
        return cls(reference=bid.reference, tender=bid.tender_ref, lot=bid.lot_code, status=bid.status.value,
                   status_note=bid.status_note, receipt=ReceiptRead.of(bid.receipt), price=c.price.plain(),
                   quality=f"{c.quality:.2f}", max_quantity=_d(c.max_quantity), capacity=_d(c.capacity),
                   panel_quality=_d(bid.panel_quality))


class BidLineRead(BaseModel):
    reference: str
    lot: str
    provider: str
    provider_name: str
    sme: bool
    status: str
    status_note: str | None
    receipt_sha256: str
    price: str | None
    quality: str | None
    panel_quality: str | None
    max_quantity: str | None
    capacity: str | None
    eligible: bool


class BidListingRead(BaseModel):
    sealed: bool
    count: int
    counts: dict[str, int]
    bids: list[BidLineRead]

    @classmethod
    def of(cls, listing: reports.BidListing) -> BidListingRead:
        return cls(sealed=listing.sealed, count=listing.count, counts=listing.counts, bids=[
            BidLineRead(reference=b.reference, lot=b.lot_code, provider=b.provider_code,
                        provider_name=b.provider_name, sme=b.sme, status=b.status.value, status_note=b.status_note,
                        receipt_sha256=b.receipt_sha256, price=_m(b.price), quality=_d(b.quality),
                        panel_quality=_d(b.panel_quality), max_quantity=_d(b.max_quantity), capacity=_d(b.capacity),
                        eligible=b.eligible)
            for b in listing.bids])


class OpeningRead(BaseModel):
    opened: int
    tampered: list[dict[str, Any]]

    @classmethod
    def of(cls, opening: Opening) -> OpeningRead:
        return cls(opened=opening.opened, tampered=[{"bid": b, "provider": p, "problem": why}
                                                    for b, p, why in opening.tampered])


class PanelScore(BaseModel):
    score: ScoreIn = Field(description="The panel's quality score, 0-100: a number (72.5) or text")
    note: str


class AllocationIn(BaseModel):
    bid_ref: str = Field(description="The opened bid's reference, e.g. B-7K3M9Q2XDA")
    weekly_quantity: str


class OverrideRequest(BaseModel):
    allocations: list[AllocationIn]
    reason: str
