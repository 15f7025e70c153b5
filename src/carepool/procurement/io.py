"""Demand in and out of Excel (or CSV), and the lot plan out to Excel.

Import reads the whole file, collects every problem with its file, sheet, row and column,
and the service writes nothing unless the file is clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from carepool.core import tabular, workbook
from carepool.core.errors import CarepoolError, Problem
from carepool.core.tabular import Column
from carepool.partners.model import locality_code
from carepool.partners.service import Located
from carepool.procurement import model, validation
from carepool.procurement.model import DemandKey, DemandLine
from carepool.procurement.service import StoredLot

DEMAND_SHEET = "Demand"
MOST_PROVIDER_TEXT = 200  # the column's size


def _provider(value: object) -> str:
    text = " ".join(tabular.text(value).split())
    if len(text) > MOST_PROVIDER_TEXT:
        raise CarepoolError(f"at most {MOST_PROVIDER_TEXT} characters, got {len(text)}")
    return text

DEMAND_COLUMNS = [
    Column("member_code", lambda v: tabular.text(v).upper()),
    Column("service", lambda v: model.service(v).code),
    Column("locality_code", locality_code),
    Column("hours_per_week", lambda v: model.quantity(v, what="hours a week", zero_ok=True)),
    Column("baseline_price", tabular.money),
    # who provides it today (an organisation code, such as a CQC id, or a name): optional, and a member buying one
    # service in one place from several providers states a line for each; it measures the market before the tender
    Column("current_provider", _provider, required=False, default=""),
]
HEADERS = ["member_code", "member_name", "service", "locality_code", "locality_name", "hours_per_week",
           "baseline_price", "annual_value", "current_provider"]


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
    chosen = _demand_sheets(sheets)
    if not chosen:
        found = ", ".join(str(s.name) for s in sheets)
        return DemandFile(problems=[Problem(
            f"no sheet called {DEMAND_SHEET}; found {found or 'no sheet with data'}: put the demand on a sheet "
            f"called {DEMAND_SHEET}, or start from the demand workbook the lot plan offers", file=path.name)])
    demand = DemandFile()
    for sheet in chosen:
        clean, incomplete, found_problems = tabular.read_all_rows(sheet, DEMAND_COLUMNS)
        demand.problems += found_problems
        for number, record in clean:
            line = DemandLine(record["member_code"], record["service"], record["locality_code"],
                              record["hours_per_week"], record["baseline_price"], record["current_provider"] or "")
            if refused := validation.demand_problems(line):  # absurd figures: the whole file is refused
                demand.problems += [Problem(message, sheet.file, sheet.name, number, column)
                                    for column, message in refused]
                incomplete.append((number, record))
                continue
            demand.lines.append(Located(line, sheet.file, sheet.name, number))
        demand.incomplete += [
            Located(DemandKey(record.get("member_code"), record.get("service"), record.get("locality_code"),
                              record.get("current_provider", "")),
                    sheet.file, sheet.name, number) for number, record in incomplete]
    return demand


def _demand_sheets(sheets: list[tabular.Sheet]) -> list[tabular.Sheet]:
    """A CSV file's one table, or the workbook's sheet called Demand; a workbook of one sheet holding the demand
    columns (a new workbook's "Sheet1") is read too. Any other workbook has no demand sheet."""
    chosen = [s for s in sheets if s.name is None or s.name.lower() == DEMAND_SHEET.lower()]
    if chosen:
        return chosen
    required = {c.name for c in DEMAND_COLUMNS if c.required}
    if len(sheets) == 1 and required <= set(sheets[0].headers):
        return sheets
    return []


def write_demand(path: Path, lines: list[DemandLine], names: dict[str, str]) -> Path:
    rows = [[line.member, names.get(line.member, ""), line.service, line.locality, names.get(line.locality, ""),
             line.weekly_quantity, line.baseline_price.amount, line.annual_value.amount, line.current_provider]
            for line in lines]
    if path.suffix.lower() == ".csv":
        import csv

        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(HEADERS)
            writer.writerows(workbook.inert_rows(
                [*row[:5], f"{row[5]:.2f}", f"{row[6]:.2f}", f"{row[7]:.2f}", row[8]] for row in rows))
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
