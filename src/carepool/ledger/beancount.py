"""Export the ledger as Beancount text, so an independent tool can check every balance."""

from __future__ import annotations

import re

from sqlalchemy import select

from carepool.db.uow import UnitOfWork
from carepool.ledger.model import AccountType
from carepool.ledger.tables import LedgerAccountRow, LedgerPostingRow, LedgerTransactionRow


def beancount_name(code: str, type: AccountType) -> str:
    parts = [re.sub(r"[^A-Za-z0-9-]", "-", part) for part in code.split(":")]
    parts = [p if p[:1].isupper() or p[:1].isdigit() else "X" + p for p in parts]
    return ":".join([type.beancount_root, *parts])


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def export(*, uow: UnitOfWork, prefix: str | None = None) -> str:
    accounts = select(LedgerAccountRow).order_by(LedgerAccountRow.code)
    if prefix is not None:
        accounts = accounts.where(LedgerAccountRow.code.startswith(prefix))
    rows = list(uow.session.execute(accounts).scalars())
    names = {row.id: beancount_name(row.code, AccountType(row.type)) for row in rows}
    lines = ['option "operating_currency" "GBP"', ""]
    for row in rows:
        lines.append(f"{row.opened_on.isoformat()} open {names[row.id]} GBP")
    lines.append("")
    transactions = uow.session.execute(
        select(LedgerTransactionRow).order_by(LedgerTransactionRow.on, LedgerTransactionRow.id)
    ).scalars()
    postings: dict[int, list[LedgerPostingRow]] = {}
    for posting in uow.session.execute(select(LedgerPostingRow).order_by(LedgerPostingRow.id)).scalars():
        postings.setdefault(posting.transaction_id, []).append(posting)
    for txn in transactions:
        mine = [p for p in postings.get(txn.id, []) if p.account_id in names]
        if not mine:
            continue
        lines.append(f"{txn.on.isoformat()} * {_quote(txn.description)}")
        lines.append(f"  idempotency-key: {_quote(txn.idempotency_key)}")
        for p in mine:
            lines.append(f"  {names[p.account_id]}  {p.amount.plain()} GBP")
        lines.append("")
    return "\n".join(lines)
