"""`carepool pool ...`: settle a Section 75 pool at year end; write the blank workbook."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from carepool.core.errors import CarepoolError
from carepool.pooled_budget.cli_store import register as register_stored_commands
from carepool.pooled_budget.cli_variations import register as register_variations
from carepool.pooled_budget.io import read_agreement, write_template
from carepool.pooled_budget.render import print_result, result_to_dict
from carepool.pooled_budget.settlement import settle as settle_agreement

app = typer.Typer(
    help="Section 75 pooled budgets: settle a file (settle, template) or run a stored agreement through the "
    "year (create, accept, decline, list, show, pay, monitor-import, forecast, report, settle-year, ledger, "
    "variation, sign).",
    no_args_is_help=True,
)


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"


@app.command()
def settle(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="The agreement: a .json file or an .xlsx workbook.")],
    output: Annotated[
        OutputFormat, typer.Option("--format", help="table for people, json for other programs.")
    ] = OutputFormat.TABLE,
) -> None:
    """Settle the year: each partner's contribution, share of the variance and final cost."""
    result = settle_agreement(read_agreement(file))
    if output is OutputFormat.JSON:
        typer.echo(json.dumps(result_to_dict(result), indent=2, ensure_ascii=False))
    else:
        console = Console(highlight=False)
        if not console.is_terminal:  # a pipe or file has no width to respect
            console = Console(highlight=False, width=160)
        print_result(result, console)


@app.command()
def template(
    out: Annotated[Path, typer.Option("--out", help="Where to write the workbook.")] = Path(
        "pooled-budget.xlsx"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite the file if it exists.")] = False,
) -> None:
    """Write a blank agreement workbook (with example rows marked by #) to fill in and settle."""
    if out.suffix.lower() != ".xlsx":
        raise CarepoolError(f"{out}: the template is an Excel workbook; give a name ending in .xlsx")
    if out.exists() and not force:
        raise CarepoolError(f"{out} already exists; choose another --out or add --force to overwrite it")
    write_template(out)
    typer.echo(f"wrote the pooled budget template to {out}")


register_stored_commands(app)
register_variations(app)
