"""`carepool ledger ...` (operators: you hold the database)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from carepool.cli_support import console, open_database
from carepool.core.periods import parse_day
from carepool.ledger import beancount, service

app = typer.Typer(help="The double-entry ledger: balances and Beancount export.", no_args_is_help=True)


def _as_at(value: str | None) -> date | None:
    return None if value is None else parse_day(value, what="--as-at", example="2026-03-31")


@app.command("trial-balance")
def trial_balance_command(
    prefix: str = typer.Option(None, help="Only accounts whose code starts with this, e.g. POOL-1:"),
    as_at: str = typer.Option(None, "--as-at", help="Postings dated on or before this day (YYYY-MM-DD)."),
) -> None:
    """Every account's balance (debits positive); the total is always zero."""
    database = open_database()
    with database.uow() as uow:
        trial = service.trial_balance(uow=uow, as_at=_as_at(as_at), prefix=prefix)
    table = Table("account", "name", "owner", "type", "debit", "credit")
    for account, amount in trial.lines:
        debit, credit = (str(amount), "") if amount.pence >= 0 else ("", str(-amount))
        table.add_row(account.code, account.name, account.owner, account.type.value, debit, credit)
    console.print(table)
    console.print(f"Total of all balances: {trial.total}" + ("" if prefix else " (must be £0.00)"))


@app.command("export")
def export_command(
    out: Path = typer.Option(None, "--out", help="Write to this .beancount file instead of the screen."),
    prefix: str = typer.Option(None, help="Only accounts whose code starts with this."),
) -> None:
    """The ledger as Beancount text, to check with `bean-check` or reconcile elsewhere."""
    database = open_database()
    with database.uow() as uow:
        text = beancount.export(uow=uow, prefix=prefix)
    if out is None:
        print(text)
    else:
        out.write_text(text, encoding="utf-8")
        console.print(f"wrote {out}")
