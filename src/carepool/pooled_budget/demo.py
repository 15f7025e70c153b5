"""Demo step: a Better Care Fund style pool hosted by Brent with NHS North West London ICB, run through 2025/26.

Contributions, rules and monthly spend are ILLUSTRATIVE (seeded, deterministic): about £39.5m
in five schemes with a mix of rules and a contingency; Reablement overspends through the winter.
Brent proposes the agreement and the ICB accepts it, so it takes effect. Both ledgers' exports
are imported half a year at a time, the ICB moves £200,000 from Community equipment to
Reablement by a variation both partners approve, and the year is settled.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from carepool.core.clock import FixedClock
from carepool.core.errors import CarepoolError
from carepool.core.money import Money, allocate_int
from carepool.core.periods import FinancialYear
from carepool.db.engine import Database
from carepool.demo import data
from carepool.partners import access
from carepool.partners.model import Caller
from carepool.pooled_budget import agreeing, monitoring, payments, reports, service, variations, yearend
from carepool.pooled_budget.changes import MoveContribution
from carepool.pooled_budget.definition import definition_from_json
from carepool.pooled_budget.forecast import MonthFigure
from carepool.pooled_budget.monthly_io import write_figures

TITLE = "Running the Better Care Fund pool hosted by Brent through 2025/26"
BRENT, ICB = "E09000005", data.ICB.code
YEAR = FinancialYear(2025)
SEED = 2526
# id, name, client group, Brent, ICB (pounds), overspend rule, underspend rule,
# outturn as thousandths of budget, Brent's share of the spend (thousandths), winter ramp (thousandths)
SCHEMES: list[tuple[Any, ...]] = [
    ("REAB", "Reablement", "Older people", 3_600_000, 5_400_000,
     {"rule": "fixed", "shares": {BRENT: "0.6", ICB: "0.4"}}, {"rule": "proportional"}, 1140, 400, 60),
    ("ICES", "Community equipment", "Physical disability", 1_500_000, 1_500_000,
     {"rule": "proportional"}, {"rule": "proportional"}, 915, 500, 10),
    ("LDP", "Learning disability placements", "Learning disability", 10_800_000, 7_200_000,
     {"rule": "capped", "base": "proportional", "caps": {ICB: "250000.00"}, "excess": "host"},
     {"rule": "proportional"}, 990, 600, 0),
    ("CARERS", "Carers support", "Carers", 720_000, 480_000,
     {"rule": "lead", "partner": BRENT}, {"rule": "lead", "partner": BRENT}, 950, 1000, 0),
    ("D2A", "Discharge to assess", "Older people", 2_500_000, 5_000_000,
     {"rule": "proportional"}, {"rule": "carry_forward"}, 960, 300, 40),
]
CONTINGENCY = 400_000  # from each partner


def agreement_json() -> dict[str, Any]:
    """The agreement in the `carepool pool settle` JSON contract, with client groups."""
    return {
        "agreement": "Brent Better Care Fund pooled budget", "year": YEAR.label, "host": BRENT,
        "partners": [{"code": BRENT, "name": "London Borough of Brent"}, {"code": ICB, "name": data.ICB.name}],
        "offset_across_schemes": False,
        "contingency": {"amount": f"{2 * CONTINGENCY}.00", "funded": {BRENT: f"{CONTINGENCY}.00",
                                                                      ICB: f"{CONTINGENCY}.00"}},
        "schemes": [{"id": sid, "name": name, "client_group": group,
                     "contributions": {BRENT: f"{brent}.00", ICB: f"{icb}.00"}, "overspend": over, "underspend": under}
                    for sid, name, group, brent, icb, over, under, *_ in SCHEMES],
    }


def monthly_figures(seed: int = SEED) -> list[MonthFigure]:
    """A year of spend per scheme, month and ledger: winter pressure, a little noise, exact pence."""
    rng = random.Random(seed)
    found = []
    for sid, _name, _group, brent, icb, _over, _under, outturn, brent_share, ramp in SCHEMES:
        budget = (brent + icb) * 100
        for month in range(1, 13):
            shape = 1000 + ramp * (2 * month - 13) // 11 + rng.randint(-15, 15)
            pence = budget * outturn // 1000 * shape // 12_000
            by_brent, by_icb = allocate_int(pence, [brent_share, 1000 - brent_share])
            commitments = allocate_int(pence * rng.randint(20, 60) // 1000, [brent_share, 1000 - brent_share])
            for source, actual, committed in ((BRENT, by_brent, commitments[0]), (ICB, by_icb, commitments[1])):
                if actual:
                    found.append(MonthFigure(sid, month, source, Money(actual), Money(committed)))
    return found


@dataclass(frozen=True)
class DemoResult:
    agreement_id: int
    mid_year: monitoring.Monitoring
    statement: yearend.Statement
    files: list[Path]


def _caller(database: Database, email: str) -> Caller:
    with database.uow() as uow:
        try:
            return access.authenticate(uow=uow, email=email, password=data.DEMO_PASSWORD)
        except CarepoolError:
            raise CarepoolError(f"the pooled budget demo needs the demo user {email}; load the demo users first",
                                kind="not_found") from None


def _write_exports(folder: Path, figures: list[MonthFigure], months: range, label: str) -> list[Path]:
    names = {s[0]: s[1] for s in SCHEMES}
    chosen = [f for f in figures if f.month in months]
    brent = folder / f"brent-ledger-{label}.xlsx"
    icb = folder / f"nwl-icb-ledger-{label}.csv"
    write_figures(brent, [f for f in chosen if f.source == BRENT], YEAR, names=names)
    write_figures(icb, [f for f in chosen if f.source == ICB], YEAR, names=names)
    return [brent, icb]


def _save(folder: Path, report: reports.Report, name: str | None = None) -> Path:
    path = folder / (name or report.filename)
    path.write_bytes(report.content)
    return path


def run(database: Database, out_dir: Path) -> DemoResult:
    """The year on a simulated clock, so the pool's History reads as the year did: proposed and accepted in March
    2025, funded quarterly, monitored in October, varied in November, settled in May 2026."""
    clock = FixedClock(datetime(2025, 3, 17, 10, 0, tzinfo=UTC))
    with database.on_clock(clock) as walked:
        return _run(walked, clock, out_dir)


def _run(database: Database, clock: FixedClock, out_dir: Path) -> DemoResult:
    priya, marcus = _caller(database, "priya@brent.demo"), _caller(database, "marcus@nwl-icb.demo")
    folder = out_dir / "pooled-budget"
    imports = folder / "ledger-exports"
    imports.mkdir(parents=True, exist_ok=True)
    with database.uow() as uow:  # Brent proposes the agreement (and so signs it) ...
        pool = agreeing.create(uow=uow, by=priya, definition=definition_from_json(agreement_json())).stored.id
    clock.advance(days=1, hours=4)
    with database.uow() as uow:  # ... and the ICB accepts it the next day: it takes effect, contributions fall due
        stored = agreeing.decide(uow=uow, by=marcus, agreement_id=pool, decision="accept")
    for quarter, day in enumerate((date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1), date(2026, 1, 2))):
        clock.now = datetime(day.year, day.month, day.day, 11, 0, tzinfo=UTC)
        for code, total in service.contribution_totals(stored.agreement).items():
            with database.uow() as uow:
                payments.record_payment(uow=uow, by=priya, agreement_id=pool, partner=code,
                                       amount=total.allocate([1, 1, 1, 1])[quarter], on=day,
                                       reference=f"Q{quarter + 1}-{code}")
    figures = monthly_figures()
    first_half = _write_exports(imports, figures, range(1, 7), "2025-04-to-2025-09")
    clock.now = datetime(2025, 10, 14, 9, 30, tzinfo=UTC)
    with database.uow() as uow:
        monitoring.import_files(uow=uow, by=priya, agreement_id=pool, paths=first_half)
    clock.advance(hours=1)
    with database.uow() as uow:
        mid_year = monitoring.monitor(uow=uow, by=priya, agreement_id=pool)
        mid_report = reports.build(uow=uow, by=priya, agreement_id=pool, kind="monitoring")
    files = [*first_half, _save(folder, mid_report, "monitoring-2025-09.xlsx")]
    move = MoveContribution(ICB, "ICES", "REAB", Money.parse("200000.00"))
    clock.now = datetime(2025, 11, 3, 14, 0, tzinfo=UTC)
    with database.uow() as uow:
        variations.propose(uow=uow, by=priya, agreement_id=pool, changes=[move],
                           description="Reablement is under winter pressure and equipment is underspending: "
                                       "move £200,000 of the ICB's contribution")
    for approver in (priya, marcus):
        clock.advance(days=2, hours=2)
        with database.uow() as uow:
            variations.decide(uow=uow, by=approver, agreement_id=pool, number=1, decision="approve")
    second_half = _write_exports(imports, figures, range(7, 13), "2025-10-to-2026-03")
    files += second_half
    clock.now = datetime(2026, 4, 21, 9, 30, tzinfo=UTC)
    with database.uow() as uow:
        monitoring.import_files(uow=uow, by=priya, agreement_id=pool, paths=second_half)
    clock.now = datetime(2026, 5, 12, 15, 0, tzinfo=UTC)
    with database.uow() as uow:
        statement = yearend.settle_year(uow=uow, by=priya, agreement_id=pool)
    with database.uow() as uow:
        for kind in ("monitoring", "bcf-return", "register", "ledger"):
            files.append(_save(folder, reports.build(uow=uow, by=priya, agreement_id=pool, kind=kind),
                               {"monitoring": "monitoring-workbook.xlsx", "bcf-return": "bcf-return.xlsx",
                                "register": "register.csv", "ledger": "ledger.beancount"}[kind]))
    settlement = folder / "settlement.json"
    settlement.write_text(json.dumps(statement.to_json(), indent=2, ensure_ascii=False), encoding="utf-8")
    return DemoResult(pool, mid_year, statement, [*files, settlement])


def report(result: DemoResult, console: Console) -> None:
    statement = result.statement
    mid = result.mid_year.forecast
    agreement = statement.data["agreement"]
    console.print(f"[bold]{agreement['name']}[/bold] {agreement['year']} (illustrative), agreement "
                  f"{result.agreement_id}: forecast at {mid.as_at_label}, then the year's outturn")
    table = Table(box=box.SIMPLE, pad_edge=False)
    for column in ("scheme", "budget", f"forecast {mid.as_at_label}", "actual", "variance"):
        table.add_column(column, justify="left" if column == "scheme" else "right")
    forecasts = {s.id: s.forecast for s in mid.schemes}
    for s in statement.data["schemes"]:
        table.add_row(s["id"], str(Money.from_stored(s["budget"])), str(forecasts[s["id"]]),
                      str(Money.from_stored(s["actual"])), str(Money.from_stored(s["variance"])))
    console.print(table)
    partners = Table(title="Year-end settlement, posted to the ledger", box=box.SIMPLE, pad_edge=False)
    for column in ("partner", "contribution", "final cost", "paid", "owes (+)/owed (−)"):
        partners.add_column(column, justify="left" if column == "partner" else "right")
    for p in statement.partners:
        partners.add_row(p.code, str(p.contribution), str(p.final_cost), str(p.paid), str(p.balance))
    console.print(partners)
    for line in statement.explanation:
        if line.startswith(("Overspend", "Underspend", "Contingency")):
            console.print(f"- {line}", markup=False, soft_wrap=True)
    console.print(f"Pooled budget files (workbooks, BCF return, register row, settlement, ledger): "
                  f"{result.files[0].parent.parent}", soft_wrap=True)
