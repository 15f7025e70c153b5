"""Demo step: a joint home care tender for the six boroughs, from demand to contracts and OCDS.

Figures are ILLUSTRATIVE. Demand is about 13 home care hours a week per 100 people aged 65+,
prices are a little under each borough's current rate, and bids are drawn from a seeded
generator, so every run gives the same result. The tender runs on a simulated clock that
starts ten weeks ago: bids are sealed before the deadline and opened after it, standstill
runs its ten days, and contracts start before today. A second, smaller reablement tender is
left open (deadline three weeks from now) so Tom can bid on it in the browser.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from carepool.config import Settings
from carepool.core.clock import FixedClock
from carepool.core.money import Money, percent
from carepool.db.engine import Database
from carepool.demo import data
from carepool.partners import access
from carepool.partners.model import Caller
from carepool.partners.service import Located
from carepool.procurement import (
    bidding,
    consortia,
    evaluation,
    opening,
    publication,
    reports,
    service,
    splitting,
    tendering,
)
from carepool.procurement.award_rules import RULE_NAMES
from carepool.procurement.model import BidContent, DemandLine
from carepool.procurement.split_cli import print_split

TITLE = "Running the joint home care tender"
LEAD_EMAIL = "aisha@lbhf.demo"
FINANCE_EMAIL = "finance@e09000009.demo"  # Ealing's finance director
BASELINE = {"E09000005": "23.40", "E09000009": "22.80", "E09000013": "24.90", "E09000015": "22.40",
            "E09000017": "22.10", "E09000018": "23.10"}
ICB_PRICE, ICB_BOROUGHS = "24.75", ("E09000005", "E09000009", "E09000017")  # continuing healthcare at home
RULES = {"max_share": "0.30", "min_sme_share": "0.25", "min_quality": "60", "min_award_fraction": "0.2",
         "max_providers": 2}
SME_THRESHOLD = Decimal(1500)
# Small providers bid where they are: (index in the demo's SME list, localities)
SME_AREAS = [(0, ("HF-NORTH", "HF-FULHAM")), (1, ("BRENT-KIL", "BRENT-HAR")), (2, ("BRENT-HAR", "BRENT-WEM")),
             (3, ("EALING-ACT", "EALING-GRE")), (4, ("EALING-SOU", "EALING-GRE")), (5, ("HOUN-CB", "HOUN-HH")),
             (6, ("HF-FULHAM", "HF-NORTH")), (10, ("HARROW-E", "HARROW-W")), (13, ("HILL-N", "HILL-S")),
             (15, ("HOUN-FEL", "HOUN-HH"))]
LARGE_BIDDERS = 4  # of the six large providers (each bidder gets a user account: hashing its password is slow)


@dataclass(frozen=True)
class DemoResult:
    ref: str
    open_ref: str
    lots: int
    bids: int
    opened: int
    tampered: int
    contracts: int
    summary: reports.AwardSummary
    files: list[Path]
    split: splitting.SplitView


def demand() -> list[DemandLine]:
    """Each member's hours and price today, with who provides them: as Aisha fears, three large groups hold most of
    the market (60% and 25% of each council's home care in a locality), a local agency the rest where there is one;
    the NHS's share and reablement are each with one large group."""
    pop65: dict[str, int] = {}
    for pop in data.populations():
        if pop.age_band in ("65-74", "75-84", "85+"):
            pop65[pop.locality_code] = pop65.get(pop.locality_code, 0) + pop.count
    providers = data.providers()
    large = [p.code for p in providers if not p.sme]
    smes = [p for p in providers if p.sme]
    local = {area: smes[index].code for index, areas in reversed(SME_AREAS) for area in areas}
    councils = [b.code for b in data.BOROUGHS]
    lines = []
    for locality in data.localities():
        hours = Decimal(round(pop65[locality.code] * 13 / 1000) * 10)
        council, price = locality.council_code, Money.parse(BASELINE[locality.council_code])
        n = councils.index(council)
        main, second = (hours * Decimal("0.60")).quantize(Decimal(1)), (hours * Decimal("0.25")).quantize(Decimal(1))
        rest = hours - main - second
        split = [(large[n % 3], main), (large[(n + 1) % 3], second + (0 if locality.code in local else rest))]
        if locality.code in local:
            split.append((local[locality.code], rest))
        lines += [DemandLine(council, "home-care", locality.code, part, price, who) for who, part in split]
        if council in ICB_BOROUGHS:
            lines.append(DemandLine(data.ICB.code, "home-care", locality.code, (hours * Decimal("0.06")).quantize(
                Decimal(1)), Money.parse(ICB_PRICE), large[3]))
        lines.append(DemandLine(council, "reablement", locality.code, (hours * Decimal("0.08")).quantize(Decimal(1)),
                                Money.parse("26.50"), large[(n + 2) % 3]))
    return lines


def _caller(database: Database, email: str) -> Caller:
    with database.uow() as uow:
        user = next(u for u in access.list_all_users(uow=uow) if u.email == email)
        return access.caller_for_user(uow=uow, user_id=user.id)


def _member_caller(database: Database, organisation: str) -> Caller:
    """A user of ``organisation`` who may answer for it (the demo has one for every member)."""
    with database.uow() as uow:
        user = next(u for u in access.list_all_users(uow=uow) if u.organisation_code == organisation
                    and any(role in consortia.ANSWERING_ROLES for role in u.roles))
        return access.caller_for_user(uow=uow, user_id=user.id)


def _bidders() -> list[tuple[str, str, str, tuple[str, ...] | None]]:
    """(provider code, bidding user's email, kind of bidder, localities or None for everywhere)."""
    providers = data.providers()
    smes = [p for p in providers if p.sme]
    result = []
    for index, areas in SME_AREAS:
        email = "tom@kindlycare.demo" if index == 0 else f"bids@{smes[index].code.lower()}.demo"
        result.append((smes[index].code, email, "tom" if index == 0 else "sme", areas))
    for n, large in enumerate([p for p in providers if not p.sme][:LARGE_BIDDERS]):
        result.append((large.code, f"bids@{large.code.lower()}.demo", "cheapest" if n == 0 else "large", None))
    return result


# How far under today's price each kind of bidder goes (pounds an hour), and its quality scores.
CUTS = {"sme": ((20, 160), (56, 90)), "tom": ((120, 170), (82, 82)), "large": ((100, 260), (60, 78)),
        "cheapest": ((220, 300), (62, 70))}


def _offer(rng: random.Random, kind: str, baseline: Money, lot_hours: Decimal, capacity: Decimal) -> BidContent:
    (low, high), (q_low, q_high) = CUTS[kind]
    cut = Decimal(rng.randint(low, high)) / 100
    price = ((baseline.amount - cut) * 20).quantize(Decimal(1)) / 20  # to the nearest 5p
    return BidContent(Money.parse(price.quantize(Decimal("0.01"))), Decimal(rng.randint(q_low, q_high)),
                      min(capacity, lot_hours), capacity)


def _submit_bids(database: Database, clock: FixedClock, ref: str) -> int:
    rng = random.Random(20_260_401)
    with database.uow() as uow:
        lots = tendering.get_tender(uow=uow, caller=_caller(database, LEAD_EMAIL), ref=ref).lots
        existing = {u.email for u in access.list_all_users(uow=uow)}
    count = 0
    for code, email, kind, areas in _bidders():
        if email not in existing:
            with database.uow() as uow:
                access.create_user(uow=uow, actor="demo", email=email, name=f"Bid manager ({code})",
                                   organisation_code=code, roles=["provider"], password=data.DEMO_PASSWORD)
        caller = _caller(database, email)
        capacity = Decimal({"sme": rng.randrange(700, 1600, 50), "tom": 450, "cheapest": 15000}.get(
            kind, rng.randrange(6000, 12000, 500)))
        clock.advance(hours=rng.randint(20, 30))
        for stored in lots:
            if areas is not None and stored.lot.localities[0] not in areas:
                continue
            content = _offer(rng, kind, stored.lot.baseline_price, stored.lot.weekly_quantity, capacity)
            with database.uow() as uow:
                bidding.submit_bid(uow=uow, caller=caller, ref=ref, lot_code=stored.lot.code, content=content)
            count += 1
    return count


def run(database: Database, out_dir: Path) -> DemoResult:
    start = (datetime.now(UTC) - timedelta(days=70)).replace(hour=9, minute=0, second=0, microsecond=0)
    clock = FixedClock(start)
    with database.on_clock(clock) as walked:
        return _run(walked, clock, out_dir)


def _run(db: Database, clock: FixedClock, out_dir: Path) -> DemoResult:
    aisha = _caller(db, LEAD_EMAIL)
    members = [b.code for b in data.BOROUGHS] + [data.ICB.code]
    with db.uow() as uow:
        consortium = consortia.create_consortium(uow=uow, caller=aisha, name="West London care consortium",
                                               members=members)
    for member in members:  # each council and the ICB accepts its invitation, by one of its own users
        if member != aisha.organisation_code:
            with db.uow() as uow:
                consortia.accept(uow=uow, caller=_member_caller(db, member), consortium_id=consortium.id)
    with db.uow() as uow:
        service.save_demand(uow=uow, caller=aisha, consortium_id=consortium.id,
                            lines=[Located(line) for line in demand()], what="demo demand")
    with db.uow() as uow:
        service.set_sme_threshold(uow=uow, caller=aisha, consortium_id=consortium.id, hours=SME_THRESHOLD)
    with db.uow() as uow:
        plan = service.build_lots(uow=uow, caller=aisha, consortium_id=consortium.id, split_big=True)
    home = [s.id for s in plan if s.lot.service == "home-care"]
    deadline = clock.now + timedelta(days=35, hours=3)
    with db.uow() as uow:
        tender = tendering.create_tender(
            uow=uow, caller=aisha, consortium_id=consortium.id, lot_ids=home, rules=RULES, deadline=deadline,
            title="West London joint home care framework 2026-2030",
            description="Home care for adults in six boroughs and continuing healthcare at home for the ICB, "
                        "in lots by locality; a framework with four-year call-off contracts.")
    with db.uow() as uow:
        tendering.publish(uow=uow, caller=aisha, ref=tender.ref)
    bids = _submit_bids(db, clock, tender.ref)
    clock.now = deadline + timedelta(hours=2)
    with db.uow() as uow:
        found = opening.open_bids(uow=uow, caller=aisha, ref=tender.ref)
    clock.advance(days=2)
    with db.uow() as uow:
        evaluation.evaluate(uow=uow, caller=aisha, ref=tender.ref, time_limit=20)
    clock.advance(days=1)
    with db.uow() as uow:  # the finance directors ask what each council gained by joining, and whether it is fair
        split = splitting.compute(uow=uow, caller=_caller(db, FINANCE_EMAIL), ref=tender.ref)
    clock.advance(days=2)
    with db.uow() as uow:
        evaluation.confirm(uow=uow, caller=aisha, ref=tender.ref)
    clock.advance(days=11)
    with db.uow() as uow:
        contracts = evaluation.make_contracts(uow=uow, caller=aisha, ref=tender.ref)
    open_ref = _open_reablement_tender(db, clock, aisha, consortium.id, plan)
    files = _write_ocds(db, out_dir, [tender.ref, open_ref])
    with db.uow() as uow:
        summary = reports.award_summary(uow=uow, caller=aisha, ref=tender.ref)
    assert summary is not None
    return DemoResult(tender.ref, open_ref, len(home), bids, found.opened, len(found.tampered), contracts, summary,
                      files, split)


# What is bought, never how the tender stands: a description stays on the public page after the award
REABLEMENT_DESCRIPTION = ("Short-term reablement at home after hospital discharge, by locality: up to six weeks of "
                          "support to regain independence, with four-year call-off contracts.")


def _open_reablement_tender(db: Database, clock: FixedClock, aisha: Caller, consortium_id: int,
                            plan: list[service.StoredLot]) -> str:
    lot_ids = [s.id for s in plan if s.lot.service == "reablement"]
    deadline = datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=21)
    with db.uow() as uow:
        tender = tendering.create_tender(
            uow=uow, caller=aisha, consortium_id=consortium_id, lot_ids=lot_ids, deadline=deadline,
            rules={"min_sme_share": "0.5", "min_quality": "65", "max_providers": 1},
            title="West London reablement at home 2026-2030",
            description=REABLEMENT_DESCRIPTION)
        tendering.publish(uow=uow, caller=aisha, ref=tender.ref)
    return tender.ref


def _write_ocds(db: Database, out_dir: Path, refs: list[str]) -> list[Path]:
    files: list[Path] = []
    for ref in refs:
        with db.uow() as uow:
            files += publication.write(uow=uow, ref=ref, out=out_dir / "ocds" / f"{ref}.json",
                                       publisher=Settings.from_env())  # the operator's prefix, if it has one
    return files


def report(result: Any, console: Console) -> None:
    summary: reports.AwardSummary = result.summary
    awarded, cheapest = summary.awarded, summary.cheapest
    console.print(f"[bold]Tender {result.ref}[/bold]: {result.lots} lots, {result.bids} sealed bids; "
                  f"{result.opened} opened with hashes matching their receipts, {result.tampered} tampered; "
                  f"{result.contracts} call-off contracts (4 years). Tender {result.open_ref} is open for bids.")
    table = Table(title="Award summary (yearly, illustrative)")
    for column in ("", "today", "cheapest wins", "awarded (30% cap, 25% SME floor)"):
        table.add_column(column, justify="right" if column else "left")
    today = summary.today.market if summary.today else None
    today_sme = percent(summary.today.market.sme_share) if summary.today and summary.today.sme_known else ""
    table.add_row("Cost", str(summary.today.whole if summary.today else summary.baseline), str(cheapest.total),
                  str(awarded.total))
    table.add_row("HHI (0-10,000)", f"{today.hhi:,}" if today else "", f"{cheapest.hhi:,}", f"{awarded.hhi:,}")
    table.add_row("SME share", today_sme, percent(cheapest.sme_share), percent(awarded.sme_share))
    table.add_row("Providers", str(today.winners) if today else "", str(cheapest.winners), str(awarded.winners))
    table.add_row("Saving", "", "", f"{summary.saving} ({summary.saving_pct}%)", style="bold")
    console.print(table)
    for name, cost in summary.rule_costs.items():
        console.print(f"  the {RULE_NAMES[name]} costs {cost} a year")
    savings = Table(title="Savings by member (yearly)")
    for column in ("member", "today", "awarded", "saving"):
        savings.add_column(column, justify="left" if column == "member" else "right")
    for item in summary.savings:
        savings.add_row(summary.names.get(item.member, item.member), str(item.baseline), str(item.awarded),
                        f"{item.saving} ({item.saving_pct}%)")
    console.print(savings)
    print_split(result.split, console)
    console.print("Open contracting data: " + ", ".join(str(p) for p in result.files))
