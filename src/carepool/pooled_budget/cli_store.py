"""`carepool pool create|list|show|pay|monitor-import|forecast|report|settle-year|ledger`: stored agreements.

The command line holds the database, so it acts as an operator (``cli:<user>``) who may
see and change every agreement. ``create`` only proposes one (as a named partner user with
``--as``, whose organisation accepts it by proposing it); each partner accepts it with
``carepool pool accept ID --as EMAIL``. Variations are proposed and approved by partners'
users on the web, through the API, or with ``carepool pool variation ... --as EMAIL`` (cli_variations).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from carepool.cli_support import AS_HELP, acting_as, cli_actor, open_database, wide_console
from carepool.core.periods import parse_day
from carepool.pooled_budget import agreeing, monitoring, payments, reports, service, yearend
from carepool.pooled_budget.definition import read_definition
from carepool.pooled_budget.monitoring import Monitoring
from carepool.pooled_budget.monthly_io import month_in_year
from carepool.pooled_budget.positions import partner_table
from carepool.pooled_budget.schemas import MonitoringRead
from carepool.pooled_budget.values import parse_money
from carepool.pooled_budget.yearend import Statement

AgreementId = Annotated[int, typer.Argument(metavar="ID", help="The agreement's number (see `carepool pool list`).")]
JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for other programs.")]


def _operator() -> service.Operator:
    return service.Operator(cli_actor())


def create(file: Annotated[Path, typer.Argument(metavar="FILE", help="The agreement: .json or .xlsx.")],
           as_user: Annotated[str | None, typer.Option("--as", help=AS_HELP + "; their organisation accepts the "
                                                       "agreement by proposing it (without --as, nobody has yet)")]
           = None) -> None:
    """Propose an agreement (the same file `pool settle` reads, plus client groups); it takes effect when every
    partner has accepted it (`carepool pool accept ID --as EMAIL`)."""
    definition = read_definition(file)
    if as_user is None:
        database = open_database()
        with database.uow() as uow:
            created = agreeing.create(uow=uow, by=_operator(), definition=definition)
    else:
        with acting_as(as_user) as (uow, caller):
            created = agreeing.create(uow=uow, by=caller, definition=definition)
    stored = created.stored
    a = stored.agreement
    typer.echo(f"proposed agreement {stored.id}: {a.name} {a.year.label}, host {a.partner_name(a.host)}, "
               f"{len(a.schemes)} scheme{'s' if len(a.schemes) != 1 else ''}, budget {stored.budget}")
    for notice in created.notices:
        typer.echo(f"note: {notice}")
    typer.echo(f"waiting for {', '.join(stored.waiting_for)} to accept it (carepool pool accept {stored.id} --as "
               "EMAIL); its ledger accounts are opened and contributions posted as due when every partner has")
    if definition.given_actual:
        typer.echo(f"note: the file's actual spend ({definition.given_actual}) was not loaded; record monthly "
                   f"figures with `carepool pool monitor-import {stored.id} FILE` once it is active")


def list_command() -> None:
    """Every stored agreement."""
    database = open_database()
    with database.uow() as uow:
        found = service.list_agreements(uow=uow, by=_operator())
    table = Table(title="Pooled budget agreements")
    for column in ("id", "agreement", "year", "host", "partners", "budget", "status"):
        table.add_column(column, justify="right" if column in ("id", "budget") else "left")
    for s in found:
        a = s.agreement
        table.add_row(str(s.id), a.name, a.year.label, a.host, ", ".join(a.codes), str(s.budget), s.status)
    wide_console().print(table)


def _monitor(agreement_id: int, as_at: str | None) -> tuple[Monitoring, Statement | None]:
    database = open_database()
    with database.uow() as uow:
        month = None
        if as_at is not None:
            stored = service.get(uow=uow, agreement_id=agreement_id, by=_operator())
            month = month_in_year(as_at, stored.agreement.year)
        m = monitoring.monitor(uow=uow, by=_operator(), agreement_id=agreement_id, as_at=month)
        return m, yearend.statement(uow=uow, stored=m.stored)


def _print_monitoring(m: Monitoring, statement: Statement | None) -> None:
    out, f, a = wide_console(), m.forecast, m.stored.agreement
    out.print(f"[bold]{a.name}[/bold] {a.year.label} (agreement {m.stored.id}, host {a.partner_name(a.host)}, "
              f"{m.stored.status}): as at {f.as_at_label}")
    table = Table(title="Schemes (variance: + over, − under)", title_justify="left", show_footer=True)
    table.add_column("scheme", footer="Total")
    for title, attr in (("budget", "budget"), ("actual to date", "actual_to_date"), ("commitments", "commitments"),
                        ("forecast outturn", "forecast"), ("variance", "variance")):
        table.add_column(title, justify="right", footer=str(f.total(attr)))
    table.add_column("forecast from")
    for s in f.schemes:
        table.add_row(f"{s.name} ({s.id})", str(s.budget), str(s.actual_to_date), str(s.commitments),
                      str(s.forecast), str(s.variance), s.basis)
    out.print(table)
    table = partner_table(m, statement)  # the settled view once settled, as the overview page shows
    partners = Table(title=table.title, title_justify="left")
    partners.add_column("partner", no_wrap=True)
    for column in table.columns:
        partners.add_column(column.label, justify="right")
    for code, name, amounts in table.rows:
        partners.add_row(f"{name} ({code})", *map(str, amounts))
    out.print(partners)
    for line in f.outcome.explanation():
        out.print(f"- {line}", markup=False, soft_wrap=True)


def show(agreement_id: AgreementId, as_json: JsonFlag = False) -> None:
    """One agreement: schemes, partners, the forecast as it stands."""
    m, statement = _monitor(agreement_id, None)
    if as_json:
        typer.echo(MonitoringRead.of(m).model_dump_json(indent=2))
        return
    _print_monitoring(m, statement)


def forecast(agreement_id: AgreementId,
             as_at: Annotated[str | None, typer.Option("--as-at", help="Forecast as at a month, e.g. 2025-09.")] = None,
             as_json: JsonFlag = False) -> None:
    """Forecast outturn per scheme and each partner's forecast share, explained in plain words."""
    m, statement = _monitor(agreement_id, as_at)
    if as_json:
        typer.echo(MonitoringRead.of(m).model_dump_json(indent=2))
    else:
        _print_monitoring(m, statement)


def pay(agreement_id: AgreementId, partner: Annotated[str, typer.Option(help="The paying partner's code.")],
        amount: Annotated[str, typer.Option(help="In pounds, e.g. 4500000.00.")],
        on: Annotated[str, typer.Option(help="Date received, e.g. 2025-04-15.")],
        reference: Annotated[str, typer.Option(help="Your reference; the same one twice is one payment.")],
        kind: Annotated[str, typer.Option(help="contribution, or settlement once settled.")] = "contribution") -> None:
    """Record a payment into the pool bank (e.g. a quarterly instalment)."""
    day = parse_day(on, what="--on")
    database = open_database()
    with database.uow() as uow:
        payment = payments.record_payment(uow=uow, by=_operator(), agreement_id=agreement_id, partner=partner,
                                         amount=parse_money(amount), on=day, reference=reference, kind=kind)
        name = service.get(uow=uow, agreement_id=agreement_id, by=_operator()).agreement.partner_name(payment.partner)
    typer.echo(payment.words(f"{name} ({payment.partner})"))


def monitor_import(
    agreement_id: AgreementId,
    files: Annotated[list[Path], typer.Argument(metavar="FILE...", help="CSV or Excel exports.")],
) -> None:
    """Import monthly actuals and commitments from one or more ledger exports, all or nothing."""
    database = open_database()
    with database.uow() as uow:
        summary = monitoring.import_files(uow=uow, by=_operator(), agreement_id=agreement_id, paths=files)
    typer.echo(summary.words())


def report(agreement_id: AgreementId,
           kind: Annotated[str, typer.Argument(
               help="monitoring, position (with --partner), bcf-return, register, settlement, statement, ledger "
                    "(Beancount), ledger-csv or ledger-xlsx (the postings, to reconcile).")],
           out: Annotated[Path | None, typer.Option("--out", help="File or folder to write (default: here).")] = None,
           as_at: Annotated[str | None, typer.Option("--as-at", help="Figures as at a month, e.g. 2025-09.")] = None,
           partner: Annotated[str | None, typer.Option("--partner", help="The partner a position is for.")] = None,
           ) -> None:
    """Write a report: the monitoring workbook, one partner's position, the BCF-style return, the register row,
    the settlement or ledger."""
    database = open_database()
    with database.uow() as uow:
        month = None
        if as_at is not None:
            stored = service.get(uow=uow, agreement_id=agreement_id, by=_operator())
            month = month_in_year(as_at, stored.agreement.year)
        built = reports.build(uow=uow, by=_operator(), agreement_id=agreement_id, kind=kind, as_at=month,
                              partner=partner)
    path = out or Path(built.filename)
    if path.is_dir():
        path = path / built.filename
    path.write_bytes(built.content)
    typer.echo(f"wrote {path}")


def settle_year(agreement_id: AgreementId, as_json: JsonFlag = False) -> None:
    """Settle the year: each partner's final cost and what it owes or is owed, posted to the ledger once."""
    database = open_database()
    with database.uow() as uow:
        statement = yearend.settle_year(uow=uow, by=_operator(), agreement_id=agreement_id)
    if as_json:
        typer.echo(json.dumps(statement.to_json(), indent=2, ensure_ascii=False))
        return
    out = wide_console()
    table = Table(title=f"Settlement of agreement {agreement_id}", title_justify="left")
    for title in ("partner", "contribution", "overspend share", "underspend share", "final cost", "paid",
                  "owes (+) / owed (−)"):
        table.add_column(title, justify="left" if title == "partner" else "right")
    for p in statement.partners:
        table.add_row(f"{p.name} ({p.code})", str(p.contribution), str(p.overspend_share), str(p.underspend_share),
                      str(p.final_cost), str(p.paid), str(p.balance))
    out.print(table)
    for line in statement.explanation:
        out.print(f"- {line}", markup=False, soft_wrap=True)


def ledger(agreement_id: AgreementId,
           out: Annotated[Path | None, typer.Option("--out", help="Write to a file instead of the screen.")] = None,
           ) -> None:
    """The agreement's ledger as Beancount text (check it with bean-check; reconcile with your own system)."""
    database = open_database()
    with database.uow() as uow:
        text = service.ledger_export(uow=uow, by=_operator(), agreement_id=agreement_id)
    if out is None:
        typer.echo(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")


def register(app: typer.Typer) -> None:
    app.command("create")(create)
    app.command("list")(list_command)
    app.command("show")(show)
    app.command("pay")(pay)
    app.command("monitor-import")(monitor_import)
    app.command("forecast")(forecast)
    app.command("report")(report)
    app.command("settle-year")(settle_year)
    app.command("ledger")(ledger)
