"""A settlement for machines (a JSON-ready dict) and for people (rich tables and plain words)."""

from __future__ import annotations

from typing import Any

from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from carepool.core.money import Money
from carepool.pooled_budget.model import SettlementResult


def result_to_dict(result: SettlementResult) -> dict[str, Any]:
    """The settlement with every amount as two-decimal text; underspend shares are negative.

    Keys beyond the contract live in clearly named additions: ``agreement``,
    ``contingency``, ``explanation`` and each scheme's ``adjustments``.
    """
    partners = {
        p.code: {
            "contribution": p.contribution.plain(),
            "overspend_share": p.overspend_share.plain(),
            "underspend_share": p.underspend_share.plain(),
            "final_cost": p.final_cost.plain(),
        }
        for p in result.partners
    }
    schemes = [
        {
            "id": s.id,
            "budget": s.budget.plain(),
            "actual": s.actual.plain(),
            "variance": s.variance.plain(),
            "shares": {code: amount.plain() for code, amount in s.shares.items()},
            "adjustments": {
                "name": s.name,
                "offset": s.offset.plain(),
                "contingency_used": s.contingency_used.plain(),
                "remaining": s.remaining.plain(),
                "rule": s.rule if s.remaining else None,
                "carried_forward": s.carried_forward.plain(),
                "unallocated": s.unallocated.plain(),
            },
        }
        for s in result.schemes
    ]
    contingency = None
    if result.contingency is not None:
        c = result.contingency
        contingency = {
            "amount": c.amount.plain(),
            "funded": {code: amount.plain() for code, amount in c.funded.items()},
            "used": c.used.plain(),
            "returned": {code: amount.plain() for code, amount in c.returned.items()},
        }
    return {
        "partners": partners,
        "schemes": schemes,
        "carried_forward": result.carried_forward.plain(),
        "unallocated": result.unallocated.plain(),
        "agreement": {
            "name": result.agreement,
            "year": result.year.label,
            "host": result.host,
            "partners": {p.code: p.name for p in result.partners},
        },
        "contingency": contingency,
        "explanation": result.explanation(),
    }


def _money_column(table: Table, title: str) -> None:
    table.add_column(title, justify="right", no_wrap=True)


def partners_table(result: SettlementResult) -> Table:
    table = Table(title="Partners", box=box.SIMPLE_HEAVY, title_justify="left", show_footer=True)
    table.add_column("Partner", footer="Total", ratio=1, min_width=12)
    columns = ("contribution", "overspend_share", "underspend_share", "final_cost")
    titles = ("Contribution", "Overspend\nshare", "Underspend\nshare", "Final cost")
    for attr, title in zip(columns, titles, strict=True):
        total = Money.sum(getattr(p, attr) for p in result.partners)
        table.add_column(title, justify="right", no_wrap=True, footer=str(total))
    for p in result.partners:
        table.add_row(escape(f"{p.name} ({p.code})"), *(str(getattr(p, attr)) for attr in columns))
    return table


def schemes_table(result: SettlementResult) -> Table:
    table = Table(title="Schemes (shares: overspend +, underspend −)", box=box.SIMPLE_HEAVY,
                  title_justify="left")
    table.add_column("Scheme", ratio=1, min_width=12)
    for title in ("Budget", "Actual", "Variance"):
        _money_column(table, title)
    for p in result.partners:
        _money_column(table, escape(p.code))
    for s in result.schemes:
        table.add_row(escape(f"{s.name} ({s.id})"), str(s.budget), str(s.actual), str(s.variance),
                      *(str(s.shares[p.code]) for p in result.partners))
    return table


def print_result(result: SettlementResult, console: Console) -> None:
    """Print the settlement for a finance officer to read line by line."""
    host = next((p.name for p in result.partners if p.code == result.host), result.host)
    console.print(f"[bold]{escape(result.agreement)}[/bold], {result.year.label}: year-end settlement "
                  f"(host {escape(host)})")
    console.print(partners_table(result))
    console.print(schemes_table(result))
    if result.contingency is not None:
        c = result.contingency
        console.print(f"Contingency {c.amount}: used {c.used}, returned {c.amount - c.used}")
    console.print(f"Carried forward in the pool: {result.carried_forward}")
    console.print(f"Left unallocated for a board decision: {result.unallocated}")
    console.print(
        f"Check: final costs {result.total_final_cost} = actual spend {result.total_actual} "
        f"+ carried forward {result.carried_forward} − unallocated {result.unallocated}",
        markup=False,
        soft_wrap=True,
    )
    console.print()
    console.print("[bold]How each share was worked out[/bold]")
    for line in result.explanation():
        console.print(f"- {line}", markup=False, soft_wrap=True)
