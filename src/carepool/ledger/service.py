"""Post balanced transactions safely under concurrency; read balances; export.

Posting locks the touched accounts in a fixed order (by id) so concurrent
transfers never deadlock on PostgreSQL; on SQLite the write transaction is
already exclusive (BEGIN IMMEDIATE). Nothing here commits: the caller's unit of
work does, so a ledger posting commits together with the change it records.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from carepool.audit import service as audit
from carepool.core.errors import CarepoolError, conflict, not_found
from carepool.core.money import Money
from carepool.db.uow import UnitOfWork
from carepool.ledger.model import (
    MOST_PENCE,
    Account,
    AccountType,
    Posting,
    TransactionDraft,
    account_code,
    reversal_of,
    validate_draft,
)
from carepool.ledger.tables import LedgerAccountRow, LedgerPostingRow, LedgerTransactionRow


@dataclass(frozen=True)
class Posted:
    transaction_id: int
    key: str
    replayed: bool  # True when the key had been posted before with the same body


def _account(row: LedgerAccountRow) -> Account:
    return Account(row.id, row.code, row.name, row.owner, AccountType(row.type), row.no_overdraft)


def open_account(
    *, uow: UnitOfWork, actor: str, owner: str, code: str, name: str, type: AccountType,
    opened_on: date, no_overdraft: bool = False,
) -> Account:
    code = account_code(code)
    if uow.session.execute(select(LedgerAccountRow.id).where(LedgerAccountRow.code == code)).first():
        raise conflict(f"account {code} already exists")
    row = LedgerAccountRow(code=code, name=name, owner=owner, type=type.value, no_overdraft=no_overdraft,
                           opened_on=opened_on, balance=Money(0))
    uow.session.add(row)
    uow.session.flush()
    audit.record(uow=uow, actor=actor, organisation=owner, action="ledger.account_opened",
                 entity_type="ledger_account", entity_id=code,
                 after={"name": name, "type": type.value, "no_overdraft": no_overdraft})
    return _account(row)


def get_account(*, uow: UnitOfWork, code: str) -> Account:
    row = uow.session.execute(select(LedgerAccountRow).where(LedgerAccountRow.code == code)).scalar_one_or_none()
    if row is None:
        raise not_found(f"account {code}")
    return _account(row)


def list_accounts(*, uow: UnitOfWork, owner: str | None = None, prefix: str | None = None) -> list[Account]:
    query = select(LedgerAccountRow).order_by(LedgerAccountRow.code)
    if owner is not None:
        query = query.where(LedgerAccountRow.owner == owner)
    if prefix is not None:
        query = query.where(LedgerAccountRow.code.startswith(prefix))
    return [_account(r) for r in uow.session.execute(query).scalars()]


def _replay(uow: UnitOfWork, draft: TransactionDraft) -> Posted | None:
    row = uow.session.execute(
        select(LedgerTransactionRow).where(LedgerTransactionRow.idempotency_key == draft.key)
    ).scalar_one_or_none()
    if row is None:
        return None
    if row.fingerprint != draft.fingerprint():
        raise conflict(f"idempotency key {draft.key!r} was already used for a different transaction")
    return Posted(row.id, draft.key, replayed=True)


def post(*, uow: UnitOfWork, actor: str, draft: TransactionDraft, reverses_id: int | None = None) -> Posted:
    """Post a balanced transaction once; a retry with the same key returns the first result."""
    problems = validate_draft(draft)
    if problems:
        raise CarepoolError(f"transaction {draft.key!r}: {'; '.join(problems)}")
    replayed = _replay(uow, draft)
    if replayed:
        return replayed
    codes = sorted({p.account for p in draft.postings})
    rows = {
        row.code: row
        for row in uow.session.execute(
            select(LedgerAccountRow).where(LedgerAccountRow.code.in_(codes))
            .order_by(LedgerAccountRow.id).with_for_update()
        ).scalars()
    }
    missing = [c for c in codes if c not in rows]
    if missing:
        raise not_found(f"account {', '.join(missing)}")
    replayed = _replay(uow, draft)  # a concurrent retry may have committed while we waited for the locks
    if replayed:
        return replayed
    movement: dict[str, Money] = {}
    for p in draft.postings:
        movement[p.account] = movement.get(p.account, Money(0)) + p.amount
    for code, moved in movement.items():
        account = _account(rows[code])
        after = account.natural(rows[code].balance + moved)
        if account.no_overdraft and after.is_negative():
            raise conflict(f"account {code} may not be overdrawn: this would leave it at {after}")
        if abs(after.pence) > MOST_PENCE:
            raise CarepoolError(f"account {code} would hold {after}, more than the ledger can store")
    transaction = LedgerTransactionRow(
        idempotency_key=draft.key, fingerprint=draft.fingerprint(), on=draft.on, description=draft.description,
        posted_at=uow.now(), posted_by=actor, reverses_id=reverses_id,
    )
    uow.session.add(transaction)
    try:
        uow.session.flush()
    except IntegrityError:
        raise conflict(f"idempotency key {draft.key!r} is being posted concurrently; retry") from None
    for p in draft.postings:
        uow.session.add(LedgerPostingRow(transaction_id=transaction.id, account_id=rows[p.account].id,
                                         amount=p.amount))
    for code, moved in movement.items():
        rows[code].balance = rows[code].balance + moved
    audit.record(uow=uow, actor=actor, organisation=rows[draft.postings[0].account].owner,
                 action="ledger.reversed" if reverses_id else "ledger.posted",
                 entity_type="ledger_transaction", entity_id=draft.key,
                 after={"on": draft.on.isoformat(), "description": draft.description,
                        "postings": [[p.account, p.amount.plain()] for p in draft.postings]})
    return Posted(transaction.id, draft.key, replayed=False)


def postings_of(*, uow: UnitOfWork, transaction_id: int) -> tuple[Posting, ...]:
    rows = uow.session.execute(
        select(LedgerAccountRow.code, LedgerPostingRow.amount)
        .join(LedgerAccountRow, LedgerAccountRow.id == LedgerPostingRow.account_id)
        .where(LedgerPostingRow.transaction_id == transaction_id).order_by(LedgerPostingRow.id)
    )
    return tuple(Posting(code, amount) for code, amount in rows)


def reverse(*, uow: UnitOfWork, actor: str, transaction_id: int, key: str, on: date) -> Posted:
    """Correct a posted transaction by posting its mirror image; the original stays as it was."""
    original = uow.session.get(LedgerTransactionRow, transaction_id)
    if original is None:
        raise not_found(f"transaction {transaction_id}")
    already = uow.session.execute(
        select(LedgerTransactionRow).where(LedgerTransactionRow.reverses_id == transaction_id)
    ).scalar_one_or_none()
    if already is not None and already.idempotency_key != key:
        raise conflict(f"transaction {original.idempotency_key!r} was already reversed by {already.idempotency_key!r}")
    draft = TransactionDraft(key, on, f"Reversal of {original.description}",
                             reversal_of(postings_of(uow=uow, transaction_id=transaction_id)))
    return post(uow=uow, actor=actor, draft=draft, reverses_id=transaction_id)


def balance(*, uow: UnitOfWork, code: str, as_at: date | None = None) -> Money:
    """Sum of the account's postings dated on or before ``as_at`` (all of them if None)."""
    query = (
        select(func.coalesce(func.sum(LedgerPostingRow.amount), 0))
        .join(LedgerAccountRow, LedgerAccountRow.id == LedgerPostingRow.account_id)
        .join(LedgerTransactionRow, LedgerTransactionRow.id == LedgerPostingRow.transaction_id)
        .where(LedgerAccountRow.code == code)
    )
    if as_at is not None:
        query = query.where(LedgerTransactionRow.on <= as_at)
    value = uow.session.execute(query).scalar_one()
    return value if isinstance(value, Money) else Money(int(value))


@dataclass(frozen=True)
class TrialBalance:
    lines: list[tuple[Account, Money]]

    @property
    def total(self) -> Money:
        return Money.sum(amount for _, amount in self.lines)


def trial_balance(*, uow: UnitOfWork, as_at: date | None = None, prefix: str | None = None) -> TrialBalance:
    accounts = list_accounts(uow=uow, prefix=prefix)
    return TrialBalance([(a, balance(uow=uow, code=a.code, as_at=as_at)) for a in accounts])
