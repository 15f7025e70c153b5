"""`carepool pool variation list|propose|approve|reject|withdraw ID ... --as EMAIL`,
`carepool pool accept|decline ID --as EMAIL` (a partner accepts a proposed agreement, or declines it
with ``--reason``) and `carepool pool sign ID --as EMAIL --title ROLE` (a partner signs the settled
year's statement).

A variation changes contributions or risk-share rules and takes effect only when every partner has
approved it. Each command acts as a named partner user (``--as``): that user's organisation approves,
its roles are checked, and the audit trail names the user, as on the web. ``list`` reads as the
operator (the command line holds the database).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carepool.cli_support import AS_HELP, acting_as, cli_actor, console, open_database
from carepool.core.jsonfile import load_json
from carepool.pooled_budget import agreeing, service, signoff, variations
from carepool.pooled_budget.changes import changes_from_json

app = typer.Typer(help="Variations: propose a change; it takes effect when every partner approves it.",
                  no_args_is_help=True)
AgreementId = Annotated[int, typer.Argument(metavar="ID", help="The agreement's number (see `carepool pool list`).")]
Number = Annotated[int, typer.Argument(metavar="N", help="The variation's number (see `... variation list ID`).")]
AsUser = Annotated[str, typer.Option("--as", help=AS_HELP)]


def _say(v: variations.Variation) -> None:
    waiting = f"; waiting for {', '.join(v.waiting_for)}" if v.waiting_for else ""
    console.print(f"variation {v.number} is {v.status}{waiting}", markup=False)
    for line in v.lines:
        console.print(f"  {line}", markup=False)


@app.command("list")
def list_command(agreement_id: AgreementId) -> None:
    """Every variation of an agreement, newest first, with who decided what and when."""
    database = open_database()
    with database.uow() as uow:
        stored = service.get(uow=uow, agreement_id=agreement_id, by=service.Operator(cli_actor()))
        found = variations.list_variations(uow=uow, stored=stored)
    if not found:
        console.print("no variations yet")
    for v in found:
        # partners' own words: printed as they are, never read as Rich markup
        console.print(f"variation {v.number}: {v.status}, proposed by {v.proposed_by} ({v.proposed_org}) "
                      f"on {v.proposed_at:%Y-%m-%d %H:%M} UTC: {v.description}", markup=False)
        for line in v.lines:
            console.print(f"  {line}", markup=False)
        for d in v.decisions:
            console.print(f"  {d.partner_name}: {d.decision} by {d.by} on {d.at:%Y-%m-%d %H:%M} UTC", markup=False)
        if v.waiting_for:
            console.print(f"  waiting for {', '.join(v.waiting_for)}", markup=False)


@app.command("propose")
def propose(agreement_id: AgreementId, as_user: AsUser,
            description: Annotated[str, typer.Option(help="Why the variation is needed.")],
            changes: Annotated[Path, typer.Option(help="JSON list of changes, as the API takes them, e.g. "
                                                  '[{"kind": "move", "partner": "QRV", "from": "REAB", "to": '
                                                  '"ICES", "amount": "200000.00"}].')]) -> None:
    """Propose a variation (contributions moved or set, or a scheme's risk-share rules)."""
    parsed = changes_from_json(load_json(changes))
    with acting_as(as_user) as (uow, caller):
        _say(variations.propose(uow=uow, by=caller, agreement_id=agreement_id, description=description,
                                changes=parsed))


def _decide(agreement_id: int, number: int, as_user: str, decision: str) -> None:
    with acting_as(as_user) as (uow, caller):
        _say(variations.decide(uow=uow, by=caller, agreement_id=agreement_id, number=number, decision=decision))


@app.command("approve")
def approve(agreement_id: AgreementId, number: Number, as_user: AsUser) -> None:
    """Approve for the user's organisation; the last partner's approval applies the variation."""
    _decide(agreement_id, number, as_user, "approve")


@app.command("reject")
def reject(agreement_id: AgreementId, number: Number, as_user: AsUser) -> None:
    """Reject for the user's organisation: the variation ends, nothing changes."""
    _decide(agreement_id, number, as_user, "reject")


@app.command("withdraw")
def withdraw(agreement_id: AgreementId, number: Number, as_user: AsUser) -> None:
    """Withdraw a variation the user's organisation proposed, before it is decided."""
    with acting_as(as_user) as (uow, caller):
        _say(variations.withdraw(uow=uow, by=caller, agreement_id=agreement_id, number=number))


def sign(agreement_id: AgreementId, as_user: AsUser,
         title: Annotated[str, typer.Option("--title", help="The role the user signs in, e.g. 'Director of "
                                                           "Finance'.")]) -> None:
    """Sign the settled year's statement for the user's organisation (a finance officer or admin; once)."""
    with acting_as(as_user) as (uow, caller):
        done = signoff.sign_statement(uow=uow, by=caller, agreement_id=agreement_id, title=title)
    console.print(f"{caller.organisation_name} signed the statement of agreement {agreement_id}: {done.name}, "
                  f"{done.title}, {done.signed_at:%Y-%m-%d %H:%M} UTC", markup=False)


def _say_agreement(stored: service.StoredAgreement) -> None:
    a = stored.agreement
    if stored.proposed:
        said = f"proposed; waiting for {', '.join(stored.waiting_for)}"
    elif stored.declined_by is not None:
        said = f"declined by {stored.declined_by.partner} ({stored.declined_by.reason}); it never took effect"
    else:
        said = f"{stored.status}: every partner accepted it; ledger accounts {stored.chart.prefix}:* opened"
    console.print(f"agreement {stored.id} ({a.name} {a.year.label}) is {said}", markup=False, soft_wrap=True)


def accept(agreement_id: AgreementId, as_user: AsUser) -> None:
    """Accept a proposed agreement for the user's organisation; the last partner's acceptance makes it active."""
    with acting_as(as_user) as (uow, caller):
        _say_agreement(agreeing.decide(uow=uow, by=caller, agreement_id=agreement_id, decision="accept"))


def decline(agreement_id: AgreementId, as_user: AsUser,
            reason: Annotated[str, typer.Option(help="Why the user's organisation declines (the partners see it).")]
            ) -> None:
    """Decline a proposed agreement for the user's organisation: it never takes effect."""
    with acting_as(as_user) as (uow, caller):
        _say_agreement(agreeing.decide(uow=uow, by=caller, agreement_id=agreement_id, decision="decline",
                                       reason=reason))


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="variation")
    parent.command("accept")(accept)
    parent.command("decline")(decline)
    parent.command("sign")(sign)
