"""`carepool tender publish|edit|cancel|open|evaluate|confirm|contracts REF --as EMAIL`.

The tender lifecycle at the command line. Every command acts as a named user (``--as``): that
user's organisation and roles apply, the sealed-bid rules (no opening before the deadline) hold,
and the audit trail records the user, exactly as when they click the same button on the web.
Nothing here prints a bid's contents; ``open`` says how many bids were opened and which failed
their hash check.

Mount them on the `tender` Typer app with ``register(app)``.
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table

from carepool.cli_support import AS_HELP, acting_as, console
from carepool.core.errors import CarepoolError
from carepool.core.jsonfile import load_json
from carepool.core.money import percent
from carepool.core.periods import parse_day

if TYPE_CHECKING:
    from carepool.procurement.reports import AwardSummary
    from carepool.procurement.tendering import TenderView

# The services pull in the award optimiser (numpy, HiGHS): imported inside the commands, so
# `carepool --help` stays quick.

REF_HELP = "Tender reference, e.g. CP-2026-001"


def _when(moment: datetime | None) -> str:
    return "none" if moment is None else f"{moment:%Y-%m-%d %H:%M} UTC"


def _describe(view: TenderView) -> str:
    lots = ", ".join(s.lot.code for s in view.lots)
    return (f"{view.ref} is {view.status.value} (version {view.version}); deadline {_when(view.deadline)}; "
            f"{len(view.lots)} lots ({lots}); yearly value today {view.annual_value}")


def publish_command(ref: str = typer.Argument(..., help=REF_HELP),
                    as_: str = typer.Option(..., "--as", help=AS_HELP)) -> None:
    """Publish a draft tender: providers can bid until its deadline (at least 7 days away)."""
    from carepool.procurement import tendering

    with acting_as(as_) as (uow, caller):
        view = tendering.publish(uow=uow, caller=caller, ref=ref)
    console.print(f"published {_describe(view)}")


def _parse_day(text: str | None) -> date | None:
    return None if text is None else parse_day(text.strip(), what="--contract-start", example="2027-04-01")


def _parse_deadline(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.strip())
    except ValueError:
        raise CarepoolError(f"--deadline: {text!r} is not an ISO 8601 date and time; "
                            "give e.g. 2026-04-01T12:00:00+00:00") from None


def _read_rules(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    rules = load_json(path)
    if not isinstance(rules, dict):
        raise CarepoolError(f"{path}: expected a JSON object of award rules, e.g. {{\"max_share\": \"0.3\"}}")
    return rules


def edit_command(
    ref: str = typer.Argument(..., help=REF_HELP),
    as_: str = typer.Option(..., "--as", help=AS_HELP),
    deadline: str | None = typer.Option(None, "--deadline", help="New deadline, ISO 8601 with its time zone"),
    contract_start: str | None = typer.Option(None, "--contract-start", help="When the contracts start, e.g. "
                                              "2027-04-01 (the day after standstill if that is later); 'none' "
                                              "removes it"),
    title: str | None = typer.Option(None, "--title", help="New title"),
    description: str | None = typer.Option(None, "--description", help="New description"),
    rules: Path | None = typer.Option(None, "--rules", help="Award rules as a JSON object: only those given "
                                         "change, null removes one"),
    add_lot: list[str] = typer.Option([], "--add-lot", help="Code of a lot in the plan to add (repeatable)"),
    remove_lot: list[str] = typer.Option([], "--remove-lot", help="Code of a lot to put back in the plan "
                                         "(repeatable)"),
) -> None:
    """Edit a draft or published tender. On a published tender a real change invalidates every submitted bid
    and moves a deadline less than 7 days away to 7 days from now; an edit that changes nothing does neither."""
    from carepool.procurement import tendering

    new_rules, new_deadline = _read_rules(rules), _parse_deadline(deadline)
    clear_start = contract_start is not None and contract_start.strip().lower() == "none"
    start = None if clear_start else _parse_day(contract_start)
    if (title, description, new_rules, new_deadline, start) == (None,) * 5 and not (add_lot or remove_lot
                                                                                   or clear_start):
        raise CarepoolError("nothing to change: give --title, --description, --deadline, --contract-start, --rules, "
                            "--add-lot or --remove-lot")
    with acting_as(as_) as (uow, caller):
        view = tendering.update_tender(uow=uow, caller=caller, ref=ref, title=title, description=description,
                                       deadline=new_deadline, rules=new_rules, add_lots=add_lot,
                                       remove_lots=remove_lot, contract_start=start,
                                       clear_contract_start=clear_start)
    if not view.changed:
        console.print(f"nothing changed: {view.ref} already says that; no bid was invalidated")
        return
    console.print(f"edited {_describe(view)}")
    if view.contract_start_moved:
        console.print(f"the deadline moved out, so contracts now start {view.contract_start_moved:%Y-%m-%d}")
    if view.bids_invalidated:
        console.print(f"{view.bids_invalidated} submitted bids invalidated: their bidders must bid again")


def cancel_command(ref: str = typer.Argument(..., help=REF_HELP),
                   as_: str = typer.Option(..., "--as", help=AS_HELP),
                   reason: str = typer.Option(..., "--reason", help="Why (recorded in the audit trail)")) -> None:
    """Cancel a tender (up to evaluation)."""
    from carepool.procurement import tendering

    with acting_as(as_) as (uow, caller):
        view = tendering.cancel(uow=uow, caller=caller, ref=ref, reason=reason)
    console.print(f"cancelled {view.ref}: {reason.strip()}")


def open_command(ref: str = typer.Argument(..., help=REF_HELP),
                 as_: str = typer.Option(..., "--as", help=AS_HELP)) -> None:
    """Open the sealed bids after the deadline: each is checked against its receipt's SHA-256 (audited)."""
    from carepool.procurement import opening

    with acting_as(as_) as (uow, caller):
        result = opening.open_bids(uow=uow, caller=caller, ref=ref)
    console.print(f"opened {result.opened} bids of {ref.strip().upper()}; "
                  f"{len(result.tampered)} failed their hash check")
    for bid_ref, provider, problem in result.tampered:
        console.print(f"  bid {bid_ref} from {provider} excluded: {problem}")


def award_tables(summary: AwardSummary) -> list[Table]:
    """The award at a glance (against today's prices and "cheapest wins"), and each provider's share."""
    from carepool.procurement.award_rules import RULE_NAMES

    awarded, cheapest = summary.awarded, summary.cheapest
    overview = Table(title=f"Award of {summary.tender.ref}")
    overview.add_column("")
    overview.add_column("awarded", justify="right")
    overview.add_column("cheapest wins", justify="right")
    overview.add_column("today", justify="right")
    today = summary.today
    overview.add_row("yearly cost", str(awarded.total), str(cheapest.total), str(summary.baseline))
    overview.add_row("saving", f"{summary.saving} ({summary.saving_pct}%)", str(summary.baseline - cheapest.total),
                     "")
    overview.add_row("SME share of value", percent(awarded.sme_share), percent(cheapest.sme_share),
                     percent(today.market.sme_share) if today and today.sme_known else "")
    overview.add_row("concentration (HHI)", f"{awarded.hhi:,}", f"{cheapest.hhi:,}",
                     f"{today.market.hhi:,}" if today else "")
    overview.add_row("providers winning", str(awarded.winners), str(cheapest.winners),
                     str(today.market.winners) if today else "")
    overview.add_row("awards", str(len(summary.awards)), "", "")
    for rule, cost in summary.rule_costs.items():
        overview.add_row(f"cost of the {RULE_NAMES.get(rule, rule)}", str(cost), "", "")
    providers = Table(title="Providers")
    for column in ("provider", "SME", "yearly value", "share"):
        providers.add_column(column, justify="right" if column in ("yearly value", "share") else "left")
    smes = {a.provider_code for a in summary.awards if a.sme}
    for code, value in awarded.values.items():
        providers.add_row(f"{summary.names.get(code, code)} ({code})", "yes" if code in smes else "", str(value),
                          percent(awarded.shown_shares[code]))
    return [overview, providers]


def evaluate_command(ref: str = typer.Argument(..., help=REF_HELP),
                     as_: str = typer.Option(..., "--as", help=AS_HELP),
                     time_limit: float = typer.Option(30.0, "--time-limit", min=0.5,
                                                      help="Seconds the award optimiser may spend per run")) -> None:
    """Run the award under the tender's rules (with "cheapest wins" and each rule's cost) and show it."""
    from carepool.procurement import evaluation, reports

    with acting_as(as_) as (uow, caller):
        result = evaluation.evaluate(uow=uow, caller=caller, ref=ref, time_limit=time_limit)
        summary = reports.award_summary(uow=uow, caller=caller, ref=ref)
    assert summary is not None  # just evaluated
    for table in award_tables(summary):
        console.print(table)
    if summary.unawarded:
        console.print(f"no valid bid, left unawarded: {', '.join(summary.unawarded)}")
    if result["excluded"]:
        console.print(f"{len(result['excluded'])} bids below the quality floor were not considered")


def confirm_command(ref: str = typer.Argument(..., help=REF_HELP),
                    as_: str = typer.Option(..., "--as", help=AS_HELP)) -> None:
    """Confirm the award: bidders see their own result and the 10-day standstill starts."""
    from carepool.procurement import evaluation, tendering

    with acting_as(as_) as (uow, caller):
        evaluation.confirm(uow=uow, caller=caller, ref=ref)
        view = tendering.get_tender(uow=uow, caller=caller, ref=ref)
    console.print(f"confirmed the award of {view.ref}; standstill until {_when(view.standstill_ends)}")


def contracts_command(ref: str = typer.Argument(..., help=REF_HELP),
                      as_: str = typer.Option(..., "--as", help=AS_HELP)) -> None:
    """Make the call-off contracts (one per award) once the standstill is over."""
    from carepool.procurement import evaluation

    with acting_as(as_) as (uow, caller):
        count = evaluation.make_contracts(uow=uow, caller=caller, ref=ref)
    console.print(f"made {count} contracts for {ref.strip().upper()}")


def register(app: typer.Typer) -> None:
    """Add the lifecycle commands to the `carepool tender` app."""
    app.command("publish")(publish_command)
    app.command("edit")(edit_command)
    app.command("cancel")(cancel_command)
    app.command("open")(open_command)
    app.command("evaluate")(evaluate_command)
    app.command("confirm")(confirm_command)
    app.command("contracts")(contracts_command)
