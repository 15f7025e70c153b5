"""Procurement storage: consortia, demand, lots, tenders, bids, sealed envelopes, awards, contracts.

Bid contents live only in ``procurement_sealed_bids`` until opening; the bid row's
price and quality columns stay empty until the opening step copies them out after
checking each envelope's hash against the receipt. Quantities are integer hundredths
of a unit (``*_cents``), money is integer pence.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carepool.core.money import Money
from carepool.db.base import Base, MoneyType, UtcDateTime


class ConsortiumRow(Base):
    __tablename__ = "procurement_consortia"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    lead_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    # hours a week above which a lot is flagged too big for a small provider (None: median SME capacity)
    sme_threshold_cents: Mapped[int | None] = mapped_column(BigInteger)


class ConsortiumMemberRow(Base):
    __tablename__ = "procurement_consortium_members"
    __table_args__ = (UniqueConstraint("consortium_id", "organisation_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("procurement_consortia.id"), index=True)
    organisation_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    joined_at: Mapped[datetime | None] = mapped_column(UtcDateTime())  # None: invited by the lead, not yet accepted


class DemandRow(Base):
    __tablename__ = "procurement_demand"
    __table_args__ = (UniqueConstraint("consortium_id", "member_code", "service", "locality_code", "current_provider"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("procurement_consortia.id"), index=True)
    member_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"))
    service: Mapped[str] = mapped_column(String(30))
    locality_code: Mapped[str] = mapped_column(ForeignKey("localities.code"))
    weekly_quantity_cents: Mapped[int] = mapped_column(BigInteger)
    baseline_price: Mapped[Money] = mapped_column(MoneyType)
    current_provider: Mapped[str] = mapped_column(String(200), default="", server_default="")  # '': not named


class TenderRow(Base):
    __tablename__ = "procurement_tenders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(30), unique=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("procurement_consortia.id"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)  # bumped by every edit after publication
    rules_json: Mapped[str] = mapped_column(Text)
    deadline: Mapped[datetime | None] = mapped_column(UtcDateTime())
    contract_start: Mapped[date | None] = mapped_column(Date)  # when contracts start (or the day after standstill)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(254))
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    evaluated_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    awarded_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    standstill_ends: Mapped[datetime | None] = mapped_column(UtcDateTime())
    contracted_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    evaluation_json: Mapped[str | None] = mapped_column(Text)  # comparison runs: cheapest wins, rule costs
    override_reason: Mapped[str | None] = mapped_column(Text)


class LotRow(Base):
    __tablename__ = "procurement_lots"
    __table_args__ = (UniqueConstraint("tender_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    consortium_id: Mapped[int] = mapped_column(ForeignKey("procurement_consortia.id"), index=True)
    tender_id: Mapped[int | None] = mapped_column(ForeignKey("procurement_tenders.id"), index=True)
    code: Mapped[str] = mapped_column(String(120))
    name: Mapped[str] = mapped_column(String(200))
    service: Mapped[str] = mapped_column(String(30))
    localities: Mapped[str] = mapped_column(String(500))  # comma-separated locality codes
    too_big_for_sme: Mapped[bool] = mapped_column(Boolean, default=False)
    # Set when the lot was taken out of this tender after bids were made on it: the row stays as the record
    # those bids point at (out of the plan and out of every tender); the plan gets a copy of the lot.
    removed_from_tender_id: Mapped[int | None] = mapped_column(ForeignKey("procurement_tenders.id"))


class LotShareRow(Base):
    __tablename__ = "procurement_lot_shares"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("procurement_lots.id"), index=True)
    member_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"))
    weekly_quantity_cents: Mapped[int] = mapped_column(BigInteger)
    baseline_price: Mapped[Money] = mapped_column(MoneyType)
    share_bp: Mapped[int] = mapped_column(Integer)
    annual_value: Mapped[Money | None] = mapped_column(MoneyType)  # kept by a split or merge (None: from hours)


class BidRow(Base):
    __tablename__ = "procurement_bids"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)  # internal only: it counts every tender's bids
    # The bid's name outside the database (receipts, files, addresses, audit): random, so it reveals no count.
    reference: Mapped[str] = mapped_column(String(20), unique=True, index=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("procurement_tenders.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("procurement_lots.id"), index=True)
    provider_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    status_note: Mapped[str | None] = mapped_column(String(300))
    tender_version: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    submitted_by: Mapped[str] = mapped_column(String(254))
    receipt_sha256: Mapped[str] = mapped_column(String(64))
    sme_declared: Mapped[bool | None] = mapped_column(Boolean)  # its provider's SME flag when sealed (None: older)
    # Filled only by opening, from the envelope whose hash matched the receipt:
    opened_at: Mapped[datetime | None] = mapped_column(UtcDateTime())
    price: Mapped[Money | None] = mapped_column(MoneyType)
    quality_cents: Mapped[int | None] = mapped_column(BigInteger)
    max_quantity_cents: Mapped[int | None] = mapped_column(BigInteger)
    capacity_cents: Mapped[int | None] = mapped_column(BigInteger)
    panel_quality_cents: Mapped[int | None] = mapped_column(BigInteger)  # panel score set after opening
    panel_note: Mapped[str | None] = mapped_column(Text)


class SealedBidRow(Base):
    """The sealed envelope: read by the opening step, and by the bidder itself, nothing else."""

    __tablename__ = "procurement_sealed_bids"

    bid_id: Mapped[int] = mapped_column(ForeignKey("procurement_bids.id"), primary_key=True)
    sealed_json: Mapped[str] = mapped_column(Text)


class AwardRow(Base):
    __tablename__ = "procurement_awards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("procurement_tenders.id"), index=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("procurement_lots.id"))
    bid_id: Mapped[int] = mapped_column(ForeignKey("procurement_bids.id"))
    provider_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    weekly_quantity_cents: Mapped[int] = mapped_column(BigInteger)
    price: Mapped[Money] = mapped_column(MoneyType)
    weekly_cost: Mapped[Money] = mapped_column(MoneyType)
    annual_value: Mapped[Money] = mapped_column(MoneyType)
    source: Mapped[str] = mapped_column(String(20))  # optimiser | override
    reason: Mapped[str | None] = mapped_column(Text)  # why, when set by hand: shown to the bidders on this lot


class ContractRow(Base):
    __tablename__ = "procurement_contracts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(60), unique=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("procurement_tenders.id"), index=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("procurement_awards.id"), unique=True)
    lot_id: Mapped[int] = mapped_column(ForeignKey("procurement_lots.id"))
    provider_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    start_date: Mapped[date] = mapped_column(Date)
    end_date: Mapped[date] = mapped_column(Date)
    annual_value: Mapped[Money] = mapped_column(MoneyType)
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime())


class SavingsSplitRow(Base):
    """What each group of a tender's members would have saved alone (the savings game), kept so the split shows
    without running every group's award again; ``award_stamp`` says which award it was worked out from."""

    __tablename__ = "procurement_savings_splits"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("procurement_tenders.id"), unique=True)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    computed_by: Mapped[str] = mapped_column(String(254))
    award_stamp: Mapped[str] = mapped_column(String(64))
    game_json: Mapped[str] = mapped_column(Text)


class OcdsReleaseRow(Base):
    """One open contracting release of a tender, kept as it was published (a release never changes: a change is a
    new release). ``body_json`` is the release without its ocid, id, date and tag, which the publisher's prefix
    and the row give when it is packaged."""

    __tablename__ = "procurement_ocds_releases"
    __table_args__ = (UniqueConstraint("tender_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tender_id: Mapped[int] = mapped_column(ForeignKey("procurement_tenders.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # "tender-1", "tender-2", "cancellation", "award", "contract"
    stage: Mapped[str] = mapped_column(String(20))  # ocds.STAGE_TAGS
    released_at: Mapped[datetime] = mapped_column(UtcDateTime())
    body_json: Mapped[str] = mapped_column(Text)
