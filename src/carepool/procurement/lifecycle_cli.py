"""`carepool tender ocds|status|demand-export|lots-export`: commands for operators at the command line.

Mount them on the `tender` Typer app with ``register(app)``. They read public information
only (an operator's shell holds the database, but these never print a sealed bid).
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from carepool.cli_support import console, open_database
from carepool.config import Settings
from carepool.core.errors import not_found
from carepool.db.uow import UnitOfWork
from carepool.partners import service as partners
from carepool.procurement.tables import ConsortiumRow, DemandRow, TenderRow

# The services pull in the award optimiser (numpy, HiGHS): imported inside the commands that need them,
# so `carepool --help` stays quick.


def ocds_command(
    tender: str = typer.Argument(..., help="Tender reference, e.g. CP-2026-001"),
    out: Path = typer.Option(..., "--out", help="Release package file to write (the record package goes next to it)"),
) -> None:
    """Write a tender's OCDS 1.1 release package (with the lots extension) and its record package."""
    from carepool.procurement import publication

    database = open_database()
    with database.uow() as uow:
        files = publication.write(uow=uow, ref=tender, out=out, publisher=Settings.from_env())
    for path in files:
        console.print(f"wrote {path}")
    database.dispose()


def status_command() -> None:
    """List tenders with their status, deadline, lots and yearly value (no bid contents)."""
    from carepool.procurement import tendering

    database = open_database()
    with database.uow() as uow:
        rows = uow.session.query(TenderRow).order_by(TenderRow.ref).all()
        table = Table(title="Tenders")
        for column in ("reference", "title", "status", "deadline (UTC)", "lots", "yearly value today", "live bids"):
            table.add_column(column, justify="right" if column in ("lots", "yearly value today", "live bids") else
                             "left")
        for row in rows:
            view = tendering.view(uow, row, member=True)
            table.add_row(view.ref, view.title, view.status.value,
                          f"{view.deadline:%Y-%m-%d %H:%M}" if view.deadline else "", str(len(view.lots)),
                          str(view.annual_value), str(view.bid_count))
    console.print(table)
    database.dispose()


def demand_export_command(
    consortium: str = typer.Argument(..., help="Consortium name"),
    out: Path = typer.Option(Path("demand.xlsx"), "--out", help="Excel (.xlsx) or CSV file to write"),
) -> None:
    """Export a consortium's demand (the same columns the import reads)."""
    from carepool.procurement import io
    from carepool.procurement.model import DemandLine, from_cents

    database = open_database()
    with database.uow() as uow:
        row = _consortium(uow, consortium)
        lines = [DemandLine(d.member_code, d.service, d.locality_code, from_cents(d.weekly_quantity_cents),
                            d.baseline_price, d.current_provider)  # type: ignore[arg-type]
                 for d in uow.session.query(DemandRow).filter(DemandRow.consortium_id == row.id)
                 .order_by(DemandRow.member_code, DemandRow.service, DemandRow.locality_code,
                           DemandRow.current_provider)]
        io.write_demand(out, lines, _names(uow))
    console.print(f"wrote {out} ({len(lines)} lines)")
    database.dispose()


def lots_export_command(
    consortium: str = typer.Argument(..., help="Consortium name"),
    out: Path = typer.Option(Path("lots.xlsx"), "--out", help="Excel file to write"),
) -> None:
    """Export a consortium's lot plan and each member's share of each lot."""
    from carepool.procurement import io
    from carepool.procurement.service import lot_rows, stored_lot

    database = open_database()
    with database.uow() as uow:
        row = _consortium(uow, consortium)
        lots = [stored_lot(uow, r) for r in lot_rows(uow, consortium_id=row.id)]
        io.write_lots(out, lots, _names(uow))
    console.print(f"wrote {out} ({len(lots)} lots)")
    database.dispose()


def _consortium(uow: UnitOfWork, name: str) -> ConsortiumRow:
    row = uow.session.query(ConsortiumRow).filter(ConsortiumRow.name == name).one_or_none()
    if row is None:
        raise not_found(f"consortium {name!r}")
    return row


def _names(uow: UnitOfWork) -> dict[str, str]:
    names = {o.code: o.name for o in partners.list_organisations(uow=uow)}
    names.update({loc.code: loc.name for loc in partners.list_localities(uow=uow)})
    return names


def register(app: typer.Typer) -> None:
    """Add these commands to the `carepool tender` app."""
    app.command("ocds")(ocds_command)
    app.command("status")(status_command)
    app.command("demand-export")(demand_export_command)
    app.command("lots-export")(lots_export_command)
