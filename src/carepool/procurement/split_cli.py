"""`carepool tender split REF --as EMAIL`: the savings split of an awarded tender, for the members' finance teams.

Mount it on the `tender` Typer app with ``register(app)``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.table import Table

from carepool.audit.model import actor_label
from carepool.cli_support import AS_HELP, acting_as, console, count_bar, wide_console
from carepool.core.errors import CarepoolError

if TYPE_CHECKING:
    from carepool.procurement.splitting import SplitView

REF_HELP = "Tender reference, e.g. CP-2026-001"
ALONE_MARKS = {"infeasible": "cannot meet the rules", "dearer": "would cost more"}


def split_table(view: SplitView) -> Table:
    table = Table(title=f"Splitting the saving of {view.ref}: {view.total} a year")
    for column in ("member", "spend today", "saving alone", "as the prices fell", "proportional to spend",
                   "Shapley", "nucleolus", "pays in (+) / receives (-)"):
        table.add_column(column, justify="left" if column == "member" else "right")
    for m in view.members:
        alone = f"{m.alone} ({ALONE_MARKS[m.alone_status]})" if m.alone_status in ALONE_MARKS else str(m.alone)
        table.add_row(m.name, str(m.spend), alone, str(m.realised), str(m.proportional), str(m.shapley),
                      str(m.nucleolus), str(m.transfer))
    return table


def _groups(count: int) -> str:
    return "1 group" if count == 1 else f"{count:,} groups"


def print_split(view: SplitView, out: Console | None = None) -> None:
    from carepool.procurement.coalitions import reason_in_words

    out = out or wide_console()
    out.print(split_table(view))
    for verdict in view.verdicts:
        out.print(verdict)
    runs = len(view.groups) - 1
    how = (f"every group of members ({runs} awards run)" if view.method == "exact" else
           f"the groups along {view.orders} sampled orders of joining ({runs} awards run)")
    out.print(f"Worked out from {how} on {view.computed_at:%Y-%m-%d %H:%M} UTC by {actor_label(view.computed_by)}; "
              "each group tendering alone has the same bids and rules, on its own shares of the lots.")
    if view.not_awarded_alone:
        out.print(f"{_groups(len(view.not_awarded_alone))} could not award under the rules alone and "
                  f"{'is' if len(view.not_awarded_alone) == 1 else 'are'} counted at today's prices (saving nothing):")
        for group in view.not_awarded_alone[:5]:
            out.print(f"  {view.group_name(group.members)} {reason_in_words(group.note)}")
        if len(view.not_awarded_alone) > 5:
            out.print(f"  ... and {len(view.not_awarded_alone) - 5:,} more (the workbook lists every one)")
    if view.not_proven:
        out.print(f"{_groups(len(view.not_proven))}' awards were not proven optimal in the time allowed: what "
                  f"{'it' if len(view.not_proven) == 1 else 'they'} would save alone may be a little more.")
    if view.stale:
        out.print("[bold]The award has changed since: work the split out again.[/bold]")


def split_command(ref: str = typer.Argument(..., help=REF_HELP),
                  as_: str = typer.Option(..., "--as", help=AS_HELP),
                  stored: bool = typer.Option(False, "--stored", help="Show the split worked out before; run nothing"),
                  time_limit: float = typer.Option(10.0, "--time-limit", min=0.5,
                                                   help="Seconds for each group's award"),
                  workers: int = typer.Option(0, "--workers", min=0,
                                              help="Processes running the groups' awards (0: one per core, up to 4)"),
                  xlsx: Path | None = typer.Option(None, "--xlsx", help="Also write the split to this Excel file"),
                  ) -> None:
    """Work out what each member would have saved tendering alone, and split the tender's saving proportionally
    to spend, by the Shapley value and by the nucleolus, each checked against every group of members. Needs a
    member's finance team or the lead's procurement team (``--stored`` only reads: any user of a member)."""
    from carepool.procurement import split_workbook, splitting

    if stored:
        with acting_as(as_, reads_only=True) as (uow, caller):
            view = splitting.split_view(uow=uow, caller=caller, ref=ref)
        if view is None:
            raise CarepoolError(f"the savings split of tender {ref.strip().upper()} has not been worked out yet: "
                                "run this command without --stored", kind="not_found")
    else:
        with count_bar("awards of each group") as progress, acting_as(as_) as (uow, caller):
            view = splitting.compute(uow=uow, caller=caller, ref=ref, time_limit=time_limit,
                                     workers=workers or None, progress=progress)
    print_split(view)
    if xlsx is not None:
        xlsx.write_bytes(split_workbook.workbook(view))
        console.print(f"wrote {xlsx}")


def register(app: typer.Typer) -> None:
    app.command("split")(split_command)
