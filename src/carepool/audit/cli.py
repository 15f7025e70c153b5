"""`carepool audit ...`"""

import typer

from carepool.audit import service
from carepool.cli_support import console, open_database

app = typer.Typer(help="The tamper-evident audit log.", no_args_is_help=True)


@app.command("verify")
def verify_command() -> None:
    """Walk the hash chain; print OK or the first broken event (exit 1 on a break)."""
    database = open_database()
    with database.uow() as uow:
        count, broken = service.verify(uow=uow)
    if broken is None:
        console.print(f"OK: {count} audit events, hash chain intact")
        return
    console.print(f"BROKEN at {broken}", style="bold red")
    raise typer.Exit(1)


@app.command("list")
def list_command(
    organisation: str = typer.Option(None, help="Only this organisation's events."),
    limit: int = typer.Option(50, help="How many of the newest events."),
    entity_type: str = typer.Option(None, "--entity-type", help="Only this kind of record, e.g. tender."),
    entity_id: str = typer.Option(None, "--entity-id", help="Only this record, e.g. CP-2026-001."),
    action: str = typer.Option(None, help="Only this action (tender.published), or a family (tender.)."),
) -> None:
    """Show the newest audit events (all of one record's history with --entity-type and --entity-id)."""
    from rich.table import Table

    database = open_database()
    with database.uow() as uow:
        events = service.list_events(uow=uow, organisation=organisation, limit=limit, entity_type=entity_type,
                                     entity_id=entity_id, action=action)
    table = Table("#", "when", "who", "organisation", "action", "entity")
    for e in events:
        table.add_row(str(e.seq), service.event_time(e.at), e.actor, e.organisation or "",
                      e.action, f"{e.entity_type} {e.entity_id}")
    console.print(table)
