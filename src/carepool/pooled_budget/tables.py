"""Pooled budget storage: agreements (with each partner's acceptance), partners, schemes, contributions,
monthly figures, forecast overrides, payments, variations (with each partner's decision), settlements and
each partner's sign-off of the settlement statement.

Money is BigInteger pence (``MoneyType``); rules and settlement statements are
canonical JSON text in the settle contract's vocabulary.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from carepool.core.money import Money
from carepool.db.base import Base, MoneyType, UtcDateTime


class PoolAgreementRow(Base):
    __tablename__ = "pool_agreements"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year_start: Mapped[int] = mapped_column(Integer)  # 2025 for 2025/26
    host: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    offset_across_schemes: Mapped[bool] = mapped_column(Boolean)
    contingency_amount: Mapped[Money | None] = mapped_column(MoneyType, nullable=True)
    status: Mapped[str] = mapped_column(String(20))  # model.AgreementStatus: proposed | active | declined | settled
    created_at: Mapped[datetime] = mapped_column(UtcDateTime())
    created_by: Mapped[str] = mapped_column(String(200))


class PoolAgreementDecisionRow(Base):
    """A partner's decision on a proposed agreement: it accepts it (signs it) or declines it, once."""

    __tablename__ = "pool_agreement_decisions"
    __table_args__ = (UniqueConstraint("agreement_id", "partner_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pool_agreements.id"), index=True)
    partner_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"))
    decision: Mapped[str] = mapped_column(String(20))  # accept | decline
    decided_by: Mapped[str] = mapped_column(String(200))  # the actor (user:email)
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())
    reason: Mapped[str] = mapped_column(String(500))  # why it declined ("" when it accepted)


class PoolPartnerRow(Base):
    __tablename__ = "pool_partners"
    __table_args__ = (UniqueConstraint("agreement_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pool_agreements.id"), index=True)
    code: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)  # order in the agreement: ties in rounding go to the first
    contingency_funding: Mapped[Money | None] = mapped_column(MoneyType, nullable=True)


class PoolSchemeRow(Base):
    __tablename__ = "pool_schemes"
    __table_args__ = (UniqueConstraint("agreement_id", "scheme_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pool_agreements.id"), index=True)
    scheme_id: Mapped[str] = mapped_column(String(60))
    name: Mapped[str] = mapped_column(String(200))
    client_group: Mapped[str] = mapped_column(String(100))
    position: Mapped[int] = mapped_column(Integer)
    overspend_rule: Mapped[str] = mapped_column(Text)  # canonical JSON, e.g. {"rule":"proportional"}
    underspend_rule: Mapped[str] = mapped_column(Text)
    spend_account: Mapped[str] = mapped_column(String(120))  # ledger account code of its spend


class PoolContributionRow(Base):
    __tablename__ = "pool_contributions"
    __table_args__ = (UniqueConstraint("scheme_row_id", "partner_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme_row_id: Mapped[int] = mapped_column(ForeignKey("pool_schemes.id"), index=True)
    partner_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"))
    amount: Mapped[Money] = mapped_column(MoneyType)


class PoolMonthlyRow(Base):
    """One scheme's actual and commitments for one month, as reported by one partner's ledger."""

    __tablename__ = "pool_monthly_figures"
    __table_args__ = (UniqueConstraint("scheme_row_id", "month", "source"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    scheme_row_id: Mapped[int] = mapped_column(ForeignKey("pool_schemes.id"), index=True)
    month: Mapped[int] = mapped_column(Integer)  # 1 = April .. 12 = March
    source: Mapped[str] = mapped_column(ForeignKey("organisations.code"))
    actual: Mapped[Money] = mapped_column(MoneyType)
    commitments: Mapped[Money] = mapped_column(MoneyType)
    revision: Mapped[int] = mapped_column(Integer)  # 1 when first posted; +1 per correction posted
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime())
    updated_by: Mapped[str] = mapped_column(String(200))


class PoolForecastOverrideRow(Base):
    __tablename__ = "pool_forecast_overrides"

    scheme_row_id: Mapped[int] = mapped_column(ForeignKey("pool_schemes.id"), primary_key=True)
    amount: Mapped[Money] = mapped_column(MoneyType)
    note: Mapped[str] = mapped_column(String(500))
    set_by: Mapped[str] = mapped_column(String(200))
    set_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PoolPaymentRow(Base):
    __tablename__ = "pool_payments"
    __table_args__ = (UniqueConstraint("agreement_id", "reference"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pool_agreements.id"), index=True)
    partner_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"))
    kind: Mapped[str] = mapped_column(String(20))  # contribution | settlement
    on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Money] = mapped_column(MoneyType)  # into the pool positive; settlement refunds negative
    reference: Mapped[str] = mapped_column(String(100))
    recorded_by: Mapped[str] = mapped_column(String(200))
    recorded_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PoolVariationRow(Base):
    __tablename__ = "pool_variations"
    __table_args__ = (UniqueConstraint("agreement_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pool_agreements.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, ... within the agreement
    description: Mapped[str] = mapped_column(Text)
    changes: Mapped[str] = mapped_column(Text)  # canonical JSON list of changes
    status: Mapped[str] = mapped_column(String(20))  # proposed | approved | rejected | withdrawn
    proposed_by: Mapped[str] = mapped_column(String(200))
    proposed_org: Mapped[str] = mapped_column(String(20))
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime(), nullable=True)


class PoolVariationDecisionRow(Base):
    __tablename__ = "pool_variation_decisions"
    __table_args__ = (UniqueConstraint("variation_id", "partner_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    variation_id: Mapped[int] = mapped_column(ForeignKey("pool_variations.id"), index=True)
    partner_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"))
    decision: Mapped[str] = mapped_column(String(20))  # approve | reject
    decided_by: Mapped[str] = mapped_column(String(200))
    decided_at: Mapped[datetime] = mapped_column(UtcDateTime())


class PoolSettlementRow(Base):
    __tablename__ = "pool_settlements"

    agreement_id: Mapped[int] = mapped_column(ForeignKey("pool_agreements.id"), primary_key=True)
    settled_at: Mapped[datetime] = mapped_column(UtcDateTime())
    settled_by: Mapped[str] = mapped_column(String(200))
    statement: Mapped[str] = mapped_column(Text)  # canonical JSON: the settlement and each partner's position


class PoolStatementSignOffRow(Base):
    """A partner's sign-off of the year-end settlement statement: once per partner, by one of its people."""

    __tablename__ = "pool_statement_sign_offs"
    __table_args__ = (UniqueConstraint("agreement_id", "partner_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agreement_id: Mapped[int] = mapped_column(ForeignKey("pool_settlements.agreement_id"), index=True)
    partner_code: Mapped[str] = mapped_column(ForeignKey("organisations.code"))
    name: Mapped[str] = mapped_column(String(200))  # the person, as they sign
    title: Mapped[str] = mapped_column(String(200))  # the role they sign in, e.g. Director of Finance
    signed_by: Mapped[str] = mapped_column(String(200))  # the actor (user:email)
    signed_at: Mapped[datetime] = mapped_column(UtcDateTime())
