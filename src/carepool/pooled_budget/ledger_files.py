"""An agreement's ledger postings as a table (CSV or Excel), for a partner's finance lead to reconcile with their
own system: one line per posting — date, description, account, partner, scheme, amount (+ debit, − credit) — and
a total that is £0.00, because every transaction balances."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from sqlalchemy import select

from carepool.core.money import Money
from carepool.core.workbook import POUNDS, add_table_sheet, inert_rows, new_workbook
from carepool.db.uow import UnitOfWork
from carepool.ledger.tables import LedgerAccountRow, LedgerPostingRow, LedgerTransactionRow
from carepool.pooled_budget.service import StoredAgreement

HEADERS = ("date", "description", "account", "partner_code", "partner", "scheme", "amount", "reference")
PARTNER_ACCOUNTS = ("Due", "Contributions", "Risk-share", "Settlement")
TOTAL = "Total (every transaction balances)"


@dataclass(frozen=True)
class PostingLine:
    on: date
    description: str
    account: str
    partner_code: str  # "" for the bank, creditors and spend accounts
    partner: str
    scheme: str
    amount: Money  # + debit, − credit
    reference: str  # the transaction's idempotency key: the same key is the same transaction everywhere


def posting_lines(*, uow: UnitOfWork, stored: StoredAgreement) -> list[PostingLine]:
    """Every posting to the agreement's accounts, in date order (postings of a transaction together)."""
    a, prefix = stored.agreement, stored.chart.prefix + ":"
    schemes = {s.id: s.name for s in a.schemes}
    rows = uow.session.execute(
        select(LedgerTransactionRow.on, LedgerTransactionRow.description, LedgerTransactionRow.idempotency_key,
               LedgerAccountRow.code, LedgerPostingRow.amount)
        .join(LedgerPostingRow, LedgerPostingRow.transaction_id == LedgerTransactionRow.id)
        .join(LedgerAccountRow, LedgerAccountRow.id == LedgerPostingRow.account_id)
        .where(LedgerAccountRow.code.startswith(prefix))
        .order_by(LedgerTransactionRow.on, LedgerTransactionRow.id, LedgerPostingRow.id))
    lines = []
    for on, description, key, code, amount in rows:
        kind, _, last = code.removeprefix(prefix).partition(":")
        partner = last if kind in PARTNER_ACCOUNTS else ""
        scheme = schemes.get(last, last) if kind == "Spend" else ""
        lines.append(PostingLine(on, description, code, partner, a.partner_name(partner) if partner else "",
                                 scheme, amount, key))
    return lines


def _row(line: PostingLine, on: object, amount: object) -> list[object]:
    return [on, line.description, line.account, line.partner_code, line.partner, line.scheme, amount, line.reference]


def _total(lines: list[PostingLine]) -> Money:
    return Money.sum(line.amount for line in lines)


def postings_csv(lines: list[PostingLine]) -> str:
    """The postings and a total line (0.00); amounts as plain pounds and pence (-1234.56), text made inert."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADERS)
    rows = [_row(line, line.on.isoformat(), line.amount.plain()) for line in lines]
    rows.append(["", TOTAL, "", "", "", "", _total(lines).plain(), ""])
    writer.writerows(inert_rows(rows))
    return out.getvalue()


def postings_workbook(stored: StoredAgreement, lines: list[PostingLine]) -> Workbook:
    """The postings on one sheet with a total, and each account's balance on another (both totalling £0.00)."""
    book = new_workbook()
    rows = [_row(line, line.on, line.amount.amount) for line in lines]
    rows.append(["", TOTAL, "", "", "", "", _total(lines).amount, ""])
    add_table_sheet(book, "Postings", HEADERS, rows, number_formats={"amount": POUNDS, "date": "yyyy-mm-dd"})
    balances: dict[str, tuple[PostingLine, Money]] = {}
    for line in lines:
        first, total = balances.get(line.account, (line, Money(0)))
        balances[line.account] = (first, total + line.amount)
    accounts = [[code, first.partner_code, first.partner, first.scheme, total.amount]
                for code, (first, total) in sorted(balances.items())]
    accounts.append(["Total (the trial balance)", "", "", "", Money.sum(t for _f, t in balances.values()).amount])
    add_table_sheet(book, "Balances", ("account", "partner_code", "partner", "scheme", "balance"), accounts,
                    number_formats={"balance": POUNDS})
    a = stored.agreement
    add_table_sheet(book, "About", ("field", "value"), [
        ["Agreement", a.name], ["Financial year", a.year.label], ["Host", f"{a.partner_name(a.host)} ({a.host})"],
        ["Amounts", "+ debit, − credit (positive balances are assets and expenses)"],
        ["Reference", "the transaction's idempotency key, as in the Beancount ledger"]])
    return book
