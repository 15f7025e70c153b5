"""`carepool demo`: a fresh database loaded with the demo consortium, walked through."""

from __future__ import annotations

import importlib
import importlib.util
from pathlib import Path
from types import ModuleType
from typing import Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from carepool.cli_support import console, wide_console
from carepool.config import Settings
from carepool.db.engine import Database
from carepool.demo import data, service
from carepool.partners import service as partners

# Each feature may add a step to the walk through the commissioning cycle with a module
# ``carepool.<feature>.demo`` exposing TITLE, run(database, out_dir) -> result and
# report(result, console); they run in this order.
FEATURE_DEMOS = ["needs", "pooled_budget", "procurement", "sharing", "outcomes"]


def _feature_demo(feature: str) -> ModuleType | None:
    if importlib.util.find_spec(f"carepool.{feature}") is None:
        return None
    if importlib.util.find_spec(f"carepool.{feature}.demo") is None:
        return None
    return importlib.import_module(f"carepool.{feature}.demo")


def demo(
    out: Path = typer.Option(Path("demo-output"), "--out", help="Folder for every file the demo writes."),
    force: bool = typer.Option(False, help="Replace a database that holds non-demo data."),
) -> None:
    """Create a fresh database with the demo consortium and walk the commissioning cycle."""
    settings = Settings.from_env()
    database = Database(settings.database_url)
    steps = [
        ("Preparing a fresh database", lambda: service.reset_database(database, force=force)),
        ("Loading the six boroughs, the ICB, localities and providers", lambda: service.load_partners(database)),
        ("Creating demo users", lambda: service.load_users(database)),
        ("Writing exports", lambda: service.write_exports(database, out)),
    ]
    for feature in FEATURE_DEMOS:
        module = _feature_demo(feature)
        if module is not None:
            steps.append((module.TITLE, lambda m=module: m.run(database, out)))
    results: dict[str, Any] = {}
    columns = (TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
               TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as progress:
        task = progress.add_task("demo", total=len(steps))
        for label, step in steps:
            progress.update(task, description=label)
            results[label] = step()
            progress.advance(task)
    files = results["Writing exports"]
    _print_summary(database, files)
    reports = wide_console()  # the reports' wide tables are not wrapped at 80 columns in a file or a pipe
    for feature in FEATURE_DEMOS:
        module = _feature_demo(feature)
        if module is not None:
            module.report(results[module.TITLE], reports)
    console.print("Next: run [bold]make serve[/bold] and open http://127.0.0.1:8000 to see it in the browser.")
    database.dispose()


def _print_summary(database: Database, files: list[Path]) -> None:
    with database.uow() as uow:
        board = partners.dashboard(uow=uow)
    table = Table(title=f"Demo consortium: six West London boroughs with {data.ICB.name} "
                        f"(populations {board.year}, illustrative)")
    table.add_column("council")
    table.add_column("GSS code")
    table.add_column("localities", justify="right")
    table.add_column("population", justify="right")
    table.add_column("aged 65+", justify="right")
    for council in board.councils:
        table.add_row(council.council.name, council.council.code, str(len(council.localities)),
                      f"{council.population:,}", f"{council.older_people:,}")
    table.add_row("Total", "", str(sum(len(c.localities) for c in board.councils)),
                  f"{sum(c.population for c in board.councils):,}",
                  f"{sum(c.older_people for c in board.councils):,}", style="bold")
    console.print(table)
    console.print(f"Providers: {board.provider_count} ({board.sme_provider_count} small or medium)")
    users = Table(title=f"Demo sign-ins (password for all: {data.DEMO_PASSWORD})")
    users.add_column("email")
    users.add_column("who")
    for user in data.users()[:5]:
        users.add_row(user.email, user.persona)
    console.print(users)
    console.print("Files written:")
    for path in files:
        console.print(f"  {path}")
    console.print(f"Database: {database.engine.url.render_as_string()}")
