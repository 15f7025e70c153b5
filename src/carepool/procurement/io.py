"""Demand in and out of Excel (or CSV), and the lot plan out to Excel.

Import reads the whole file, collects every problem with its file, sheet, row and column,
and the service writes nothing unless the file is clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from carepool.core import tabular, workbook
from carepool.core.errors import Problem
from carepool.core.tabular import Column
from carepool.partners.model import locality_code
from carepool.partners.service import Located
from carepool.procurement import model
from carepool.procurement.model import DemandKey, DemandLine
from carepool.procurement.service import StoredLot

DEMAND_SHEET = "Demand"
DEMAND_COLUMNS = [
    Column("member_code", lambda v: tabular.text(v).upper()),
    Column("service", lambda v: model.service(v).code),
    Column("locality_code", locality_code),
    Column("hours_per_week", lambda v: model.quantity(v, what="hours a week", zero_ok=True)),
    Column("baseline_price", tabular.money),
]
HEADERS = ["member_code", "member_name", "service", "locality_code", "locality_name", "hours_per_week",
           "baseline_price", "annual_value"]


@dataclass
class DemandFile:
    """A demand file read whole: its clean lines, every problem, and the rows with a problem (so the service can
    also check their member and locality, and name every problem of the file in one go)."""

    lines: list[Located[DemandLine]] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    incomplete: list[Located[DemandKey]] = field(default_factory=list)


def read_demand(path: Path) -> DemandFile:
    """Every demand line of the file, and every problem found (the service refuses a file with any)."""
    sheets = tabular.read_tables(path)
    chosen = [s for s in sheets if s.name is None or s.name.lower() == DEMAND_SHEET.lower()] or sheets[:1]
    if not chosen:
        return DemandFile(problems=[Problem(f"no sheet called {DEMAND_SHEET} and no data", file=path.name)])
    demand = DemandFile()
    for sheet in chosen:
        clean, incomplete, found = tabular.read_all_rows(sheet, DEMAND_COLUMNS)
        demand.problems += found
        for number, record in clean:
            if record["baseline_price"].pence <= 0:
                demand.problems.append(Problem("must be above zero", sheet.file, sheet.name, number,
                                               "baseline_price"))
                incomplete.append((number, record))
                continue
            line = DemandLine(record["member_code"], record["service"], record["locality_code"],
                              record["hours_per_week"], record["baseline_price"])
            demand.lines.append(Located(line, sheet.file, sheet.name, number))
        demand.incomplete += [
            Located(DemandKey(record.get("member_code"), record.get("service"), record.get("locality_code")),
                    sheet.file, sheet.name, number) for number, record in incomplete]
    return demand


def write_demand(path: Path, lines: list[DemandLine], names: dict[str, str]) -> Path:
    rows = [[line.member, names.get(line.member, ""), line.service, line.locality, names.get(line.locality, ""),
             line.weekly_quantity, line.baseline_price.amount, line.annual_value.amount] for line in lines]
    if path.suffix.lower() == ".csv":
        import csv

        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows(workbook.inert_rows(
                [*row[:5], f"{row[5]:.2f}", f"{row[6]:.2f}", f"{row[7]:.2f}"] for row in rows))
        return path
    book = workbook.new_workbook()
    money_format = '"£"#,##0.00'
    workbook.add_table_sheet(book, DEMAND_SHEET, HEADERS, rows,
                             {"baseline_price": money_format, "annual_value": money_format,
                              "hours_per_week": "#,##0.00"})
    book.save(path)
    return path


def write_lots(path: Path, lots: list[StoredLot], names: dict[str, str]) -> Path:
    """The lot plan: one sheet of lots, one of each member's share of each lot."""
    book = workbook.new_workbook()
    money_format = '"£"#,##0.00'
    workbook.add_table_sheet(
        book, "Lots",
        ["code", "name", "service", "localities", "hours_per_week", "baseline_price", "annual_value",
         "too_big_for_sme"],
        [[s.lot.code, s.lot.name, s.lot.service, ", ".join(s.lot.localities), s.lot.weekly_quantity,
          s.lot.baseline_price.amount, s.lot.annual_value.amount, "yes" if s.lot.too_big_for_sme else "no"]
         for s in lots],
        {"baseline_price": money_format, "annual_value": money_format},
    )
    workbook.add_table_sheet(
        book, "Member shares", ["lot", "member_code", "member_name", "hours_per_week", "share_pct", "baseline_price"],
        [[s.lot.code, share.member, names.get(share.member, ""), share.weekly_quantity, share.share_bp / 100,
          share.baseline_price.amount] for s in lots for share in s.lot.shares],
        {"baseline_price": money_format},
    )
    book.save(path)
    return path
