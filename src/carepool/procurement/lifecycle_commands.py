"""`carepool tender publish|edit|cancel|open|evaluate|summary|confirm|contracts REF --as EMAIL`.

The tender lifecycle at the command line. Every command acts as a named user (``--as``): that
user's organisation and roles apply, the sealed-bid rules (no opening before the deadline) hold,
and the audit trail records the user, exactly as when they click the same button on the web.
Nothing here prints a bid's contents; ``open`` says how many bids were opened and which failed
their hash check. ``summary`` shows an evaluated tender's award as its page does (the tables ``evaluate``
prints too) without running the award again.

Mount them on the `tender` Typer app with ``register(app)``.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from rich.table import Table
from rich.text import Text

from carepool.cli_support import AS_HELP, acting_as, console, count_bar, wide_console
from carepool.core.errors import CarepoolError
from carepool.core.jsonfile import load_json
from carepool.core.money import Money, percent
from carepool.core.periods import parse_day
from carepool.procurement.model import TenderStatus

if TYPE_CHECKING:
    from carepool.db.uow import UnitOfWork
    from carepool.partners.model import Caller
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


WORD_COLUMNS = frozenset({"", "rule", "lot", "member", "provider", "decided by", "contract", "term"})


def _table(title: str, *columns: str, header: bool = True) -> Table:
    """A table of words (``WORD_COLUMNS``, left-aligned) and figures (right-aligned): on a narrow terminal the
    words wrap (a long word folds, never cut short with "…") and the figures stay whole."""
    table = Table(title=title, title_justify="left", show_header=header)
    for column in columns:
        words = column in WORD_COLUMNS
        table.add_column(column, justify="left" if words else "right", overflow="fold", no_wrap=not words)
    return table


def _row(table: Table, *cells: str) -> None:
    table.add_row(*(Text(cell) for cell in cells))  # as text: a name or a reason with [brackets] is not markup


def _by_hand(summary: AwardSummary) -> bool:
    return any(a.source == "override" for a in summary.awards)


def _headline(summary: AwardSummary) -> Table:
    """The page's cards: yearly cost today and awarded, the saving, what "cheapest wins" would cost."""
    table = _table(f"Award of {summary.tender.ref} ({summary.tender.status.value})", "", "figure", header=False)
    _row(table, "yearly cost today", str(summary.baseline))
    _row(table, "yearly cost awarded", str(summary.awarded.total))
    _row(table, "yearly saving", f"{summary.saving} ({summary.saving_pct}%)")
    _row(table, "cheapest wins would cost", str(summary.cheapest.total))
    _row(table, "awards", str(len(summary.awards)))
    return table


def _market_health(summary: AwardSummary) -> Table:
    """Today (when members named their current providers), cheapest wins and awarded, in the page's order."""
    today, cheapest, awarded = summary.today, summary.cheapest, summary.awarded
    table = _table("Market health", "", *(["today"] if today else []), "cheapest wins", "awarded")
    rows = [["yearly cost", str(cheapest.total), str(awarded.total)],
            ["concentration (HHI)", f"{cheapest.hhi:,}", f"{awarded.hhi:,}"],
            ["SME share of value", percent(cheapest.sme_share), percent(awarded.sme_share)],
            ["providers winning", str(cheapest.winners), str(awarded.winners)]]
    if today is not None:
        for row, now in zip(rows, (str(today.whole), f"{today.market.hhi:,}", percent(today.market.sme_share)
                                   if today.sme_known else "not known", str(today.market.winners)), strict=True):
            row.insert(1, now)
    for row in rows:
        _row(table, *row)
    return table


def _rule_costs(summary: AwardSummary) -> Table | None:
    from carepool.procurement.award_rules import RULE_NAMES

    if not summary.rule_costs:
        return None
    before = ", as the optimiser ran it, before the changes by hand" if _by_hand(summary) else ""
    table = _table(f"What each rule costs a year (award with all rules minus award without that one{before})",
                   "rule", "yearly cost")
    for rule, cost in summary.rule_costs.items():
        _row(table, RULE_NAMES.get(rule, rule), str(cost))
    return table


def _by_lot(summary: AwardSummary) -> Table:
    table = _table("Yearly cost by lot: today's prices and awarded", "lot", "hours a week", "today", "awarded",
                   "difference", "providers")
    for lot in summary.lots:
        unawarded = lot.code in summary.unawarded
        _row(table, lot.code, f"{lot.weekly_quantity:,.2f}", str(lot.baseline_annual),
             "not awarded" if unawarded else str(lot.awarded_annual),
             "" if unawarded else str(lot.awarded_annual - lot.baseline_annual), str(lot.providers))
    table.add_section()
    _row(table, "total (lots awarded)", "", str(summary.baseline), str(summary.awarded.total),
         str(summary.awarded.total - summary.baseline), "")
    return table


def _savings(summary: AwardSummary) -> Table:
    table = _table("Savings by member (yearly): its share of each lot at its own price today, against its share of "
                   "the awarded cost", "member", "today", "awarded", "saving", "%")
    for member in summary.savings:
        _row(table, summary.names.get(member.member, member.member), str(member.baseline), str(member.awarded),
             str(member.saving), f"{member.saving_pct}%")
    table.add_section()
    _row(table, "total", str(summary.baseline), str(summary.awarded.total), str(summary.saving),
         f"{summary.saving_pct}%")
    return table


def _providers(summary: AwardSummary) -> Table:
    """Each provider's share today, under cheapest wins and awarded (each column adds up to 100%)."""
    markets = [*([summary.today.market] if summary.today else []), summary.cheapest, summary.awarded]
    table = _table("Provider shares of yearly value (to 0.1%, each column adding up to 100%)", "provider",
                   *(["today"] if summary.today else []), "cheapest wins", "awarded", "yearly value awarded")
    for code in dict.fromkeys(code for market in reversed(markets) for code in market.values):  # as the page
        _row(table, f"{summary.names.get(code, code)} ({code})",
             *(percent(market.shown_shares.get(code, Decimal(0))) for market in markets),
             str(summary.awarded.values.get(code, Money(0))))
    table.add_section()
    _row(table, "total", *(percent(market.shown_shares_total) for market in markets), str(summary.awarded.total))
    return table


def _awards(summary: AwardSummary) -> Table:
    contracts = any(a.contract_ref for a in summary.awards)
    terms = {(a.start, a.end) for a in summary.awards if a.contract_ref}
    one_term = f", each from {min(terms)[0]} to {min(terms)[1]}" if len(terms) == 1 else ""
    table = _table(("Awards and call-off contracts" + one_term if contracts else "Awards") + " (yearly value: hours "
                   "a week × price an hour × 52)", "lot", "provider", "hours a week", "price an hour", "yearly value",
                   "decided by", *(["contract"] if contracts else []), *(["term"] if len(terms) > 1 else []))
    for a in summary.awards:
        contract = [a.contract_ref or ""] if contracts else []
        term = [f"{a.start} to {a.end}" if a.contract_ref else ""] if len(terms) > 1 else []
        _row(table, a.lot_code, a.provider_name + (" (SME)" if a.sme else ""), f"{a.weekly_quantity:,.2f}",
             str(a.price), str(a.annual_value), a.source + (f": {a.reason}" if a.reason else ""), *contract, *term)
    return table


def award_report(summary: AwardSummary) -> list[Table | str]:
    """What the tender's award page tells, in its order: warnings, the headline figures, market health, each rule's
    cost, cost by lot, savings by member, provider shares, the awards, the lots left unawarded, the bids excluded."""
    warnings: list[str] = []
    if _by_hand(summary):
        warnings.append("changed by hand after the optimiser ran: the reason for each lot is in the awards table")
    if summary.rules_broken:
        warnings.append(f"this award breaks {len(summary.rules_broken)} of the tender's published rules (the "
                        "optimiser's award keeps them all; a losing bidder may challenge a departure):")
        warnings += [f"  - {rule}" for rule in summary.rules_broken]
    if summary.today is not None and summary.today.named < 1:  # said first, as the page does, not in small print
        warnings.append(f"today's market is from the {percent(summary.today.named)} of today's value whose current "
                        "provider the members named: its concentration, SME share, providers winning and provider "
                        "shares are of that part alone, so they cannot be set against cheapest wins and awarded, "
                        "which cover all of it")
    notes: list[str] = []
    if summary.today is None:
        notes.append("name each demand line's current provider (the demand file's current_provider column) to "
                     "compare the award with the market today")
    if summary.unawarded:
        notes.append(f"no valid bid, so not awarded (unsuccessful): {', '.join(summary.unawarded)}; these lots stay "
                     "out of the savings")
    if summary.excluded:
        notes.append("not considered (below the quality floor): " + ", ".join(
            f"bid {e['bid']} ({summary.names.get(e['provider'], e['provider'])}, {e['lot']})"
            for e in summary.excluded))
    tables = [_headline(summary), _market_health(summary), _rule_costs(summary), _by_lot(summary),
              _savings(summary), _providers(summary), _awards(summary)]
    return [*warnings, *(table for table in tables if table is not None), *notes]


def print_award(summary: AwardSummary) -> None:
    """Print ``award_report``: tables as tables, lines as plain text (never read as markup)."""
    out = wide_console()
    for part in award_report(summary):
        if isinstance(part, str):
            out.print(part, markup=False, soft_wrap=True)
        else:
            out.print(part)


def _award_summary(uow: UnitOfWork, caller: Caller, ref: str) -> AwardSummary:
    """The tender's award summary as its page shows it; refused as the page is (members only), and an error
    saying what to run when the tender has no award yet."""
    from carepool.procurement import reports, tendering

    summary = reports.award_summary(uow=uow, caller=caller, ref=ref)
    if summary is not None:
        return summary
    view = tendering.get_tender(uow=uow, caller=caller, ref=ref)
    if view.status is TenderStatus.CANCELLED:
        raise CarepoolError(f"tender {view.ref} is cancelled: it has no award", kind="conflict")
    evaluate = f"`carepool tender evaluate {view.ref} --as EMAIL` (a procurement lead of the consortium)"
    steps = {TenderStatus.DRAFT: f"publish it, and after its deadline open the bids and run {evaluate}",
             TenderStatus.PUBLISHED: f"after its deadline open the bids (`carepool tender open {view.ref} --as "
                                     f"EMAIL`), then run {evaluate}"}
    raise CarepoolError(f"tender {view.ref} has not been evaluated yet (it is {view.status.value}): "
                        f"{steps.get(view.status, f'run {evaluate}')}", kind="conflict")


def evaluate_command(ref: str = typer.Argument(..., help=REF_HELP),
                     as_: str = typer.Option(..., "--as", help=AS_HELP),
                     time_limit: float = typer.Option(30.0, "--time-limit", min=0.5,
                                                      help="Seconds the award optimiser may spend per run")) -> None:
    """Run the award under the tender's rules (with "cheapest wins" and each rule's cost) and show it."""
    from carepool.procurement import evaluation

    with count_bar("optimiser runs (the award, cheapest wins, one without each rule)") as progress, \
            acting_as(as_) as (uow, caller):
        evaluation.evaluate(uow=uow, caller=caller, ref=ref, time_limit=time_limit, progress=progress)
        summary = _award_summary(uow, caller, ref)
    print_award(summary)


def summary_command(ref: str = typer.Argument(..., help=REF_HELP),
                    as_: str = typer.Option(..., "--as", help=AS_HELP)) -> None:
    """Show the award summary of an evaluated (or awarded, or contracted) tender as its page does, without running
    the award again. Consortium members only."""
    with acting_as(as_, reads_only=True) as (uow, caller):
        summary = _award_summary(uow, caller, ref)
    print_award(summary)


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
    app.command("summary")(summary_command)
    app.command("confirm")(confirm_command)
    app.command("contracts")(contracts_command)
