"""`carepool tender ...`"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

import typer

from carepool.cli_support import time_bar

app = typer.Typer(help="Collaborative procurement: award, savings split, OCDS.", no_args_is_help=True)

from carepool.procurement.lifecycle_cli import register as register_lifecycle  # noqa: E402
from carepool.procurement.lifecycle_commands import register as register_commands  # noqa: E402
from carepool.procurement.split_cli import register as register_split  # noqa: E402

register_lifecycle(app)
register_commands(app)
register_split(app)


class OutputFormat(StrEnum):
    JSON = "json"
    TABLE = "table"


class SolverName(StrEnum):
    HIGHS = "highs"
    CBC = "cbc"


@app.command("award")
def award(
    file: Path = typer.Argument(..., help="Award input: lots, providers, bids and rules (JSON)."),
    output: OutputFormat = typer.Option(OutputFormat.JSON, "--format", help="json (the contract) or table."),
    time_limit: float = typer.Option(60.0, "--time-limit", min=0.5, help="Seconds to spend; a plan comes back."),
    solver: SolverName = typer.Option(SolverName.HIGHS, "--solver", help="MILP backend: highs or cbc (PuLP)."),
    packages: bool = typer.Option(False, "--packages", help="Apply the input's conditional package discounts."),
) -> None:
    """Optimise the award of a tender's lots: cheapest (or best value) plan meeting every rule.

    Exit codes: 0 a plan (status optimal or feasible), 2 invalid input, 3 infeasible, 7 no plan found
    in the time (not proven impossible). On a terminal, a bar on standard error shows the phase and the
    best plan so far.
    """
    from carepool.award.engine import optimise  # heavy (numpy, solvers): only when awarding
    from carepool.award.io import load_problem, render_table, to_json

    problem = load_problem(file)
    money = problem.rules.objective == "cost"
    with time_bar(time_limit, describe="awarding") as show:
        progress = None if show is None else (lambda phase, best: show(
            phase if best is None else f"{phase} · best {'£' if money else 'objective '}{best:,.2f}"))
        result = optimise(problem, solver=solver.value, time_limit=time_limit, use_packages=packages,
                          progress=progress)
    typer.echo(render_table(result) if output is OutputFormat.TABLE else to_json(result))
