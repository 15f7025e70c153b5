"""Ledger storage: accounts (with a running balance kept under lock), transactions, postings."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Boolean, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from carepool.core.money import Money
from carepool.db.base import Base, MoneyType, UtcDateTime


class LedgerAccountRow(Base):
    __tablename__ = "ledger_accounts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    code: Mapped[str] = mapped_column(String(120), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    owner: Mapped[str] = mapped_column(ForeignKey("organisations.code"), index=True)
    type: Mapped[str] = mapped_column(String(20))
    no_overdraft: Mapped[bool] = mapped_column(Boolean, default=False)
    opened_on: Mapped[date] = mapped_column(Date)
    # Sum of this account's postings, updated only while the row is locked.
    balance: Mapped[Money] = mapped_column(MoneyType)


class LedgerTransactionRow(Base):
    __tablename__ = "ledger_transactions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    on: Mapped[date] = mapped_column(Date, index=True)
    description: Mapped[str] = mapped_column(String(500))
    posted_at: Mapped[datetime] = mapped_column(UtcDateTime())
    posted_by: Mapped[str] = mapped_column(String(200))
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_transactions.id"), unique=True)


class LedgerPostingRow(Base):
    __tablename__ = "ledger_postings"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    transaction_id: Mapped[int] = mapped_column(ForeignKey("ledger_transactions.id"), index=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"), index=True)
    amount: Mapped[Money] = mapped_column(MoneyType)
