"""Accounts, postings and transactions: the pure rules of double entry.

A posting's amount is signed: positive is a debit, negative a credit. Every
transaction's postings sum to zero. An account's balance is the sum of its
postings; its *natural* balance flips the sign for credit-normal accounts
(liabilities, income, equity) so that a healthy balance reads positive.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from carepool.audit.model import canonical_json
from carepool.core.errors import CarepoolError
from carepool.core.money import Money

# Amounts are stored as 64-bit pence (BIGINT); beyond that the database itself would refuse them.
MOST_PENCE = 2**63 - 1
_ACCOUNT_CODE = re.compile(r"^[A-Z0-9][A-Za-z0-9-]*(:[A-Z0-9][A-Za-z0-9-]*)*$")


class AccountType(StrEnum):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"

    @property
    def normal_sign(self) -> int:
        """+1 for debit-normal accounts (assets, expenses), -1 for the others."""
        return 1 if self in (AccountType.ASSET, AccountType.EXPENSE) else -1

    @property
    def beancount_root(self) -> str:
        return {"asset": "Assets", "liability": "Liabilities", "equity": "Equity",
                "income": "Income", "expense": "Expenses"}[self.value]


def account_code(value: str) -> str:
    code = str(value).strip()
    if not _ACCOUNT_CODE.match(code):
        raise CarepoolError(
            f"{value!r} is not an account code: use letters, digits and dashes, parts joined by ':', "
            "each part starting with a capital or a digit, e.g. POOL-BCF:Bank"
        )
    return code


@dataclass(frozen=True)
class Account:
    id: int
    code: str
    name: str
    owner: str
    type: AccountType
    no_overdraft: bool

    def natural(self, balance: Money) -> Money:
        return balance if self.type.normal_sign > 0 else -balance


@dataclass(frozen=True)
class Posting:
    account: str  # account code
    amount: Money


@dataclass(frozen=True)
class TransactionDraft:
    """What a client asks to post; the idempotency key makes retries safe."""

    key: str
    on: date
    description: str
    postings: tuple[Posting, ...]

    def fingerprint(self) -> str:
        """Hash of the body, so a reused key with a different body is refused."""
        body = {
            "on": self.on.isoformat(),
            "description": self.description,
            "postings": [[p.account, p.amount.pence] for p in self.postings],
        }
        return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def validate_draft(draft: TransactionDraft) -> list[str]:
    """Every rule a transaction must meet before it touches storage (beancount style)."""
    problems = []
    if not draft.key.strip() or len(draft.key) > 200:
        problems.append("idempotency key must be 1 to 200 characters")
    if not draft.description.strip():
        problems.append("description is empty")
    if len(draft.postings) < 2:
        problems.append("a transaction needs at least two postings")
    if any(p.amount.pence == 0 for p in draft.postings):
        problems.append("a posting of zero moves nothing; leave it out")
    if any(abs(p.amount.pence) > MOST_PENCE for p in draft.postings):
        problems.append(f"a posting may be at most {Money(MOST_PENCE)} either way, the most the ledger can store")
    total = Money.sum(p.amount for p in draft.postings)
    if total:
        problems.append(f"postings must sum to zero; they sum to {total}")
    return problems


def reversal_of(postings: tuple[Posting, ...]) -> tuple[Posting, ...]:
    return tuple(Posting(p.account, -p.amount) for p in postings)
